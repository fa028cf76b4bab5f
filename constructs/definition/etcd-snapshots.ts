// Owns `controlPlane.etcdSnapshots` of a generation: how often a control-plane node uploads an etcd snapshot to the
// generation's node bucket (etcd-snapshot.sh, immutable-clusters-etcd-snapshot.timer) and how long the bucket keeps
// them (its lifecycle rule, node-config-bucket.ts): the type, its zod schema and its defaults.
import { z } from "zod";

/** `controlPlane.etcdSnapshots` of a generation. */
export interface EtcdSnapshotOptions {
  /**
   * Minutes between two snapshots (one control-plane node uploads per interval), from 5 to 1440 (a day).
   * @default 30
   */
  readonly intervalMinutes?: number;
  /**
   * Days the bucket keeps a snapshot before its lifecycle rule deletes it, from 1 to 365. The bucket is destroyed with
   * the generation: copy snapshots elsewhere to keep them longer (docs/operations.md).
   * @default 7
   */
  readonly retentionDays?: number;
}

/** EtcdSnapshotOptions with every default filled in. */
export interface ResolvedEtcdSnapshots {
  readonly intervalMinutes: number;
  readonly retentionDays: number;
}

export const DEFAULT_ETCD_SNAPSHOTS: ResolvedEtcdSnapshots = { intervalMinutes: 30, retentionDays: 7 };

const wholeBetween = (min: number, max: number, unit: string, example: number) =>
  z
    .number({ error: `must be a whole number of ${unit} from ${min} to ${max}, e.g. ${example}` })
    .int({ error: `must be a whole number of ${unit} from ${min} to ${max}, e.g. ${example}` })
    .min(min, { error: `must be at least ${min} ${unit}` })
    .max(max, { error: `must be at most ${max} ${unit}` });

export const etcdSnapshotsSchema = z
  .object({
    intervalMinutes: wholeBetween(5, 1440, "minutes", DEFAULT_ETCD_SNAPSHOTS.intervalMinutes).optional(),
    retentionDays: wholeBetween(1, 365, "days", DEFAULT_ETCD_SNAPSHOTS.retentionDays).optional(),
  })
  .strict();

/** The options with defaults applied. */
export function resolveEtcdSnapshots(options: EtcdSnapshotOptions | undefined): ResolvedEtcdSnapshots {
  return {
    intervalMinutes: options?.intervalMinutes ?? DEFAULT_ETCD_SNAPSHOTS.intervalMinutes,
    retentionDays: options?.retentionDays ?? DEFAULT_ETCD_SNAPSHOTS.retentionDays,
  };
}
