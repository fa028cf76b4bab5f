// `immutable-clusters validate` against a fake API server on loopback (node https with a certificate made by openssl for
// 127.0.0.1) serving responses shaped as the API returns them, for a healthy cluster and unhealthy ones; the client is
// the command's own, reading a kubeconfig with the server's CA and a bearer token. Pods (validate's DNS check pod) live
// in test/support/fake-pod-api.ts: created, advancing Pending -> Running -> Succeeded/Failed, logs, deleted. The
// ingress health endpoint is a loopback http server.
import { createServer as createHttp, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { parseAllDocuments } from "yaml";
import { expectedWorkloads, parseDuration, validateGeneration, workloadsOf, type ValidationReport } from "../apps/commands/validate";
import { renderAddonManifests } from "../constructs/addons/render";
import { frozenDirectory } from "../constructs/fleet/lock";
import { kubeClientFromConfig } from "../apps/commands/kubeconfig-client";
import { resolveGeneration } from "../constructs/definition/resolve";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { selfSignedCertificate } from "./support/certificates";
import { FakePodApi } from "./support/fake-pod-api";
import { DNS_CHECK_IMAGE, dnsCheckScript } from "../apps/commands/dns-check-pod";

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
const pods = new FakePodApi();
let requests: string[] = [];
let onRequest: (url: string) => void = () => undefined;
let ingressStatus = 200;
let api: Server;
let ingress: Server;
let apiPort = 0;
let ingressPort = 0;
beforeAll(async () => {
  api = createHttps({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, async (req, res) => {
    requests.push(req.method === "GET" ? req.url! : `${req.method} ${req.url!}`);
    onRequest(req.url!);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{"kind":"Status","code":401}');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (pods.handle(req, Buffer.concat(chunks).toString("utf8"), res)) return;
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
  pods.reset("succeeds");
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
    dnsPodPollIntervalMs: 20,
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

test("the workloads of an unlocked generation are those of its rendered YAML, without parsing it", () => {
  // expectedWorkloads takes the synthesized, checked objects; parsing the YAML renderAddonManifests writes of them must
  // find the same workloads in the same order.
  const parsed = workloadsOf(
    renderAddonManifests(gen).flatMap((file) => parseAllDocuments(file.yaml).map((doc) => doc.toJSON() as unknown)),
  );
  expect(parsed.length).toBeGreaterThan(3);
  expect(workloads).toEqual(parsed);
});

test("a locked generation's workloads are read from its frozen YAML files, not rendered", () => {
  const root = mkdtempSync(join(tmpdir(), "validate-frozen-"));
  const addons = join(root, frozenDirectory(gen.clusterName, gen.generationId), "addons");
  mkdirSync(addons, { recursive: true });
  // A frozen file set unlike today's rendering: one file of today's, one workload only the frozen files have, and a
  // file that is not YAML (ignored).
  const coredns = renderAddonManifests(gen).find((file) => file.yaml.includes("name: coredns\n"))!;
  writeFileSync(join(addons, coredns.name), coredns.yaml);
  writeFileSync(
    join(addons, "99-frozen-only.yaml"),
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: frozen-only\n  namespace: platform\n---\nkind: ConfigMap\nmetadata:\n  name: not-a-workload\n",
  );
  writeFileSync(join(addons, "README.txt"), "kind: Deployment\nmetadata:\n  name: not-yaml\n");
  expect(expectedWorkloads(gen, root)).toEqual([
    ...workloadsOf(parseAllDocuments(coredns.yaml).map((doc) => doc.toJSON() as unknown)),
    { kind: "StatefulSet", namespace: "platform", name: "frozen-only" },
  ]);
  expect(expectedWorkloads(gen, root)).toContainEqual({ kind: "Deployment", namespace: "kube-system", name: "coredns" });
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
  expect(report.dnsPod).toEqual({
    status: "ok",
    pod: pods.created[0].metadata.name,
    detail: `pod kube-system/${pods.created[0].metadata.name} on general-0 resolved kubernetes.default.svc.cluster.local and kube-dns.kube-system.svc.cluster.local through cluster DNS`,
  });
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
  // 1.5 s: room for a second attempt also when the shared machine is loaded (an attempt took over 0.4 s at load 20-35).
  const bounded = await run({ waitMs: 1500, pollIntervalMs: 100 });
  expect(bounded.valid).toBe(false);
  expect(bounded.attempts).toBeGreaterThanOrEqual(2);
  expect(Date.now() - started).toBeLessThan(4500);
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

describe("DNS from a pod", () => {
  /** Runs the pod's script under sh with `nslookup` replaced by a stand-in printing `output` and exiting `code`. */
  function runScript(output: string, code: number): { status: number | null; stdout: string } {
    const bin = mkdtempSync(join(tmpdir(), "nslookup-"));
    writeFileSync(join(bin, "output"), output);
    writeFileSync(join(bin, "nslookup"), `#!/bin/sh\ncat '${join(bin, "output")}'\nexit ${code}\n`, { mode: 0o755 });
    const result = spawnSync("sh", ["-c", dnsCheckScript("cluster.local")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    return { status: result.status, stdout: result.stdout };
  }

  test("the script needs an answer for each name: an NXDOMAIN that busybox exits 0 on still fails it", () => {
    const answer = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n";
    expect(runScript(answer, 0).status).toBe(0);
    const nxdomain =
      "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find kubernetes.default.svc.cluster.local: NXDOMAIN\n";
    const failed = runScript(nxdomain, 0);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("no answer for kubernetes.default.svc.cluster.local");
    expect(runScript("nslookup: can't resolve 'kubernetes.default.svc.cluster.local'\n", 1).status).toBe(1);
  });

  const POD_PATH = /^\/api\/v1\/namespaces\/kube-system\/pods/;

  test("the pod is restricted, pinned by digest, resolves in-cluster names only, and is deleted after success", async () => {
    const report = await run();
    expect(report.dnsPod.status).toBe("ok");
    expect(pods.created).toHaveLength(1);
    const pod = pods.created[0] as unknown as {
      metadata: { name: string; namespace: string };
      spec: {
        restartPolicy: string;
        automountServiceAccountToken: boolean;
        activeDeadlineSeconds: number;
        securityContext: Record<string, unknown>;
        containers: Array<{ image: string; command: string[]; securityContext: Record<string, unknown> }>;
      };
    };
    expect(pod.metadata.name).toMatch(/^immutable-clusters-dns-check-[0-9a-f]{5}$/);
    expect(pod.metadata.namespace).toBe("kube-system");
    expect(pod.spec.restartPolicy).toBe("Never");
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.activeDeadlineSeconds).toBe(120);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const [container] = pod.spec.containers;
    expect(container.image).toBe(DNS_CHECK_IMAGE);
    expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.command).toEqual(["sh", "-c", dnsCheckScript("cluster.local")]);
    expect(container.command[2]).toMatch(
      /^for name in kubernetes\.default\.svc\.cluster\.local kube-dns\.kube-system\.svc\.cluster\.local; do /,
    );
    expect(pods.deleted).toEqual([pod.metadata.name]);
    expect(pods.existing()).toEqual([]);
  });

  test("a lookup that fails makes the generation invalid with the pod's exit code and log, and the pod is deleted", async () => {
    pods.reset("dns-fails");
    const report = await run();
    const name = pods.created[0].metadata.name;
    expect(report.valid).toBe(false);
    expect(report.dnsPod.status).toBe("failed");
    expect(report.failures).toEqual([
      `DNS from a pod: pod kube-system/${name} exited 1: Server: 10.96.0.10 | Address: 10.96.0.10:53 | ** server can't find kubernetes.default.svc.cluster.local: NXDOMAIN`,
    ]);
    expect(requests).toContain(`/api/v1/namespaces/kube-system/pods/${name}/log?container=nslookup`);
    expect(pods.existing()).toEqual([]);
  });

  test("a pod never scheduled fails at the timeout with the scheduler's reason, and is deleted", async () => {
    pods.reset("never-scheduled");
    const started = Date.now();
    const report = await run({ dnsPodTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    const name = pods.created[0].metadata.name;
    expect(report.dnsPod).toEqual({
      status: "failed",
      pod: name,
      detail: `pod kube-system/${name} did not finish within 0.3s (Pending, not scheduled: Unschedulable 0/5 nodes are available: 5 node(s) had untolerated taint {dedicated: batch}.)`,
    });
    expect(report.valid).toBe(false);
    expect(pods.deleted).toEqual([name]);
    expect(pods.existing()).toEqual([]);
    expect(requests.filter((r) => r.startsWith("DELETE ")).map((r) => r.replace(/^DELETE /, ""))).toEqual([
      `/api/v1/namespaces/kube-system/pods/${name}`,
    ]);
  });

  test("an identity that may not create pods gets the check unchecked with the fix, not a failed validation", async () => {
    pods.reset("forbidden");
    const report = await run();
    expect(report.valid).toBe(true);
    expect(report.dnsPod.status).toBe("unchecked");
    expect(report.dnsPod.detail).toMatch(
      /the API refused creating pod kube-system\/immutable-clusters-dns-check-\w+ \(HTTP 403\); run validate as a role of access\.admins .*--skip-dns-pod/,
    );
    expect(pods.existing()).toEqual([]);
  });

  test("--skip-dns-pod creates no pod; without a ready CoreDNS endpoint no pod is created either", async () => {
    const skipped = await run({ skipDnsPod: true });
    expect(skipped.dnsPod).toEqual({ status: "unchecked", detail: "skipped (--skip-dns-pod)" });
    state.set("/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns", {
      items: [],
    });
    const noEndpoint = await run();
    expect(noEndpoint.dnsPod).toEqual({ status: "unchecked", detail: "not run: no ready CoreDNS endpoint" });
    expect(requests.filter((r) => POD_PATH.test(r.replace(/^\w+ /, "")))).toEqual([]);
  });
});
