// Owns reading a revision's <outdir>/fleet-status.json (written by the synth since frozen generations: per generation
// its stack, whether it is locked, its weight, the library version it was frozen with and what of its current rendering
// differs from the frozen artifacts) and, for revisions whose synth writes none, the fallback from the traffic stacks'
// weighted records.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TrafficShape } from "./stack-shape";

/** One generation as the synth reports it. */
export interface GenerationStatus {
  readonly cluster: string;
  readonly generation: string;
  /** Its stack, e.g. `prod-a`. */
  readonly stack: string;
  /** Recorded in the lock the synth guarded with. */
  readonly locked?: boolean;
  /** Its traffic weight. */
  readonly weight?: number;
  /** Library version its artifacts were frozen with; null when not frozen. */
  readonly frozenWith?: string | null;
  /** What the current library would render differently from the frozen artifacts (`node configs of controller`, `addon 10-cni.yaml`). */
  readonly behindLibrary?: readonly string[];
}

/** The generations of `<outdir>/fleet-status.json`; undefined when the synth wrote none (older apps). */
export function readFleetStatus(outdir: string): GenerationStatus[] | undefined {
  const file = join(outdir, "fleet-status.json");
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { generations?: unknown };
  if (!Array.isArray(parsed.generations)) return undefined;
  return (parsed.generations as GenerationStatus[]).filter(
    (g) => typeof g?.cluster === "string" && typeof g.generation === "string" && typeof g.stack === "string",
  );
}

/** Every generation's traffic weight, by stack name: from fleet-status.json when present, else from the weighted records. */
export function weightsByStack(
  status: readonly GenerationStatus[] | undefined,
  traffic: readonly TrafficShape[],
): Map<string, { cluster: string; generation: string; weight: number }> {
  const out = new Map<string, { cluster: string; generation: string; weight: number }>();
  if (status) {
    for (const g of status)
      if (g.weight !== undefined) out.set(g.stack, { cluster: g.cluster, generation: g.generation, weight: g.weight });
    return out;
  }
  for (const t of traffic) {
    if (!t.cluster) continue;
    for (const [stack, record] of Object.entries(t.records)) {
      if (!stack.startsWith(`${t.cluster}-`)) continue;
      out.set(stack, { cluster: t.cluster, generation: stack.slice(t.cluster.length + 1), weight: record.weight });
    }
  }
  return out;
}
