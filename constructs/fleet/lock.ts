// Owns the fleet lock: the committed record (clusters/generations.lock.json) of which generations are deployed and the
// fingerprint of what each one booted with, so the immutability guard can refuse in-place changes at synth.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { renderAddonManifests } from "../addons/render";
import { resolveGeneration, type ResolvedGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { validateDefinition } from "../definition/validate";
import { renderNodeIgnition } from "../ignition/node-config";

/** Where the lock lives, relative to the definitions repository's root. */
export const LOCK_FILE = "clusters/generations.lock.json";

/** What a deployed generation is made of; any change to it needs a new generation. */
export interface GenerationFingerprint {
  /** Exact Kubernetes version, e.g. `1.31.0`. */
  readonly kubernetesVersion: string;
  /** Name of the Flatcar image the nodes boot, e.g. `Flatcar-stable-4152.2.3-hvm`. */
  readonly flatcarImage: string;
  /**
   * `sha256:<hex>` of the rendered Ignition config of each node role: `controller` and `worker-<pool>`.
   * Pool sizes and instance types are not part of it: they may change in place.
   */
  readonly nodeConfigs: Readonly<Record<string, string>>;
  /** `sha256:<hex>` of the generation's addon manifests (file names and contents, in apply order). */
  readonly addons: string;
}

/** The whole lock file. */
export interface FleetLock {
  readonly version: 1;
  /** cluster name -> generation id -> fingerprint of the deployed generation. */
  readonly clusters: Readonly<Record<string, Readonly<Record<string, GenerationFingerprint>>>>;
}

/** A lock with nothing deployed. */
export const EMPTY_LOCK: FleetLock = { version: 1, clusters: {} };

const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" followed by 64 hex digits' });
const lockSchema = z
  .object({
    version: z.literal(1, { error: "must be 1 (the only lock format so far)" }),
    clusters: z.record(
      z.string(),
      z.record(
        z.string(),
        z
          .object({
            kubernetesVersion: z.string().min(1),
            flatcarImage: z.string().min(1),
            nodeConfigs: z.record(z.string(), sha256),
            addons: sha256,
          })
          .strict(),
      ),
    ),
  })
  .strict();

function digest(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** The lock key of a node role: `controller` or `worker-<pool>`. */
export function nodeConfigName(role: { kind: "controller" } | { kind: "worker"; pool: { name: string } }): string {
  return role.kind === "controller" ? "controller" : `worker-${role.pool.name}`;
}

/** Fingerprint of a resolved generation. */
export function fingerprintResolved(gen: ResolvedGeneration): GenerationFingerprint {
  const nodeConfigs: Record<string, string> = { controller: digest(renderNodeIgnition(gen, { kind: "controller" })) };
  for (const pool of gen.workerPools)
    nodeConfigs[nodeConfigName({ kind: "worker", pool })] = digest(renderNodeIgnition(gen, { kind: "worker", pool }));
  const manifests = renderAddonManifests(gen)
    .map((f) => `# ${f.name}\n${f.yaml}`)
    .join("\0");
  return { kubernetesVersion: gen.kubernetesVersion, flatcarImage: gen.flatcar.imageName, nodeConfigs, addons: digest(manifests) };
}

/** Fingerprint of one generation of a cluster definition (validated first). */
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

/** Parses and checks the lock file's text; errors name the file, the field and the fix. */
export function parseFleetLock(text: string, source = LOCK_FILE): FleetLock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${source}: not valid JSON (${(error as Error).message}); restore it from git or recreate it with "immutable-clusters lock"`,
    );
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.map(String).join(".") || "(lock)"}: ${i.message}`);
    throw new Error(`${source} is invalid; restore it from git or recreate it with "immutable-clusters lock":\n${problems.join("\n")}`);
  }
  return parsed.data as FleetLock;
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
  return JSON.stringify({ version: lock.version, clusters: sortKeys(lock.clusters) }, null, 2) + "\n";
}

/** The lock's fingerprint of a generation, if it is recorded as deployed. */
export function lockedGeneration(lock: FleetLock, cluster: string, generationId: string): GenerationFingerprint | undefined {
  return lock.clusters[cluster]?.[generationId];
}

/** A copy of `lock` with a generation's fingerprint recorded (added or refreshed). */
export function withGeneration(lock: FleetLock, cluster: string, generationId: string, fingerprint: GenerationFingerprint): FleetLock {
  return { version: 1, clusters: { ...lock.clusters, [cluster]: { ...(lock.clusters[cluster] ?? {}), [generationId]: fingerprint } } };
}

/** A copy of `lock` without a generation (after it was destroyed); a cluster left with none is dropped. */
export function withoutGeneration(lock: FleetLock, cluster: string, generationId: string): FleetLock {
  const remaining = Object.fromEntries(Object.entries(lock.clusters[cluster] ?? {}).filter(([id]) => id !== generationId));
  const clusters = Object.fromEntries(Object.entries(lock.clusters).filter(([name]) => name !== cluster));
  return { version: 1, clusters: Object.keys(remaining).length > 0 ? { ...clusters, [cluster]: remaining } : clusters };
}

/** Reads `<root>/clusters/generations.lock.json` for a cdktf app; undefined when the repo has none yet (nothing deployed). */
export function readFleetLock(root = "."): FleetLock | undefined {
  const file = join(root, LOCK_FILE);
  return existsSync(file) ? parseFleetLock(readFileSync(file, "utf8"), LOCK_FILE) : undefined;
}
