// Owns synthesizing cluster definitions inside a team's own tests: runs `addClusters` in a throwaway cdktf app (with
// construct validation) and hands back every stack's Terraform JSON, each generation's addon manifests and node configs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ManifestFile } from "../addons/render";
import { validateDefinitions, validateOneDefinition } from "../definition/arguments";
import type { ClusterDefinition } from "../definition/types";
import { addClusters } from "../fleet/fleet";
import { App } from "../platform/terraform";
import type { TerraformJson } from "./terraform-json";

/** What one or more cluster definitions synthesize to. */
export interface SynthesizedClusters {
  /** Terraform JSON of every stack, by stack name: `<cluster>-<generation>` per generation, `<cluster>-traffic` and `<cluster>-identity`. */
  readonly stacks: Readonly<Record<string, TerraformJson>>;
  /** Addon manifests of every generation, by generation full name (`<cluster>-<generation>`), in apply order. */
  readonly manifests: Readonly<Record<string, readonly ManifestFile[]>>;
  /**
   * Parsed Ignition config of every node role of every generation, by generation full name, then by file name
   * (`controller.ign`, `worker-<pool>.ign`): exactly what the generation stores in its node bucket.
   */
  readonly ignition: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Options of {@link synthClusters}. */
export interface SynthOptions {
  /**
   * Run the construct validations of cdktf during synth.
   * @default true
   */
  readonly validate?: boolean;
}

/**
 * Synthesizes cluster definitions as `addClusters` does in a cdktf app, in a temporary folder that is removed afterwards.
 * Throws the definition errors (naming field and fix) when a definition is invalid.
 */
export function synthClusters(definitions: readonly ClusterDefinition[], options: SynthOptions = {}): SynthesizedClusters {
  // Checked before a folder is made: a wrong argument is refused with a message, never a TypeError.
  definitions = validateDefinitions(definitions, "synthClusters");
  const outdir = mkdtempSync(join(tmpdir(), "immutable-clusters-synth-"));
  try {
    const app = new App({ outdir, skipValidation: options.validate === false });
    const clusters = addClusters(app, definitions);
    app.synth();
    const stacks: Record<string, TerraformJson> = {};
    const manifests: Record<string, readonly ManifestFile[]> = {};
    const ignition: Record<string, Record<string, unknown>> = {};
    for (const cluster of clusters) {
      for (const stack of [...cluster.generations, cluster.traffic, cluster.identity]) {
        const name = stack.node.id;
        stacks[name] = JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as TerraformJson;
      }
      for (const generation of cluster.generations) {
        const fullName = generation.cluster.generation.fullName;
        manifests[fullName] = generation.addonManifests;
        ignition[fullName] = Object.fromEntries(
          [...generation.cluster.nodeConfigs].map(([key, config]) => [key.replace(/^ignition\//, ""), JSON.parse(config)]),
        );
      }
    }
    return { stacks, manifests, ignition };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** {@link synthClusters} for a single definition. */
export function synthCluster(definition: ClusterDefinition, options: SynthOptions = {}): SynthesizedClusters {
  return synthClusters([validateOneDefinition(definition, "synthCluster")], options);
}
