// gateway-tls-placeholder.sh run against a fake kubectl that keeps Secrets in files (test/support/gateway-tls/kubectl),
// with the real openssl: a missing Gateway TLS Secret gets a self-signed placeholder (EC P-256, CN and SANs = the traffic
// hostname, one year, labelled and fingerprinted); a Secret that exists, or appears meanwhile, is never touched; re-runs
// change nothing; kubectl failures fail only that run (the timer retries) and leave no key behind; the key appears only
// in the Secret. And the wiring: only control-plane nodes of gateway generations run the timer, in its own unit, apart
// from the node's bootstrap.
import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveGeneration } from "../constructs/definition/resolve";
import { gatewayTlsHostname } from "../constructs/ignition/gateway-tls-placeholder";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { trafficHostname } from "../constructs/fleet/traffic-stack";
import { fileText, unit, type ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const SCRIPT = join(__dirname, "../constructs/ignition/files/bin/gateway-tls-placeholder.sh");
const FAKE_BIN = join(__dirname, "support/gateway-tls");
const HOSTNAME = "apps.prod.internal.example.com";
const SECRET_FILE = "ingress-gateway_ingress-tls.json";

interface StoredSecret {
  type: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  data: Record<string, string>;
}

/** A fake control-plane node: admin.conf, /run, and the fake API's Secret store. */
function fakeNode() {
  const root = mkdtempSync(join(tmpdir(), "gateway-tls-"));
  mkdirSync(join(root, "etc/kubernetes"), { recursive: true });
  mkdirSync(join(root, "run"));
  mkdirSync(join(root, "secrets"));
  writeFileSync(join(root, "etc/kubernetes/admin.conf"), "apiVersion: v1\nkind: Config\n");
  writeFileSync(join(root, "kubectl.log"), "");
  return root;
}

function run(root: string, env: Record<string, string> = {}) {
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
      IC_ROOT: root,
      FAKE_SECRETS: join(root, "secrets"),
      FAKE_LOG: join(root, "kubectl.log"),
      GATEWAY_NAMESPACE: "ingress-gateway",
      TLS_SECRET_NAME: "ingress-tls",
      TLS_HOSTNAME: HOSTNAME,
      ...env,
    },
  });
  const calls = readFileSync(join(root, "kubectl.log"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const stored = (root: string) => JSON.parse(readFileSync(join(root, "secrets", SECRET_FILE), "utf8")) as StoredSecret;
const creates = (calls: string[][]) => calls.filter((c) => c.includes("create"));

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const USER_SECRET = JSON.stringify({
  apiVersion: "v1",
  kind: "Secret",
  type: "kubernetes.io/tls",
  metadata: { name: "ingress-tls", namespace: "ingress-gateway" },
  data: { "tls.crt": "dXNlcg==", "tls.key": "dXNlci1rZXk=" },
});

describe("gateway-tls-placeholder.sh", () => {
  test("creates a labelled, fingerprinted self-signed Secret for the traffic hostname when none exists", () => {
    const root = fakeNode();
    const { status, stderr } = run(root);
    expect(status).toBe(0);
    expect(stderr).toMatch(/created the self-signed placeholder Secret ingress-gateway\/ingress-tls/);
    const secret = stored(root);
    expect(secret.type).toBe("kubernetes.io/tls");
    expect(secret.metadata.labels["immutable-clusters.io/tls-placeholder"]).toBe("true");
    const crtPem = Buffer.from(secret.data["tls.crt"], "base64");
    expect(secret.metadata.annotations["immutable-clusters.io/placeholder-certificate-sha256"]).toBe(
      createHash("sha256").update(crtPem).digest("hex"),
    );
    const cert = new X509Certificate(crtPem);
    expect(cert.subject).toMatch(new RegExp(`^CN=${HOSTNAME.replace(/\./g, "\\.")}$`, "m"));
    expect(cert.subjectAltName).toBe(`DNS:${HOSTNAME}, DNS:*.${HOSTNAME}`);
    expect(cert.checkIssued(cert)).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBe(365);
    const key = createPrivateKey(Buffer.from(secret.data["tls.key"], "base64"));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(cert.checkPrivateKey(key)).toBe(true);
  });

  test("leaves a Secret that exists as it is (yours, or cert-manager's): no create", () => {
    const root = fakeNode();
    writeFileSync(join(root, "secrets", SECRET_FILE), USER_SECRET);
    const { status, stderr, calls } = run(root);
    expect(status).toBe(0);
    expect(stderr).toMatch(/exists; left as it is/);
    expect(creates(calls)).toEqual([]);
    expect(readFileSync(join(root, "secrets", SECRET_FILE), "utf8")).toBe(USER_SECRET);
  });

  test("is idempotent: a second run keeps the first placeholder", () => {
    const root = fakeNode();
    expect(run(root).status).toBe(0);
    const first = readFileSync(join(root, "secrets", SECRET_FILE), "utf8");
    const second = run(root);
    expect(second.status).toBe(0);
    expect(creates(second.calls)).toHaveLength(1);
    expect(readFileSync(join(root, "secrets", SECRET_FILE), "utf8")).toBe(first);
  });

  test("a Secret created between the check and the create (another controller, or you) is kept, and the run succeeds", () => {
    const root = fakeNode();
    const { status, stderr } = run(root, { FAKE_RACE_SECRET: USER_SECRET });
    expect(status).toBe(0);
    expect(stderr).toMatch(/was created meanwhile/);
    expect(readFileSync(join(root, "secrets", SECRET_FILE), "utf8")).toBe(USER_SECRET);
  });

  test("an unreachable API server fails the run with the reason; the next run creates it", () => {
    const root = fakeNode();
    const down = run(root, { FAKE_API_DOWN: "1" });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/could not read Secret ingress-gateway\/ingress-tls; will retry/);
    expect(readdirSync(join(root, "secrets"))).toEqual([]);
    expect(run(root).status).toBe(0);
    expect(stored(root).type).toBe("kubernetes.io/tls");
  });

  test("a failed create (namespace not applied yet) fails the run, leaves no key behind, and is retried", () => {
    const root = fakeNode();
    const failed = run(root, { FAKE_CREATE_FAILURES: "1" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/could not create Secret ingress-gateway\/ingress-tls: .*namespaces "ingress-gateway" not found/);
    expect(readdirSync(join(root, "run"))).toEqual([]);
    expect(readdirSync(join(root, "secrets")).filter((f) => f.endsWith(".json"))).toEqual([]);
    expect(run(root, { FAKE_CREATE_FAILURES: "1" }).status).toBe(0);
    expect(stored(root).metadata.name).toBe("ingress-tls");
  });

  test("the private key is in the Secret only: not in argv, output, logs or any file left on the node", () => {
    const root = fakeNode();
    const first = run(root);
    const again = run(root);
    const keyPem = Buffer.from(stored(root).data["tls.key"], "base64").toString("utf8");
    const keyBody = keyPem.split("\n")[1];
    const keyBase64 = stored(root).data["tls.key"];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(readdirSync(join(root, "run"))).toEqual([]);
    const elsewhere = filesUnder(root).filter((f) => !f.endsWith(SECRET_FILE));
    const texts = [...elsewhere.map((f) => readFileSync(f, "utf8")), first.stdout, first.stderr, again.stdout, again.stderr];
    for (const text of texts) {
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain(keyBase64);
      expect(text).not.toContain("PRIVATE KEY");
    }
    for (const call of first.calls) expect(call.join(" ")).not.toContain(keyBase64);
  });

  test("every kubectl call uses admin.conf and a request timeout; without admin.conf it fails before calling kubectl", () => {
    const root = fakeNode();
    const { calls } = run(root);
    expect(calls.length).toBe(2);
    for (const call of calls) {
      expect(call).toContain(`${root}/etc/kubernetes/admin.conf`);
      expect(call.some((a) => /^--request-timeout=\d+s$/.test(a))).toBe(true);
    }
    const bare = mkdtempSync(join(tmpdir(), "gateway-tls-"));
    writeFileSync(join(bare, "kubectl.log"), "");
    const result = run(bare);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/admin\.conf is not readable yet/);
    expect(result.calls).toEqual([]);
  });

  test("a traffic hostname longer than a commonName may be (64) keeps its first label as CN and the full name as SAN", () => {
    const root = fakeNode();
    const long = `apps.${"x".repeat(40)}.internal.${"y".repeat(20)}.example.com`;
    expect(run(root, { TLS_HOSTNAME: long }).status).toBe(0);
    const cert = new X509Certificate(Buffer.from(stored(root).data["tls.crt"], "base64"));
    expect(cert.subject).toMatch(/^CN=apps$/m);
    expect(cert.subjectAltName).toBe(`DNS:${long}, DNS:*.${long}`);
  });
});

describe("wiring", () => {
  const cluster = (kubernetesVersion: string, gateway?: { tlsSecretName?: string; enabled?: boolean }) => {
    const def = sampleCluster({
      generations: [
        sampleGeneration({
          kubernetesVersion,
          workerPools: [{ name: "edge", ingress: true }],
          ...(gateway ? { addons: { gateway } } : {}),
        }),
      ],
    });
    return { def, gen: resolveGeneration(def, def.generations[0]) };
  };

  test("control-plane nodes of a gateway generation run the timer in its own unit, with the Secret's name and hostname", () => {
    const { def, gen } = cluster("1.35.4", { tlsSecretName: "edge-tls" });
    const controller = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
    const env = fileText(controller, "/etc/immutable-clusters/gateway-tls.env");
    expect(env).toMatch(/^GATEWAY_NAMESPACE=ingress-gateway$/m);
    expect(env).toMatch(/^TLS_SECRET_NAME=edge-tls$/m);
    expect(env).toMatch(new RegExp(`^TLS_HOSTNAME=${trafficHostname(def).replace(/\./g, "\\.")}$`, "m"));
    expect(gatewayTlsHostname(gen)).toBe(trafficHostname(def));
    expect(unit(controller, "gateway-tls-placeholder.timer").enabled).toBe(true);
    const service = unit(controller, "gateway-tls-placeholder.service").contents ?? "";
    expect(service).toMatch(/^EnvironmentFile=\/etc\/immutable-clusters\/gateway-tls.env$/m);
    expect(service).toMatch(/^ExecStart=\/opt\/immutable-clusters\/bin\/gateway-tls-placeholder.sh$/m);
    // Apart from the bootstrap: its failures cannot fail the node's bootstrap service.
    expect(fileText(controller, "/opt/immutable-clusters/bin/node-bootstrap.sh")).not.toContain("gateway-tls-placeholder");
    const worker = JSON.parse(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] })) as ParsedIgnition;
    expect(() => unit(worker, "gateway-tls-placeholder.timer")).toThrow(/no unit/);
  });

  test("generations without the gateway (before Kubernetes 1.33, or gateway disabled) do not get it", () => {
    for (const { gen } of [cluster("1.31.0"), cluster("1.35.4", { enabled: false })]) {
      const controller = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
      expect(() => unit(controller, "gateway-tls-placeholder.timer")).toThrow(/no unit/);
      expect(() => fileText(controller, "/etc/immutable-clusters/gateway-tls.env")).toThrow(/no file/);
    }
  });
});
