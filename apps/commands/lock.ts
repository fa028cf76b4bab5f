// The `lock` subcommand: records a generation as deployed in clusters/generations.lock.json (after `cdktf deploy`), or
// removes it (`--remove`, after `cdktf destroy`). The guard refuses in-place changes to every generation recorded there.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { ClusterDefinition } from "../../constructs/definition/types";
import {
  EMPTY_LOCK,
  fingerprintGeneration,
  LOCK_FILE,
  lockedGeneration,
  parseFleetLock,
  serializeFleetLock,
  withGeneration,
  withoutGeneration,
} from "../../constructs/fleet/lock";

/** Options of {@link lockGeneration}. */
export interface LockOptions {
  /** Root of the definitions repository. @default process.cwd() */
  readonly root?: string;
  /** Drop the generation from the lock instead of recording it (after it was destroyed). @default false */
  readonly remove?: boolean;
  /** The definitions, when the caller has them; otherwise loaded from `definitionsModule`. @default undefined */
  readonly clusters?: readonly ClusterDefinition[];
  /** Module (relative to root) exporting `clusters: ClusterDefinition[]`. @default "clusters/index.ts" */
  readonly definitionsModule?: string;
}

/** Records or removes `<cluster>/<generation>` in the lock file; returns a sentence saying what it did. */
export function lockGeneration(target: string, options: LockOptions = {}): string {
  const match = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9]*)$/.exec(target);
  if (!match) throw new Error(`lock: "${target}" is not <cluster>/<generation>; write it like "prod/b"`);
  const [, clusterName, generationId] = match;
  const root = resolve(options.root ?? process.cwd());
  const file = join(root, LOCK_FILE);
  const lock = existsSync(file) ? parseFleetLock(readFileSync(file, "utf8"), LOCK_FILE) : EMPTY_LOCK;
  if (options.remove) {
    if (!lockedGeneration(lock, clusterName, generationId))
      return `${clusterName}/${generationId} is not in ${LOCK_FILE}; nothing to remove`;
    write(file, serializeFleetLock(withoutGeneration(lock, clusterName, generationId)));
    return `removed ${clusterName}/${generationId} from ${LOCK_FILE}: it no longer counts as deployed`;
  }
  const clusters = options.clusters ?? loadDefinitions(root, options.definitionsModule ?? "clusters/index.ts");
  const cluster = clusters.find((c) => c.name === clusterName);
  if (!cluster)
    throw new Error(
      `lock: no cluster named "${clusterName}" in the definitions; use one of ${clusters.map((c) => `"${c.name}"`).join(", ")}`,
    );
  const fingerprint = fingerprintGeneration(cluster, generationId);
  const before = lockedGeneration(lock, clusterName, generationId);
  write(file, serializeFleetLock(withGeneration(lock, clusterName, generationId, fingerprint)));
  const what = `Kubernetes ${fingerprint.kubernetesVersion}, ${fingerprint.flatcarImage}, ${Object.keys(fingerprint.nodeConfigs).length} node configs`;
  return `${before ? "refreshed" : "recorded"} ${clusterName}/${generationId} in ${LOCK_FILE} (${what}); commit it with the definition`;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Loads the repo's TypeScript definitions through tsx (which the cdktf app already uses). */
function loadDefinitions(root: string, modulePath: string): readonly ClusterDefinition[] {
  const file = resolve(root, modulePath);
  if (!existsSync(file)) throw new Error(`lock: ${modulePath} not found in ${root}; pass --definitions <module exporting "clusters">`);
  let tsxRequire: (id: string, from: string) => unknown;
  try {
    tsxRequire = (require("tsx/cjs/api") as { require: typeof tsxRequire }).require;
  } catch {
    throw new Error('lock: loading TypeScript definitions needs tsx; install it with "npm install --save-dev tsx"');
  }
  const loaded = tsxRequire(file, __filename) as { clusters?: readonly ClusterDefinition[] };
  if (!Array.isArray(loaded.clusters)) throw new Error(`lock: ${modulePath} does not export "clusters" (an array of cluster definitions)`);
  return loaded.clusters;
}

export function registerLock(program: Command): void {
  program
    .command("lock")
    .description("record a deployed generation in clusters/generations.lock.json (or drop a destroyed one with --remove)")
    .argument("<cluster/generation>", 'the generation, e.g. "prod/b"')
    .option("--remove", "drop the generation from the lock (after cdktf destroy)", false)
    .option("--definitions <module>", 'module exporting "clusters"', "clusters/index.ts")
    .action((target: string, opts: { remove: boolean; definitions: string }) => {
      console.log(lockGeneration(target, { remove: opts.remove, definitionsModule: opts.definitions }));
    });
}
