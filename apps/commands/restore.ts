// The `restore` subcommand: the operator's step of a restore into a fresh generation (docs/operations.md, "Restore into a
// fresh generation"). For a generation whose definition sets controlPlane.restore, it copies, server-side, the named etcd
// snapshot and the cluster identity bundle from the source generation's node bucket into the new generation's
// restore/ prefix, encrypted with the new generation's key (SSE-KMS, its alias), then writes restore/manifest.json, which
// the new generation's first control-plane node waits for (restore-from-snapshot.sh). Nothing is downloaded to the
// operator's machine: the snapshot holds every Secret of the cluster and the bundle its private keys.
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type ServerSideEncryption } from "@aws-sdk/client-s3";
import type { Command } from "commander";
import type { ClusterDefinition } from "../../constructs/definition/types";
import { RESTORE_OBJECT_KEYS } from "../../constructs/definition/etcd-restore";
import { DEFAULT_DEFINITIONS_MODULE, findGeneration, loadDefinitions, parseTarget } from "./target";

/** Options of {@link copyRestoreObjects}. */
export interface RestoreOptions {
  /** Root of the definitions repository. @default process.cwd() */
  readonly root?: string;
  /** The definitions, when the caller has them; otherwise loaded from `definitionsModule`. @default undefined */
  readonly clusters?: readonly ClusterDefinition[];
  /** Module (relative to root) exporting `clusters: ClusterDefinition[]`. @default "clusters/index.ts" */
  readonly definitionsModule?: string;
  /** The S3 client (tests pass one for the emulator). @default an S3Client in the generation's region */
  readonly s3?: S3Client;
}

/** What restore/manifest.json holds (the node compares `snapshot` and `fromGeneration` with its cluster.env). */
export interface RestoreManifest {
  readonly fromGeneration: string;
  readonly fromBucket: string;
  readonly snapshot: string;
  readonly copiedAt: string;
}

const COMMAND = "restore";

/** The permissions the operator's identity needs, for refusals. */
const needs = (fromBucket: string, toBucket: string) =>
  `your AWS identity needs s3:GetObject on s3://${fromBucket}/${RESTORE_OBJECT_KEYS.identityBundle} and the snapshot, s3:PutObject on s3://${toBucket}/restore/*, and, through S3, kms:Decrypt on the source generation's key and kms:GenerateDataKey on the new one's: run it as the principal that deploys the stacks (the key policies let it use both keys through S3), or have the break-glass key administrator grant yours (constructs/cluster/bootstrap-key-policy.ts)`;

function errorName(error: unknown): string {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 404 ? "NotFound" : (e.name ?? "Error");
}

/** Copies the snapshot and the identity bundle into the new generation's restore/ and writes the manifest; says what it did. */
export async function copyRestoreObjects(target: string, options: RestoreOptions = {}): Promise<string> {
  const root = options.root ?? process.cwd();
  const clusters = options.clusters ?? loadDefinitions(root, options.definitionsModule ?? DEFAULT_DEFINITIONS_MODULE, COMMAND);
  const parsed = parseTarget(target, COMMAND);
  const to = findGeneration(clusters, parsed, COMMAND).resolved;
  const restore = to.controlPlane.restore;
  if (!restore)
    throw new Error(
      `${COMMAND}: ${target} has no controlPlane.restore in the definitions; set controlPlane.restore: { fromGeneration: "<old id>", snapshot: "snapshots/<UTC time>.db" } on it, deploy it, then run this again`,
    );
  const from = findGeneration(
    clusters,
    { ...parsed, generation: restore.fromGeneration, fullName: `${parsed.cluster}-${restore.fromGeneration}` },
    COMMAND,
  ).resolved;
  const s3 = options.s3 ?? new S3Client({ region: to.region });
  const encryption = {
    ServerSideEncryption: "aws:kms" as ServerSideEncryption,
    SSEKMSKeyId: to.kmsAlias,
    BucketKeyEnabled: true,
  };

  const sources: Array<[string, string, string]> = [
    [restore.snapshot, RESTORE_OBJECT_KEYS.restoreSnapshot, `the snapshot; list them with: aws s3 ls s3://${from.bucketName}/snapshots/`],
    [
      RESTORE_OBJECT_KEYS.identityBundle,
      RESTORE_OBJECT_KEYS.restoreIdentity,
      `the cluster identity bundle, which the source generation's control plane uploads with its snapshots (etcd-snapshot.sh); a generation whose node configs predate it has none, and its identity cannot be carried over by this command`,
    ],
  ];
  for (const [key, , what] of sources) {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: from.bucketName, Key: key }));
    } catch (error) {
      const name = errorName(error);
      if (name === "NotFound" || name === "NoSuchKey")
        throw new Error(`${COMMAND}: s3://${from.bucketName}/${key} does not exist: ${what}`);
      throw new Error(`${COMMAND}: cannot read s3://${from.bucketName}/${key} (${name}); ${needs(from.bucketName, to.bucketName)}`);
    }
  }
  for (const [key, destination] of sources) {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: to.bucketName,
          Key: destination,
          CopySource: `${from.bucketName}/${encodeURIComponent(key).replace(/%2F/g, "/")}`,
          ...encryption,
        }),
      );
    } catch (error) {
      throw new Error(
        `${COMMAND}: cannot copy s3://${from.bucketName}/${key} to s3://${to.bucketName}/${destination} (${errorName(error)}); ${needs(from.bucketName, to.bucketName)}`,
      );
    }
  }
  const manifest: RestoreManifest = {
    fromGeneration: from.generationId,
    fromBucket: from.bucketName,
    snapshot: restore.snapshot,
    copiedAt: new Date().toISOString(),
  };
  // Written last: the node starts only once it is there, so it never sees half a copy.
  await s3.send(
    new PutObjectCommand({
      Bucket: to.bucketName,
      Key: RESTORE_OBJECT_KEYS.restoreManifest,
      Body: JSON.stringify(manifest, null, 2) + "\n",
      ContentType: "application/json",
      ...encryption,
    }),
  );
  return `copied ${restore.snapshot} and the cluster identity of ${from.clusterName}/${from.generationId} into s3://${to.bucketName}/restore/ (encrypted with ${to.kmsAlias}); the first control-plane node of ${to.clusterName}/${to.generationId} restores it before kubeadm init`;
}

export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("copy the etcd snapshot and cluster identity a generation's controlPlane.restore names into its bucket's restore/")
    .argument("<cluster/generation>", 'the new generation, e.g. "prod/c"')
    .option("--definitions <module>", 'module exporting "clusters"', DEFAULT_DEFINITIONS_MODULE)
    .action(async (target: string, opts: { definitions: string }) => {
      console.log(await copyRestoreObjects(target, { definitionsModule: opts.definitions }));
    });
}
