// Test support: synthesizes cluster definitions into a fresh cdktf output folder and reads the stacks back.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addClusters, type ClusterDefinition, type ClusterStacks } from "../../constructs";
import { App } from "../../constructs/platform/terraform";

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: ClusterStacks[];
  /** The parsed cdk.tf.json of a stack. */
  json(stack: string): TerraformJson;
}

/** The parts of a synthesized Terraform JSON document the tests read. */
export interface TerraformJson {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, unknown>;
  readonly terraform: Record<string, unknown>;
  readonly provider: Record<string, unknown>;
}

/** Synthesizes definitions (with construct validation) into a temporary folder. */
export function synthClusters(definitions: readonly ClusterDefinition[], outdir = mkdtempSync(join(tmpdir(), "synth-"))): SynthResult {
  const app = new App({ outdir, skipValidation: false });
  const stacks = addClusters(app, definitions);
  app.synth();
  return {
    outdir,
    stacks,
    json: (stack) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson,
  };
}

/** All resources of one type in a stack, by logical id. */
export function resourcesOf(doc: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return doc.resource[type] ?? {};
}
