// Tests the bring-up of a new cluster in a model (test/support/bring-up-model.ts) built from what the library
// synthesizes: every example generation on every supported Kubernetes version must reach a state where every pod of
// every addon runs; and the model's own rules, each on a small hand-made cluster, so that it cannot pass vacuously.
import { renderAddonManifests } from "../constructs/addons/render";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition, GenerationDefinition } from "../constructs/definition/types";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import { kubernetesObjects, type KubernetesObject } from "../constructs/testing/manifests";
import { clusters } from "../clusters";
import {
  CONTROL_PLANE_TAINT,
  modelNodes,
  nodeConfigFacts,
  NOT_READY_TAINT,
  simulateBringUp,
  UNINITIALIZED_TAINT,
  type ModelNode,
  type Taint,
} from "./support/bring-up-model";
import { checkedAddonObjects } from "./support/addon-objects";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

/** bringUp's results by cluster and generation: several tests read the same generation (nothing mutates a result). */
const broughtUp = new WeakMap<ClusterDefinition, Map<string, ReturnType<typeof bringUpWith>>>();

/**
 * Synthesizes a generation's manifests and node configs with the library's renderers, and runs the model on them; once
 * per cluster and generation definition in this file.
 */
function bringUp(cluster: ClusterDefinition, generation: GenerationDefinition) {
  const byGeneration = broughtUp.get(cluster) ?? new Map<string, ReturnType<typeof bringUpWith>>();
  broughtUp.set(cluster, byGeneration);
  const key = JSON.stringify(generation);
  if (!byGeneration.has(key)) byGeneration.set(key, bringUpWith(cluster, undefined, generation));
  return byGeneration.get(key)!;
}

/** bringUp with `workers` nodes per pool (by default each pool's desired capacity, at least one). */
function bringUpWith(cluster: ClusterDefinition, workerCounts?: Record<string, number>, generation = cluster.generations[0]) {
  const definition = { ...cluster, generations: cluster.generations.map((g) => (g.id === generation.id ? generation : g)) };
  const resolved = resolveGeneration(definition, generation);
  // The objects the YAML manifests carry (support/addon-objects.ts), without writing and parsing the YAML.
  const objects = checkedAddonObjects(resolved);
  const ignition: Record<string, unknown> = {
    "controller.ign": JSON.parse(renderNodeIgnition(resolved, { kind: "controller" })),
  };
  for (const pool of resolved.workerPools)
    ignition[`worker-${pool.name}.ign`] = JSON.parse(renderNodeIgnition(resolved, { kind: "worker", pool }));
  const facts = nodeConfigFacts(ignition);
  // Every pool gets at least one node, so a pool that scales out from zero later is covered too.
  const workers = workerCounts ?? Object.fromEntries(resolved.workerPools.map((p) => [p.name, Math.max(1, p.desiredCapacity)]));
  const nodes = modelNodes(facts, workers);
  const result = simulateBringUp({ objects, nodes, clusterDns: facts.clusterDns, kubeProxy: facts.kubeProxy });
  return { resolved, facts, objects, nodes, result };
}

const examples = clusters.flatMap((cluster) =>
  cluster.generations.flatMap((generation) =>
    SUPPORTED_KUBERNETES_VERSIONS.map((version) => ({
      label: `${cluster.name}/${generation.id} on Kubernetes ${version}`,
      cluster,
      generation: { ...generation, kubernetesVersion: version },
    })),
  ),
);

describe("bring-up of every example generation on every supported Kubernetes version", () => {
  test("the matrix is not empty", () => {
    expect(clusters.length).toBeGreaterThan(0);
    expect(SUPPORTED_KUBERNETES_VERSIONS.length).toBeGreaterThan(0);
    expect(examples.length).toBe(clusters.reduce((n, c) => n + c.generations.length, 0) * SUPPORTED_KUBERNETES_VERSIONS.length);
  });

  test("the model's objects are those the generation's YAML manifests read back as (support/addon-objects.ts)", () => {
    // staging/b: the example generation with the gateway (1.35: Cilium 1.19's file with the Gateway API CRDs).
    const staging = clusters.find((c) => c.name === "staging")!;
    const resolved = resolveGeneration(staging, staging.generations.find((g) => g.id === "b")!);
    const richest = { resolved, files: renderAddonManifests(resolved) };
    expect(richest.files.map((f) => f.name)).toContain("50-gateway.yaml");
    const objects = checkedAddonObjects(richest.resolved);
    expect(objects.filter((o) => o.kind === "CustomResourceDefinition").length).toBeGreaterThan(0);
    expect(kubernetesObjects(richest.files)).toEqual(objects);
  });

  test.each(examples.map((e) => [e.label, e] as const))("%s: every pod of every addon runs", (_label, example) => {
    const { result, facts, resolved } = bringUp(example.cluster, example.generation);
    // The node configs are read, not assumed: the cluster DNS and API name are the generation's.
    expect(facts.clusterDns).toEqual([resolved.clusterDnsIp]);
    expect(facts.apiEndpoint).toBe(resolved.apiEndpoint);
    expect(result.blocked).toEqual([]);
    expect(result.pods.length).toBeGreaterThan(0);
    // Every workload of the manifests has a pod that runs (a DaemonSet no node fits would otherwise pass vacuously).
    expect(
      result.workloads
        .filter((w) => !result.pods.some((p) => p.running && p.workload === w))
        .map((w) => `${w.kind} ${w.namespace}/${w.name}`),
    ).toEqual([]);
    // Bring-up is over: no node is left NotReady or uninitialized.
    for (const [node, taints] of result.nodeTaints)
      expect({ node, transient: taints.filter((t) => [NOT_READY_TAINT.key, UNINITIALIZED_TAINT.key].includes(t.key)) }).toEqual({
        node,
        transient: [],
      });
  });

  test("the order is the one the architecture states: CNI agent and operator and the cloud controller before CoreDNS", () => {
    const { result } = bringUp(examples[0].cluster, examples[0].generation);
    const first = (name: string) => Math.min(...result.pods.filter((p) => p.pod.includes(name)).map((p) => p.startedIn ?? Infinity));
    expect(first("DaemonSet kube-system/cilium ")).toBeLessThan(first("Deployment kube-system/coredns "));
    expect(first("Deployment kube-system/cilium-operator ")).toBeLessThan(first("Deployment kube-system/coredns "));
    expect(first("DaemonSet kube-system/aws-cloud-controller-manager ")).toBeLessThan(first("Deployment kube-system/coredns "));
  });
});

describe("generations whose Cilium replaces kube-proxy (the gateway's generations)", () => {
  const staging = clusters.find((c) => c.name === "staging")!;
  const b = staging.generations.find((g) => g.id === "b")!;
  const ciliumAgent = (objects: readonly KubernetesObject[]) =>
    objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "cilium") as unknown as {
      spec: { template: { spec: { containers: { env?: { name: string }[] }[]; initContainers?: { env?: { name: string }[] }[] } } };
    };

  test("staging/b (Kubernetes 1.35): kubeadm skips kube-proxy, Cilium replaces it, every pod still runs", () => {
    const { facts, objects, result } = bringUp(staging, b);
    expect(facts.kubeProxy).toBe(false);
    // Its Graviton pool's nodes carry the kubelet's arch label, read from the node binaries their config downloads.
    expect(facts.roles.get("graviton")?.labels["kubernetes.io/arch"]).toBe("arm64");
    const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config")!;
    expect((config.data as Record<string, string>)["kube-proxy-replacement"]).toBe("true");
    expect(result.blocked).toEqual([]);
    // The cloud controller reaches the API through the kubernetes Service: only once the agent routes it on its node.
    const first = (name: string) => Math.min(...result.pods.filter((p) => p.pod.includes(name)).map((p) => p.startedIn ?? Infinity));
    expect(first("DaemonSet kube-system/cilium ")).toBeLessThan(first("DaemonSet kube-system/aws-cloud-controller-manager "));
  });

  test("the agent reaches the API without the kubernetes Service: without its KUBERNETES_SERVICE_HOST nothing would start", () => {
    const { objects, nodes, facts } = bringUp(staging, b);
    const mutated = structuredClone(objects) as KubernetesObject[];
    const spec = ciliumAgent(mutated).spec.template.spec;
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])])
      c.env = (c.env ?? []).filter((e) => !e.name.startsWith("KUBERNETES_SERVICE_"));
    const result = simulateBringUp({ objects: mutated, nodes, clusterDns: facts.clusterDns, kubeProxy: facts.kubeProxy });
    expect(result.blocked.find((line) => line.startsWith("DaemonSet kube-system/cilium on controller-1"))).toContain(
      "reaches the API server through the kubernetes Service ClusterIP, which nothing routes: no kube-proxy (kubeadm skipped it) and the CNI agent's kube-proxy replacement is not running on controller-1",
    );
    // With kube-proxy the same manifests would come up: the rule is about kube-proxy's absence.
    expect(simulateBringUp({ objects: mutated, nodes, clusterDns: facts.clusterDns, kubeProxy: true }).blocked).toEqual([]);
  });

  test("generations before 1.33 keep kubeadm's kube-proxy and Cilium without replacement", () => {
    const prod = clusters.find((c) => c.name === "prod")!;
    const { facts, objects } = bringUp(prod, prod.generations[0]);
    expect(prod.generations[0].kubernetesVersion).toBe("1.31.0");
    expect(facts.kubeProxy).toBe(true);
    const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config")!;
    expect((config.data as Record<string, string>)["kube-proxy-replacement"]).toBe("false");
  });
});

describe("what the model reads from the node configs", () => {
  const cluster = sampleCluster({
    generations: [
      sampleGeneration({
        workerPools: [
          { name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4 },
          {
            name: "gpu",
            instanceTypes: ["g5.xlarge"],
            minSize: 0,
            maxSize: 2,
            labels: { "example.com/gpu": "true" },
            taints: [{ key: "example.com/gpu", value: "true", effect: "NoSchedule" }],
          },
        ],
      }),
    ],
  });
  const { facts } = bringUp(cluster, cluster.generations[0]);

  test("control-plane nodes get kubeadm's control-plane taint and label, and the cloud-provider-external kubelet", () => {
    const controller = facts.roles.get("controller")!;
    expect(controller.permanentTaints).toEqual([CONTROL_PLANE_TAINT]);
    expect(controller.labels).toMatchObject({ "node-role.kubernetes.io/control-plane": "", "kubernetes.io/arch": "amd64" });
    expect(controller.externalCloudProvider).toBe(true);
    expect(facts.controlPlaneCount).toBe(3);
  });

  test("workers carry their pool's labels and taints", () => {
    expect(facts.roles.get("general")!.permanentTaints).toEqual([]);
    expect(facts.roles.get("general")!.labels).toMatchObject({
      "immutable-clusters.io/pool": "general",
      "immutable-clusters.io/ingress": "true",
    });
    expect(facts.roles.get("gpu")!.permanentTaints).toEqual([{ key: "example.com/gpu", value: "true", effect: "NoSchedule" }]);
    expect(facts.roles.get("gpu")!.labels).toMatchObject({ "example.com/gpu": "true", "immutable-clusters.io/pool": "gpu" });
  });

  test("the cluster DNS comes up on the control plane alone, before any worker has joined (CoreDNS tolerates it, as kubeadm's)", () => {
    const { result } = bringUpWith(cluster, {});
    const dns = result.pods.filter((p) => p.workload.name === "coredns");
    expect(dns.length).toBe(2);
    expect(dns.filter((p) => !p.running).map((p) => `${p.pod}: ${p.blockedBy.join("; ")}`)).toEqual([]);
  });

  test("nodes start NotReady and uninitialized", () => {
    const nodes = modelNodes(facts, { general: 1 });
    const result = simulateBringUp({ objects: [], nodes, clusterDns: facts.clusterDns });
    for (const n of nodes) expect(result.nodeTaints.get(n.name)).toEqual(expect.arrayContaining([NOT_READY_TAINT, UNINITIALIZED_TAINT]));
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The model's rules, on hand-made clusters.

const API = "api.demo.internal.example.com";
const DNS_IP = "10.96.0.10";

function node(name: string, extra: Partial<ModelNode> = {}): ModelNode {
  return {
    name,
    role: name.replace(/-\d+$/, ""),
    labels: { "kubernetes.io/os": "linux", "kubernetes.io/hostname": name },
    permanentTaints: [],
    externalCloudProvider: true,
    ...extra,
  };
}
const controlPlane = (name: string) =>
  node(name, {
    labels: { "kubernetes.io/hostname": name, "node-role.kubernetes.io/control-plane": "" },
    permanentTaints: [CONTROL_PLANE_TAINT],
  });

type Spec = Record<string, unknown>;
function workload(kind: string, name: string, spec: Spec, replicas = 1): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace: "kube-system" },
    spec: {
      ...(kind === "DaemonSet" ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: "example" }], ...spec } },
    },
  };
}
const everywhere = [{ operator: "Exists" }];
const apiEnv = [{ name: "KUBERNETES_SERVICE_HOST", value: API }];
const cniAgent = (spec: Spec = {}) =>
  workload("DaemonSet", "cni", {
    hostNetwork: true,
    dnsPolicy: "Default",
    tolerations: everywhere,
    containers: [{ name: "agent", image: "example", env: apiEnv, volumeMounts: [{ name: "cni-conf", mountPath: "/host/etc/cni/net.d" }] }],
    volumes: [{ name: "cni-conf", hostPath: { path: "/etc/cni/net.d" } }],
    ...spec,
  });
const cloudController = (spec: Spec = {}) =>
  workload("DaemonSet", "ccm", {
    hostNetwork: true,
    dnsPolicy: "Default",
    nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
    tolerations: [
      { key: CONTROL_PLANE_TAINT.key, operator: "Exists" },
      { key: NOT_READY_TAINT.key, operator: "Exists" },
      { key: UNINITIALIZED_TAINT.key, value: "true", effect: "NoSchedule" },
    ],
    containers: [{ name: "ccm", image: "example", args: ["--cloud-provider=aws"] }],
    ...spec,
  });
const dnsService: KubernetesObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "kube-dns", namespace: "kube-system" },
  spec: { clusterIP: DNS_IP, selector: { app: "dns" } },
};
const coreDns = (spec: Spec = {}, replicas = 1) => workload("Deployment", "dns", { dnsPolicy: "Default", ...spec }, replicas);
const base = () => [cniAgent(), cloudController(), coreDns(), dnsService];

function run(objects: KubernetesObject[], nodes: ModelNode[] = [controlPlane("cp-1"), node("worker-1")]) {
  return simulateBringUp({ objects, nodes, clusterDns: [DNS_IP] });
}
const blockedLines = (result: ReturnType<typeof run>, name: string) => result.blocked.filter((b) => b.includes(name));

describe("the model's rules", () => {
  test("a healthy minimal cluster comes up, in the order CNI -> CoreDNS", () => {
    const result = run(base());
    expect(result.blocked).toEqual([]);
    expect(result.startOrder.indexOf("DaemonSet kube-system/cni")).toBeLessThan(result.startOrder.indexOf("Deployment kube-system/dns"));
  });

  test("a host-network agent resolving the API name through the cluster DNS deadlocks (the defect of issue 11 item 1)", () => {
    const result = run([cniAgent({ dnsPolicy: "ClusterFirstWithHostNet" }), cloudController(), coreDns(), dnsService]);
    expect(blockedLines(result, "DaemonSet kube-system/cni on cp-1")[0]).toContain(
      `cannot resolve ${API}: dnsPolicy ClusterFirstWithHostNet in the host network resolves through the cluster DNS (${DNS_IP})`,
    );
    expect(blockedLines(result, "Deployment kube-system/dns #1")[0]).toContain(
      "taint node.kubernetes.io/not-ready:NoSchedule not tolerated",
    );
  });

  test("ClusterFirst in the host network falls back to the node's resolver, as the kubelet does", () => {
    expect(run([cniAgent({ dnsPolicy: undefined }), cloudController(), coreDns(), dnsService]).blocked).toEqual([]);
  });

  test("a pod without the not-ready toleration stays Pending until the CNI runs on a node", () => {
    const result = run([
      cniAgent({ nodeSelector: { "node-role.kubernetes.io/control-plane": "" } }),
      cloudController(),
      coreDns(),
      dnsService,
    ]);
    // worker-1 never gets the CNI; cp-1 has the control-plane taint CoreDNS does not tolerate.
    expect(blockedLines(result, "Deployment kube-system/dns #1")).toEqual([
      expect.stringMatching(
        /Pending, not scheduled; cp-1: taint node-role.kubernetes.io\/control-plane:NoSchedule not tolerated; worker-1: taint node.kubernetes.io\/not-ready:NoSchedule not tolerated/,
      ),
    ]);
  });

  test("without a cloud controller, nodes stay uninitialized and pods that do not tolerate it stay Pending", () => {
    const result = run([cniAgent(), coreDns(), dnsService]);
    expect(result.nodeTaints.get("worker-1")).toEqual([UNINITIALIZED_TAINT]);
    expect(blockedLines(result, "Deployment kube-system/dns #1")[0]).toContain(
      "worker-1: taint node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule not tolerated",
    );
  });

  test("a cloud controller without the not-ready toleration waits for the CNI (it still comes up)", () => {
    const result = run([
      cniAgent(),
      cloudController({
        tolerations: [
          { key: CONTROL_PLANE_TAINT.key, operator: "Exists" },
          { key: UNINITIALIZED_TAINT.key, operator: "Exists" },
        ],
      }),
      coreDns(),
      dnsService,
    ]);
    expect(result.blocked).toEqual([]);
    expect(result.startOrder.indexOf("DaemonSet kube-system/ccm")).toBeGreaterThan(result.startOrder.indexOf("DaemonSet kube-system/cni"));
  });

  test("a DaemonSet does not get not-ready:NoSchedule tolerated for free: a CNI agent without it never starts", () => {
    const result = run([
      cniAgent({
        tolerations: [
          { key: CONTROL_PLANE_TAINT.key, operator: "Exists" },
          { key: UNINITIALIZED_TAINT.key, operator: "Exists" },
        ],
      }),
      cloudController(),
      coreDns(),
      dnsService,
    ]);
    expect(blockedLines(result, "DaemonSet kube-system/cni on worker-1")[0]).toContain(
      "taint node.kubernetes.io/not-ready:NoSchedule not tolerated",
    );
  });

  test("a pod that is not in the host network needs the CNI on its node, even when it tolerates not-ready", () => {
    const result = run([
      cniAgent({ nodeSelector: { "node-role.kubernetes.io/control-plane": "" } }),
      cloudController(),
      coreDns({ tolerations: everywhere, nodeSelector: { "kubernetes.io/hostname": "worker-1" } }),
      dnsService,
    ]);
    expect(blockedLines(result, "Deployment kube-system/dns #1")[0]).toContain(
      "no pod network on worker-1: the CNI agent (DaemonSet kube-system/cni) is not running there",
    );
  });

  test("a pod configured with a cluster service name needs the cluster DNS; through the node it never resolves", () => {
    const client = (dnsPolicy: string) =>
      workload("Deployment", `client-${dnsPolicy.toLowerCase()}`, {
        dnsPolicy,
        containers: [{ name: "c", image: "example", args: ["--url=http://prometheus.monitoring.svc:9090"] }],
      });
    const result = run([...base(), client("ClusterFirst"), client("Default")]);
    expect(blockedLines(result, "client-clusterfirst")).toEqual([]);
    expect(blockedLines(result, "Deployment kube-system/client-default #1")[0]).toContain(
      "cannot resolve the cluster name prometheus.monitoring.svc: dnsPolicy Default resolves through the node",
    );
  });

  test("names in a mounted ConfigMap count", () => {
    const config: KubernetesObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "kube-system" },
      data: { "a.conf": "Kube_URL https://kubernetes.default.svc:443" },
    };
    const agent = workload("DaemonSet", "logs", {
      hostNetwork: true,
      tolerations: everywhere,
      volumes: [{ name: "c", configMap: { name: "cfg" } }],
    });
    expect(blockedLines(run([...base(), config, agent]), "DaemonSet kube-system/logs on worker-1")[0]).toContain(
      "cannot resolve the cluster name kubernetes.default.svc: dnsPolicy ClusterFirst in the host network resolves through the node",
    );
  });

  test("nodeSelector and required anti-affinity limit where replicas go", () => {
    const spread = coreDns(
      {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { app: "dns" } }, topologyKey: "kubernetes.io/hostname" },
            ],
          },
        },
      },
      3,
    );
    const result = run([cniAgent(), cloudController(), spread, dnsService], [controlPlane("cp-1"), node("worker-1"), node("worker-2")]);
    expect(result.blocked).toEqual([
      expect.stringContaining(
        "Deployment kube-system/dns #3: Pending, not scheduled; cp-1: taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated; worker-1: required pod anti-affinity",
      ),
    ]);
    const selected = run([...base(), workload("Deployment", "picky", { nodeSelector: { disk: "ssd" } })]);
    expect(blockedLines(selected, "picky")[0]).toContain("worker-1: nodeSelector disk=ssd does not match");
  });

  test("a DaemonSet runs only where its selector fits and its lasting taints are tolerated; transient taints do not excuse it", () => {
    const tainted = node("batch-1", { permanentTaints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" } as Taint] });
    const daemon = workload("DaemonSet", "exporter", {
      hostNetwork: true,
      tolerations: [
        { key: NOT_READY_TAINT.key, operator: "Exists" },
        { key: UNINITIALIZED_TAINT.key, operator: "Exists" },
      ],
    });
    const result = run([...base(), daemon], [controlPlane("cp-1"), node("worker-1"), tainted]);
    expect(result.pods.filter((p) => p.workload.name === "exporter").map((p) => p.pod)).toEqual([
      "DaemonSet kube-system/exporter on worker-1",
    ]);
    expect(result.blocked).toEqual([]);
  });

  test("Cilium's cluster-pool IPAM: the agent waits for the operator", () => {
    const config: KubernetesObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cilium-config", namespace: "kube-system" },
      data: { ipam: "cluster-pool" },
    };
    const operator = (tolerations: unknown[]) =>
      workload("Deployment", "cilium-operator", {
        hostNetwork: true,
        tolerations,
        containers: [{ name: "o", image: "example", command: ["cilium-operator-generic"] }],
      });
    expect(run([...base(), config, operator(everywhere)]).blocked).toEqual([]);
    const stuck = run([...base(), config, operator([])]);
    expect(blockedLines(stuck, "DaemonSet kube-system/cni on worker-1")[0]).toContain(
      "waits for its node's pod CIDR from the IPAM operator Deployment kube-system/cilium-operator, which is not running",
    );
  });

  test("a DaemonSet that no node fits is reported, not passed over", () => {
    const result = run([...base(), workload("DaemonSet", "ingress", { nodeSelector: { "example.com/ingress": "true" } })]);
    expect(result.blocked).toEqual([
      "DaemonSet kube-system/ingress: runs on no node: cp-1: nodeSelector example.com/ingress=true does not match; taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated; worker-1: nodeSelector example.com/ingress=true does not match",
    ]);
  });

  test("without kube-proxy, a host-network client of the kubernetes Service waits for a kube-proxy replacement", () => {
    const replacing: KubernetesObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cilium-config", namespace: "kube-system" },
      data: { "kube-proxy-replacement": "true" },
    };
    const noProxy = (objects: KubernetesObject[]) =>
      simulateBringUp({ objects, nodes: [controlPlane("cp-1"), node("worker-1")], clusterDns: [DNS_IP], kubeProxy: false });
    // The cloud controller (no KUBERNETES_SERVICE_HOST of its own) starts after the replacing agent on its node.
    const replaced = noProxy([...base(), replacing]);
    expect(replaced.blocked).toEqual([]);
    expect(replaced.startOrder.indexOf("DaemonSet kube-system/ccm")).toBeGreaterThan(
      replaced.startOrder.indexOf("DaemonSet kube-system/cni"),
    );
    // Without a replacement nothing routes the Service: the cloud controller never starts, and nodes stay uninitialized.
    expect(blockedLines(noProxy(base()), "DaemonSet kube-system/ccm on cp-1")[0]).toContain(
      "reaches the API server through the kubernetes Service ClusterIP, which nothing routes: no kube-proxy (kubeadm skipped it) and no kube-proxy replacement on cp-1",
    );
  });

  test("a kind that runs pods but is not modelled is refused, not skipped", () => {
    expect(() =>
      run([...base(), { apiVersion: "batch/v1", kind: "Job", metadata: { name: "once", namespace: "kube-system" }, spec: {} }]),
    ).toThrow("Job kube-system/once: the bring-up model does not simulate Job; add it");
  });
});
