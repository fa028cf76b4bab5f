// Runs the control-plane timer scripts of issue 15 items 3-4 under bash against moto_server's real S3 (conditional
// writes, a versioned bucket with default SSE-KMS like the node bucket), credentials from a fake IMDSv2, and fakes of
// kubectl, etcdctl and etcdutl that behave like the real tools (test/support/fake-control-plane/bin, each citing the
// upstream source it models): reconcile-policy.sh applies the uploaded policy layer once per content hash as a kubectl
// ApplySet, prunes what a later upload removed, reports to state/policy-applied.json, retries a failed apply and lets
// one controller at a time apply; etcd-snapshot.sh uploads one snapshots/<time>.db per interval across controllers,
// never a damaged one, and leaves no temporary file; etcd-restore.sh refuses a damaged download before touching the
// data dir and restores into a fresh dir that it swaps in as docs/operations.md describes.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { POLICY_APPLYSET_FLAG, POLICY_MANIFESTS_KEY, POLICY_REPORT_KEY } from "../constructs/addons/policy-layer";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import { startMoto, type Moto } from "./support/moto";
import { startFakeImds, type FakeImds } from "./support/fake-node/imds";
import { FakeNode, SCRIPTS_DIR, type FakeCluster, type ScriptRun } from "./support/fake-node/node";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { synthClusters } from "./support/synth";

const REGION = "eu-west-1";
const KMS_ALIAS = "alias/immutable-clusters/t-policy";
const FAKE_BIN = path.join(__dirname, "support", "fake-control-plane", "bin");
const CONFIG_DIR = path.join(__dirname, "..", "constructs", "ignition", "files", "config");
const APPLYSET_GROUP_KINDS = "applyset.kubernetes.io/contains-group-kinds";
/** kubectl's id of the policy layer's parent (applyset.go ApplySet.ID; test/policy-layer.test.ts checks the formula). */
const PARENT_ID = "applyset-kdoj9Ooo3or5_SCt9a9Zp5tTZeJGOkHEWNIrkJyCQwU-v1";

/** The node role's credentials the fake IMDS hands out: distinctive, so that the output checks can find a leak. */
const NODE_CREDENTIALS = {
  accessKeyId: "ASIAPOLICYTESTNODE01",
  secretAccessKey: "policy-test-secret-access-key-0123456789",
  sessionToken: "policy-test-session-token-0123456789",
};
const nodes: ControlPlane[] = [];

let moto: Moto;
let imds: FakeImds;
let s3: S3Client;
let bucketCount = 0;

type Script = "reconcile-policy.sh" | "etcd-snapshot.sh" | "etcd-restore.sh";

/** A control-plane node: a FakeNode root (cluster.env, IMDS identity) with what these scripts need on it. */
class ControlPlane {
  readonly node: FakeNode;
  constructor(
    readonly name: string,
    readonly cluster: FakeCluster,
  ) {
    this.node = new FakeNode(name, "controller", cluster, imds);
    nodes.push(this);
    const root = this.node.root;
    // What kubeadm init/join leaves (admin.conf, the etcd static pod and its data) and Ignition writes (the ApplySet
    // parent type and object, constructs/ignition/node-config.ts; the snapshot interval in cluster.env).
    mkdirSync(path.join(root, "etc", "kubernetes", "manifests"), { recursive: true });
    writeFileSync(path.join(root, "etc", "kubernetes", "admin.conf"), "apiVersion: v1\nkind: Config\n", { mode: 0o600 });
    writeFileSync(
      path.join(root, "etc", "kubernetes", "manifests", "etcd.yaml"),
      "spec:\n  containers:\n    - image: registry.k8s.io/etcd:3.5.21-0\n",
    );
    mkdirSync(path.join(root, "var", "lib", "etcd", "member", "snap"), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(root, "var", "lib", "etcd", "member", "snap", "db"), `live data of ${name}\n`);
    const policy = path.join(root, "etc", "immutable-clusters", "policy");
    mkdirSync(policy, { recursive: true });
    copyFileSync(path.join(CONFIG_DIR, "policy-applyset-crd.yaml"), path.join(policy, "applyset-crd.yaml"));
    copyFileSync(path.join(CONFIG_DIR, "policy-applyset-parent.yaml"), path.join(policy, "applyset-parent.yaml"));
    writeFileSync(path.join(root, "etc", "immutable-clusters", "cluster.env"), "ETCD_SNAPSHOT_INTERVAL_MINUTES=30\n", { flag: "a" });
    // The kubelet runs this node's etcd static pod as etcd-<node name> (kubelet pkg/kubelet/config/common.go).
    writeFileSync(path.join(cluster.stateDir, "pods"), `kube-system/etcd-${this.node.instance.hostname}\n`, { flag: "a" });
  }

  file(relative: string): string {
    return this.node.file(relative);
  }

  /** Runs a script under bash with the fakes first on PATH; never rejects. */
  run(script: Script, args: string[] = [], env: Record<string, string> = {}): Promise<ScriptRun> {
    const started = Date.now();
    const child = spawn("bash", [path.join(SCRIPTS_DIR, script), ...args], {
      env: {
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        HOME: this.node.root,
        LANG: "C.UTF-8",
        IC_ROOT: this.node.root,
        IC_IMDS_URL: imds.urlFor(this.name),
        AWS_ENDPOINT_URL: moto.endpoint,
        FAKE_LOG: this.node.log,
        FAKE_CLUSTER_DIR: this.cluster.stateDir,
        IC_AWS_TRACE_FILE: this.node.awsTrace,
        IC_ETCD_STOP_WAIT_SECONDS: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => {
      child.on("close", (code) => {
        const result = { code, stdout, stderr, seconds: (Date.now() - started) / 1000 };
        this.node.runs.push(result);
        resolve(result);
      });
    });
  }

  /** Calls of the fakes on this node since the mark (a count of earlier calls). */
  calls(prefix: string, mark = 0): string[] {
    return this.node
      .calls()
      .slice(mark)
      .filter((l) => l.startsWith(prefix));
  }
}

function expectOk(r: ScriptRun): void {
  if (r.code !== 0) throw new Error(`script exited ${r.code}:\n${r.stderr}`);
}

async function newCluster(): Promise<FakeCluster> {
  const c: FakeCluster = {
    clusterName: "t-policy",
    region: REGION,
    ssmPrefix: "/immutable-clusters/t/policy",
    kmsKeyId: KMS_ALIAS,
    bucket: `ic-policy-${++bucketCount}`,
    endpoint: moto.endpoint,
    stateDir: mkdtempSync(path.join(tmpdir(), "ic-api-")),
    apiEndpoint: "localhost",
    apiPort: 6443,
  };
  // The node bucket as Terraform creates it (constructs/cluster/node-config-bucket.ts): versioned, default SSE-KMS.
  await s3.send(new CreateBucketCommand({ Bucket: c.bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: c.bucket, VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: c.bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KMS_ALIAS }, BucketKeyEnabled: true }],
      },
    }),
  );
  writeFileSync(path.join(c.stateDir, "api-up"), "");
  return c;
}

async function getObject(c: FakeCluster, key: string): Promise<Buffer | undefined> {
  try {
    return Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: c.bucket, Key: key }))).Body!.transformToByteArray());
  } catch (e) {
    if ((e as Error).name === "NoSuchKey") return undefined;
    throw e;
  }
}

async function keys(c: FakeCluster, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: c.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** The policy layer a generation stack with these tenants uploads (what Terraform writes to policy/manifests.yaml). */
function policyLayer(tenants: string[]): string {
  const def = sampleCluster({
    generations: [
      sampleGeneration({
        id: "a",
        weight: 100,
        addons: { tenants: tenants.map((name) => ({ name, groups: { admins: [`${name}-admins`] } })) } as never,
      }),
    ],
  });
  // As the cdktf app synthesizes (constructs/fleet/fleet-app.ts): cdktf's token stack captures left unformatted; the
  // Terraform JSON is the same.
  const doc = withCheapCaptures(() => synthClusters([def])).json("demo-a");
  const object = Object.values(
    doc.resource.aws_s3_object as Record<string, { key: string; content?: string; content_base64?: string }>,
  ).find((o) => o.key === POLICY_MANIFESTS_KEY)!;
  return storedObjectText(object)!;
}

interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}
/** The fake API server's objects, by "<group>/<Kind>/<namespace>/<name>". */
const apiObjects = (c: FakeCluster): Record<string, ApiObject> =>
  (JSON.parse(readFileSync(path.join(c.stateDir, "objects.json"), "utf8")) as { objects: Record<string, ApiObject> }).objects;
const members = (c: FakeCluster) =>
  Object.entries(apiObjects(c))
    .filter(([, o]) => o.metadata.labels?.["applyset.kubernetes.io/part-of"] === PARENT_ID)
    .map(([k]) => k)
    .sort();

interface PolicyReport {
  hash: string;
  appliedAt: string;
  result: string;
  holder: string;
  applied: string[];
  pruned: string[];
  error?: string;
}
const report = async (c: FakeCluster) => JSON.parse((await getObject(c, POLICY_REPORT_KEY))!.toString()) as PolicyReport;
const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const upload = (c: FakeCluster, text: string) => s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: POLICY_MANIFESTS_KEY, Body: text }));
const applySetApplies = (n: ControlPlane, mark = 0) =>
  n.calls("kubectl", mark).filter((l) => l.includes(`--applyset=${POLICY_APPLYSET_FLAG}`));

beforeAll(async () => {
  moto = await startMoto(REGION);
  imds = await startFakeImds(NODE_CREDENTIALS);
  s3 = new S3Client({
    region: REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  // The generation key the bucket's default encryption names.
  const kms = async (action: string, body: object) => {
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
    return (text ? JSON.parse(text) : {}) as { KeyMetadata?: { KeyId: string } };
  };
  const key = await kms("CreateKey", { Description: "policy and snapshot test key" });
  await kms("CreateAlias", { AliasName: KMS_ALIAS, TargetKeyId: key.KeyMetadata!.KeyId });
}, 60000);

afterAll(async () => {
  s3?.destroy();
  await imds?.stop();
  await moto?.stop();
});

describe("reconcile-policy.sh", () => {
  let c: FakeCluster;
  let cp1: ControlPlane;
  let cp2: ControlPlane;
  let twoTenants: string;
  let oneTenant: string;

  beforeAll(async () => {
    c = await newCluster();
    cp1 = new ControlPlane("pcp1", c);
    cp2 = new ControlPlane("pcp2", c);
    twoTenants = policyLayer(["team-a", "team-b"]);
    oneTenant = policyLayer(["team-a"]);
  }, 120000);

  test("does nothing while the API is unreachable or no policy layer is uploaded", async () => {
    rmSync(path.join(c.stateDir, "api-up"));
    const down = await cp1.run("reconcile-policy.sh");
    expectOk(down);
    expect(down.stderr).toContain("no working");
    writeFileSync(path.join(c.stateDir, "api-up"), "");
    const none = await cp1.run("reconcile-policy.sh");
    expectOk(none);
    expect(none.stderr).toContain(`no policy layer in s3://${c.bucket}/${POLICY_MANIFESTS_KEY}`);
    expect(applySetApplies(cp1)).toEqual([]);
    expect(await getObject(c, POLICY_REPORT_KEY)).toBeUndefined();
  });

  test("applies the uploaded layer as an ApplySet once, and reports hash, time and result", async () => {
    await upload(c, twoTenants);
    const before = Date.now();
    const r = await cp1.run("reconcile-policy.sh");
    expectOk(r);
    expect(applySetApplies(cp1)).toHaveLength(1);
    expect(applySetApplies(cp1)[0]).toContain("apply --server-side --force-conflicts --prune");
    // The parent was created from Ignition's file, then kubectl took over its annotations.
    const parent = apiObjects(c)["immutable-clusters.io/ApplySet//policy"];
    expect(parent.metadata.labels?.["applyset.kubernetes.io/id"]).toBe(PARENT_ID);
    expect(parent.metadata.annotations?.["applyset.kubernetes.io/tooling"]).toMatch(/^kubectl\/v1\./);
    expect(parent.metadata.annotations?.[APPLYSET_GROUP_KINDS]).toContain("Namespace");
    expect(members(c)).toEqual(
      expect.arrayContaining(["/Namespace//team-a", "/Namespace//team-b", "/ConfigMap/kube-system/immutable-clusters-policy-layer"]),
    );
    const rep = await report(c);
    expect(rep).toMatchObject({ hash: sha(twoTenants), result: "applied", holder: cp1.node.instance.instanceId, pruned: [] });
    expect(rep.applied).toEqual(
      expect.arrayContaining(["namespace/team-a", "namespace/team-b", "configmap/immutable-clusters-policy-layer"]),
    );
    expect(rep.applied).toHaveLength(members(c).length);
    expect(Date.parse(rep.appliedAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(rep.error).toBeUndefined();
    // The lease is given back.
    expect(await getObject(c, "state/policy-lock")).toBeUndefined();
  }, 60000);

  test("a second run with the same object hash, on any controller, does nothing", async () => {
    const first = await report(c);
    const marks = [cp1, cp2].map((n) => n.node.calls().length);
    for (const n of [cp1, cp2]) {
      const r = await n.run("reconcile-policy.sh");
      expectOk(r);
      expect(r.stderr).toContain("already applied: nothing to do");
    }
    expect([cp1, cp2].flatMap((n, i) => applySetApplies(n, marks[i]))).toEqual([]);
    expect(await report(c)).toEqual(first);
  }, 60000);

  test("a tenant removed from the next upload is pruned; the others keep their objects", async () => {
    const uids = Object.fromEntries(Object.entries(apiObjects(c)).map(([k, o]) => [k, o.metadata.uid]));
    await upload(c, oneTenant);
    const r = await cp2.run("reconcile-policy.sh");
    expectOk(r);
    const objects = apiObjects(c);
    expect(Object.keys(objects).filter((k) => k.includes("team-b"))).toEqual([]);
    expect(objects["/Namespace//team-a"].metadata.uid).toBe(uids["/Namespace//team-a"]);
    const rep = await report(c);
    expect(rep).toMatchObject({ hash: sha(oneTenant), result: "applied", holder: cp2.node.instance.instanceId });
    expect(rep.pruned).toContain("namespace/team-b");
    // kubectl names what it pruned without the namespace ("resourcequota/tenant-quota pruned"): one line per object.
    const removed = Object.keys(uids).filter((k) => !(k in objects));
    expect(removed.length).toBeGreaterThan(1);
    expect(removed.every((k) => k.includes("/team-b"))).toBe(true);
    expect(rep.pruned).toHaveLength(removed.length);
    expect(rep.applied).not.toContain("namespace/team-b");
    // The parent now lists only what this layer holds.
    expect(members(c).some((k) => k.includes("team-b"))).toBe(false);
  }, 60000);

  test("a failed kubectl apply is reported as failed and retried on the next run", async () => {
    await upload(c, twoTenants);
    // The API server goes away during the run: it answers the health check, the parent type, the wait and the parent
    // lookup, then refuses (what kubectl prints when the connection is refused).
    writeFileSync(path.join(c.stateDir, "api-calls-left"), "4");
    const failed = await cp1.run("reconcile-policy.sh");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("failed (reported in state/policy-applied.json); retried next run");
    const rep = await report(c);
    expect(rep).toMatchObject({ hash: sha(twoTenants), result: "failed", holder: cp1.node.instance.instanceId, applied: [], pruned: [] });
    expect(rep.error).toContain("The connection to the server api.test.example:6443 was refused");
    expect(await getObject(c, "state/policy-lock")).toBeUndefined();
    rmSync(path.join(c.stateDir, "api-calls-left"));
    const mark = cp2.node.calls().length;
    const retried = await cp2.run("reconcile-policy.sh");
    expectOk(retried);
    expect(applySetApplies(cp2, mark)).toHaveLength(1);
    expect(await report(c)).toMatchObject({ hash: sha(twoTenants), result: "applied", holder: cp2.node.instance.instanceId });
    expect(apiObjects(c)["/Namespace//team-b"]).toBeDefined();
  }, 60000);

  test("kubectl's refusal of a parent another tool manages is reported as failed", async () => {
    const stateFile = path.join(c.stateDir, "objects.json");
    const state = JSON.parse(readFileSync(stateFile, "utf8")) as { objects: Record<string, ApiObject> };
    state.objects["immutable-clusters.io/ApplySet//policy"].metadata.annotations!["applyset.kubernetes.io/tooling"] = "helm/v3";
    writeFileSync(stateFile, JSON.stringify(state));
    await upload(c, oneTenant);
    try {
      const r = await cp1.run("reconcile-policy.sh");
      expect(r.code).toBe(1);
      const rep = await report(c);
      expect(rep).toMatchObject({ hash: sha(oneTenant), result: "failed" });
      expect(rep.error).toContain(
        'error: ApplySet parent object "applysets.immutable-clusters.io/policy" already exists and is managed by tooling "helm" instead of "kubectl"',
      );
      // Nothing was pruned: team-b is still there.
      expect(apiObjects(c)["/Namespace//team-b"]).toBeDefined();
    } finally {
      state.objects["immutable-clusters.io/ApplySet//policy"].metadata.annotations!["applyset.kubernetes.io/tooling"] = "kubectl/v1.35.0";
      writeFileSync(stateFile, JSON.stringify(state));
    }
  }, 60000);

  test("two controllers never apply at once: one holds the lease, the other skips", async () => {
    await upload(c, twoTenants + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n");
    const marks = [cp1, cp2].map((n) => n.node.calls().length);
    const runs = await Promise.all([cp1, cp2].map((n) => n.run("reconcile-policy.sh", [], { FAKE_KUBECTL_APPLY_SECONDS: "3" })));
    runs.forEach(expectOk);
    const applies = [cp1, cp2].map((n, i) => applySetApplies(n, marks[i]).length);
    expect([...applies].sort()).toEqual([0, 1]);
    expect(existsSync(path.join(c.stateDir, "overlaps"))).toBe(false);
    const skipped = runs.find((r) => r.stderr.includes("holds the lease state/policy-lock"));
    expect(skipped).toBeDefined();
    const winner = [cp1, cp2][applies.indexOf(1)];
    expect(await report(c)).toMatchObject({ result: "applied", holder: winner.node.instance.instanceId });
    expect(await getObject(c, "state/policy-lock")).toBeUndefined();
  }, 60000);

  test("a lease another controller holds is respected until it is older than its lifetime", async () => {
    const taken = { holder: "i-0other", takenAt: Math.floor(Date.now() / 1000) - 10 };
    await s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: "state/policy-lock", Body: JSON.stringify(taken) }));
    await upload(c, oneTenant);
    const held = await cp1.run("reconcile-policy.sh");
    expectOk(held);
    expect(held.stderr).toContain("i-0other holds the lease state/policy-lock");
    expect((await report(c)).hash).not.toBe(sha(oneTenant));
    const stale = await cp1.run("reconcile-policy.sh", [], { IC_POLICY_LEASE_SECONDS: "5" });
    expectOk(stale);
    expect(stale.stderr).toContain("took over the lease state/policy-lock of i-0other");
    expect(await report(c)).toMatchObject({ hash: sha(oneTenant), result: "applied" });
    expect(await getObject(c, "state/policy-lock")).toBeUndefined();
  }, 60000);
});

describe("etcd-snapshot.sh", () => {
  let c: FakeCluster;
  let cp1: ControlPlane;
  let cp2: ControlPlane;
  const leftovers = (n: ControlPlane) => readdirSync(n.file("var/lib/etcd")).filter((f) => f !== "member");

  beforeAll(async () => {
    c = await newCluster();
    cp1 = new ControlPlane("scp1", c);
    cp2 = new ControlPlane("scp2", c);
  });

  test("two controllers at once upload one snapshot for the interval, under the lease, and leave no file behind", async () => {
    const runs = await Promise.all([cp1, cp2].map((n) => n.run("etcd-snapshot.sh")));
    runs.forEach(expectOk);
    const snapshots = await keys(c, "snapshots/");
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatch(/^snapshots\/\d{8}T\d{6}Z\.db$/);
    const body = (await getObject(c, snapshots[0]))!;
    expect(body.subarray(0, 19).toString()).toBe("FAKE-ETCD-SNAPSHOT ");
    expect(body.length % 512).toBe(32);
    const uploader = runs.findIndex((r) => r.stderr.includes(`uploaded s3://${c.bucket}/${snapshots[0]} (revision 1000, 40 keys,`));
    expect(uploader).toBeGreaterThanOrEqual(0);
    expect(runs[1 - uploader].stderr).toContain("holds the lease state/etcd-snapshot-lease");
    const winner = [cp1, cp2][uploader];
    // etcdctl ran in this node's etcd pod with kubeadm's etcd client certificates.
    expect(winner.calls("kubectl")).toContainEqual(
      expect.stringContaining(`--namespace kube-system exec etcd-${winner.node.instance.hostname} -- etcdctl`),
    );
    expect(winner.calls("etcdctl")[0]).toContain("--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt");
    // The lease stays for the interval, naming the uploader.
    const lease = JSON.parse((await getObject(c, "state/etcd-snapshot-lease"))!.toString()) as { holder: string };
    expect(lease.holder).toBe(winner.node.instance.instanceId);
    expect([cp1, cp2].flatMap(leftovers)).toEqual([]);
    // A later run in the same interval does nothing.
    const again = await cp2.run("etcd-snapshot.sh");
    expectOk(again);
    expect(await keys(c, "snapshots/")).toEqual(snapshots);
  }, 60000);

  test("the next interval uploads another snapshot", async () => {
    const before = await keys(c, "snapshots/");
    await new Promise((r) => setTimeout(r, 1100));
    // Interval 1 minute (cluster.env) less 60 s of slack: the lease taken a moment ago has expired.
    const env = cp2.file("etc/immutable-clusters/cluster.env");
    writeFileSync(env, readFileSync(env, "utf8").replace("ETCD_SNAPSHOT_INTERVAL_MINUTES=30", "ETCD_SNAPSHOT_INTERVAL_MINUTES=1"));
    const r = await cp2.run("etcd-snapshot.sh", [], { IC_SNAPSHOT_SLACK_SECONDS: "60" });
    expectOk(r);
    expect(r.stderr).toContain("took over the lease state/etcd-snapshot-lease");
    const after = await keys(c, "snapshots/");
    expect(after).toHaveLength(before.length + 1);
    expect(leftovers(cp2)).toEqual([]);
  }, 60000);

  test("a damaged snapshot is not uploaded, its file is removed and the lease given back", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: c.bucket, Key: "state/etcd-snapshot-lease" }));
    const before = await keys(c, "snapshots/");
    const r = await cp1.run("etcd-snapshot.sh", [], { FAKE_ETCD_CORRUPT: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: snapshot file integrity check failed. 1 errors found.");
    expect(r.stderr).toContain("is not sound (etcdutl snapshot status failed): not uploaded");
    expect(await keys(c, "snapshots/")).toEqual(before);
    expect(leftovers(cp1)).toEqual([]);
    expect(await getObject(c, "state/etcd-snapshot-lease")).toBeUndefined();
  }, 60000);

  test("an API server that goes away during the run fails it with kubectl's message and gives the lease back", async () => {
    const before = await keys(c, "snapshots/");
    writeFileSync(path.join(c.stateDir, "api-calls-left"), "1");
    const r = await cp1.run("etcd-snapshot.sh");
    rmSync(path.join(c.stateDir, "api-calls-left"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("The connection to the server api.test.example:6443 was refused");
    expect(r.stderr).toContain("etcdctl snapshot save failed");
    expect(await keys(c, "snapshots/")).toEqual(before);
    expect(await getObject(c, "state/etcd-snapshot-lease")).toBeUndefined();
    expect(leftovers(cp1)).toEqual([]);
  }, 60000);
});

describe("etcd-restore.sh", () => {
  let c: FakeCluster;
  let source: ControlPlane;
  let fresh: ControlPlane;
  let snapshotKey: string;
  const etcdFiles = (n: ControlPlane) =>
    readdirSync(n.file("var/lib"))
      .filter((f) => f.startsWith("etcd"))
      .sort();
  const runFiles = (n: ControlPlane) => (existsSync(n.file("run/immutable-clusters")) ? readdirSync(n.file("run/immutable-clusters")) : []);

  beforeAll(async () => {
    c = await newCluster();
    source = new ControlPlane("rcp1", c);
    fresh = new ControlPlane("rcp2", c);
    expectOk(await source.run("etcd-snapshot.sh", [], { FAKE_ETCD_REVISION: "4242" }));
    snapshotKey = (await keys(c, "snapshots/"))[0];
  }, 60000);

  test("a missing snapshot is refused by name", async () => {
    const r = await fresh.run("etcd-restore.sh", [c.bucket, "snapshots/19700101T000000Z.db"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`s3://${c.bucket}/snapshots/19700101T000000Z.db does not exist`);
  });

  test("a damaged download is refused before the data dir or the etcd manifest is touched", async () => {
    const good = (await getObject(c, snapshotKey))!;
    const damaged = Buffer.from(good);
    damaged[40] ^= 0xff;
    await s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: "snapshots/damaged.db", Body: damaged }));
    const r = await fresh.run("etcd-restore.sh", [c.bucket, "snapshots/damaged.db"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: snapshot file integrity check failed.");
    expect(r.stderr).toContain("is not a sound etcd snapshot (etcdutl snapshot status failed): nothing was changed");
    expect(fresh.calls("etcdutl snapshot restore")).toEqual([]);
    expect(etcdFiles(fresh)).toEqual(["etcd"]);
    expect(readFileSync(fresh.file("var/lib/etcd/member/snap/db"), "utf8")).toBe("live data of rcp2\n");
    expect(existsSync(fresh.file("etc/kubernetes/manifests/etcd.yaml"))).toBe(true);
    // The downloaded copy (etcd data: Secrets) does not stay on the node.
    expect(runFiles(fresh).filter((f) => f.startsWith("restore-snapshot"))).toEqual([]);
  }, 60000);

  test("restores into a fresh data dir and swaps it in, keeping the old one", async () => {
    const r = await fresh.run("etcd-restore.sh", [c.bucket, snapshotKey]);
    expectOk(r);
    expect(r.stderr).toContain("revision 4242, 40 keys");
    const restore = fresh.calls("etcdutl snapshot restore");
    expect(restore).toHaveLength(1);
    const { hostname, ip } = fresh.node.instance;
    expect(restore[0]).toMatch(new RegExp(`--data-dir ${fresh.node.root}/var/lib/etcd\\.restored-\\d{8}T\\d{6}Z `));
    expect(restore[0]).toContain(
      `--name ${hostname} --initial-cluster ${hostname}=https://${ip}:2380 --initial-advertise-peer-urls https://${ip}:2380`,
    );
    const files = etcdFiles(fresh);
    expect(files).toHaveLength(2);
    expect(files[0]).toBe("etcd");
    expect(files[1]).toMatch(/^etcd\.before-restore-\d{8}T\d{6}Z$/);
    expect(readFileSync(fresh.file(`var/lib/${files[1]}/member/snap/db`), "utf8")).toBe("live data of rcp2\n");
    const good = (await getObject(c, snapshotKey))!;
    expect(readFileSync(fresh.file("var/lib/etcd/member/snap/db")).equals(good.subarray(0, good.length - 32))).toBe(true);
    expect(readdirSync(fresh.file("var/lib/etcd/member/wal"))).toHaveLength(1);
    expect(existsSync(fresh.file("etc/kubernetes/manifests/etcd.yaml"))).toBe(true);
    expect(runFiles(fresh).filter((f) => f.startsWith("restore-snapshot") || f === "etcd.yaml")).toEqual([]);
  }, 60000);
});

describe("the fakes fail as the real tools do", () => {
  test("etcdutl snapshot restore refuses a data dir that exists and is not empty", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ic-etcdutl-"));
    writeFileSync(path.join(dir, "log"), "");
    mkdirSync(path.join(dir, "data"));
    writeFileSync(path.join(dir, "data", "keep"), "x");
    writeFileSync(path.join(dir, "snap.db"), "not a snapshot");
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(path.join(FAKE_BIN, "etcdutl"), args, { env: { ...process.env, FAKE_LOG: path.join(dir, "log") } });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stderr }));
      });
    const restore = await run(["snapshot", "restore", path.join(dir, "snap.db"), "--data-dir", path.join(dir, "data")]);
    expect(restore).toEqual({ code: 1, stderr: `Error: data-dir "${path.join(dir, "data")}" not empty or could not be read\n` });
    const status = await run(["snapshot", "status", path.join(dir, "snap.db"), "--write-out=json"]);
    expect(status).toEqual({ code: 1, stderr: "Error: invalid database\n" });
  });
});

test("no script output carries the node's credentials", () => {
  const runs = nodes.flatMap((n) => n.node.runs);
  expect(runs.length).toBeGreaterThan(20);
  for (const r of runs)
    for (const secret of [NODE_CREDENTIALS.secretAccessKey, NODE_CREDENTIALS.sessionToken]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
});
