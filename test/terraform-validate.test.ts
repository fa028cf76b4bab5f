// Every synthesized example stack validates against the real AWS provider schema (hashicorp/aws 5.100.0), offline,
// through the machine's provider filesystem mirror (discovered by test/support/terraform.ts, never hard-coded).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { synthClusters } from "./support/synth";
import { runTerraform, stackNames, terraform } from "./support/terraform";

interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number } };
}

interface Verdict {
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: Diagnostic[];
}

/** One line per diagnostic: where, what, why. */
function describeDiagnostic(d: Diagnostic): string {
  const where = d.address ?? (d.range ? `${d.range.filename}:${d.range.start.line}` : "");
  return `${d.severity} ${where}: ${d.summary}${d.detail ? ` — ${d.detail}` : ""}`;
}

describe("terraform validate of the example stacks", () => {
  const outdir = synthClusters(clusters).outdir;
  const stacks = stackNames(outdir);
  // One plugin cache for every stack: the provider is linked from the mirror once, not copied per stack.
  const env = { TF_PLUGIN_CACHE_DIR: mkdtempSync(join(tmpdir(), "tf-plugin-cache-")) };

  test("the examples synthesize generation and traffic stacks", () => {
    expect(stacks).toEqual(expect.arrayContaining(["prod-a", "prod-b", "prod-traffic", "staging-a", "staging-traffic"]));
  });

  test.each(stacks)("%s is valid", (stack) => {
    const dir = join(outdir, "stacks", stack);
    terraform(dir, ["init", "-backend=false", "-input=false", "-no-color"], env);
    const run = runTerraform(dir, ["validate", "-json", "-no-color"], env);
    let verdict: Verdict;
    try {
      verdict = JSON.parse(run.stdout) as Verdict;
    } catch {
      throw new Error(`terraform validate printed no JSON verdict (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    const problems = verdict.diagnostics.filter((d) => d.severity === "error").map(describeDiagnostic);
    // The diff of this assertion lists every error with its address and detail.
    expect(problems).toEqual([]);
    expect({ valid: verdict.valid, errors: verdict.error_count, exit: run.status }).toEqual({ valid: true, errors: 0, exit: 0 });
  });
});
