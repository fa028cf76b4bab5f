// The slow half of the mutation test (issue 13): accepted random mutants of the example definitions synthesize to
// Terraform that `terraform validate` accepts against the real AWS provider schema (offline, through the provider
// mirror), beside the in-process checks of test/definition-mutations.test.ts. Every sampled mutant's stacks are
// validated at once in beforeAll, sharing one provider process (test/support/terraform-validate.ts).
import { join } from "node:path";
import { clusters } from "../clusters";
import { definitionProblems, type ClusterDefinition } from "../constructs";
import { acceptedSample, mutants } from "./support/definition-fuzz";
import { synthClusters } from "./support/synth";
import { stackNames } from "./support/terraform";
import { VALIDATE_TIMEOUT_MS, validateStackDirs, verdictOf, type StackValidation } from "./support/terraform-validate";

const SEED = 20261201;
const SAMPLE = 2;

describe("terraform validate of accepted random mutants", () => {
  const accepted = clusters
    .flatMap((cluster, i) => mutants(cluster, SEED + 100 + i, 60))
    .filter((m) => definitionProblems(m.definition).length === 0);
  const sample = acceptedSample(accepted, SAMPLE);
  /** Each sampled mutant's stack folders to validate. */
  const stackDirs = new Map<(typeof sample)[number], string[]>();
  let validations: Map<string, StackValidation>;

  beforeAll(async () => {
    for (const mutant of sample) {
      const { outdir } = synthClusters([mutant.definition as ClusterDefinition]);
      // One generation stack and the traffic stack are enough to see a mutation's effect; all stacks share the code paths.
      const stacks = stackNames(outdir).filter((s, _i, all) => s.endsWith("-traffic") || s === all.find((x) => !x.endsWith("-traffic")));
      stackDirs.set(
        mutant,
        stacks.map((stack) => join(outdir, "stacks", stack)),
      );
    }
    validations = await validateStackDirs([...stackDirs.values()].flat());
  }, VALIDATE_TIMEOUT_MS);

  test("the mutations leave some definitions valid", () => {
    expect(sample).toHaveLength(SAMPLE);
  });

  test.each(sample.map((m) => [`${m.path} (${m.description})`, m] as const))("mutant %s validates", (_name, mutant) => {
    const dirs = stackDirs.get(mutant)!;
    expect(dirs.length).toBeGreaterThan(0);
    for (const dir of dirs) {
      const stack = dir.split("/").pop()!;
      const verdict = verdictOf(validations.get(dir), stack);
      const errors = verdict.diagnostics.filter((d) => d.severity === "error").map((d) => `${stack}: ${d.summary} ${d.detail ?? ""}`);
      expect(errors).toEqual([]);
      expect(verdict.valid).toBe(true);
    }
  });
});
