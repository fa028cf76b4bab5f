// The slow half of the mutation test (issue 13): accepted random mutants of the example definitions synthesize to
// Terraform that `terraform validate` accepts against the real AWS provider schema (offline, through the provider
// mirror), beside the in-process checks of test/definition-mutations.test.ts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { definitionProblems, type ClusterDefinition } from "../constructs";
import { acceptedSample, mutants } from "./support/definition-fuzz";
import { synthClusters } from "./support/synth";
import { runTerraform, stackNames, terraform } from "./support/terraform";

const SEED = 20261201;
const SAMPLE = 2;

describe("terraform validate of accepted random mutants", () => {
  const accepted = clusters
    .flatMap((cluster, i) => mutants(cluster, SEED + 100 + i, 60))
    .filter((m) => definitionProblems(m.definition).length === 0);
  const sample = acceptedSample(accepted, SAMPLE);
  const env = { TF_PLUGIN_CACHE_DIR: mkdtempSync(join(tmpdir(), "tf-plugin-cache-")) };

  test("the mutations leave some definitions valid", () => {
    expect(sample).toHaveLength(SAMPLE);
  });

  test.each(sample.map((m) => [`${m.path} (${m.description})`, m] as const))("mutant %s validates", (_name, mutant) => {
    const { outdir } = synthClusters([mutant.definition as ClusterDefinition]);
    // One generation stack and the traffic stack are enough to see a mutation's effect; all stacks share the code paths.
    const stacks = stackNames(outdir).filter((s, _i, all) => s.endsWith("-traffic") || s === all.find((x) => !x.endsWith("-traffic")));
    for (const stack of stacks) {
      const dir = join(outdir, "stacks", stack);
      terraform(dir, ["init", "-backend=false", "-input=false", "-no-color"], env);
      const run = runTerraform(dir, ["validate", "-json", "-no-color"], env);
      const verdict = JSON.parse(run.stdout) as {
        valid: boolean;
        diagnostics: Array<{ severity: string; summary: string; detail?: string }>;
      };
      const errors = verdict.diagnostics.filter((d) => d.severity === "error").map((d) => `${stack}: ${d.summary} ${d.detail ?? ""}`);
      expect(errors).toEqual([]);
      expect(verdict.valid).toBe(true);
    }
  });
});
