// Owns a deployed generation's frozen artifacts: the node configs and addon manifests it booted with, kept as files in
// the definitions repository (clusters/deployed/<cluster>-<generation>/) so that a library upgrade never changes a
// running generation. Freezing writes them from a rendering; reading checks every file against the lock's hashes.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { splitLayers } from "../addons/policy-layer";
import { renderAddonManifests, type ManifestFile } from "../addons/render";
import { resolveGeneration, type ResolvedGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { validateDefinition } from "../definition/validate";
import { nodeConfigKey, renderNodeIgnition } from "../ignition/node-config";
import { NODE_CONTRACT } from "../cluster/node-contract";
import { LIBRARY_VERSION } from "../library-version";
import { immutableInputs } from "./immutable-inputs";
import { digest, frozenDirectory, isFrozen, LOCK_FILE, type FleetLock, type FrozenGenerationRecord } from "./lock";

/** What a frozen generation's stack uploads instead of a fresh rendering. */
export interface FrozenArtifacts {
  /** Version of immutable-clusters that rendered them. */
  readonly libraryVersion: string;
  /** The node contract they follow (see FrozenGenerationRecord.nodeContract). */
  readonly nodeContract: number;
  /** Each node role's Ignition config as uploaded (canonical JSON), by its key in the node bucket (`ignition/controller.ign`). */
  readonly nodeConfigs: ReadonlyMap<string, string>;
  /** The addon manifests in apply order. */
  readonly addonManifests: readonly ManifestFile[];
}

/** `<cluster>/<generation>`: how frozen artifacts are keyed. */
export function generationKey(cluster: string, generationId: string): string {
  return `${cluster}/${generationId}`;
}

/**
 * The files that freeze a rendering, by path inside the frozen folder: `ignition/<role>.ign` (the config, indented for
 * review; uploaded as canonical JSON) and `addons/<file>.yaml` (byte for byte).
 */
export function artifactFiles(nodeConfigs: ReadonlyMap<string, string>, addonManifests: readonly ManifestFile[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const [key, config] of [...nodeConfigs].sort(([a], [b]) => a.localeCompare(b))) {
    const indented = JSON.stringify(JSON.parse(config), null, 2) + "\n";
    // The upload must be byte-identical to what the generation booted with: never freeze what would not round-trip.
    if (JSON.stringify(JSON.parse(indented)) !== config)
      throw new Error(`${key}: the node config does not round-trip through JSON; it cannot be frozen`);
    files.set(key, indented);
  }
  for (const manifest of addonManifests) files.set(`addons/${manifest.name}`, manifest.yaml);
  return files;
}

/**
 * The files the current library renders for a generation, as artifactFiles lays them out. Under node contract 2 and
 * later the policy layer (tenants, constructs/addons/policy-layer.ts) is left out: it is reconciled on the running
 * generation, never frozen. Contract 1 generations froze it with the rest and keep it.
 */
export function renderedArtifactFiles(gen: ResolvedGeneration, nodeContract = NODE_CONTRACT): Map<string, string> {
  const nodeConfigs = new Map<string, string>([[nodeConfigKey({ kind: "controller" }), renderNodeIgnition(gen, { kind: "controller" })]]);
  for (const pool of gen.workerPools)
    nodeConfigs.set(nodeConfigKey({ kind: "worker", pool }), renderNodeIgnition(gen, { kind: "worker", pool }));
  const addons = renderAddonManifests(gen);
  return artifactFiles(nodeConfigs, nodeContract >= 2 ? splitLayers(addons).immutable : addons);
}

/** Frozen artifacts from their files (as artifactFiles wrote them). */
export function artifactsFromFiles(files: ReadonlyMap<string, string>, libraryVersion: string, nodeContract: number): FrozenArtifacts {
  const nodeConfigs = new Map<string, string>();
  const addonManifests: ManifestFile[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (path.startsWith("ignition/")) nodeConfigs.set(path, JSON.stringify(JSON.parse(text)));
    else addonManifests.push({ name: path.slice("addons/".length), yaml: text });
  }
  return { libraryVersion, nodeContract, nodeConfigs, addonManifests };
}

/** Every file under a folder, by path relative to it (`/`-separated). */
function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(dir, `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

/**
 * Reads the frozen artifacts of every frozen generation in the lock from `<root>/clusters/deployed/`, checking each file
 * against the lock's hash: a missing, extra or edited file is an error naming it and the fix.
 */
export function readFrozenArtifacts(lock: FleetLock | undefined, root = "."): Map<string, FrozenArtifacts> {
  const frozen = new Map<string, FrozenArtifacts>();
  const problems: string[] = [];
  for (const [cluster, generations] of Object.entries(lock?.clusters ?? {})) {
    for (const [id, entry] of Object.entries(generations)) {
      if (!isFrozen(entry)) continue;
      const dir = frozenDirectory(cluster, id);
      const abs = join(root, dir);
      const present = existsSync(abs) ? listFiles(abs) : [];
      const files = new Map<string, string>();
      for (const [path, hash] of Object.entries(entry.artifacts)) {
        if (!present.includes(path)) {
          problems.push(`${dir}/${path}: missing; restore it from git (frozen artifacts are what ${cluster}/${id} booted with)`);
          continue;
        }
        const text = readFileSync(join(abs, path), "utf8");
        if (digest(text) !== hash)
          problems.push(
            `${dir}/${path}: differs from the ${hash.slice(0, 19)}… that ${LOCK_FILE} records; restore it from git (frozen artifacts are never edited: change the definition and create a new generation)`,
          );
        files.set(path, text);
      }
      for (const path of present)
        if (!(path in entry.artifacts))
          problems.push(
            `${dir}/${path}: not recorded in ${LOCK_FILE}; remove it, or record it with "immutable-clusters lock ${cluster}/${id}"`,
          );
      frozen.set(generationKey(cluster, id), artifactsFromFiles(files, entry.libraryVersion, entry.nodeContract));
    }
  }
  if (problems.length > 0)
    throw new Error(
      `frozen generations do not match ${LOCK_FILE}; nothing was synthesized:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return frozen;
}

/** A generation frozen as this library renders it now: the lock entry and the files of its frozen folder. */
export interface Freezing {
  readonly record: FrozenGenerationRecord;
  /** File text by path inside the frozen folder (see artifactFiles). */
  readonly files: ReadonlyMap<string, string>;
}

/** The lock entry of frozen files (hashes of each, the definition's immutable inputs as written). */
export function frozenRecord(
  cluster: ClusterDefinition,
  generationId: string,
  files: ReadonlyMap<string, string>,
  libraryVersion = LIBRARY_VERSION,
  nodeContract = NODE_CONTRACT,
): FrozenGenerationRecord {
  const written = cluster.generations.find((g) => g.id === generationId);
  if (!written) throw new Error(`generation: cluster "${cluster.name}" has no generation "${generationId}"`);
  const valid = validateDefinition(cluster);
  const gen = resolveGeneration(valid, valid.generations[cluster.generations.indexOf(written)]);
  return {
    kubernetesVersion: gen.kubernetesVersion,
    flatcarImage: gen.flatcar.imageName,
    libraryVersion,
    nodeContract,
    artifacts: Object.fromEntries([...files].map(([path, text]) => [path, digest(text)])),
    // What the user wrote, not the parsed form with this library's defaults: see addClusters.
    inputs: immutableInputs(cluster, written),
  };
}

/** Freezes one generation of a (valid) definition as this library renders it. */
export function freezeGeneration(cluster: ClusterDefinition, generationId: string): Freezing {
  const valid = validateDefinition(cluster);
  const definition = valid.generations.find((g) => g.id === generationId);
  if (!definition)
    throw new Error(
      `generation: cluster "${valid.name}" has no generation "${generationId}"; use one of ${valid.generations.map((g) => `"${g.id}"`).join(", ")}`,
    );
  const files = renderedArtifactFiles(resolveGeneration(valid, definition));
  return { record: frozenRecord(cluster, generationId, files), files };
}
