// Owns a worker pool's `autoscale` field: its type, its schema, and the rules that tie it to the pool's other fields.
// With `autoscale`, cluster-autoscaler sizes the pool between `min` and `max`, which become the Auto Scaling group's
// MinSize and MaxSize (cluster-autoscaler only ever changes a discovered group's desired capacity and respects the
// group's own bounds: kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md at b6e1991f, "Auto-Discovery
// Setup"); so `autoscale` replaces `minSize` and `maxSize`, and `desiredCapacity` is only the size the group starts at.
import { z } from "zod";
import { autoscalerGroupTags, LABEL_TAG_PREFIX, MAX_TAG_KEY_LENGTH, TAINT_TAG_PREFIX } from "../addons/cluster-autoscaler/asg-tags";
import type { NodeTaint } from "./types";

/** Bounds cluster-autoscaler keeps a worker pool in. */
export interface AutoscaleOptions {
  /** Fewest nodes; 0 lets an idle pool scale to zero (not for ingress pools). */
  readonly min: number;
  /** Most nodes. */
  readonly max: number;
}

const count = (field: string, least: number) =>
  z
    .number({ error: `must be a whole number of nodes, e.g. ${field === "min" ? 0 : 10}` })
    .int({ error: "must be a whole number of nodes" })
    .min(least, { error: `must be at least ${least}` })
    .max(1000, { error: "must be at most 1000 (a larger pool belongs in several pools)" });

/** Schema of `workerPools[].autoscale`. */
export const autoscaleSchema = z.object({ min: count("min", 0), max: count("max", 1) }).strict();

/** AWS allows 50 tags per resource (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
const MAX_TAGS = 50;

/** The pool fields the autoscale rules read, as they are before defaults. */
export interface AutoscaledPoolInput {
  readonly name?: string;
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly desiredCapacity?: number;
  readonly autoscale?: AutoscaleOptions;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly NodeTaint[];
  readonly rootVolume?: { readonly sizeGiB?: number };
}

/**
 * Problems of an autoscaled pool, each with the field (relative to the pool) and the fix. `ingress`: whether the pool
 * is an ingress pool; `otherTags`: how many tags its group carries besides the autoscaler's (the definition's, the
 * library's own and the group's name, role and pool).
 */
export function autoscaleProblems(
  pool: AutoscaledPoolInput & { readonly autoscale: AutoscaleOptions },
  ingress: boolean,
  otherTags: number,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const { min, max } = pool.autoscale;
  for (const field of ["minSize", "maxSize"] as const) {
    if (pool[field] !== undefined)
      problems.push({
        field,
        message: `the pool is autoscaled: autoscale.${field === "minSize" ? "min" : "max"} replaces ${field}; remove ${field}`,
      });
  }
  if (min > max) {
    problems.push({ field: "autoscale.min", message: `autoscale.min ${min} is greater than autoscale.max ${max}; lower min or raise max` });
    return problems;
  }
  if (pool.desiredCapacity !== undefined && (pool.desiredCapacity < min || pool.desiredCapacity > max)) {
    problems.push({
      field: "desiredCapacity",
      message: `desiredCapacity ${pool.desiredCapacity} is outside autoscale.min..autoscale.max (${min}..${max}); pick a value in that range or leave it out (it starts at min)`,
    });
  }
  // The ingress load balancer targets the ingress pools' nodes; ingress-nginx runs there as a DaemonSet, whose pods
  // do not keep a node from being removed (kubernetes/autoscaler cluster-autoscaler/FAQ.md at 2de6b18f, "How does
  // scale-down work?": all pods "except ... pods created by daemonsets" must be movable), so a pool allowed to reach 0
  // would leave the generation's traffic without a target.
  if (ingress && min === 0) {
    problems.push({
      field: "autoscale.min",
      message:
        "an ingress pool must keep a node for the ingress load balancer (the autoscaler would remove its last one: DaemonSet pods do not hold a node); set autoscale.min to 1 or more",
    });
  }
  // A scale-from-zero template holds one taint per key: the taint's key is the tag's key (aws_manager.go extractTaintsFromAsg).
  const seen = new Map<string, number>();
  (pool.taints ?? []).forEach((t, i) => {
    if (seen.has(t.key))
      problems.push({
        field: `taints[${i}]`,
        message: `taint key "${t.key}" is used twice; an autoscaled pool's node template holds one taint per key, so keep one`,
      });
    seen.set(t.key, i);
  });
  for (const key of Object.keys(pool.labels ?? {})) {
    const length = [...`${LABEL_TAG_PREFIX}${key}`].length;
    if (length > MAX_TAG_KEY_LENGTH)
      problems.push({
        field: `labels["${key}"]`,
        message: `as the autoscaler's node-template tag "${LABEL_TAG_PREFIX}${key}" the key is ${length} characters and AWS allows ${MAX_TAG_KEY_LENGTH}; use a label key of at most ${MAX_TAG_KEY_LENGTH - LABEL_TAG_PREFIX.length} characters`,
      });
  }
  (pool.taints ?? []).forEach((t, i) => {
    const length = [...`${TAINT_TAG_PREFIX}${t.key}`].length;
    if (length > MAX_TAG_KEY_LENGTH)
      problems.push({
        field: `taints[${i}].key`,
        message: `as the autoscaler's node-template tag "${TAINT_TAG_PREFIX}${t.key}" the key is ${length} characters and AWS allows ${MAX_TAG_KEY_LENGTH}; use a taint key of at most ${MAX_TAG_KEY_LENGTH - TAINT_TAG_PREFIX.length} characters`,
      });
  });
  const ours = Object.keys(
    autoscalerGroupTags("x", {
      name: pool.name ?? "pool",
      labels: pool.labels ?? {},
      taints: pool.taints ?? [],
      ingress,
      rootVolume: { sizeGiB: pool.rootVolume?.sizeGiB ?? 30, type: "gp3" },
      // Only the number of tags counts here; every pool carries one architecture tag.
      arch: "amd64",
    }),
  ).length;
  if (otherTags + ours > MAX_TAGS)
    problems.push({
      field: "autoscale",
      message: `the pool's Auto Scaling group would carry ${otherTags + ours} tags (${ours} for the autoscaler: discovery, one per node label and taint, architecture, ephemeral storage) and AWS allows ${MAX_TAGS}; use fewer labels, taints or definition tags`,
    });
  return problems;
}
