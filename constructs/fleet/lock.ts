// Owns the fleet lock: the committed record (clusters/generations.lock.json) of which generations are deployed, what
// each was made of (its immutable definition inputs) and the hashes of the artifacts frozen for it under
// clusters/deployed/<cluster>-<generation>/, so the guard can refuse in-place changes and the stack can upload exactly
// what the generation booted with. Version 1 locks (hashes of renderings only) are still read: see docs/generations.md.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { renderAddonManifests } from "../addons/render";
import { resolveGeneration, type ResolvedGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { validateDefinition } from "../definition/validate";
import { renderNodeIgnition } from "../ignition/node-config";
import type { ImmutableInputs } from "./immutable-inputs";
import { LOCK_FILE, LOCK_FILE_ENV } from "./lock-file";

export { LOCK_FILE, LOCK_FILE_ENV };

/**
 * A version 1 entry: hashes of what the generation rendered when it was recorded, before artifacts were frozen.
 * The guard compares a fresh rendering with them; `immutable-clusters lock` freezes the generation (docs/generations.md).
 */
export interface GenerationFingerprint {
  /** Exact Kubernetes version, e.g. `1.31.0`. */
  readonly kubernetesVersion: string;
  /** Name of the Flatcar image the nodes boot, e.g. `Flatcar-stable-4152.2.3-hvm`. */
  readonly flatcarImage: string;
  /** `sha256:<hex>` of the rendered Ignition config of each node role: `controller` and `worker-<pool>`. */
  readonly nodeConfigs: Readonly<Record<string, string>>;
  /** `sha256:<hex>` of the generation's addon manifests (file names and contents, in apply order). */
  readonly addons: string;
}

/** A deployed generation whose node configs and addon manifests are frozen in the definitions repository. */
export interface FrozenGenerationRecord {
  /** Exact Kubernetes version, e.g. `1.31.0` (also in `inputs`; repeated for readers of the lock). */
  readonly kubernetesVersion: string;
  /** Name of the Flatcar image the nodes boot, e.g. `Flatcar-stable-4152.2.3-hvm`. */
  readonly flatcarImage: string;
  /** Version of immutable-clusters that rendered the frozen artifacts. */
  readonly libraryVersion: string;
  /** The node contract the frozen node configs follow (constructs/cluster/node-contract.ts); the stack builds its resources. */
  readonly nodeContract: number;
  /** `sha256:<hex>` of each frozen file, by its path inside the generation's frozen folder (`ignition/controller.ign`, `addons/10-cni.yaml`). */
  readonly artifacts: Readonly<Record<string, string>>;
  /** The definition's immutable inputs when it was frozen; the guard refuses any change to them. */
  readonly inputs: ImmutableInputs;
}

/** What the lock records of a deployed generation. */
export type LockedGeneration = FrozenGenerationRecord | GenerationFingerprint;

/** The whole lock file. */
export interface FleetLock {
  readonly version: 2;
  /** cluster name -> generation id -> what the deployed generation is made of. */
  readonly clusters: Readonly<Record<string, Readonly<Record<string, LockedGeneration>>>>;
}

/** A lock with nothing deployed. */
export const EMPTY_LOCK: FleetLock = { version: 2, clusters: {} };

/** Whether a lock entry has frozen artifacts (version 2) or only hashes (version 1). */
export function isFrozen(entry: LockedGeneration): entry is FrozenGenerationRecord {
  return "artifacts" in entry;
}

/** The folder of a generation's frozen artifacts, relative to the definitions repository's root. */
export function frozenDirectory(cluster: string, generationId: string): string {
  return `clusters/deployed/${cluster}-${generationId}`;
}

const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" followed by 64 hex digits' });
const fingerprintSchema = z
  .object({
    kubernetesVersion: z.string().min(1),
    flatcarImage: z.string().min(1),
    nodeConfigs: z.record(z.string(), sha256),
    addons: sha256,
  })
  .strict();
const frozenSchema = z
  .object({
    kubernetesVersion: z.string().min(1),
    flatcarImage: z.string().min(1),
    libraryVersion: z.string().min(1),
    nodeContract: z.number().int().min(1),
    artifacts: z.record(
      z.string().regex(/^(ignition\/[a-z0-9-]+\.ign|addons\/[A-Za-z0-9._-]+\.yaml)$/, {
        error: 'must be "ignition/<role>.ign" or "addons/<file>.yaml"',
      }),
      sha256,
    ),
    inputs: z.object({ cluster: z.record(z.string(), z.unknown()), generation: z.record(z.string(), z.unknown()) }).strict(),
  })
  .strict();
const lockSchema = z.discriminatedUnion("version", [
  z.object({ version: z.literal(1), clusters: z.record(z.string(), z.record(z.string(), fingerprintSchema)) }).strict(),
  z
    .object({ version: z.literal(2), clusters: z.record(z.string(), z.record(z.string(), z.union([frozenSchema, fingerprintSchema]))) })
    .strict(),
]);

/** `sha256:<hex>` of a text. */
export function digest(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** The lock key of a node role: `controller` or `worker-<pool>`. */
export function nodeConfigName(role: { kind: "controller" } | { kind: "worker"; pool: { name: string } }): string {
  return role.kind === "controller" ? "controller" : `worker-${role.pool.name}`;
}

/** Version 1 fingerprint of a resolved generation (hashes of a fresh rendering). */
export function fingerprintResolved(gen: ResolvedGeneration): GenerationFingerprint {
  const nodeConfigs: Record<string, string> = { controller: digest(renderNodeIgnition(gen, { kind: "controller" })) };
  for (const pool of gen.workerPools)
    nodeConfigs[nodeConfigName({ kind: "worker", pool })] = digest(renderNodeIgnition(gen, { kind: "worker", pool }));
  const manifests = renderAddonManifests(gen)
    .map((f) => `# ${f.name}\n${f.yaml}`)
    .join("\0");
  return { kubernetesVersion: gen.kubernetesVersion, flatcarImage: gen.flatcar.imageName, nodeConfigs, addons: digest(manifests) };
}

/** Version 1 fingerprint of one generation of a cluster definition (validated first). */
export function fingerprintGeneration(cluster: ClusterDefinition, generationId: string): GenerationFingerprint {
  const valid = validateDefinition(cluster);
  const generation = valid.generations.find((g) => g.id === generationId);
  if (!generation) {
    throw new Error(
      `generation: cluster "${valid.name}" has no generation "${generationId}"; use one of ${valid.generations.map((g) => `"${g.id}"`).join(", ")}`,
    );
  }
  return fingerprintResolved(resolveGeneration(valid, generation));
}

/** Parses and checks the lock file's text (version 1 or 2); errors name the file, the field and the fix. */
export function parseFleetLock(text: string, source = LOCK_FILE): FleetLock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${source}: not valid JSON (${(error as Error).message}); restore it from git or recreate it with "immutable-clusters lock"`,
    );
  }
  const parsed = lockSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const field = i.path.map(String).join(".") || "(lock)";
      const message = field === "version" ? "must be 1 or 2 (the lock formats so far)" : i.message;
      return `  - ${field}: ${message}`;
    });
    throw new Error(`${source} is invalid; restore it from git or recreate it with "immutable-clusters lock":\n${problems.join("\n")}`);
  }
  return { version: 2, clusters: parsed.data.clusters as FleetLock["clusters"] };
}

/** The lock as committed: sorted keys, two-space indent, trailing newline, so diffs stay small and stable. */
export function serializeFleetLock(lock: FleetLock): string {
  const sortKeys = (value: unknown): unknown =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        )
      : value;
  return JSON.stringify({ version: 2, clusters: sortKeys(lock.clusters) }, null, 2) + "\n";
}

/** What the lock records of a generation, if it is deployed. */
export function lockedGeneration(lock: FleetLock, cluster: string, generationId: string): LockedGeneration | undefined {
  return lock.clusters[cluster]?.[generationId];
}

/** A copy of `lock` with a generation recorded (added or refreshed). */
export function withGeneration(lock: FleetLock, cluster: string, generationId: string, entry: LockedGeneration): FleetLock {
  return { version: 2, clusters: { ...lock.clusters, [cluster]: { ...(lock.clusters[cluster] ?? {}), [generationId]: entry } } };
}

/** A copy of `lock` without a generation (after it was destroyed); a cluster left with none is dropped. */
export function withoutGeneration(lock: FleetLock, cluster: string, generationId: string): FleetLock {
  const remaining = Object.fromEntries(Object.entries(lock.clusters[cluster] ?? {}).filter(([id]) => id !== generationId));
  const clusters = Object.fromEntries(Object.entries(lock.clusters).filter(([name]) => name !== cluster));
  return { version: 2, clusters: Object.keys(remaining).length > 0 ? { ...clusters, [cluster]: remaining } : clusters };
}

/**
 * Reads the fleet lock for a cdktf app: the file named by IMMUTABLE_CLUSTERS_LOCK_FILE when set (the review guards a
 * head with its base revision's lock), else `<root>/clusters/generations.lock.json`; undefined when there is none yet.
 */
export function readFleetLock(root = ".", env: NodeJS.ProcessEnv = process.env): FleetLock | undefined {
  const override = env[LOCK_FILE_ENV];
  if (override) {
    if (!existsSync(override)) return undefined;
    return parseFleetLock(readFileSync(override, "utf8"), override);
  }
  const file = join(root, LOCK_FILE);
  return existsSync(file) ? parseFleetLock(readFileSync(file, "utf8"), LOCK_FILE) : undefined;
}
