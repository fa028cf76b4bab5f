// Owns what every per-generation subcommand (lock, token, kubeconfig, validate) shares: parsing the
// `<cluster>/<generation>` argument, loading the definitions repository's `clusters` export (TypeScript, through tsx),
// and finding the named generation in it, each refusal naming the argument and the fix. The definition checks (zod
// schemas, the addon registry, cdk8s: about 270 modules) are loaded only by findGeneration, so `token`, which kubectl
// runs as its exec credential plugin on every call and needs parseTarget alone, does not load them.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ClusterDefinition, GenerationDefinition } from "../../constructs/definition/types";
import type { ResolvedGeneration } from "../../constructs/definition/resolve";

/** The module of a definitions repository that exports `clusters`. */
export const DEFAULT_DEFINITIONS_MODULE = "clusters/index.ts";

/** A parsed `<cluster>/<generation>` argument. */
export interface Target {
  readonly cluster: string;
  readonly generation: string;
  /** `<cluster>-<generation>`: the generation's full name (its stack, its tokens' cluster ID). */
  readonly fullName: string;
}

/** Parses `<cluster>/<generation>`; `command` names the subcommand in the refusal. */
export function parseTarget(target: string, command: string): Target {
  const match = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9]*)$/.exec(target);
  if (!match) throw new Error(`${command}: "${target}" is not <cluster>/<generation>; write it like "prod/b"`);
  return { cluster: match[1], generation: match[2], fullName: `${match[1]}-${match[2]}` };
}

/** Loads the repository's TypeScript definitions through tsx (which the cdktf app already uses). */
export function loadDefinitions(root: string, modulePath: string, command: string): readonly ClusterDefinition[] {
  const file = resolve(root, modulePath);
  if (!existsSync(file))
    throw new Error(`${command}: ${modulePath} not found in ${root}; pass --definitions <module exporting "clusters">`);
  let tsxRequire: (id: string, from: string) => unknown;
  try {
    tsxRequire = (require("tsx/cjs/api") as { require: typeof tsxRequire }).require;
  } catch {
    throw new Error(`${command}: loading TypeScript definitions needs tsx; install it with "npm install --save-dev tsx"`);
  }
  const loaded = tsxRequire(file, __filename) as { clusters?: readonly ClusterDefinition[] };
  if (!Array.isArray(loaded.clusters))
    throw new Error(`${command}: ${modulePath} does not export "clusters" (an array of cluster definitions)`);
  return loaded.clusters;
}

/** The named generation of validated definitions. */
export interface FoundGeneration {
  /** The definition as the user wrote it (the lock records this). */
  readonly raw: ClusterDefinition;
  /** The validated definition. */
  readonly cluster: ClusterDefinition;
  readonly definition: GenerationDefinition;
  /** Everything derived from it (API endpoint and port, SSM prefix, region, pools). */
  readonly resolved: ResolvedGeneration;
}

/** Checks every definition (a broken entry refused with its position) and finds `target` among them. */
export function findGeneration(clusters: readonly ClusterDefinition[], target: Target, command: string): FoundGeneration {
  const { validateDefinitions } =
    require("../../constructs/definition/arguments") as typeof import("../../constructs/definition/arguments");
  const { validateDefinition } = require("../../constructs/definition/validate") as typeof import("../../constructs/definition/validate");
  const { resolveGeneration } = require("../../constructs/definition/resolve") as typeof import("../../constructs/definition/resolve");
  validateDefinitions(clusters, command);
  const raw = clusters.find((c) => c.name === target.cluster);
  if (!raw)
    throw new Error(
      `${command}: no cluster named "${target.cluster}" in the definitions; use one of ${clusters.map((c) => `"${c.name}"`).join(", ")}`,
    );
  const cluster = validateDefinition(raw);
  const definition = cluster.generations.find((g) => g.id === target.generation);
  if (!definition)
    throw new Error(
      `generation: cluster "${cluster.name}" has no generation "${target.generation}"; use one of ${cluster.generations.map((g) => `"${g.id}"`).join(", ")}`,
    );
  return { raw, cluster, definition, resolved: resolveGeneration(cluster, definition) };
}
