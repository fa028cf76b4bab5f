// Owns the control-plane IAM statements of the day-two jobs of node contract 2: the policy-layer reconciler reads
// policy/manifests.yaml (reconcile-policy.sh), etcd-snapshot.sh uploads snapshots/<time>.db and the cluster identity
// bundle (control-plane/identity/), and the init winner of a restoring generation reads restore/. Their leases and the
// policy report live under state/, which the coordination statements of node-policies.ts already cover. Workers get
// none of this. test/iam-node-roles.test.ts proves both with the IAM policy simulator.
import { IDENTITY_PREFIX, RESTORE_PREFIX } from "../definition/etcd-restore";
import type { PolicyStatement } from "./node-identity";

/** Key prefix of the etcd snapshots in the node bucket (etcd-snapshot.sh; the lifecycle rule of node-config-bucket.ts). */
export const SNAPSHOT_PREFIX = "snapshots/";

/** The part of the node policy scope these statements need. */
export interface OperationsPolicyScope {
  readonly region: string;
  readonly bucketName: string;
  readonly kmsKeyArn: string;
}

/** Statements of control-plane nodes for the policy reconciler and etcd snapshots. */
export function operationsStatements(scope: OperationsPolicyScope): PolicyStatement[] {
  const bucket = `arn:aws:s3:::${scope.bucketName}`;
  return [
    {
      Sid: "ReadPolicyLayer",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${bucket}/policy/manifests.yaml`],
    },
    {
      // Upload only: a node never reads, lists or deletes snapshots (the lifecycle rule expires them; restores read them
      // with an operator's credentials, docs/operations.md).
      Sid: "UploadEtcdSnapshots",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`${bucket}/${SNAPSHOT_PREFIX}*`],
    },
    {
      // The cluster identity bundle (CAs, service-account key pair, Secrets encryption key) next to the snapshots, for a
      // restore into a fresh generation (docs/operations.md). Write only, like the snapshots: the restore command reads
      // it with an operator's credentials. Workers get nothing under control-plane/.
      Sid: "BackUpClusterIdentity",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`${bucket}/${IDENTITY_PREFIX}*`],
    },
    {
      // A restoring generation's init winner reads the snapshot, identity bundle and manifest the restore command put
      // under restore/ (node-bootstrap.sh).
      Sid: "ReadRestoreObjects",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${bucket}/${RESTORE_PREFIX}*`],
    },
    {
      // With an S3 Bucket Key the encryption context is the bucket ARN
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html), the object ARN without one.
      Sid: "EtcdSnapshotEncryption",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [scope.kmsKeyArn],
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${scope.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket, `${bucket}/${SNAPSHOT_PREFIX}*`, `${bucket}/${IDENTITY_PREFIX}*`] },
      },
    },
  ];
}
