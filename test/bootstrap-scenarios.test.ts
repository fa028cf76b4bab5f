// Runs the node bootstrap scripts under bash against moto_server's real S3 (conditional writes, a versioned bucket with
// default SSE-KMS like the node bucket), EC2 and Auto Scaling APIs (curl --aws-sigv4, credentials from a fake IMDSv2, each fake node backed by a real emulated EC2 instance)
// with kubeadm/kubectl/systemctl replaced by fakes that leave what the real tools leave and fail where told to: the
// election lease and its takeover, the restartable per-phase state machine, worker join retries after reset, control-
// plane replacement, redeploying a generation, self-replacement after bounded failures, the token refresh and the
// certificate upload only while a control-plane node joins, and that no script output carries a secret. The kubeadm
// init phase scenarios, which share nothing, run a few at a time (PHASE_SCENARIOS_AT_ONCE); each is checked by its test.
import { execFile, execFileSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingInstancesCommand } from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { BOOTSTRAP_OBJECT_KEYS, WORKER_BOOTSTRAP_OBJECT_KEYS } from "../constructs/cluster/node-policies";
import { startMoto, type Moto } from "./support/moto";
import { startFakeImds, type FakeImds } from "./support/fake-node/imds";
import { FakeNode, SCRIPTS_DIR, type FakeCluster, type ScriptRun } from "./support/fake-node/node";

const REGION = "eu-west-1";
const BUCKET = "ic-test-nodes";
const KMS_ALIAS = "alias/immutable-clusters/t-test";
const ADDONS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n";
/** One of the images moto_server ships. */
const AMI = "ami-12c6146b";

let moto: Moto;
let imds: FakeImds;
let s3: S3Client;
let ec2: EC2Client;
let asg: AutoScalingClient;
let api: Server;
let apiPort: number;
const nodes: FakeNode[] = [];
const clusters = new Map<string, FakeCluster>();

function kms(action: string, body: object): Record<string, unknown> {
  const out = execFileSync(
    "curl",
    ["-fsS", "--aws-sigv4", `aws:amz:${REGION}:kms`, "-u", "testing:testing", "-H", `X-Amz-Target: TrentService.${action}`].concat([
      "-H",
      "Content-Type: application/x-amz-json-1.1",
      "--data-binary",
      JSON.stringify(body),
      `${moto.endpoint}/`,
    ]),
    { encoding: "utf8" },
  );
  return out.trim() === "" ? {} : (JSON.parse(out) as Record<string, unknown>);
}

/**
 * The generation's node bucket as Terraform creates it (constructs/cluster/node-config-bucket.ts): versioned, default
 * SSE-KMS with the generation key and an S3 Bucket Key, and the addon manifests uploaded. Nothing the nodes publish.
 */
async function createNodeBucket(bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KMS_ALIAS }, BucketKeyEnabled: true }],
      },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "addons/manifests.yaml", Body: ADDONS }));
}

/** `terraform destroy` of the bucket: force_destroy deletes every version of every object, then the bucket. */
async function destroyNodeBucket(bucket: string): Promise<void> {
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])])
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key!, VersionId: v.VersionId! }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** A generation: its own node bucket, fake cluster state and (unused by contract 2 scripts) SSM prefix. */
async function cluster(id: string, overrides: Partial<FakeCluster> = {}): Promise<FakeCluster> {
  const existing = clusters.get(id);
  if (existing) return existing;
  const c: FakeCluster = {
    clusterName: `t-${id}`,
    region: REGION,
    ssmPrefix: `/immutable-clusters/t/${id}`,
    kmsKeyId: KMS_ALIAS,
    bucket: `${BUCKET}-${id}`,
    endpoint: moto.endpoint,
    stateDir: mkdtempSync(path.join(tmpdir(), `ic-cluster-${id}-`)),
    apiEndpoint: "localhost",
    apiPort,
    ...overrides,
  };
  await createNodeBucket(c.bucket);
  clusters.set(id, c);
  return c;
}

/** A fake node backed by a real emulated EC2 instance (so DescribeInstances and SetInstanceHealth see it). */
async function node(name: string, role: "controller" | "worker", c: FakeCluster, instanceId?: string): Promise<FakeNode> {
  const id =
    instanceId ??
    (await ec2.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, InstanceType: "t3.small" }))).Instances![0]
      .InstanceId!;
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = described.Reservations![0].Instances![0];
  imds.register(name, { instanceId: id, hostname: instance.PrivateDnsName!, ip: instance.PrivateIpAddress! });
  const n = new FakeNode(name, role, c, imds);
  nodes.push(n);
  return n;
}

/** What the nodes published under `key` of the generation's bucket; undefined while nothing is. */
async function published(c: FakeCluster, key: string): Promise<string | undefined> {
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: c.bucket, Key: key }))).Body!.transformToString();
  } catch (e) {
    if ((e as Error).name === "NoSuchKey") return undefined;
    throw e;
  }
}

/** Publishes a value as a node would (tests that start from a given published state). */
async function publishAs(c: FakeCluster, key: string, value: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: value }));
}

async function stateKeys(c: FakeCluster): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: c.bucket, Prefix: "state/" }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

function caHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

/** The secretbox key in a node's rendered encryption config (the file kube-apiserver reads). */
function encryptionKeyOn(n: FakeNode): string | undefined {
  const file = n.file("etc/kubernetes/apiserver/encryption-config.yaml");
  if (!existsSync(file)) return undefined;
  return /^ +secret: "([^"]*)"$/m.exec(readFileSync(file, "utf8"))?.[1];
}
const ENCRYPTION_KEY = /^[A-Za-z0-9+/]{43}=$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `c`'s bucket holds `key` and `accept` takes its value, polled every 100 ms: a step that must follow
 * another node's write waits for that write, not for a fixed time (which was both longer than needed on an idle machine
 * and no guarantee on a loaded one). Fails after `timeoutMs`, naming the object.
 */
async function untilPublished(
  c: FakeCluster,
  key: string,
  accept: (value: string) => boolean = () => true,
  timeoutMs = 60000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await published(c, key);
    if (value !== undefined && accept(value)) return;
    if (Date.now() > deadline)
      throw new Error(`s3://${c.bucket}/${key} was not written as expected within ${timeoutMs} ms (now: ${value})`);
    await sleep(100);
  }
}

const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

function explain(n: FakeNode, run: { code: number | null; stderr: string }): string {
  return `${n.name} exited ${run.code}:\n${run.stderr}`;
}
const ok = (n: FakeNode, r: { code: number | null; stderr: string }) => expect(explain(n, r)).toMatch(/^\S+ exited 0:/);
const fileIn = (n: FakeNode, rel: string) => existsSync(n.file(rel));

beforeAll(async () => {
  for (const tool of ["curl", "jq", "openssl", "getent", "timeout"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      throw new Error(`${tool} is required by the bootstrap scripts and their tests: install it (apt-get install -y ${tool})`);
    }
  }
  moto = await startMoto(REGION);
  imds = await startFakeImds({ accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" });
  const config = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  s3 = new S3Client({ ...config, forcePathStyle: true });
  ec2 = new EC2Client(config);
  asg = new AutoScalingClient(config);
  const key = kms("CreateKey", { Description: "bootstrap test key" }) as { KeyMetadata: { KeyId: string } };
  kms("CreateAlias", { AliasName: KMS_ALIAS, TargetKeyId: key.KeyMetadata.KeyId });
  // The API load balancer's port: a TCP listener that accepts connections (what the join-side wait checks).
  api = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiPort = (api.address() as { port: number }).port;
}, 60000);

afterAll(async () => {
  s3?.destroy();
  ec2?.destroy();
  asg?.destroy();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await imds?.stop();
  await moto?.stop();
});

describe("three control-plane nodes start at once", () => {
  let c: FakeCluster;
  let controllers: FakeNode[];
  let winner: FakeNode;

  beforeAll(async () => {
    c = await cluster("a");
    controllers = [];
    for (const n of ["cp1", "cp2", "cp3"]) controllers.push(await node(n, "controller", c));
    // The API server refuses the addons twice before it accepts them (CRDs not yet established, say).
    const runs = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh", { FAKE_KUBECTL_APPLY_FAILURES: "2" })));
    runs.forEach((r, i) => ok(controllers[i], r));
    winner = controllers.find((n) => n.calls("kubeadm init --config").length === 1)!;
  }, 120000);

  test("exactly one runs kubeadm init; it holds the S3 election lease", async () => {
    expect(controllers.flatMap((n) => n.calls("kubeadm init --config"))).toHaveLength(1);
    expect(winner.calls("kubeadm init --config")[0]).toBe(`kubeadm init --config ${winner.renderedPath("init")} --upload-certs`);
    const lease = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: c.bucket, Key: "state/election-lease" }))).Body!.transformToString(),
    ) as { holder: string; renewedAt: string };
    expect(lease.holder).toBe(winner.instance.instanceId);
    expect(Date.now() - Date.parse(lease.renewedAt)).toBeLessThan(120000);
  });

  test("the others join with the published token and CA hash, and the certificate key from control-plane/", async () => {
    const token = await published(c, "join/token");
    const certKey = await published(c, "control-plane/certificate-key");
    expect(token).toMatch(TOKEN);
    expect(certKey).toMatch(/^[0-9a-f]{64}$/);
    expect(await published(c, "join/ca-cert-hash")).toBe(caHash(winner.file("etc/kubernetes/pki/ca.crt")));
    for (const j of controllers.filter((n) => n !== winner)) {
      expect(j.calls("kubeadm join")).toEqual([`kubeadm join --config ${j.renderedPath("join-controller")}`]);
      const join = j.rendered("join-controller")[0] as {
        discovery: { bootstrapToken: { token: string } };
        controlPlane: { certificateKey: string };
      };
      expect(join.discovery.bootstrapToken.token).toBe(token);
      expect(join.controlPlane.certificateKey).toBe(certKey);
      expect(statSync(j.renderedPath("join-controller")).mode & 0o777).toBe(0o600);
      // Each asked for the certificates, and deleted its request once joined.
      expect(j.awsCalls(`s3 PutObject ${c.bucket}/state/join-requests/${j.instance.instanceId}`).length).toBeGreaterThan(0);
    }
    expect(await stateKeys(c)).toEqual(["state/election-lease"]);
  });

  test("every control-plane node's kube-apiserver gets the same Secrets encryption key, made once by the winner", async () => {
    const key = await published(c, "control-plane/secrets-encryption-key");
    expect(key).toMatch(ENCRYPTION_KEY);
    expect(Buffer.from(key!, "base64")).toHaveLength(32);
    for (const n of controllers) {
      const file = n.file("etc/kubernetes/apiserver/encryption-config.yaml");
      expect(encryptionKeyOn(n)).toBe(key);
      expect(readFileSync(file, "utf8")).not.toContain("@@");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      // Ignition's API server configs in the same folder are kept.
      expect(fileIn(n, "etc/kubernetes/apiserver/audit-policy.yaml")).toBe(true);
    }
    const puts = controllers.flatMap((n) => n.awsCalls(`s3 PutObject ${c.bucket}/control-plane/secrets-encryption-key`));
    expect(puts).toHaveLength(1);
    expect(winner.awsCalls("s3 PutObject").filter((l) => l.includes("secrets-encryption-key"))).toHaveLength(1);
    // Stored with the bucket's default encryption (SSE-KMS, the generation key), once: one version.
    const head = await s3.send(new HeadObjectCommand({ Bucket: c.bucket, Key: "control-plane/secrets-encryption-key" }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: c.bucket, Prefix: "control-plane/secrets-encryption-key" }));
    expect(versions.Versions).toHaveLength(1);
  });

  test("only the winner applies the addons, server-side, with a request timeout, retrying until accepted", () => {
    const applies = winner.calls("kubectl").filter((l) => l.includes(" apply "));
    expect(applies).toHaveLength(3);
    for (const a of applies) expect(a).toMatch(/--request-timeout=30s apply --server-side --force-conflicts -f /);
    expect(winner.appliedAddons()).toBe(ADDONS);
    for (const j of controllers.filter((n) => n !== winner)) expect(j.calls("kubectl")).toEqual([]);
  });

  test("each phase leaves its marker; running the bootstrap again does nothing", async () => {
    expect(readFileSync(winner.file("var/lib/immutable-clusters/kubeadm-done"), "utf8")).toMatch(/ init\n$/);
    for (const m of ["join-material-published", "addons-applied", "bootstrap-complete"])
      expect(fileIn(winner, `var/lib/immutable-clusters/${m}`)).toBe(true);
    const before = controllers.map((n) => n.calls().length);
    const again = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh")));
    again.forEach((r) => expect(r.stderr).toContain("nothing to do"));
    expect(controllers.map((n) => n.calls().length)).toEqual(before);
  }, 60000);
});

describe("a worker that starts before the control plane has published", () => {
  test("waits with backoff, joins, and never asks for anything under control-plane/ or state/", async () => {
    const c = await cluster("b");
    const worker = await node("w1", "worker", c);
    const controller = await node("cp1b", "controller", c);
    const waiting = worker.run("node-bootstrap.sh");
    await sleep(4000);
    expect(worker.calls("kubeadm")).toEqual([]);
    const [w, cp] = await Promise.all([waiting, controller.run("node-bootstrap.sh")]);
    ok(controller, cp);
    ok(worker, w);
    expect(Number(/found the join material \(attempt (\d+)\)/.exec(w.stderr)?.[1])).toBeGreaterThanOrEqual(3);
    expect(worker.calls("kubeadm")).toEqual([`kubeadm join --config ${worker.renderedPath("join-worker")}`]);
    const join = worker.rendered("join-worker")[0] as { discovery: { bootstrapToken: { token: string; caCertHashes: string[] } } };
    expect(join.discovery.bootstrapToken.token).toBe(await published(c, "join/token"));
    const asked = worker.awsCalls().map((l) => l.split(" ").slice(0, 3).join(" "));
    expect(new Set(asked)).toEqual(new Set([`s3 GetObject ${c.bucket}/join/ca-cert-hash`, `s3 GetObject ${c.bucket}/join/token`]));
  }, 120000);
});

// kubeadm init's phases in kubeadm's order (cmd/kubeadm/app/cmd/init.go): a failure in any of them, then a restart.
const INIT_PHASES = [
  "preflight",
  "certs",
  "kubeconfig",
  "etcd",
  "control-plane",
  "kubelet-start",
  "wait-control-plane",
  "upload-config",
  "upload-certs",
  "mark-control-plane",
  "bootstrap-token",
  "kubelet-finalize",
  "addon",
  "show-join-command",
];

/** What one phase's scenario saw: the failed run and the node right after it, then the restart on the same node. */
interface PhaseScenario {
  readonly cp: FakeNode;
  readonly c: FakeCluster;
  readonly failed: ScriptRun;
  /** Read between the failed run and the restart. */
  readonly afterFailure: {
    readonly kubeadmDone: boolean;
    readonly token: string | undefined;
    readonly kubectlCalls: string[];
    readonly caCertLeft: boolean;
    readonly encryptionConfig: boolean;
  };
  readonly retried: ScriptRun;
}

/**
 * How many phase scenarios run at once. Each has its own generation (bucket, fake cluster state) and node, so they share
 * nothing; a scenario spends part of its time asleep (the scripts' 1 s backoff and lease renewal), so on two cores a few at
 * once finish sooner than one after the other.
 */
const PHASE_SCENARIOS_AT_ONCE = 4;

/** Runs the functions handed to it at most `size` at a time, in the order they were handed over. */
function pool(size: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

describe("kubeadm init fails at a phase, then the unit restarts", () => {
  const scenarios = new Map<string, Promise<PhaseScenario>>();

  /** One phase's scenario: the failed run, what the node holds then, the restart. */
  const scenario = async (phase: string): Promise<PhaseScenario> => {
    const c = await cluster(`i-${phase}`);
    const cp = await node(`cp-${phase}`, "controller", c);
    const failed = await cp.run("node-bootstrap.sh", { FAKE_KUBEADM_FAIL_PHASE: `init:${phase}` });
    const afterFailure = {
      kubeadmDone: fileIn(cp, "var/lib/immutable-clusters/kubeadm-done"),
      token: await published(c, "join/token"),
      kubectlCalls: cp.calls("kubectl"),
      caCertLeft: fileIn(cp, "etc/kubernetes/pki/ca.crt"),
      encryptionConfig: fileIn(cp, "etc/kubernetes/apiserver/encryption-config.yaml"),
    };
    const retried = await cp.run("node-bootstrap.sh");
    return { cp, c, failed, afterFailure, retried };
  };

  beforeAll(() => {
    // Started here, when this block is reached (not beside the blocks above); each test below awaits and checks its own.
    const limit = pool(PHASE_SCENARIOS_AT_ONCE);
    for (const phase of INIT_PHASES) {
      const run = limit(() => scenario(phase));
      run.catch(() => undefined); // reported by the phase's test, not as an unhandled rejection
      scenarios.set(phase, run);
    }
  });

  test.each(INIT_PHASES)(
    "fails at %s: never complete on a broken node; the restart resets what was left and converges",
    async (phase) => {
      const { cp, c, failed, afterFailure, retried } = await scenarios.get(phase)!;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("ERROR: kubeadm init failed");
      expect(failed.stderr).not.toContain("bootstrap complete");
      expect(afterFailure.kubeadmDone).toBe(false);
      expect(afterFailure.token).toBeUndefined();
      expect(afterFailure.kubectlCalls).toEqual([]);
      // A phase that fails at its start leaves only what the phases before it wrote: preflight writes nothing, and the
      // certs phase writes ca.crt as its first step (cmd/kubeadm/app/phases/certs/certs.go CreatePKIAssets, the CA
      // before the leaf certificates), so a certs failure at its start leaves no ca.crt either. The API server config
      // folder Ignition and the script write (/etc/kubernetes/apiserver) is no kubeadm leftover.
      const leftBehind = afterFailure.caCertLeft;
      expect(leftBehind).toBe(phase !== "preflight" && phase !== "certs");
      expect(afterFailure.encryptionConfig).toBe(true);
      ok(cp, retried);
      expect(retried.stderr).toContain("won the election earlier");
      expect(cp.calls("kubeadm reset")).toEqual(leftBehind ? ["kubeadm reset --force --cleanup-tmp-dir"] : []);
      expect(cp.calls("kubeadm init --config")).toHaveLength(2);
      expect(await published(c, "join/token")).toMatch(TOKEN);
      expect(retried.stderr).toContain("bootstrap complete");
    },
    60000,
  );
});

describe("the Secrets encryption key", () => {
  test("the second init attempt reuses the key the first published; it is never made twice", async () => {
    const c = await cluster("k");
    const cp = await node("cp1k", "controller", c);
    const key = "control-plane/secrets-encryption-key";
    const name = `s3://${c.bucket}/${key}`;
    expect(await published(c, key)).toBeUndefined();
    const failed = await cp.run("node-bootstrap.sh", { FAKE_KUBEADM_FAIL_PHASE: "init:upload-config" });
    expect(failed.code).toBe(1);
    const first = await published(c, key);
    expect(first).toMatch(ENCRYPTION_KEY);
    expect(encryptionKeyOn(cp)).toBe(first);
    expect(failed.stderr).toContain(`published a new Secrets encryption key to ${name}`);
    const retried = await cp.run("node-bootstrap.sh");
    ok(cp, retried);
    expect(retried.stderr).toContain("kubeadm reset");
    expect(retried.stderr).toContain("reusing the Secrets encryption key published earlier");
    expect(await published(c, key)).toBe(first);
    expect(encryptionKeyOn(cp)).toBe(first);
    expect(cp.awsCalls(`s3 PutObject ${c.bucket}/${key}`)).toHaveLength(1);
  }, 60000);

  test("kube-apiserver does not come up without the rendered encryption config: kubeadm fails at wait-control-plane", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ic-no-encryption-"));
    const clusterDir = mkdtempSync(path.join(tmpdir(), "ic-no-encryption-cluster-"));
    const config = path.join(root, "init.yaml");
    writeFileSync(config, 'nodeRegistration:\n  name: "n"\n  advertiseAddress: "10.0.0.1"\n');
    const env = { ...process.env, PATH: `${path.join(__dirname, "support/fake-node/bin")}:${process.env.PATH}`, IC_ROOT: root };
    const run = () =>
      execFileSync("bash", ["-c", `kubeadm init --config ${config} 2>&1; echo "exit $?"`], {
        env: { ...env, FAKE_LOG: path.join(root, "log"), FAKE_CLUSTER_DIR: clusterDir },
        encoding: "utf8",
      });
    expect(run()).toMatch(/error execution phase wait-control-plane: could not initialize a Kubernetes cluster\nexit 1\n$/);
    mkdirSync(path.join(root, "etc/kubernetes/apiserver"), { recursive: true });
    writeFileSync(
      path.join(root, "etc/kubernetes/apiserver/encryption-config.yaml"),
      readFileSync(path.join(__dirname, "../constructs/ignition/files/config/encryption-config.yaml")),
    );
    // What kubeadm reset removes, so preflight lets the second try through.
    for (const d of ["etc/kubernetes/manifests", "var/lib/kubelet", "var/lib/etcd"])
      rmSync(path.join(root, d), { recursive: true, force: true });
    expect(run()).toMatch(/error execution phase wait-control-plane: could not initialize a Kubernetes cluster\nexit 1\n$/);
  });
});

/** Runs bash code with aws-api.sh and bootstrap-lib.sh sourced, on a fake node's root, with static test credentials. */
function withLibraries(n: FakeNode | undefined, code: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const script = `source "${SCRIPTS_DIR}/aws-api.sh"; source "${SCRIPTS_DIR}/bootstrap-lib.sh"\n${code}`;
  return new Promise((resolve, reject) =>
    execFile(
      "bash",
      ["-c", script],
      {
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: "testing",
          AWS_SECRET_ACCESS_KEY: "testing",
          AWS_REGION: REGION,
          ...(n ? { IC_ROOT: n.root, IC_AWS_TRACE_FILE: n.awsTrace } : {}),
          ...env,
        },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    ),
  );
}

describe("publishing the Secrets encryption key races another node", () => {
  test("the conditional write answers 412, nothing is overwritten, and the key already published is used", async () => {
    const c = await cluster("k2");
    const cp = await node("cp1k2", "controller", c);
    const theirs = Buffer.alloc(32, 7).toString("base64");
    await publishAs(c, "control-plane/secrets-encryption-key", theirs);
    // This node's read happened just before the other node's write: it saw nothing (the first read says "absent").
    const { stdout, stderr } = await withLibraries(
      cp,
      `load_cluster_env
still_leader() { :; }
published() {
  if [[ "$1" == "$K_ENCRYPTION_KEY" && ! -e "$IC_ROOT/read-once" ]]; then : >"$IC_ROOT/read-once"; return "$AWS_API_EXPECTED"; fi
  s3_get_value "$NODE_BUCKET" "$1"
}
ensure_encryption_key`,
      { AWS_ENDPOINT_URL: moto.endpoint },
    );
    expect(stdout).toBe(theirs);
    expect(stderr).toContain(
      `another node published the Secrets encryption key first (s3://${c.bucket}/control-plane/secrets-encryption-key)`,
    );
    expect(stderr).not.toContain(theirs);
    expect(cp.awsCalls(`s3 PutObject ${c.bucket}/control-plane/secrets-encryption-key`)).toHaveLength(1);
    expect(await published(c, "control-plane/secrets-encryption-key")).toBe(theirs);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: c.bucket, Prefix: "control-plane/secrets-encryption-key" }));
    expect(versions.Versions).toHaveLength(1);
  }, 30000);
});

describe("reading a published value (s3_get_value) answers as S3 does", () => {
  test("absent is 404 NoSuchKey, or 403 AccessDenied for a role without s3:ListBucket; other failures are errors", async () => {
    // S3's answers (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html and ErrorResponses.html): a
    // missing key is 404 NoSuchKey with s3:ListBucket, 403 AccessDenied without; an expired session is 403 ExpiredToken.
    const xml = (code: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>m</Message></Error>`;
    const answers: Record<string, [number, string]> = {
      "/b/present": [200, "abcdef.0123456789abcdef"],
      "/b/missing": [404, xml("NoSuchKey")],
      "/b/denied": [403, xml("AccessDenied")],
      "/b/expired": [403, xml("ExpiredToken")],
      "/b/broken": [500, xml("InternalError")],
    };
    const server = createHttpServer((req, res) => {
      const [status, body] = answers[req.url ?? ""] ?? [400, xml("BadRequest")];
      res.writeHead(status, { "Content-Type": status === 200 ? "text/plain" : "application/xml" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const { stdout } = await withLibraries(
        undefined,
        `for key in present missing denied expired broken; do
  value="$(s3_get_value b "$key")" && rc=0 || rc=$?
  printf '%s=%s:%s\n' "$key" "$rc" "$value"
done`,
        { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` },
      );
      expect(stdout.split("\n").filter(Boolean)).toEqual([
        "present=0:abcdef.0123456789abcdef",
        "missing=10:",
        "denied=10:",
        "expired=1:",
        "broken=1:",
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30000);
});

describe("a worker join fails after the TLS bootstrap", () => {
  test("the restart resets (kubelet.conf and the CNI config the agent wrote are gone) and the join converges", async () => {
    const c = await cluster("j");
    const cp = await node("cp1j", "controller", c);
    ok(cp, await cp.run("node-bootstrap.sh"));
    const w = await node("w1j", "worker", c);
    const failed = await w.run("node-bootstrap.sh", { FAKE_KUBEADM_FAIL_PHASE: "join:kubelet-start/patch-node" });
    expect(failed.code).toBe(1);
    expect(fileIn(w, "etc/kubernetes/kubelet.conf")).toBe(true);
    // The CNI agent had started on the half-joined node and written its config; kubeadm reset leaves it.
    mkdirSync(w.file("etc/cni/net.d"), { recursive: true });
    writeFileSync(w.file("etc/cni/net.d/05-cilium.conflist"), "{}\n");
    // Without a reset, real preflight refuses the retry; the fake does too:
    const refused = execFileSync("bash", ["-c", `kubeadm join --config ${w.renderedPath("join-worker")} 2>&1 || true`], {
      env: {
        ...process.env,
        PATH: `${path.join(__dirname, "support/fake-node/bin")}:${process.env.PATH}`,
        IC_ROOT: w.root,
        FAKE_LOG: `${w.log}.manual`,
        FAKE_CLUSTER_DIR: c.stateDir,
      },
      encoding: "utf8",
    });
    expect(refused).toContain("/etc/kubernetes/kubelet.conf already exists");
    const retried = await w.run("node-bootstrap.sh");
    ok(w, retried);
    expect(w.calls("kubeadm reset")).toHaveLength(1);
    expect(fileIn(w, "etc/cni/net.d/05-cilium.conflist")).toBe(false);
    expect(w.calls("kubeadm join")).toHaveLength(2);
  }, 60000);
});

describe("the election lease holder dies before publishing", () => {
  test("a holder whose instance is terminated is taken over at once; the new leader inits and publishes", async () => {
    const c = await cluster("c");
    const dead = await node("cp-dead", "controller", c);
    const died = await dead.run("node-bootstrap.sh", { FAKE_KUBEADM_FAIL_PHASE: "init:wait-control-plane" });
    expect(died.code).toBe(1);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [dead.instance.instanceId] }));
    const next = await node("cp-next", "controller", c);
    const r = await next.run("node-bootstrap.sh");
    ok(next, r);
    expect(r.stderr).toContain(`took over the election lease: its instance ${dead.instance.instanceId} is gone`);
    expect(r.seconds).toBeLessThan(30);
    // The dead holder had published the Secrets encryption key before its kubeadm init: the new leader reuses it.
    expect(r.stderr).toContain("reusing the Secrets encryption key published earlier");
    expect(encryptionKeyOn(next)).toBe(encryptionKeyOn(dead));
    expect(await published(c, "control-plane/secrets-encryption-key")).toBe(encryptionKeyOn(dead));
    expect(next.awsCalls("s3 PutObject").filter((l) => l.includes("secrets-encryption-key"))).toEqual([]);
    expect(next.calls("kubeadm init --config")).toHaveLength(1);
    expect(await published(c, "join/token")).toMatch(TOKEN);
  }, 60000);

  test("a live holder that stops renewing is taken over once the lease is stale, with nothing published", async () => {
    const c = await cluster("s");
    const hung = await node("cp-hung", "controller", c);
    // The holder wins, then hangs in kubeadm init (its renewals stop when it is killed).
    const holding = hung.run("node-bootstrap.sh", { FAKE_KUBEADM_INIT_SECONDS: "8", IC_LEASE_RENEW_SECONDS: "60" });
    await untilPublished(
      c,
      "state/election-lease",
      (lease) => (JSON.parse(lease) as { holder: string }).holder === hung.instance.instanceId,
    );
    const other = await node("cp-other", "controller", c);
    const r = await other.run("node-bootstrap.sh", { IC_LEASE_STALE_SECONDS: "3" });
    ok(other, r);
    expect(r.stderr).toMatch(/took over the election lease: \S+ has not renewed it for \d+s and published nothing/);
    const late = await holding;
    // The old holder finished kubeadm init after losing the lease: it must not publish over the new leader.
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("took over the election lease while kubeadm init ran: not publishing");
  }, 60000);
});

describe("a control-plane node is replaced", () => {
  test("the stale etcd member and Node are removed by the refresh timer, and the replacement joins", async () => {
    const c = await cluster("r");
    const cp1 = await node("cp1r", "controller", c);
    ok(cp1, await cp1.run("node-bootstrap.sh"));
    const cp2 = await node("cp2r", "controller", c);
    const joined = await Promise.all([
      cp2.run("node-bootstrap.sh"),
      (async () => {
        // The refresh serves the join requests it finds: it runs once cp2 has asked.
        await untilPublished(c, `state/join-requests/${cp2.instance.instanceId}`);
        return cp1.run("refresh-join-material.sh");
      })(),
    ]);
    ok(cp2, joined[0]);
    // cp2's instance dies; its etcd member stays, and kubeadm's check-etcd refuses every control-plane join meanwhile.
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [cp2.instance.instanceId] }));
    const cp3 = await node("cp3r", "controller", c);
    writeFileSync(path.join(c.stateDir, "alive"), `${cp1.instance.hostname}\n${cp3.instance.hostname}\n`);
    expect(readFileSync(path.join(c.stateDir, "etcd-members"), "utf8")).toContain(cp2.instance.hostname);
    const joining = cp3.run("node-bootstrap.sh");
    await untilPublished(c, `state/join-requests/${cp3.instance.instanceId}`);
    const refresh = await cp1.run("refresh-join-material.sh");
    ok(cp1, refresh);
    expect(refresh.stderr).toContain(`(${cp2.instance.hostname}): its instance is gone`);
    expect(refresh.stderr).toContain(`deleted the Node ${cp2.instance.hostname}`);
    const r = await joining;
    ok(cp3, r);
    const members = readFileSync(path.join(c.stateDir, "etcd-members"), "utf8");
    expect(members).not.toContain(cp2.instance.hostname);
    expect(members).toContain(cp3.instance.hostname);
    // Joined and no request pending: the next refresh deletes the uploaded certificates.
    ok(cp1, await cp1.run("refresh-join-material.sh"));
    expect(cp1.calls("kubectl").some((l) => l.includes("delete secret kubeadm-certs"))).toBe(true);
    expect(existsSync(path.join(c.stateDir, "kubeadm-certs"))).toBe(false);
  }, 120000);
});

describe("a generation destroyed and deployed again with the same id", () => {
  test("comes up: the published material and the state objects went with the bucket, nothing of the first deploy is reused", async () => {
    const c = await cluster("d2");
    const first = await node("cp1d2", "controller", c);
    ok(first, await first.run("node-bootstrap.sh"));
    const firstKey = await published(c, "control-plane/secrets-encryption-key");
    expect(firstKey).toMatch(ENCRYPTION_KEY);
    // terraform destroy: the bucket goes with every object (force_destroy); deploy: a new, empty bucket.
    await destroyNodeBucket(c.bucket);
    await createNodeBucket(c.bucket);
    for (const key of Object.values(BOOTSTRAP_OBJECT_KEYS)) expect(await published(c, key)).toBeUndefined();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [first.instance.instanceId] }));
    const again: FakeCluster = { ...c, stateDir: mkdtempSync(path.join(tmpdir(), "ic-cluster-d2-again-")) };
    const cp = await node("cp1d2b", "controller", again);
    const w = await node("w1d2b", "worker", again);
    const [rc, rw] = await Promise.all([cp.run("node-bootstrap.sh"), w.run("node-bootstrap.sh")]);
    ok(cp, rc);
    ok(w, rw);
    expect(cp.calls("kubeadm init --config")).toHaveLength(1);
    expect(await published(c, "join/ca-cert-hash")).toBe(caHash(cp.file("etc/kubernetes/pki/ca.crt")));
    expect(rc.stderr).toContain("published a new Secrets encryption key");
    expect(await published(c, "control-plane/secrets-encryption-key")).not.toBe(firstKey);
  }, 120000);
});

describe("a node that keeps failing", () => {
  test("marks itself Unhealthy in its autoscaling group after IC_MAX_ATTEMPTS failed attempts", async () => {
    const c = await cluster("u");
    await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "t-u-worker", LaunchTemplateData: { ImageId: AMI, InstanceType: "t3.small" } }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "t-u-worker-general",
        LaunchTemplate: { LaunchTemplateName: "t-u-worker" },
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: [`${REGION}a`],
      }),
    );
    const health = async (id: string) =>
      (
        await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }))
      ).AutoScalingInstances?.[0]?.HealthStatus?.toUpperCase(); // AWS answers HEALTHY, moto 5.2.1 Healthy
    const instanceId = (await asg.send(new DescribeAutoScalingInstancesCommand({}))).AutoScalingInstances!.find(
      (i) => i.AutoScalingGroupName === "t-u-worker-general",
    )!.InstanceId!;
    const w = await node("w-stuck", "worker", c, instanceId);
    const env = { IC_MAX_ATTEMPTS: "3", IC_JOIN_TIMEOUT_SECONDS: "1" };
    for (const attempt of [1, 2]) {
      const r = await w.run("node-bootstrap.sh", env);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`attempt ${attempt} of 3 failed`);
      expect(await health(instanceId)).toBe("HEALTHY");
    }
    const last = await w.run("node-bootstrap.sh", env);
    expect(last.code).toBe(3);
    expect(last.stderr).toContain(`the bootstrap failed 3 times (limit 3): marking ${instanceId} Unhealthy`);
    expect(await health(instanceId)).toBe("UNHEALTHY");
    expect(w.awsCalls("autoscaling SetInstanceHealth")).toEqual([`autoscaling SetInstanceHealth ${instanceId}`]);
  }, 60000);
});

describe("the API endpoint is not there yet", () => {
  test("a worker waits, bounded, for the name to resolve and the port to answer, then fails clearly", async () => {
    const c = await cluster("n", { apiEndpoint: "api.t-n.invalid" });
    const cp = await node("cp1n", "controller", await cluster("n-ok"));
    void cp;
    await publishAs(c, "join/token", "abcdef.0123456789abcdef");
    await publishAs(c, "join/ca-cert-hash", "sha256:00");
    const w = await node("w1n", "worker", c);
    const r = await w.run("node-bootstrap.sh", { IC_API_WAIT_SECONDS: "3" });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("ERROR: gave up after 3s");
    expect(r.stderr).toContain("the name api.t-n.invalid does not resolve");
    expect(w.calls("kubeadm")).toEqual([]);
  }, 60000);
});

describe("refreshing the join material", () => {
  let c: FakeCluster;
  let controllers: FakeNode[];
  const since = (n: FakeNode, from: number) =>
    n
      .calls()
      .slice(from)
      .filter((l) => l.startsWith("kubeadm"));

  beforeAll(async () => {
    c = await cluster("e");
    controllers = [await node("cp1e", "controller", c), await node("cp2e", "controller", c)];
    const runs = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh")));
    runs.forEach((r, i) => ok(controllers[i], r));
  }, 120000);

  test("a token near expiry is replaced once, even when every controller runs the refresh at the same time", async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    await publishAs(c, "join/token-expiry", soon);
    const oldToken = await published(c, "join/token");
    const marks = controllers.map((n) => n.calls().length);
    const runs = await Promise.all(controllers.map((n) => n.run("refresh-join-material.sh")));
    runs.forEach((r, i) => ok(controllers[i], r));
    const creates = controllers.flatMap((n, i) => since(n, marks[i]).filter((l) => l.startsWith("kubeadm token create")));
    expect(creates).toHaveLength(1);
    expect(creates[0]).toContain("--ttl 24h");
    expect(await published(c, "join/token")).not.toBe(oldToken);
    const hoursLeft = (Date.parse((await published(c, "join/token-expiry"))!) - Date.now()) / 3600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    // Renewing the worker token uploads no certificates: nobody asked.
    expect(controllers.flatMap((n, i) => since(n, marks[i]).filter((l) => l.includes("upload-certs")))).toEqual([]);
    expect(await stateKeys(c)).toEqual(["state/election-lease"]);
  }, 60000);

  test("with no control-plane node joining, the uploaded certificates are deleted, and a token far from expiry is left alone", async () => {
    const token = await published(c, "join/token");
    const [cp] = controllers;
    const mark = cp.calls().length;
    const r = await cp.run("refresh-join-material.sh");
    ok(cp, r);
    expect(r.stderr).toMatch(/the published token is valid for 2[34]h more/);
    expect(since(cp, mark).filter((l) => l.startsWith("kubeadm token"))).toEqual([]);
    expect(await published(c, "join/token")).toBe(token);
    expect(existsSync(path.join(c.stateDir, "kubeadm-certs"))).toBe(false);
  }, 60000);

  test("a worker, or a controller without a working admin.conf, does nothing", async () => {
    const worker = await node("w1e", "worker", c);
    const fresh = await node("cp3e", "controller", c);
    for (const n of [worker, fresh]) {
      const r = await n.run("refresh-join-material.sh");
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("nothing to do");
      expect(n.calls("kubeadm")).toEqual([]);
    }
  }, 60000);
});

describe("bad node configuration", () => {
  test("a cluster.env without a required setting stops with exit 2 naming it, before any AWS call", async () => {
    const n = await node("bad1", "worker", await cluster("f"));
    const envFile = n.file("etc/immutable-clusters/cluster.env");
    writeFileSync(envFile, readFileSync(envFile, "utf8").replace(/^NODE_BUCKET=.*\n/m, ""));
    const r = await n.run("node-bootstrap.sh");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ERROR: " + envFile + " lacks NODE_BUCKET");
    expect(n.calls()).toEqual([]);
    expect(n.awsCalls()).toEqual([]);
  });

  test("a kubeadm template with a placeholder the script does not fill stops with exit 2 naming it", async () => {
    const cp = await node("bad2", "controller", await cluster("g"));
    const template = cp.file("etc/immutable-clusters/kubeadm/init.yaml");
    writeFileSync(template, readFileSync(template, "utf8") + "# @@POD_CIDR@@\n");
    const r = await cp.run("node-bootstrap.sh");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`template ${template} has a placeholder this script does not know: @@POD_CIDR@@`);
    expect(cp.calls("kubeadm init")).toEqual([]);
  }, 30000);
});

describe("secrets and permissions", () => {
  test("no script ever prints a bootstrap token or certificate key on stdout or stderr", async () => {
    const secrets = new Set(nodes.flatMap((n) => n.secretsHandedOut()));
    for (const id of ["a", "b", "e"]) {
      for (const p of ["join/token", "control-plane/certificate-key"]) {
        const value = await published(clusters.get(id)!, p);
        expect(value).toMatch(/^[0-9a-z.]{20,}$/);
        secrets.add(value!);
      }
    }
    for (const id of ["a", "c", "e", "k"]) {
      const key = await published(clusters.get(id)!, "control-plane/secrets-encryption-key");
      expect(key).toMatch(ENCRYPTION_KEY);
      secrets.add(key!);
    }
    expect(secrets.size).toBeGreaterThan(10);
    const runs = nodes.flatMap((n) => n.runs.map((r) => ({ node: n.name, output: r.stdout + r.stderr })));
    expect(runs.length).toBeGreaterThan(30);
    // One expectation over every (run, secret) pair, as one per pair cost seconds of jest's matcher: the diff names each
    // leak by node and secret.
    const leaks = runs.flatMap((run) =>
      [...secrets].filter((secret) => run.output.includes(secret)).map((secret) => ({ node: run.node, secret })),
    );
    expect(leaks).toEqual([]);
    const winner = nodes.find((n) => n.calls("kubeadm init --config").length > 0)!;
    const initLog = winner.file("run/immutable-clusters/kubeadm-init.log");
    expect(readFileSync(initLog, "utf8")).toContain("--token");
    expect(statSync(initLog).mode & 0o777).toBe(0o600);
  });

  test("no worker ever asks AWS for anything under control-plane/, state/, or another generation", () => {
    expect([...WORKER_BOOTSTRAP_OBJECT_KEYS].sort()).toEqual(["join/ca-cert-hash", "join/token"]);
    const workers = nodes.filter((n) => n.role === "worker");
    expect(workers.length).toBeGreaterThan(3);
    for (const w of workers)
      for (const call of w.awsCalls())
        expect({ worker: w.name, call }).toEqual({
          worker: w.name,
          call: expect.stringMatching(
            /^(s3 GetObject ic-test-nodes-[\w-]+\/join\/(token|ca-cert-hash)|autoscaling SetInstanceHealth i-\w+)$/,
          ),
        });
  });

  test("the scripts use exactly the bucket keys of the node-bootstrap contract, and no SSM parameter", () => {
    const dir = path.join(__dirname, "../constructs/ignition/files/bin");
    const lib = readFileSync(path.join(dir, "bootstrap-lib.sh"), "utf8");
    const published = [...lib.matchAll(/K_\w+="((?:join|control-plane)\/[\w/-]+)"/g)].map((m) => m[1]).sort();
    expect(published).toEqual(Object.values(BOOTSTRAP_OBJECT_KEYS).sort());
    for (const script of ["bootstrap-lib.sh", "node-bootstrap.sh", "refresh-join-material.sh"])
      expect({ script, ssm: /\bssm_(get|put|delete)\b/.test(readFileSync(path.join(dir, script), "utf8")) }).toEqual({
        script,
        ssm: false,
      });
    const keys = [...lib.matchAll(/K_\w+="(state\/[\w/-]+)"/g)].map((m) => m[1]).sort();
    expect(keys).toEqual(["state/election-lease", "state/join-requests/", "state/refresh-lock"]);
  });
});
