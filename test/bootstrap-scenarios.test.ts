// Runs the node bootstrap scripts under bash against moto_server's real SSM and S3 APIs (curl --aws-sigv4, credentials
// from a fake IMDSv2) with kubeadm/kubectl/systemctl replaced by recording fakes: the control-plane election, the
// join-material exchange, the publisher-died timeout, the token refresh, and that no script output carries a secret.
import { execFileSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { controllerStatements, workerStatements } from "../constructs/cluster/node-policies";
import { startMoto, type Moto } from "./support/moto";
import { startFakeImds, type FakeImds } from "./support/fake-node/imds";
import { FakeNode, SCRIPTS_DIR, type FakeCluster } from "./support/fake-node/node";

const REGION = "eu-west-1";
const BUCKET = "ic-test-nodes";
const KMS_ALIAS = "alias/immutable-clusters/t-test";
const ADDONS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n";

let moto: Moto;
let imds: FakeImds;
let ssm: SSMClient;
const nodes: FakeNode[] = [];

/** Calls a KMS action on moto with curl (signed like the scripts do), returning the JSON answer. */
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

function cluster(id: string): FakeCluster {
  return {
    clusterName: `t-${id}`,
    region: REGION,
    ssmPrefix: `/immutable-clusters/t/${id}`,
    kmsKeyId: KMS_ALIAS,
    bucket: BUCKET,
    endpoint: moto.endpoint,
  };
}

function node(name: string, role: "controller" | "worker", c: FakeCluster): FakeNode {
  const n = new FakeNode(name, role, c, imds);
  nodes.push(n);
  return n;
}

async function parameter(name: string): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return out.Parameter?.Value;
  } catch (e) {
    if ((e as Error).name === "ParameterNotFound") return undefined;
    throw e;
  }
}

async function describe_(prefix: string) {
  const out = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: [prefix] }] }));
  return Object.fromEntries((out.Parameters ?? []).map((p) => [p.Name!, p]));
}

/** kubeadm's discovery hash of a CA certificate, computed independently of the scripts. */
function caHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function explain(n: FakeNode, run: { code: number | null; stderr: string }): string {
  return `${n.name} exited ${run.code}:\n${run.stderr}`;
}

beforeAll(async () => {
  for (const tool of ["curl", "jq", "openssl"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      throw new Error(`${tool} is required by the bootstrap scripts and their tests: install it (apt-get install -y ${tool})`);
    }
  }
  moto = await startMoto(REGION);
  imds = await startFakeImds({ accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" });
  const endpointConfig = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  ssm = new SSMClient(endpointConfig);
  const s3 = new S3Client({ ...endpointConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "addons/manifests.yaml", Body: ADDONS }));
  const key = kms("CreateKey", { Description: "bootstrap test key" }) as { KeyMetadata: { KeyId: string } };
  kms("CreateAlias", { AliasName: KMS_ALIAS, TargetKeyId: key.KeyMetadata.KeyId });
}, 60000);

afterAll(async () => {
  ssm?.destroy();
  await imds?.stop();
  await moto?.stop();
});

describe("three control-plane nodes start at once", () => {
  const c = () => cluster("a");
  let controllers: FakeNode[];
  let runs: Awaited<ReturnType<FakeNode["run"]>>[];

  beforeAll(async () => {
    controllers = ["cp1", "cp2", "cp3"].map((n) => node(n, "controller", c()));
    // The API server refuses the addons twice before it accepts them (CRDs not yet established, say).
    runs = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh", { FAKE_KUBECTL_APPLY_FAILURES: "2" })));
  }, 120000);

  test("all three succeed; exactly one runs kubeadm init and holds the election", async () => {
    runs.forEach((r, i) => expect({ code: r.code, log: explain(controllers[i], r) }).toMatchObject({ code: 0 }));
    const initCalls = controllers.flatMap((n) => n.calls("kubeadm init --config"));
    expect(initCalls).toHaveLength(1);
    const winner = controllers.find((n) => n.calls("kubeadm init --config").length === 1)!;
    expect(await parameter(`${c().ssmPrefix}/election/leader`)).toBe(winner.instance.instanceId);
    expect(winner.calls("kubeadm init --config")[0]).toBe(`kubeadm init --config ${winner.renderedPath("init")} --upload-certs`);
    const init = winner.rendered("init")[0] as { nodeRegistration: { name: string }; localAPIEndpoint: { advertiseAddress: string } };
    expect(init.nodeRegistration.name).toBe(winner.instance.hostname);
    expect(init.localAPIEndpoint.advertiseAddress).toBe(winner.instance.ip);
  });

  test("the other two join as control-plane nodes with the published token, CA hash and certificate key", async () => {
    const winner = controllers.find((n) => n.calls("kubeadm init --config").length === 1)!;
    const joiners = controllers.filter((n) => n !== winner);
    const token = await parameter(`${c().ssmPrefix}/join/token`);
    const certKey = await parameter(`${c().ssmPrefix}/join/certificate-key`);
    const hash = await parameter(`${c().ssmPrefix}/join/ca-cert-hash`);
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(certKey).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(caHash(winner.file("etc/kubernetes/pki/ca.crt")));
    expect((winner.rendered("init")[0] as { certificateKey: string }).certificateKey).toBe(certKey);
    for (const j of joiners) {
      expect(j.calls("kubeadm init")).toEqual([]);
      expect(j.calls("kubeadm join")).toEqual([`kubeadm join --config ${j.renderedPath("join-controller")}`]);
      const join = j.rendered("join-controller")[0] as {
        discovery: { bootstrapToken: { token: string; caCertHashes: string[] } };
        controlPlane: { certificateKey: string; localAPIEndpoint: { advertiseAddress: string } };
        nodeRegistration: { name: string };
      };
      expect(join.discovery.bootstrapToken.token).toBe(token);
      expect(join.discovery.bootstrapToken.caCertHashes).toEqual([hash]);
      expect(join.controlPlane.certificateKey).toBe(certKey);
      expect(join.controlPlane.localAPIEndpoint.advertiseAddress).toBe(j.instance.ip);
      expect(join.nodeRegistration.name).toBe(j.instance.hostname);
      expect(statSync(j.renderedPath("join-controller")).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(j.renderedPath("join-controller"))).mode & 0o777).toBe(0o700);
    }
  });

  test("the token and certificate key are KMS SecureStrings under the generation's prefix; the hash a String", async () => {
    const params = await describe_(c().ssmPrefix);
    expect(params[`${c().ssmPrefix}/join/token`]).toMatchObject({ Type: "SecureString", KeyId: KMS_ALIAS });
    expect(params[`${c().ssmPrefix}/join/certificate-key`]).toMatchObject({ Type: "SecureString", KeyId: KMS_ALIAS });
    expect(params[`${c().ssmPrefix}/join/ca-cert-hash`]).toMatchObject({ Type: "String" });
    expect(params[`${c().ssmPrefix}/join/token-expiry`]).toMatchObject({ Type: "String" });
    expect(params[`${c().ssmPrefix}/election/leader`]).toMatchObject({ Type: "String" });
  });

  test("only the winner applies the addons from S3, server-side, retrying until the API accepts them", () => {
    const winner = controllers.find((n) => n.calls("kubeadm init --config").length === 1)!;
    const applies = winner.calls("kubectl");
    expect(applies).toHaveLength(3);
    for (const a of applies)
      expect(a).toMatch(/^kubectl --kubeconfig \S+\/etc\/kubernetes\/admin.conf apply --server-side --force-conflicts -f /);
    expect(winner.appliedAddons()).toBe(ADDONS);
    for (const j of controllers.filter((n) => n !== winner)) expect(j.calls("kubectl")).toEqual([]);
  });

  test("running the bootstrap again on a node that joined does nothing", async () => {
    const before = controllers.map((n) => n.calls().length);
    const again = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh")));
    again.forEach((r) => expect(r.code).toBe(0));
    again.forEach((r) => expect(r.stderr).toContain("nothing to do"));
    expect(controllers.map((n) => n.calls().length)).toEqual(before);
  });
});

describe("a worker that starts before the control plane has published", () => {
  test("waits with backoff, then joins with the join-worker config once the controller publishes", async () => {
    const c = cluster("b");
    const worker = node("w1", "worker", c);
    const controller = node("cp1b", "controller", c);
    const waiting = worker.run("node-bootstrap.sh");
    await sleep(4000);
    expect(worker.calls("kubeadm")).toEqual([]);
    const [w, cp] = await Promise.all([waiting, controller.run("node-bootstrap.sh")]);
    expect({ code: cp.code, log: explain(controller, cp) }).toMatchObject({ code: 0 });
    expect({ code: w.code, log: explain(worker, w) }).toMatchObject({ code: 0 });
    expect(w.stderr).toContain("waiting up to 60s");
    const attempts = Number(/found the join material \(attempt (\d+)\)/.exec(w.stderr)?.[1]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(worker.calls("kubeadm")).toEqual([`kubeadm join --config ${worker.renderedPath("join-worker")}`]);
    const join = worker.rendered("join-worker")[0] as { discovery: { bootstrapToken: { token: string; caCertHashes: string[] } } };
    expect(join.discovery.bootstrapToken.token).toBe(await parameter(`${c.ssmPrefix}/join/token`));
    expect(join.discovery.bootstrapToken.caCertHashes).toEqual([caHash(controller.file("etc/kubernetes/pki/ca.crt"))]);
    expect(worker.calls("kubectl")).toEqual([]);
  }, 120000);
});

describe("the election winner dies before publishing", () => {
  test("a losing controller and a worker give up with a clear timeout error instead of waiting forever", async () => {
    const c = cluster("c");
    await ssm.send(new PutParameterCommand({ Name: `${c.ssmPrefix}/election/leader`, Value: "i-0deadbeef", Type: "String" }));
    const loser = node("cp2c", "controller", c);
    const worker = node("w1c", "worker", c);
    const runs = await Promise.all([loser, worker].map((n) => n.run("node-bootstrap.sh", { IC_JOIN_TIMEOUT_SECONDS: "4" })));
    for (const [i, r] of runs.entries()) {
      expect(r.code).toBe(3);
      expect(r.seconds).toBeLessThan(20);
      expect(r.stderr).toMatch(/ERROR: timed out after 4s \(\d+ attempts\) waiting for the join material/);
      expect(r.stderr).toContain("i-0deadbeef");
      expect([loser, worker][i].calls("kubeadm")).toEqual([]);
    }
    expect(runs[0].stderr).toContain("lost the election to i-0deadbeef");
  }, 60000);
});

describe("the election winner fails kubeadm init and is restarted", () => {
  test("the first run fails loudly without publishing; the next run of the same node inits and publishes", async () => {
    const c = cluster("e");
    const cp = node("cp1e", "controller", c);
    const failed = await cp.run("node-bootstrap.sh", { FAKE_KUBEADM_INIT_FAIL: "true" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("ERROR: kubeadm init failed");
    expect(await parameter(`${c.ssmPrefix}/election/leader`)).toBe(cp.instance.instanceId);
    expect(await parameter(`${c.ssmPrefix}/join/token`)).toBeUndefined();
    const retried = await cp.run("node-bootstrap.sh");
    expect({ code: retried.code, log: explain(cp, retried) }).toMatchObject({ code: 0 });
    expect(retried.stderr).toContain("won the election earlier");
    expect(cp.calls("kubeadm init --config")).toHaveLength(2);
    expect(await parameter(`${c.ssmPrefix}/join/token`)).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  }, 60000);
});

describe("refreshing the join material", () => {
  const c = () => cluster("d");
  let controllers: FakeNode[];
  const refreshCalls = (n: FakeNode, from: number) =>
    n
      .calls()
      .slice(from)
      .filter((l) => l.startsWith("kubeadm"));

  beforeAll(async () => {
    controllers = ["cp1d", "cp2d"].map((n) => node(n, "controller", c()));
    const runs = await Promise.all(controllers.map((n) => n.run("node-bootstrap.sh")));
    runs.forEach((r, i) => expect({ code: r.code, log: explain(controllers[i], r) }).toMatchObject({ code: 0 }));
  }, 120000);

  test("a token near expiry is replaced once, even when every controller runs the refresh at the same time", async () => {
    const expiryName = `${c().ssmPrefix}/join/token-expiry`;
    const soon = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    await ssm.send(new PutParameterCommand({ Name: expiryName, Value: soon, Type: "String", Overwrite: true }));
    const oldToken = await parameter(`${c().ssmPrefix}/join/token`);
    const oldKey = await parameter(`${c().ssmPrefix}/join/certificate-key`);
    const marks = controllers.map((n) => n.calls().length);
    const runs = await Promise.all(controllers.map((n) => n.run("refresh-join-material.sh")));
    runs.forEach((r, i) => expect({ code: r.code, log: explain(controllers[i], r) }).toMatchObject({ code: 0 }));
    const uploads = controllers.flatMap((n, i) => refreshCalls(n, marks[i]).filter((l) => l.startsWith("kubeadm init phase upload-certs")));
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatch(/^kubeadm init phase upload-certs --upload-certs --kubeconfig \S+ --certificate-key [0-9a-f]{64}$/);
    const tokenCreates = controllers.flatMap((n, i) => refreshCalls(n, marks[i]).filter((l) => l.startsWith("kubeadm token create")));
    expect(tokenCreates).toHaveLength(1);
    expect(tokenCreates[0]).toContain("--ttl 24h");
    const newToken = await parameter(`${c().ssmPrefix}/join/token`);
    expect(newToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(newToken).not.toBe(oldToken);
    const newKey = await parameter(`${c().ssmPrefix}/join/certificate-key`);
    expect(newKey).not.toBe(oldKey);
    expect(uploads[0]).toContain(newKey);
    const hoursLeft = (Date.parse((await parameter(expiryName))!) - Date.now()) / 3600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    expect(await parameter(`${c().ssmPrefix}/state/refresh-lock`)).toBeUndefined();
  }, 60000);

  test("a token far from expiry, with the certificates still uploaded, is left alone", async () => {
    const token = await parameter(`${c().ssmPrefix}/join/token`);
    const marks = controllers.map((n) => n.calls("kubeadm").length);
    const runs = await Promise.all(controllers.map((n) => n.run("refresh-join-material.sh")));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/the published token is valid for 2[34]h more/);
    }
    expect(controllers.map((n) => n.calls("kubeadm").length)).toEqual(marks);
    expect(await parameter(`${c().ssmPrefix}/join/token`)).toBe(token);
  }, 60000);

  test("expired uploaded certificates (kubeadm deletes them after 2h) are uploaded again under a new key", async () => {
    const oldKey = await parameter(`${c().ssmPrefix}/join/certificate-key`);
    const token = await parameter(`${c().ssmPrefix}/join/token`);
    const [cp] = controllers;
    const mark = cp.calls().length;
    const r = await cp.run("refresh-join-material.sh", { FAKE_KUBEADM_CERTS_PRESENT: "false" });
    expect({ code: r.code, log: explain(cp, r) }).toMatchObject({ code: 0 });
    expect(r.stderr).toContain("the uploaded control-plane certificates expired");
    expect(refreshCalls(cp, mark).filter((l) => l.startsWith("kubeadm init phase upload-certs"))).toHaveLength(1);
    // The token is still far from expiry: no new token piles up every time the certificates are uploaded again.
    expect(refreshCalls(cp, mark).filter((l) => l.startsWith("kubeadm token"))).toEqual([]);
    expect(await parameter(`${c().ssmPrefix}/join/token`)).toBe(token);
    expect(await parameter(`${c().ssmPrefix}/join/certificate-key`)).not.toBe(oldKey);
  }, 60000);

  test("a worker, or a controller without a working admin.conf, does nothing", async () => {
    const worker = node("w1d", "worker", c());
    const fresh = node("cp3d", "controller", c());
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
    const n = node("bad1", "worker", cluster("f"));
    const envFile = n.file("etc/immutable-clusters/cluster.env");
    writeFileSync(envFile, readFileSync(envFile, "utf8").replace(/^SSM_PREFIX=.*\n/m, ""));
    const r = await n.run("node-bootstrap.sh");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ERROR: " + envFile + " lacks SSM_PREFIX");
    expect(n.calls()).toEqual([]);
  });

  test("a kubeadm template with a placeholder the script does not fill stops with exit 2 naming it", async () => {
    const c = cluster("g");
    const cp = node("bad2", "controller", c);
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
    for (const id of ["a", "b", "d"]) {
      for (const p of ["join/token", "join/certificate-key"]) {
        const value = await parameter(`${cluster(id).ssmPrefix}/${p}`);
        expect(value).toBeDefined();
        secrets.add(value!);
      }
    }
    expect(secrets.size).toBeGreaterThan(10);
    const runs = nodes.flatMap((n) => n.runs.map((r) => ({ node: n.name, output: r.stdout + r.stderr })));
    expect(runs.length).toBeGreaterThan(15);
    for (const run of runs)
      for (const secret of secrets)
        expect({ node: run.node, leaked: run.output.includes(secret) }).toEqual({ node: run.node, leaked: false });
    // The fake kubeadm printed its join command with the token: the scripts kept it in a root-only file.
    const winner = nodes.find((n) => n.calls("kubeadm init --config").length > 0)!;
    const initLog = winner.file("run/immutable-clusters/kubeadm-init.log");
    expect(readFileSync(initLog, "utf8")).toContain("--token");
    expect(statSync(initLog).mode & 0o777).toBe(0o600);
  });

  test("the node IAM policies allow exactly the SSM actions and parameters the scripts use", () => {
    const api = readFileSync(path.join(SCRIPTS_DIR, "aws-api.sh"), "utf8");
    const lib = readFileSync(path.join(SCRIPTS_DIR, "bootstrap-lib.sh"), "utf8");
    const used = [...new Set([...api.matchAll(/aws_json_call ssm AmazonSSM\.(\w+)/g)].map((m) => `ssm:${m[1]}`))].sort();
    expect(used).toEqual(["ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"]);
    const params = [...lib.matchAll(/P_\w+="\$\{SSM_PREFIX\}\/([\w/-]+)"/g)].map((m) => m[1]);
    expect(params.sort()).toEqual([
      "election/leader",
      "join/ca-cert-hash",
      "join/certificate-key",
      "join/token",
      "join/token-expiry",
      "state/refresh-lock",
    ]);

    const scope = {
      region: REGION,
      bucketName: BUCKET,
      kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
      ssmPrefix: "/immutable-clusters/t/a",
      clusterFullName: "t-a",
    };
    const arn = (p: string) => `arn:aws:ssm:${REGION}:123456789012:parameter${scope.ssmPrefix}/${p}`;
    const allows = (statements: ReturnType<typeof controllerStatements>, action: string, resource: string) =>
      statements.some(
        (s) =>
          s.Effect === "Allow" &&
          s.Action.includes(action) &&
          ([] as string[])
            .concat(s.Resource as string[])
            .some((r) => new RegExp(`^${r.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(resource)),
      );
    const controller = controllerStatements(scope);
    const worker = workerStatements(scope);
    for (const p of params)
      for (const a of ["ssm:PutParameter", "ssm:GetParameter"])
        expect({ p, a, ok: allows(controller, a, arn(p)) }).toEqual({ p, a, ok: true });
    expect(allows(controller, "ssm:DeleteParameter", arn("state/refresh-lock"))).toBe(true);
    for (const p of params.filter((x) => x !== "state/refresh-lock")) expect(allows(controller, "ssm:DeleteParameter", arn(p))).toBe(false);
    expect(allows(controller, "ssm:PutParameter", arn("other/thing"))).toBe(false);
    expect(allows(controller, "ssm:PutParameter", `arn:aws:ssm:${REGION}:1:parameter/immutable-clusters/t/b/join/token`)).toBe(false);
    const ssmActions = (statements: typeof controller) =>
      [...new Set(statements.flatMap((s) => s.Action.filter((a) => a.startsWith("ssm:"))))].sort();
    expect(ssmActions(controller)).toEqual(used);
    expect(ssmActions(worker)).toEqual(["ssm:GetParameter"]);
    for (const p of params) expect({ p, ok: allows(worker, "ssm:GetParameter", arn(p)) }).toEqual({ p, ok: p.startsWith("join/") });
    expect(allows(controller, "s3:GetObject", `arn:aws:s3:::${BUCKET}/addons/manifests.yaml`)).toBe(true);
    expect(allows(worker, "s3:GetObject", `arn:aws:s3:::${BUCKET}/addons/manifests.yaml`)).toBe(false);
  });
});
