// The `lock` subcommand: records a generation as deployed in clusters/generations.lock.json (after `cdktf deploy`) and
// freezes its node configs and addon manifests in clusters/deployed/<cluster>-<generation>/, or removes both (`--remove`,
// after `cdktf destroy`). The guard refuses in-place changes to every generation recorded there; a frozen generation's
// stack uploads its frozen artifacts whatever the library version.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { ClusterDefinition } from "../../constructs/definition/types";
import { artifactFiles, freezeGeneration, frozenRecord, generationKey, readFrozenArtifacts } from "../../constructs/fleet/frozen-artifacts";
import { immutabilityViolations } from "../../constructs/fleet/guard";
import {
  EMPTY_LOCK,
  fingerprintGeneration,
  frozenDirectory,
  isFrozen,
  LOCK_FILE,
  lockedGeneration,
  parseFleetLock,
  serializeFleetLock,
  withGeneration,
  withoutGeneration,
} from "../../constructs/fleet/lock";
import { NODE_CONTRACT } from "../../constructs/cluster/node-contract";
import { LIBRARY_VERSION } from "../../constructs/library-version";
import { DEFAULT_DEFINITIONS_MODULE, findGeneration, loadDefinitions, parseTarget } from "./target";

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

/** Records or removes `<cluster>/<generation>` in the lock file and its frozen artifacts; returns a sentence saying what it did. */
export function lockGeneration(target: string, options: LockOptions = {}): string {
  const parsed = parseTarget(target, "lock");
  const { cluster: clusterName, generation: generationId } = parsed;
  const root = resolve(options.root ?? process.cwd());
  const file = join(root, LOCK_FILE);
  const lock = existsSync(file) ? parseFleetLock(readFileSync(file, "utf8"), LOCK_FILE) : EMPTY_LOCK;
  const dir = join(root, frozenDirectory(clusterName, generationId));
  if (options.remove) {
    if (!lockedGeneration(lock, clusterName, generationId))
      return `${clusterName}/${generationId} is not in ${LOCK_FILE}; nothing to remove`;
    write(file, serializeFleetLock(withoutGeneration(lock, clusterName, generationId)));
    rmSync(dir, { recursive: true, force: true });
    return `removed ${clusterName}/${generationId} from ${LOCK_FILE} and its frozen artifacts: it no longer counts as deployed`;
  }
  const clusters = options.clusters ?? loadDefinitions(root, options.definitionsModule ?? DEFAULT_DEFINITIONS_MODULE, "lock");
  // Every definition checked (a bad entry is refused with its field, never a TypeError); the lock then records what the
  // user wrote (the raw definition), as the guard compares it.
  const { raw: found, cluster } = findGeneration(clusters, parsed, "lock");
  const before = lockedGeneration(lock, clusterName, generationId);
  if (before && !isFrozen(before)) {
    // A version 1 entry: freeze only if this library renders exactly what was recorded, i.e. what was deployed.
    const now = fingerprintGeneration(cluster, generationId);
    const differs = [
      ...Object.entries(before.nodeConfigs)
        .filter(([role, hash]) => now.nodeConfigs[role] !== undefined && now.nodeConfigs[role] !== hash)
        .map(([role]) => `node config of ${role}`),
      ...(now.addons !== before.addons ? ["addon manifests"] : []),
    ];
    if (differs.length > 0)
      throw new Error(
        `lock: ${clusterName}/${generationId} is recorded by hashes only (lock version 1) and immutable-clusters ${LIBRARY_VERSION} renders its ${differs.join(", ")} differently, so it cannot freeze what was deployed; run "immutable-clusters lock ${target}" with the library version that deployed it (e.g. npx immutable-clusters@<that version> lock ${target}), then upgrade`,
      );
  }
  const violations = before ? immutabilityViolations([found], withGeneration(EMPTY_LOCK, clusterName, generationId, before)) : [];
  if (violations.length > 0)
    throw new Error(
      `lock: ${clusterName}/${generationId} is deployed and its definition changes it in place; the lock cannot record that:\n` +
        violations.map((v) => `  - ${v.field}: ${v.message}`).join("\n"),
    );

  const rendered = freezeGeneration(found, generationId).files;
  let files: ReadonlyMap<string, string>;
  let libraryVersion = LIBRARY_VERSION;
  let nodeContract = NODE_CONTRACT;
  let how: string;
  if (before && isFrozen(before)) {
    // Refresh: what was frozen stays byte for byte; a pool added since is frozen as this library renders it now.
    const kept = readFrozenArtifacts(withGeneration(EMPTY_LOCK, clusterName, generationId, before), root).get(
      generationKey(clusterName, generationId),
    );
    const keptFiles = kept ? artifactFiles(kept.nodeConfigs, kept.addonManifests) : new Map<string, string>();
    const refreshed = new Map(
      [...rendered].filter(([path]) => path.startsWith("ignition/")).map(([path, text]) => [path, keptFiles.get(path) ?? text]),
    );
    for (const [path, text] of keptFiles) if (path.startsWith("addons/")) refreshed.set(path, text);
    files = refreshed;
    libraryVersion = before.libraryVersion;
    nodeContract = before.nodeContract;
    how = "refreshed";
  } else if (before) {
    files = rendered;
    how = "froze";
  } else {
    files = rendered;
    how = "recorded and froze";
  }

  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of files) write(join(dir, path), text);
  const entry = frozenRecord(found, generationId, files, libraryVersion, nodeContract);
  write(file, serializeFleetLock(withGeneration(lock, clusterName, generationId, entry)));
  const what = `Kubernetes ${entry.kubernetesVersion}, ${entry.flatcarImage}, ${[...files.keys()].filter((p) => p.startsWith("ignition/")).length} node configs and ${[...files.keys()].filter((p) => p.startsWith("addons/")).length} addon manifests in ${frozenDirectory(clusterName, generationId)}/`;
  return `${how} ${clusterName}/${generationId} in ${LOCK_FILE} (${what}); commit both with the definition`;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export function registerLock(program: Command): void {
  program
    .command("lock")
    .description("record a deployed generation in clusters/generations.lock.json (or drop a destroyed one with --remove)")
    .argument("<cluster/generation>", 'the generation, e.g. "prod/b"')
    .option("--remove", "drop the generation from the lock (after cdktf destroy)", false)
    .option("--definitions <module>", 'module exporting "clusters"', DEFAULT_DEFINITIONS_MODULE)
    .action((target: string, opts: { remove: boolean; definitions: string }) => {
      console.log(lockGeneration(target, { remove: opts.remove, definitionsModule: opts.definitions }));
    });
}
