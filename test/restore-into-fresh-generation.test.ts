// A restore into a fresh generation (docs/operations.md, "Restore into a fresh generation"), step by step against
// moto_server's S3 and KMS (two generations, each with its own versioned bucket and default SSE-KMS key, named as the
// definition resolves them): the old generation's snapshot timer backs its cluster identity up beside the snapshots
// (etcd-snapshot.sh with the fakes of test/support/fake-control-plane), once per change, and a role that may not write it
// (a bucket policy's deny, which moto_server evaluates) still uploads its snapshot; `immutable-clusters restore`
// copies the snapshot and the bundle into the new generation's restore/ with the new key; the new generation's init
// winner (node-bootstrap.sh with the fake kubeadm of test/support/fake-node and the fake etcdutl) waits for them,
// refuses a damaged snapshot before anything changes, puts the old CAs, service-account key pair and Secrets encryption
// key in place before kubeadm init, restores etcd, and recovers from an init that failed after the restore.
import { execFileSync, spawn } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { copyRestoreObjects } from "../apps/commands/restore";
import { RESTORE_OBJECT_KEYS } from "../constructs/definition/etcd-restore";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition } from "../constructs/definition/types";
import { startMoto, type Moto } from "./support/moto";
import { startFakeImds, type FakeImds } from "./support/fake-node/imds";
import { FAKE_BIN, FakeNode, SCRIPTS_DIR, type FakeCluster, type ScriptRun } from "./support/fake-node/node";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const REGION = "eu-west-1";
const CONTROL_PLANE_BIN = path.join(__dirname, "support", "fake-control-plane", "bin");
const SNAPSHOT = "snapshots/20250101T120000Z.db";
const PKI = ["ca.key", "ca.crt", "front-proxy-ca.key", "front-proxy-ca.crt", "etcd/ca.key", "etcd/ca.crt", "sa.key", "sa.pub"];

const definition: ClusterDefinition = sampleCluster({
  generations: [
    sampleGeneration({ id: "a", weight: 100 }),
    sampleGeneration({ id: "b", weight: 0, controlPlane: { count: 3, restore: { fromGeneration: "a", snapshot: SNAPSHOT } } }),
  ],
});
const genA = resolveGeneration(definition, definition.generations[0]);
const genB = resolveGeneration(definition, definition.generations[1]);

let moto: Moto;
let imds: FakeImds;
let s3: S3Client;
const keyIds: Record<string, string> = {};
const runs: ScriptRun[] = [];

async function kms(action: string, body: object): Promise<{ KeyMetadata?: { KeyId: string; Arn: string } }> {
  const res = await fetch(`${moto.endpoint}/`, {
    method: "POST",
    headers: {
      "X-Amz-Target": `TrentService.${action}`,
      "Content-Type": "application/x-amz-json-1.1",
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/kms/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`KMS ${action}: HTTP ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? (JSON.parse(text) as { KeyMetadata?: { KeyId: string; Arn: string } }) : {};
}

/** A generation's bucket and key as Terraform creates them (node-config-bucket.ts, bootstrap-key.ts), plus its fake cluster. */
async function generation(gen: ResolvedGeneration, apiPort: number): Promise<FakeCluster> {
  const key = await kms("CreateKey", { Description: `${gen.fullName} generation key` });
  keyIds[gen.generationId] = key.KeyMetadata!.KeyId;
  await kms("CreateAlias", { AliasName: gen.kmsAlias, TargetKeyId: key.KeyMetadata!.KeyId });
  await s3.send(new CreateBucketCommand({ Bucket: gen.bucketName, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: gen.bucketName, VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: gen.bucketName,
      ServerSideEncryption: undefined,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: gen.kmsAlias }, BucketKeyEnabled: true }],
      },
    } as never),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: gen.bucketName,
      Key: "addons/manifests.yaml",
      Body: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n",
    }),
  );
  return {
    clusterName: gen.fullName,
    region: REGION,
    ssmPrefix: gen.ssmPrefix,
    kmsKeyId: gen.kmsAlias,
    bucket: gen.bucketName,
    endpoint: moto.endpoint,
    stateDir: mkdtempSync(path.join(tmpdir(), `ic-restore-${gen.generationId}-`)),
    apiEndpoint: "localhost",
    apiPort,
  };
}

async function getObject(bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    return Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  } catch (e) {
    if ((e as Error).name === "NoSuchKey") return undefined;
    throw e;
  }
}
const versions = async (bucket: string, key: string) =>
  ((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }))).Versions ?? []).filter((v) => v.Key === key);
const keysUnder = async (bucket: string, prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

/** Runs a node script under bash with the fakes first on PATH (the node's own, then the control plane's); never rejects. */
function run(node: FakeNode, c: FakeCluster, script: string, env: Record<string, string> = {}): Promise<ScriptRun> {
  const child = spawn("bash", [path.join(SCRIPTS_DIR, script)], {
    env: {
      PATH: `${FAKE_BIN}:${CONTROL_PLANE_BIN}:${process.env.PATH}`,
      HOME: node.root,
      LANG: "C.UTF-8",
      IC_ROOT: node.root,
      IC_IMDS_URL: imds.urlFor(node.name),
      AWS_ENDPOINT_URL: moto.endpoint,
      FAKE_LOG: node.log,
      FAKE_CLUSTER_DIR: c.stateDir,
      IC_AWS_TRACE_FILE: node.awsTrace,
      IC_BACKOFF_INITIAL_SECONDS: "1",
      IC_BACKOFF_MAX_SECONDS: "1",
      IC_API_WAIT_SECONDS: "10",
      IC_LEASE_RENEW_SECONDS: "1",
      IC_ADDONS_TIMEOUT_SECONDS: "20",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code) => {
      const result = { code, stdout, stderr, seconds: 0 };
      runs.push(result);
      resolve(result);
    }),
  );
}
/** etcd-snapshot.sh with the control plane's fakes first (kubectl exec into the etcd pod, etcdctl). */
const snapshotRun = (node: FakeNode, env: Record<string, string> = {}) =>
  run(node, a, "etcd-snapshot.sh", { PATH: `${CONTROL_PLANE_BIN}:${FAKE_BIN}:${process.env.PATH}`, ...env });
const expectOk = (r: ScriptRun) => expect(`exit ${r.code}\n${r.stderr}`).toMatch(/^exit 0\n/);

/** A CA pair or key pair as kubeadm writes them (EC keys: fast, and kubeadm supports them). */
function writePki(dir: string): void {
  mkdirSync(path.join(dir, "etcd"), { recursive: true });
  for (const [name, cn] of [
    ["ca", "kubernetes"],
    ["front-proxy-ca", "front-proxy-ca"],
    ["etcd/ca", "etcd-ca"],
  ])
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", `/CN=${cn}`].concat([
        "-keyout",
        path.join(dir, `${name}.key`),
        "-out",
        path.join(dir, `${name}.crt`),
      ]),
      { stdio: "ignore" },
    );
  execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path.join(dir, "sa.key")]);
  execFileSync("openssl", ["pkey", "-in", path.join(dir, "sa.key"), "-pubout", "-out", path.join(dir, "sa.pub")]);
}

function caHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

/** The files of a tar (bundle) as name -> content, read with tar itself. */
function untar(bundle: Buffer): Record<string, Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), "ic-bundle-"));
  writeFileSync(path.join(dir, "bundle.tar"), bundle);
  mkdirSync(path.join(dir, "x"));
  execFileSync("tar", ["-C", path.join(dir, "x"), "-xf", path.join(dir, "bundle.tar")]);
  const names = execFileSync("tar", ["-tf", path.join(dir, "bundle.tar")], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  return Object.fromEntries(names.map((n) => [n, readFileSync(path.join(dir, "x", n))]));
}

let a: FakeCluster;
let b: FakeCluster;
let oldNode: FakeNode;
let newNode: FakeNode;
const OLD_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

beforeAll(async () => {
  moto = await startMoto(REGION);
  imds = await startFakeImds({ accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" });
  s3 = new S3Client({
    region: REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  a = await generation(genA, 6443);
  b = await generation(genB, 6443);

  // Generation a's control-plane node as kubeadm init left it, with its snapshot timer's settings.
  oldNode = new FakeNode("old-cp", "controller", a, imds);
  const root = oldNode.root;
  writePki(path.join(root, "etc", "kubernetes", "pki"));
  mkdirSync(path.join(root, "etc", "kubernetes", "manifests"), { recursive: true });
  writeFileSync(path.join(root, "etc", "kubernetes", "admin.conf"), "apiVersion: v1\nkind: Config\n", { mode: 0o600 });
  writeFileSync(
    path.join(root, "etc", "kubernetes", "manifests", "etcd.yaml"),
    "spec:\n  containers:\n    - image: registry.k8s.io/etcd:3.5.21-0\n",
  );
  mkdirSync(path.join(root, "var", "lib", "etcd", "member", "snap"), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(root, "etc", "immutable-clusters", "cluster.env"), "ETCD_SNAPSHOT_INTERVAL_MINUTES=5\n", { flag: "a" });
  writeFileSync(path.join(a.stateDir, "pods"), `kube-system/etcd-${oldNode.instance.hostname}\n`);
  writeFileSync(path.join(a.stateDir, "api-up"), "");
  // What a's init winner published (bootstrap-lib.sh ensure_encryption_key).
  await s3.send(new PutObjectCommand({ Bucket: a.bucket, Key: "control-plane/secrets-encryption-key", Body: OLD_ENCRYPTION_KEY }));

  // Generation b's first control-plane node: its cluster.env says restore (constructs/ignition/node-config.ts).
  newNode = new FakeNode("new-cp", "controller", b, imds);
  writeFileSync(newNode.file("etc/immutable-clusters/cluster.env"), `RESTORE_FROM_GENERATION=a\nRESTORE_SNAPSHOT=${SNAPSHOT}\n`, {
    flag: "a",
  });
  // startMoto alone may wait up to 120 s for moto_server on a loaded machine (test/support/moto.ts).
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await imds?.stop();
  await moto?.stop();
});

describe("the old generation backs its identity up with its snapshots", () => {
  test("the first snapshot uploads the bundle to control-plane/identity/, KMS-encrypted with the generation key", async () => {
    const r = await snapshotRun(oldNode, { FAKE_ETCD_REVISION: "777" });
    expectOk(r);
    expect(r.stderr).toContain(`backed up the cluster identity to s3://${a.bucket}/${RESTORE_OBJECT_KEYS.identityBundle}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: a.bucket, Key: RESTORE_OBJECT_KEYS.identityBundle }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(`${head.SSEKMSKeyId}`).toMatch(new RegExp(`${keyIds.a}|${genA.kmsAlias}`));
    const files = untar((await getObject(a.bucket, RESTORE_OBJECT_KEYS.identityBundle))!);
    expect(Object.keys(files).sort()).toEqual([...PKI.map((f) => `pki/${f}`), "secrets-encryption-key"].sort());
    for (const f of PKI) expect(files[`pki/${f}`].equals(readFileSync(oldNode.file(`etc/kubernetes/pki/${f}`)))).toBe(true);
    expect(files["secrets-encryption-key"].toString().trim()).toBe(OLD_ENCRYPTION_KEY);
    const state = JSON.parse((await getObject(a.bucket, "state/identity-backup.json"))!.toString()) as { hash: string; holder: string };
    expect(state).toMatchObject({ hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), holder: oldNode.instance.instanceId });
    // Nothing of it stays on the node.
    expect(readdirSync(oldNode.file("run/immutable-clusters")).filter((f) => f.startsWith("identity"))).toEqual([]);
    // The snapshot the restore names (etcd-snapshot.sh names it by the time; the definition names this key).
    const [taken] = await keysUnder(a.bucket, "snapshots/");
    await s3.send(new PutObjectCommand({ Bucket: a.bucket, Key: SNAPSHOT, Body: (await getObject(a.bucket, taken))! }));
  }, 60000);

  test("the next snapshot uploads it again only when it changed", async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: a.bucket, Key: "state/etcd-snapshot-lease", Body: JSON.stringify({ holder: "i-0gone", takenAt: 0 }) }),
    );
    const same = await snapshotRun(oldNode);
    expectOk(same);
    expect(same.stderr).toContain("the cluster identity is unchanged since its last backup");
    expect(await versions(a.bucket, RESTORE_OBJECT_KEYS.identityBundle)).toHaveLength(1);
    // A new service-account key pair (a rotation by hand) is a change.
    const sa = oldNode.file("etc/kubernetes/pki/sa.key");
    const before = readFileSync(sa);
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", sa]);
    execFileSync("openssl", ["pkey", "-in", sa, "-pubout", "-out", oldNode.file("etc/kubernetes/pki/sa.pub")]);
    await s3.send(
      new PutObjectCommand({ Bucket: a.bucket, Key: "state/etcd-snapshot-lease", Body: JSON.stringify({ holder: "i-0gone", takenAt: 0 }) }),
    );
    const changed = await snapshotRun(oldNode);
    expectOk(changed);
    expect(changed.stderr).toContain("backed up the cluster identity");
    expect(await versions(a.bucket, RESTORE_OBJECT_KEYS.identityBundle)).toHaveLength(2);
    expect(untar((await getObject(a.bucket, RESTORE_OBJECT_KEYS.identityBundle))!)["pki/sa.key"].equals(before)).toBe(false);
  }, 60000);

  test("a role that may not write the bundle (IAM older than the backup) still uploads its snapshot, and says why", async () => {
    // moto_server evaluates bucket policies: an explicit deny stands in for the missing IAM allow.
    const deny = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${a.bucket}/control-plane/identity/*` },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: a.bucket, Policy: JSON.stringify(deny) }));
    try {
      // A change the next run would back up.
      execFileSync("openssl", [
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        oldNode.file("etc/kubernetes/pki/sa.key"),
      ]);
      execFileSync("openssl", [
        "pkey",
        "-in",
        oldNode.file("etc/kubernetes/pki/sa.key"),
        "-pubout",
        "-out",
        oldNode.file("etc/kubernetes/pki/sa.pub"),
      ]);
      await s3.send(
        new PutObjectCommand({
          Bucket: a.bucket,
          Key: "state/etcd-snapshot-lease",
          Body: JSON.stringify({ holder: "i-0gone", takenAt: 0 }),
        }),
      );
      const before = (await keysUnder(a.bucket, "snapshots/")).length;
      const r = await snapshotRun(oldNode);
      expectOk(r);
      expect(r.stderr).toContain(`ERROR: cannot upload s3://${a.bucket}/${RESTORE_OBJECT_KEYS.identityBundle}`);
      expect(r.stderr).toContain("no identity backup; the snapshot is not affected");
      expect((await keysUnder(a.bucket, "snapshots/")).length).toBe(before + 1);
      expect(await versions(a.bucket, RESTORE_OBJECT_KEYS.identityBundle)).toHaveLength(2);
    } finally {
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: a.bucket }));
    }
    // With the permission back, the next run uploads the changed identity.
    await s3.send(
      new PutObjectCommand({ Bucket: a.bucket, Key: "state/etcd-snapshot-lease", Body: JSON.stringify({ holder: "i-0gone", takenAt: 0 }) }),
    );
    expectOk(await snapshotRun(oldNode));
    expect(await versions(a.bucket, RESTORE_OBJECT_KEYS.identityBundle)).toHaveLength(3);
  }, 60000);

  test("a node without the identity files yet still uploads its snapshot and says why there is no backup", async () => {
    const bare = new FakeNode("bare-cp", "controller", a, imds);
    mkdirSync(bare.file("etc/kubernetes/manifests"), { recursive: true });
    writeFileSync(bare.file("etc/kubernetes/admin.conf"), "apiVersion: v1\nkind: Config\n", { mode: 0o600 });
    mkdirSync(bare.file("var/lib/etcd"), { recursive: true });
    writeFileSync(bare.file("etc/immutable-clusters/cluster.env"), "ETCD_SNAPSHOT_INTERVAL_MINUTES=5\n", { flag: "a" });
    writeFileSync(path.join(a.stateDir, "pods"), `kube-system/etcd-${bare.instance.hostname}\n`, { flag: "a" });
    await s3.send(
      new PutObjectCommand({ Bucket: a.bucket, Key: "state/etcd-snapshot-lease", Body: JSON.stringify({ holder: "i-0gone", takenAt: 0 }) }),
    );
    const before = (await keysUnder(a.bucket, "snapshots/")).length;
    const r = await snapshotRun(bare);
    expectOk(r);
    expect(r.stderr).toContain("/etc/kubernetes/pki/ca.key on this node: no identity backup");
    expect((await keysUnder(a.bucket, "snapshots/")).length).toBe(before + 1);
    expect(await versions(a.bucket, RESTORE_OBJECT_KEYS.identityBundle)).toHaveLength(3);
  }, 60000);
});

describe("the new generation's init winner restores before kubeadm init", () => {
  const pkiOf = (n: FakeNode) => (f: string) => n.file(`etc/kubernetes/pki/${f}`);

  test("without the copy it waits, bounded, and says which command to run", async () => {
    const r = await run(newNode, b, "node-bootstrap.sh", { IC_RESTORE_WAIT_SECONDS: "2" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`waiting up to 2s for s3://${b.bucket}/restore/manifest.json`);
    expect(r.stderr).toContain("run `immutable-clusters restore <cluster>/<this generation>` with the deployer's credentials");
    expect(newNode.calls("kubeadm init ")).toEqual([]);
  }, 60000);

  test("a damaged snapshot is refused before anything changes: no key published, no pki, no etcd data, no init", async () => {
    const good = (await getObject(a.bucket, SNAPSHOT))!;
    const damaged = Buffer.from(good);
    damaged[40] ^= 0xff;
    await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: RESTORE_OBJECT_KEYS.restoreSnapshot, Body: damaged }));
    await s3.send(
      new PutObjectCommand({
        Bucket: b.bucket,
        Key: RESTORE_OBJECT_KEYS.restoreIdentity,
        Body: (await getObject(a.bucket, RESTORE_OBJECT_KEYS.identityBundle))!,
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: b.bucket,
        Key: RESTORE_OBJECT_KEYS.restoreManifest,
        Body: JSON.stringify({ fromGeneration: "a", snapshot: SNAPSHOT }),
      }),
    );
    const r = await run(newNode, b, "node-bootstrap.sh");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: snapshot file integrity check failed.");
    expect(r.stderr).toContain("is not a sound etcd snapshot (etcdutl snapshot status failed): nothing was changed");
    expect(newNode.calls("etcdutl snapshot restore")).toEqual([]);
    expect(newNode.calls("kubeadm init ")).toEqual([]);
    expect(existsSync(newNode.file("etc/kubernetes/pki"))).toBe(false);
    expect(existsSync(newNode.file("var/lib/etcd"))).toBe(false);
    expect(await getObject(b.bucket, "control-plane/secrets-encryption-key")).toBeUndefined();
    expect(existsSync(newNode.file("run/immutable-clusters/restore"))).toBe(false);
  }, 60000);

  test("immutable-clusters restore copies the snapshot and the bundle into restore/ with the new generation's key, the manifest last", async () => {
    // The commands the restore sends, in order (the S3 client it gets records them).
    const sent: string[] = [];
    const recording = {
      send: (command: { constructor: { name: string }; input: { Key?: string } }) => {
        sent.push(`${command.constructor.name} ${command.input.Key}`);
        return s3.send(command as never);
      },
    } as unknown as S3Client;
    const message = await copyRestoreObjects("demo/b", { clusters: [definition], s3: recording });
    expect(message).toContain(`copied ${SNAPSHOT} and the cluster identity of demo/a into s3://${b.bucket}/restore/`);
    for (const key of Object.values(RESTORE_OBJECT_KEYS).filter((k) => k.startsWith("restore/"))) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: b.bucket, Key: key }));
      expect(head.ServerSideEncryption).toBe("aws:kms");
      expect(`${head.SSEKMSKeyId}`).toMatch(new RegExp(`${keyIds.b}|${genB.kmsAlias}`));
      expect(`${head.SSEKMSKeyId}`).not.toMatch(new RegExp(`${keyIds.a}|${genA.kmsAlias}$`));
    }
    expect((await getObject(b.bucket, RESTORE_OBJECT_KEYS.restoreSnapshot))!.equals((await getObject(a.bucket, SNAPSHOT))!)).toBe(true);
    expect(
      (await getObject(b.bucket, RESTORE_OBJECT_KEYS.restoreIdentity))!.equals(
        (await getObject(a.bucket, RESTORE_OBJECT_KEYS.identityBundle))!,
      ),
    ).toBe(true);
    const manifest = JSON.parse((await getObject(b.bucket, RESTORE_OBJECT_KEYS.restoreManifest))!.toString()) as Record<string, string>;
    expect(manifest).toMatchObject({ fromGeneration: "a", fromBucket: a.bucket, snapshot: SNAPSHOT });
    // Nothing is downloaded (server-side copies); the manifest is written after both copies.
    expect(sent).toEqual([
      `HeadObjectCommand ${SNAPSHOT}`,
      `HeadObjectCommand ${RESTORE_OBJECT_KEYS.identityBundle}`,
      `CopyObjectCommand ${RESTORE_OBJECT_KEYS.restoreSnapshot}`,
      `CopyObjectCommand ${RESTORE_OBJECT_KEYS.restoreIdentity}`,
      `PutObjectCommand ${RESTORE_OBJECT_KEYS.restoreManifest}`,
    ]);
  }, 60000);

  test("the command refuses a generation without controlPlane.restore, and a missing snapshot, by name", async () => {
    await expect(copyRestoreObjects("demo/a", { clusters: [definition], s3 })).rejects.toThrow(
      /demo\/a has no controlPlane\.restore in the definitions; set controlPlane\.restore: \{ fromGeneration/,
    );
    const other = sampleCluster({
      generations: [
        sampleGeneration({ id: "a", weight: 100 }),
        sampleGeneration({
          id: "b",
          weight: 0,
          controlPlane: { count: 3, restore: { fromGeneration: "a", snapshot: "snapshots/19700101T000000Z.db" } },
        }),
      ],
    });
    await expect(copyRestoreObjects("demo/b", { clusters: [other], s3 })).rejects.toThrow(
      `s3://${a.bucket}/snapshots/19700101T000000Z.db does not exist: the snapshot; list them with: aws s3 ls s3://${a.bucket}/snapshots/`,
    );
  }, 60000);

  test("kubeadm init fails after the restore; the retry resets, restores again and comes up with the old identity", async () => {
    const failed = await run(newNode, b, "node-bootstrap.sh", { FAKE_KUBEADM_FAIL_PHASE: "init:wait-control-plane" });
    expect(failed.code).toBe(1);
    // The identity was in place before kubeadm init ran (its certs phase keeps what it finds).
    for (const f of PKI) expect(readFileSync(pkiOf(newNode)(f)).equals(readFileSync(oldNode.file(`etc/kubernetes/pki/${f}`)))).toBe(true);
    const init = newNode.calls("kubeadm init --config");
    expect(init).toHaveLength(1);
    expect(init[0]).toContain("--ignore-preflight-errors=DirAvailable--var-lib-etcd");
    // An interrupted restore of another attempt left a half-written data dir beside it.
    mkdirSync(newNode.file("var/lib/etcd.restoring/member"), { recursive: true });
    writeFileSync(newNode.file("var/lib/etcd.restoring/member/partial"), "x");

    const retried = await run(newNode, b, "node-bootstrap.sh");
    expectOk(retried);
    expect(retried.stderr).toContain("an earlier kubeadm run did not finish");
    expect(retried.stderr).toContain("removing /var/lib/etcd.restoring of an interrupted restore");
    expect(newNode.calls("kubeadm reset")).toHaveLength(1);
    expect(newNode.calls("etcdutl snapshot restore")).toHaveLength(2);
    const { hostname, ip } = newNode.instance;
    expect(newNode.calls("etcdutl snapshot restore").at(-1)).toContain(
      `--name ${hostname} --initial-cluster ${hostname}=https://${ip}:2380 --initial-advertise-peer-urls https://${ip}:2380`,
    );
    // etcd starts from the snapshot's database.
    const snapshot = (await getObject(a.bucket, SNAPSHOT))!;
    expect(readFileSync(newNode.file("var/lib/etcd/member/snap/db")).equals(snapshot.subarray(0, snapshot.length - 32))).toBe(true);
    expect(existsSync(newNode.file("var/lib/etcd.restoring"))).toBe(false);
    // The old CAs and service-account key pair, not new ones.
    for (const f of PKI) expect(readFileSync(pkiOf(newNode)(f)).equals(readFileSync(oldNode.file(`etc/kubernetes/pki/${f}`)))).toBe(true);
    expect((await getObject(b.bucket, "join/ca-cert-hash"))!.toString().trim()).toBe(caHash(oldNode.file("etc/kubernetes/pki/ca.crt")));
    // The old Secrets encryption key, published once, and in the config kube-apiserver reads.
    expect((await getObject(b.bucket, "control-plane/secrets-encryption-key"))!.toString().trim()).toBe(OLD_ENCRYPTION_KEY);
    expect(await versions(b.bucket, "control-plane/secrets-encryption-key")).toHaveLength(1);
    expect(readFileSync(newNode.file("etc/kubernetes/apiserver/encryption-config.yaml"), "utf8")).toContain(
      `secret: "${OLD_ENCRYPTION_KEY}"`,
    );
    expect(readFileSync(newNode.file("var/lib/immutable-clusters/restored-from-snapshot"), "utf8")).toContain(`a ${SNAPSHOT}`);
    expect(existsSync(newNode.file("var/lib/immutable-clusters/bootstrap-complete"))).toBe(true);
    expect(existsSync(newNode.file("run/immutable-clusters/restore"))).toBe(false);
  }, 90000);

  test("a bundle whose key does not belong to its certificate is refused before anything changes", async () => {
    const fresh = new FakeNode("new-cp2", "controller", b, imds);
    writeFileSync(fresh.file("etc/immutable-clusters/cluster.env"), `RESTORE_FROM_GENERATION=a\nRESTORE_SNAPSHOT=${SNAPSHOT}\n`, {
      flag: "a",
    });
    const dir = mkdtempSync(path.join(tmpdir(), "ic-bad-bundle-"));
    const files = untar((await getObject(b.bucket, RESTORE_OBJECT_KEYS.restoreIdentity))!);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path.join(dir, "pki/ca.key")]);
    execFileSync("tar", ["-C", dir, "-cf", path.join(dir, "bad.tar"), ...Object.keys(files)]);
    const good = await getObject(b.bucket, RESTORE_OBJECT_KEYS.restoreIdentity);
    await s3.send(
      new PutObjectCommand({ Bucket: b.bucket, Key: RESTORE_OBJECT_KEYS.restoreIdentity, Body: readFileSync(path.join(dir, "bad.tar")) }),
    );
    // A second generation's own election: its bucket's lease belongs to new-cp, so use a fresh state for this node.
    await s3.send(
      new PutObjectCommand({
        Bucket: b.bucket,
        Key: "state/election-lease",
        Body: JSON.stringify({ holder: fresh.instance.instanceId, renewedAt: new Date().toISOString() }),
      }),
    );
    try {
      const r = await run(fresh, b, "node-bootstrap.sh");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("pki/ca.key of the identity bundle does not belong to pki/ca.crt");
      expect(r.stderr).toContain("is not a complete identity bundle (see above): nothing was changed");
      expect(existsSync(fresh.file("etc/kubernetes/pki"))).toBe(false);
      expect(fresh.calls("kubeadm init ")).toEqual([]);
    } finally {
      await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: RESTORE_OBJECT_KEYS.restoreIdentity, Body: good! }));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});

test("no script output carries a private key or the Secrets encryption key", () => {
  expect(runs.length).toBeGreaterThan(8);
  const secrets = [
    OLD_ENCRYPTION_KEY,
    ...["ca.key", "sa.key", "etcd/ca.key", "front-proxy-ca.key"].map(
      (f) => readFileSync(oldNode.file(`etc/kubernetes/pki/${f}`), "utf8").split("\n")[1],
    ),
  ];
  for (const r of runs) for (const secret of secrets) expect(r.stdout + r.stderr).not.toContain(secret);
});
