// Every synthesized example stack validates against the real AWS provider schema (hashicorp/aws 5.100.0), offline,
// through the machine's provider filesystem mirror (discovered by test/support/terraform.ts, never hard-coded). Each
// stack is initialized from the mirror and validated in its own folder; the validates share one provider process and
// run two at a time (test/support/terraform-validate.ts).
import { clusters } from "../clusters";
import { synthClusters } from "./support/synth";
import { stackNames } from "./support/terraform";
import { describeDiagnostic, VALIDATE_TIMEOUT_MS, validateStacks, verdictOf, type StackValidation } from "./support/terraform-validate";

describe("terraform validate of the example stacks", () => {
  const outdir = synthClusters(clusters).outdir;
  const stacks = stackNames(outdir);
  let validations: Map<string, StackValidation>;

  beforeAll(async () => {
    validations = await validateStacks(outdir, stacks);
  }, VALIDATE_TIMEOUT_MS);

  test("the examples synthesize generation and traffic stacks", () => {
    expect(stacks).toEqual(expect.arrayContaining(["prod-a", "prod-b", "prod-traffic", "staging-a", "staging-traffic"]));
  });

  test.each(stacks)("%s is valid", (stack) => {
    const validation = validations.get(stack);
    const verdict = verdictOf(validation, stack);
    const problems = verdict.diagnostics.filter((d) => d.severity === "error").map(describeDiagnostic);
    // The diff of this assertion lists every error with its address and detail.
    expect(problems).toEqual([]);
    expect({ valid: verdict.valid, errors: verdict.error_count, exit: validation!.run.status }).toEqual({
      valid: true,
      errors: 0,
      exit: 0,
    });
  });
});
