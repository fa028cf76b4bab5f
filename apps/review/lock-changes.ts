// Owns what the review reads from the two revisions' fleet locks (clusters/generations.lock.json): which generations
// each records as deployed, the lock changes between base and head (recorded, re-recorded, removed), whether a removal
// is allowed (only together with removing the generation from the definitions), and the generations that serve traffic
// in base without being locked (unguarded). The base lock is the truth of what is deployed; head's lock is only shown.
import { existsSync, readFileSync } from "node:fs";
import type { LockChange, UnguardedGeneration } from "./report";

/** The generations a lock records, `cluster/generation` -> the entry's JSON text (to tell a re-recorded entry). */
export type LockEntries = ReadonlyMap<string, string>;

/**
 * Reads a lock file of any version (1: hashes; 2: frozen artifacts) by its common shape `{ clusters: { <cluster>: {
 * <generation>: entry } } }`; undefined when the file does not exist. Throws naming the file when it is not that shape.
 */
export function readLockEntries(file: string): LockEntries | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); restore it from git`);
  }
  const clusters = (parsed as { clusters?: unknown } | null)?.clusters;
  if (!clusters || typeof clusters !== "object") throw new Error(`${file} has no "clusters" object; restore it from git`);
  const out = new Map<string, string>();
  for (const [cluster, gens] of Object.entries(clusters as Record<string, unknown>)) {
    if (!gens || typeof gens !== "object") throw new Error(`${file}: clusters.${cluster} is not an object; restore it from git`);
    for (const [gen, entry] of Object.entries(gens as Record<string, unknown>)) out.set(`${cluster}/${gen}`, JSON.stringify(entry));
  }
  return out;
}

/**
 * The lock changes from base to head. `definedInHead(cluster, generation)` says whether head still defines the
 * generation: removing it from the lock is allowed only when it does not (its destroy), else it is a guard bypass.
 */
export function lockChanges(
  base: LockEntries | undefined,
  head: LockEntries | undefined,
  definedInHead: (cluster: string, generation: string) => boolean,
): LockChange[] {
  const b = base ?? new Map<string, string>();
  const h = head ?? new Map<string, string>();
  const out: LockChange[] = [];
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const [cluster, generation] = key.split("/");
    const before = b.get(key);
    const after = h.get(key);
    if (before === after) continue;
    if (before === undefined) {
      out.push({
        cluster,
        generation,
        change: "recorded",
        allowed: true,
        note: `${key} is recorded as deployed: from the merge on, the guard refuses in-place changes to it`,
      });
    } else if (after === undefined) {
      const defined = definedInHead(cluster, generation);
      out.push({
        cluster,
        generation,
        change: "removed",
        allowed: !defined,
        note: defined
          ? `${key} is removed from the lock but still defined: this would lift the guard from a deployed generation. ` +
            `Keep it in the lock, or retire it (weight 0), destroy its stack and remove it from the definitions in the same change`
          : `${key} is removed from the lock together with its definition: its stack must be destroyed (see the apply plan)`,
      });
    } else {
      out.push({
        cluster,
        generation,
        change: "re-recorded",
        allowed: true,
        note: `${key} is recorded again with different contents; the review guards with the base lock, so in-place changes are still refused`,
      });
    }
  }
  return out;
}

/** Generations with weight > 0 in base (they serve traffic) that the base lock does not record: the guard does not protect them. */
export function unguardedLive(
  baseWeights: ReadonlyMap<string, { readonly cluster: string; readonly generation: string; readonly weight: number }>,
  base: LockEntries | undefined,
  strict: boolean,
): UnguardedGeneration[] {
  const out: UnguardedGeneration[] = [];
  for (const { cluster, generation, weight } of [...baseWeights.values()].sort((x, y) =>
    `${x.cluster}/${x.generation}`.localeCompare(`${y.cluster}/${y.generation}`),
  )) {
    if (weight <= 0 || base?.has(`${cluster}/${generation}`)) continue;
    out.push({
      cluster,
      generation,
      weight,
      level: strict ? "error" : "warning",
      message:
        `${cluster}/${generation} serves ${weight} weight of traffic in base but is not in the fleet lock: in-place changes to its ` +
        `node configs and addons are not guarded. Record it: npx immutable-clusters lock ${cluster}/${generation}`,
    });
  }
  return out;
}
