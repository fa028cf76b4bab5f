// Every synthesized example stack validates against the real AWS provider schema (hashicorp/aws 5.100.0), offline,
// through the machine's provider filesystem mirror.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { synthClusters } from "./support/synth";
import { stackNames, terraform } from "./support/terraform";

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  address?: string;
}

describe("terraform validate of the example stacks", () => {
  const outdir = synthClusters(clusters).outdir;
  const stacks = stackNames(outdir);
  // One plugin cache for every stack: the provider is linked from the mirror once, not copied per stack.
  const pluginCache = mkdtempSync(join(tmpdir(), "tf-plugin-cache-"));

  test("the examples synthesize generation and traffic stacks", () => {
    expect(stacks).toEqual(expect.arrayContaining(["prod-a", "prod-b", "prod-traffic", "staging-a", "staging-traffic"]));
  });

  test.each(stacks)("%s is valid", (stack) => {
    const dir = join(outdir, "stacks", stack);
    const env = { TF_PLUGIN_CACHE_DIR: pluginCache };
    terraform(dir, ["init", "-backend=false", "-no-color"], env);
    let output: string;
    try {
      output = terraform(dir, ["validate", "-json", "-no-color"], env);
    } catch (error) {
      // validate exits non-zero on errors but still prints its JSON verdict on stdout
      output = String((error as Error).message).replace(/^[^\n]*\n/, "");
    }
    const verdict = JSON.parse(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1)) as {
      valid: boolean;
      error_count: number;
      diagnostics: Diagnostic[];
    };
    const errors = verdict.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${d.address ?? ""} ${d.summary}: ${d.detail ?? ""}`);
    expect(errors).toEqual([]);
    expect(verdict.valid).toBe(true);
  });
});
