// Owns `controlPlane.restore` of a generation: which earlier generation of the same cluster, and which of its etcd
// snapshots, a fresh generation's first control-plane node restores before `kubeadm init`, carrying that generation's
// cluster identity (CAs, service-account key pair, Secrets encryption key) over (docs/operations.md, "Restore into a
// fresh generation"): the type, its zod schema, the cross-generation rules, and the node bucket keys the restore uses.
import { z } from "zod";

/** `controlPlane.restore` of a generation. */
export interface EtcdRestoreOptions {
  /** The id of the generation of the same cluster whose snapshot and identity this generation starts from, e.g. `"a"`. */
  readonly fromGeneration: string;
  /**
   * The key of the snapshot in that generation's node bucket, as etcd-snapshot.sh names it:
   * `snapshots/<UTC time>.db`, e.g. `"snapshots/20250101T120000Z.db"` (list them with `aws s3 ls s3://<bucket>/snapshots/`).
   */
  readonly snapshot: string;
}

/** The snapshot keys etcd-snapshot.sh writes: `snapshots/` + `date -u +%Y%m%dT%H%M%SZ` + `.db`. */
export const SNAPSHOT_KEY_PATTERN = /^snapshots\/\d{8}T\d{6}Z\.db$/;

/**
 * Keys of the restore in the node buckets. The old generation's controllers back the identity up under
 * `control-plane/identity/` (etcd-snapshot.sh); `immutable-clusters restore` copies it and the snapshot into the new
 * generation's `restore/`, the manifest last (the node waits for it). Controllers only (node-policies.ts).
 */
export const RESTORE_OBJECT_KEYS = {
  /** The identity bundle a controller uploads (tar of the pki files and the Secrets encryption key). */
  identityBundle: "control-plane/identity/bundle.tar",
  /** Where the restore command puts the snapshot in the new generation's bucket. */
  restoreSnapshot: "restore/snapshot.db",
  /** Where it puts the identity bundle. */
  restoreIdentity: "restore/identity.tar",
  /** Written last: `{ fromGeneration, snapshot, snapshotSha256, identitySha256, copiedAt }`. */
  restoreManifest: "restore/manifest.json",
} as const;

/** Key prefix of the identity backup (controllers write it; workers read nothing there). */
export const IDENTITY_PREFIX = "control-plane/identity/";
/** Key prefix the restore command writes into (controllers read it). */
export const RESTORE_PREFIX = "restore/";

export const etcdRestoreSchema = z
  .object({
    fromGeneration: z.string().regex(/^[a-z][a-z0-9]{0,7}$/, {
      error: 'must be the id of another generation of this cluster, e.g. "a"',
    }),
    snapshot: z.string().regex(SNAPSHOT_KEY_PATTERN, {
      error: 'must be a snapshot key as etcd-snapshot.sh writes it, "snapshots/<UTC time>.db", e.g. "snapshots/20250101T120000Z.db"',
    }),
  })
  .strict();

/** What the cross-generation rule needs of each generation. */
export interface RestoreRuleGeneration {
  readonly id?: string;
  readonly controlPlane?: { readonly restore?: EtcdRestoreOptions };
  readonly networking?: { readonly serviceCidr?: string };
}

/**
 * Problems of `generations[i].controlPlane.restore` across generations: the source must be another generation of this
 * cluster, and Services in the snapshot keep their cluster IPs, so both need the same service CIDR.
 */
export function restoreProblems(
  generations: ReadonlyArray<RestoreRuleGeneration | undefined>,
  defaultServiceCidr: string,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  generations.forEach((g, i) => {
    const restore = g?.controlPlane?.restore;
    if (!g || !restore) return;
    const field = `generations[${i}].controlPlane.restore.fromGeneration`;
    const others = generations.filter((o) => o && o !== g && o.id !== undefined).map((o) => `"${o!.id}"`);
    if (restore.fromGeneration === g.id) {
      problems.push({
        field,
        message: `generation "${g.id}" cannot restore from itself; name the generation whose snapshot it starts from${others.length ? ` (one of ${others.join(", ")})` : ""}`,
      });
      return;
    }
    const source = generations.find((o) => o?.id === restore.fromGeneration);
    if (!source) {
      problems.push({
        field,
        message: `this cluster has no generation "${restore.fromGeneration}"; use ${others.length ? `one of ${others.join(", ")}` : "an existing generation's id"} (keep the source generation in the definition until the restore is done)`,
      });
      return;
    }
    const mine = g.networking?.serviceCidr ?? defaultServiceCidr;
    const theirs = source.networking?.serviceCidr ?? defaultServiceCidr;
    if (mine !== theirs) {
      problems.push({
        field: `generations[${i}].networking.serviceCidr`,
        message: `service CIDR ${mine} differs from ${theirs} of generation "${restore.fromGeneration}" it restores from: Services in the snapshot keep their cluster IPs; use ${theirs}`,
      });
    }
  });
  return problems;
}
