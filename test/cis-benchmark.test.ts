// The CIS table of docs/security.md, checked: every control-plane (1.x) and worker (4.x) item of CIS Kubernetes
// Benchmark 1.12 (aquasecurity/kube-bench cfg/cis-1.12/master.yaml and node.yaml, commit
// a73ce378418c71c5861e6963753f50dec3badadf) has a row, and every "pass" row has a check below that holds against the
// rendered kubeadm ClusterConfiguration, KubeletConfiguration, join configs and API server files of a 1.35 generation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { resolveGeneration } from "../constructs/definition/resolve";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { fileText, type ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

/** Item ids of kube-bench cfg/cis-1.12 master.yaml (section 1) and node.yaml (section 4). */
const BENCHMARK_ITEMS = [
  ...Array.from({ length: 21 }, (_, i) => `1.1.${i + 1}`),
  ...Array.from({ length: 30 }, (_, i) => `1.2.${i + 1}`),
  ...Array.from({ length: 7 }, (_, i) => `1.3.${i + 1}`),
  "1.4.1",
  "1.4.2",
  ...Array.from({ length: 10 }, (_, i) => `4.1.${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `4.2.${i + 1}`),
  "4.3.1",
];

interface Row {
  id: string;
  item: string;
  status: string;
  test: string;
}
function cisTable(): Row[] {
  const doc = readFileSync(join(__dirname, "../docs/security.md"), "utf8");
  const section = doc.split(/^## CIS Kubernetes Benchmark$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('docs/security.md has no "## CIS Kubernetes Benchmark" section');
  return section
    .split("\n")
    .filter((line) => /^\| \d+\.\d+\.\d+ +\|/.test(line))
    .map((line) => {
      const [id, item, status, test] = line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
      return { id, item, status, test };
    });
}

const def = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.35.4" })] });
const gen = resolveGeneration(def, def.generations[0]);
const controller = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
const worker = JSON.parse(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] })) as ParsedIgnition;
const initDocs = parseAllDocuments(fileText(controller, "/etc/immutable-clusters/kubeadm/init.yaml")).map((d) => d.toJS() as Obj);
const clusterConfig = initDocs.find((d) => d.kind === "ClusterConfiguration");
const kubelet = initDocs.find((d) => d.kind === "KubeletConfiguration");
const args = (list: Obj[] | undefined) => Object.fromEntries((list ?? []).map((a: Obj) => [a.name, a.value]));
const apiserver = args(clusterConfig.apiServer.extraArgs);
const admissionPlugins = (apiserver["enable-admission-plugins"] ?? "").split(",");
const joinConfigs = [
  fileText(controller, "/etc/immutable-clusters/kubeadm/join-controller.yaml"),
  fileText(worker, "/etc/immutable-clusters/kubeadm/join-worker.yaml"),
].map((t) => parse(t) as Obj);
const allNodeRegistrations = [initDocs.find((d) => d.kind === "InitConfiguration"), ...joinConfigs].map((c) => c.nodeRegistration);
const strongApiServer = new Set([
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]);
const strongKubelet = new Set([
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
]);

/** The check of every "pass" row, against the rendered configs (the kube-bench test of the item, read from our files). */
const CHECKS: Record<string, () => void> = {
  "1.2.1": () => {
    expect(apiserver["anonymous-auth"]).toBeUndefined();
    const auth = parse(fileText(controller, apiserver["authentication-config"])) as Obj;
    expect(auth.anonymous.conditions.map((c: Obj) => c.path).sort()).toEqual(["/healthz", "/livez", "/readyz"]);
  },
  "1.2.2": () => expect(apiserver["token-auth-file"]).toBeUndefined(),
  "1.2.3": () => expect(admissionPlugins).toContain("DenyServiceExternalIPs"),
  "1.2.5": () => expect(apiserver["kubelet-certificate-authority"]).toBe("/etc/kubernetes/pki/ca.crt"),
  "1.2.10": () => expect(admissionPlugins).not.toContain("AlwaysAdmit"),
  "1.2.14": () => expect(admissionPlugins).toContain("NodeRestriction"),
  "1.2.15": () => expect(apiserver.profiling).toBe("false"),
  "1.2.16": () => expect(apiserver["audit-log-path"]).toMatch(/^\/var\/log\/kubernetes\/audit\/.+\.log$/),
  "1.2.17": () => expect(Number(apiserver["audit-log-maxage"])).toBeGreaterThanOrEqual(30),
  "1.2.18": () => expect(Number(apiserver["audit-log-maxbackup"])).toBeGreaterThanOrEqual(10),
  "1.2.19": () => expect(Number(apiserver["audit-log-maxsize"])).toBeGreaterThanOrEqual(100),
  "1.2.27": () => expect(apiserver["encryption-provider-config"]).toBe("/etc/kubernetes/apiserver/encryption-config.yaml"),
  "1.2.28": () => {
    const template = parse(fileText(controller, "/etc/immutable-clusters/kubeadm/encryption-config.yaml")) as Obj;
    // kube-bench: the first provider of secrets is aescbc, kms or secretbox.
    expect(template.resources[0].resources).toContain("secrets");
    expect(Object.keys(template.resources[0].providers[0])[0]).toMatch(/^(aescbc|kms|secretbox)$/);
  },
  "1.2.29": () => {
    const suites = apiserver["tls-cipher-suites"].split(",");
    expect(suites.length).toBeGreaterThan(0);
    for (const suite of suites) expect(strongApiServer.has(suite)).toBe(true);
    expect(apiserver["tls-min-version"]).toMatch(/^VersionTLS1[23]$/);
  },
  "1.3.2": () => expect(args(clusterConfig.controllerManager.extraArgs).profiling).toBe("false"),
  "1.3.6": () => {
    // RotateKubeletServerCertificate is on by default; it only acts with the kubelet asking for serving certificates.
    expect(args(clusterConfig.controllerManager.extraArgs)["feature-gates"] ?? "").not.toMatch(/RotateKubeletServerCertificate=false/);
    expect(kubelet.serverTLSBootstrap).toBe(true);
  },
  "1.4.1": () => expect(args(clusterConfig.scheduler.extraArgs).profiling).toBe("false"),
  "4.2.1": () => expect(kubelet.authentication.anonymous.enabled).toBe(false),
  "4.2.2": () => expect(kubelet.authorization.mode).not.toBe("AlwaysAllow"),
  "4.2.4": () => expect(kubelet.readOnlyPort).toBe(0),
  "4.2.7": () => {
    for (const registration of allNodeRegistrations)
      expect((registration.kubeletExtraArgs ?? []).map((a: Obj) => a.name)).not.toContain("hostname-override");
  },
  "4.2.10": () => expect(kubelet.rotateCertificates).not.toBe(false),
  "4.2.11": () => expect(kubelet.serverTLSBootstrap).toBe(true),
  "4.2.12": () => {
    expect(kubelet.tlsCipherSuites.length).toBeGreaterThan(0);
    for (const suite of kubelet.tlsCipherSuites) expect(strongKubelet.has(suite)).toBe(true);
  },
};

const rows = cisTable();
const passRows = rows.filter((r) => r.status.startsWith("pass"));

test("the table has exactly one row per benchmark item, in order", () => {
  expect(rows.map((r) => r.id)).toEqual(BENCHMARK_ITEMS);
});

test("every row has a known status, and accepted/not applicable rows give a reason", () => {
  for (const row of rows) {
    expect(row.status).toMatch(/^(pass|accepted: .{10,}|not applicable: .{10,})/);
  }
});

test("every pass row names this test and has a check here; every check is a pass row", () => {
  for (const row of passRows) expect(row.test).toBe("test/cis-benchmark.test.ts");
  expect(Object.keys(CHECKS).sort()).toEqual(passRows.map((r) => r.id).sort());
});

test.each(passRows.map((r) => [r.id, r.item]))("%s %s holds in the rendered configs", (id) => {
  CHECKS[id]();
});
