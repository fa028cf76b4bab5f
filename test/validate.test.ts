// `immutable-clusters validate` against a fake API server on loopback (node https with a certificate made by openssl for
// 127.0.0.1) serving responses shaped as the API returns them, for a healthy cluster and unhealthy ones; the client is
// the command's own, reading a kubeconfig with the server's CA and a bearer token. The ingress health endpoint is a
// loopback http server.
import { createServer as createHttp, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { expectedWorkloads, parseDuration, validateGeneration, type ValidationReport } from "../apps/commands/validate";
import { kubeClientFromConfig } from "../apps/commands/kubeconfig-client";
import { resolveGeneration } from "../constructs/definition/resolve";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { selfSignedCertificate } from "./support/certificates";

const dir = mkdtempSync(join(tmpdir(), "validate-"));
selfSignedCertificate({
  keyFile: join(dir, "key.pem"),
  certFile: join(dir, "cert.pem"),
  subject: "/CN=kube-apiserver",
  subjectAltName: "IP:127.0.0.1",
});
const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a" })] });
const gen = resolveGeneration(cluster, cluster.generations[0]);
const workloads = expectedWorkloads(gen, dir);
const TOKEN = "k8s-aws-v1.test";

type State = Map<string, unknown>;
const ready = (name: string, labels: Record<string, string>, isReady = true) => ({
  metadata: { name, labels },
  status: {
    conditions: [
      {
        type: "Ready",
        status: isReady ? "True" : "False",
        reason: isReady ? "KubeletReady" : "KubeletNotReady",
        message: isReady ? "kubelet is posting ready status" : "container runtime network not ready: NetworkReady=false",
      },
    ],
  },
});
function healthy(): State {
  const s: State = new Map();
  const nodes = [
    ...Array.from({ length: gen.controlPlane.count }, (_, i) => ready(`cp-${i}`, { "node-role.kubernetes.io/control-plane": "" })),
    ...gen.workerPools.flatMap((p) =>
      Array.from({ length: p.desiredCapacity }, (_, i) => ready(`${p.name}-${i}`, { "immutable-clusters.io/pool": p.name })),
    ),
  ];
  s.set("/api/v1/nodes", { kind: "NodeList", items: nodes });
  for (const w of workloads) {
    const path = `/apis/apps/v1/namespaces/${w.namespace}/${{ Deployment: "deployments", DaemonSet: "daemonsets", StatefulSet: "statefulsets" }[w.kind]}/${w.name}`;
    s.set(
      path,
      w.kind === "DaemonSet"
        ? {
            spec: {},
            status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, numberMisscheduled: 0 },
          }
        : { spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 } },
    );
  }
  s.set("/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns", {
    items: [
      {
        endpoints: [
          { addresses: ["10.96.0.5"], conditions: { ready: true } },
          { addresses: ["10.96.0.6"], conditions: { ready: true } },
        ],
      },
    ],
  });
  return s;
}

let state: State = healthy();
let requests: string[] = [];
let onRequest: (url: string) => void = () => undefined;
let ingressStatus = 200;
let api: Server;
let ingress: Server;
let apiPort = 0;
let ingressPort = 0;
beforeAll(async () => {
  api = createHttps({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => {
    requests.push(req.url!);
    onRequest(req.url!);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{"kind":"Status","code":401}');
    const body = state.get(req.url!);
    if (body === undefined)
      return void res.writeHead(404, { "content-type": "application/json" }).end('{"kind":"Status","code":404,"reason":"NotFound"}');
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  ingress = createHttp((req, res) => res.writeHead(req.url === gen.healthPath ? ingressStatus : 404).end());
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => ingress.listen(0, "127.0.0.1", r));
  apiPort = (api.address() as AddressInfo).port;
  ingressPort = (ingress.address() as AddressInfo).port;
});
afterAll(() => {
  api.close();
  ingress.close();
});
beforeEach(() => {
  state = healthy();
  requests = [];
  onRequest = () => undefined;
  ingressStatus = 200;
});

const kubeconfig = (token = TOKEN) => ({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "demo-a",
  clusters: [
    {
      name: "demo-a",
      cluster: {
        server: `https://127.0.0.1:${apiPort}`,
        "certificate-authority-data": readFileSync(join(dir, "cert.pem")).toString("base64"),
      },
    },
  ],
  contexts: [{ name: "demo-a", context: { cluster: "demo-a", user: "demo-a" } }],
  users: [{ name: "demo-a", user: { token } }],
});
const run = (extra: Partial<Parameters<typeof validateGeneration>[0]> = {}): Promise<ValidationReport> =>
  validateGeneration({
    target: "demo/a",
    clusters: [cluster],
    root: dir,
    client: kubeClientFromConfig(kubeconfig(), { command: "validate" }),
    ingressUrl: `http://127.0.0.1:${ingressPort}${gen.healthPath}`,
    ...extra,
  });

test("the generation's addon manifests name the workloads to check (CoreDNS among them)", () => {
  expect(workloads).toEqual(
    expect.arrayContaining([expect.objectContaining({ kind: "Deployment", namespace: "kube-system", name: "coredns" })]),
  );
  expect(new Set(workloads.map((w) => w.kind))).toEqual(
    new Set(["Deployment", "DaemonSet"].concat(workloads.some((w) => w.kind === "StatefulSet") ? ["StatefulSet"] : [])),
  );
});

test("a healthy cluster is valid: every node group, workload, DNS and the ingress ok", async () => {
  const report = await run();
  expect(report.failures).toEqual([]);
  expect(report.valid).toBe(true);
  expect(report.nodes).toEqual([
    { group: "control-plane", expected: gen.controlPlane.count, ready: gen.controlPlane.count, status: "ok" },
    ...gen.workerPools.map((p) => ({ group: `pool ${p.name}`, expected: p.desiredCapacity, ready: p.desiredCapacity, status: "ok" })),
  ]);
  expect(report.workloads.map((w) => w.status)).toEqual(workloads.map(() => "ok"));
  expect(report.dns).toEqual({ status: "ok", detail: "2 ready CoreDNS endpoints (Service kube-system/kube-dns)" });
  expect(report.ingress).toEqual({ status: "ok", url: `http://127.0.0.1:${ingressPort}${gen.healthPath}`, detail: "HTTP 200" });
});

test("unhealthy clusters are invalid, each for its reason", async () => {
  const pool = gen.workerPools[0];
  const nodes = state.get("/api/v1/nodes") as { items: ReturnType<typeof ready>[] };
  // A missing worker and a NotReady control-plane node.
  state.set("/api/v1/nodes", {
    items: [ready("cp-0", { "node-role.kubernetes.io/control-plane": "" }, false), ...nodes.items.slice(1, -1)],
  });
  const coredns = "/apis/apps/v1/namespaces/kube-system/deployments/coredns";
  state.set(coredns, { spec: { replicas: 2 }, status: { availableReplicas: 1 } });
  const ds = workloads.find((w) => w.kind === "DaemonSet")!;
  const dsPath = `/apis/apps/v1/namespaces/${ds.namespace}/daemonsets/${ds.name}`;
  state.set(dsPath, { status: { desiredNumberScheduled: 3, currentNumberScheduled: 2, numberAvailable: 2, numberMisscheduled: 0 } });
  ingressStatus = 503;
  const report = await run();
  expect(report.valid).toBe(false);
  expect(report.failures).toEqual(
    expect.arrayContaining([
      `control-plane: ${gen.controlPlane.count - 1} of ${gen.controlPlane.count} nodes Ready`,
      `pool ${pool.name}: ${pool.desiredCapacity - 1} of ${pool.desiredCapacity} nodes Ready`,
      "node cp-0 is not Ready (KubeletNotReady: container runtime network not ready: NetworkReady=false)",
      "Deployment kube-system/coredns: 1 of 2 replicas available",
      `DaemonSet ${ds.namespace}/${ds.name}: 2 of 3 scheduled pods available (2 scheduled)`,
      `ingress: GET http://127.0.0.1:${ingressPort}${gen.healthPath} answered HTTP 503`,
    ]),
  );
  expect(report.notReadyNodes).toEqual([
    {
      name: "cp-0",
      conditions: [
        { type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime network not ready: NetworkReady=false" },
      ],
    },
  ]);
});

test("a missing workload and no ready DNS endpoint are failures", async () => {
  state.delete("/apis/apps/v1/namespaces/kube-system/deployments/coredns");
  state.set("/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns", {
    items: [{ endpoints: [{ conditions: { ready: false } }] }],
  });
  const report = await run();
  expect(report.failures).toEqual([
    "Deployment kube-system/coredns: not found",
    "DNS: no ready CoreDNS endpoint behind kube-system/kube-dns",
  ]);
});

test("an unreachable ingress is reported unchecked with the reason, never ok", async () => {
  const report = await run({ ingressUrl: "http://127.0.0.1:1/healthz", ingressTimeoutMs: 2000 });
  expect(report.valid).toBe(true);
  expect(report.ingress.status).toBe("unchecked");
  expect(report.ingress.detail).toMatch(/got no answer from here .*pass --ingress-url/);
  const noParameter = await run({ ingressUrl: undefined, readParameter: async () => undefined });
  expect(noParameter.ingress).toEqual({
    status: "unchecked",
    detail: "SSM parameter /immutable-clusters-fleet/demo/a/ingress does not exist: the generation is not deployed in " + gen.region,
  });
});

test("--wait polls until valid, bounded", async () => {
  state.delete("/apis/apps/v1/namespaces/kube-system/deployments/coredns");
  const healed = healthy().get("/apis/apps/v1/namespaces/kube-system/deployments/coredns");
  // CoreDNS becomes available once the second attempt starts.
  onRequest = (url) => {
    if (url === "/api/v1/nodes" && requests.filter((r) => r === url).length === 2)
      state.set("/apis/apps/v1/namespaces/kube-system/deployments/coredns", healed);
  };
  const report = await run({ waitMs: 5000, pollIntervalMs: 100 });
  expect(report.valid).toBe(true);
  expect(report.attempts).toBe(2);
  onRequest = () => undefined;
  state.delete("/apis/apps/v1/namespaces/kube-system/deployments/coredns");
  const started = Date.now();
  const bounded = await run({ waitMs: 400, pollIntervalMs: 100 });
  expect(bounded.valid).toBe(false);
  expect(bounded.attempts).toBeGreaterThanOrEqual(2);
  expect(Date.now() - started).toBeLessThan(3000);
});

test("configuration errors throw (exit 2): a refused token, insecure TLS, a bad --wait", async () => {
  await expect(run({ client: kubeClientFromConfig(kubeconfig("wrong"), { command: "validate" }) })).rejects.toThrow(
    /the API refused \/api\/v1\/nodes \(HTTP 401\)/,
  );
  const insecure = kubeconfig();
  (insecure.clusters[0].cluster as Record<string, unknown>)["insecure-skip-tls-verify"] = true;
  expect(() => kubeClientFromConfig(insecure, { command: "validate" })).toThrow("sets insecure-skip-tls-verify");
  expect(parseDuration("15m")).toBe(900_000);
  expect(() => parseDuration("15 minutes")).toThrow('validate: --wait "15 minutes" is not a duration; write it like "15m", "90s" or "1h"');
});

test("an API that does not answer is an invalid attempt, retried under --wait", async () => {
  const config = kubeconfig();
  config.clusters[0].cluster.server = "https://127.0.0.1:1";
  const report = await run({ client: kubeClientFromConfig(config, { command: "validate" }) });
  expect(report.valid).toBe(false);
  expect(report.failures[0]).toMatch(/^API: https:\/\/127\.0\.0\.1:1: /);
});
