// Test support: a model of a new cluster's bring-up, built from a generation's SYNTHESIZED addon manifests and node
// configs. Nodes start NotReady and uninitialized; pods start only when they tolerate their node's taints, match its
// selectors, have a network and can resolve every name they need; the model iterates to a fixed point and reports, for
// every pod that never runs, what blocks it. We cannot run a kube-apiserver, kubelet or Cilium here, so every rule below
// is taken from the upstream source that implements it (cited beside the rule).
import { isIP } from "node:net";
import { parseAllDocuments } from "yaml";
import { decodeDataUrl } from "../../constructs/ignition/builder";
import type { KubernetesObject } from "../../constructs/testing/manifests";

// ---------------------------------------------------------------------------------------------------------------------
// Taints and tolerations

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: "Exists" | "Equal";
  readonly value?: string;
  readonly effect?: string;
}

/**
 * Added to every node at creation by the NodeTaint admission plugin (kubernetes/kubernetes
 * plugin/pkg/admission/nodetaint/admission.go, addNotReadyTaint); the node lifecycle controller removes it once the
 * node's Ready condition is True (pkg/controller/nodelifecycle/node_lifecycle_controller.go,
 * nodeConditionToTaintKeyStatusMap / doNoScheduleTaintingPass). The kubelet reports Ready only when the container
 * runtime reports NetworkReady, i.e. once a CNI config exists in /etc/cni/net.d (pkg/kubelet/nodestatus/setters.go
 * ReadyCondition; containerd's CRI plugin), which the CNI agent writes on its node.
 */
export const NOT_READY_TAINT: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" };

/**
 * Added by a kubelet started with `--cloud-provider=external` when it registers its node (kubernetes/kubernetes
 * pkg/kubelet/kubelet_node_status.go initialNode: cloudproviderapi.TaintExternalCloudProvider, value "true",
 * NoSchedule); removed by the cloud controller manager's node controller once it initialized the node
 * (k8s.io/cloud-provider controllers/node/node_controller.go syncNode: excludeCloudTaint).
 */
export const UNINITIALIZED_TAINT: Taint = { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" };

/**
 * kubeadm's control-plane taint (cmd/kubeadm/app/constants ControlPlaneTaint), which kubeadm puts on a control-plane
 * node when its nodeRegistration.taints is nil, and not when it is an empty list (cmd/kubeadm/app/util/config
 * SetNodeRegistrationDynamicDefaults: "Only if the slice is nil, we should append the control-plane taint").
 */
export const CONTROL_PLANE_TAINT: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

/** The label kubeadm's mark-control-plane phase puts on control-plane nodes. */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

/**
 * Tolerations the DaemonSet controller adds to every daemon pod (kubernetes/kubernetes
 * pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations): not-ready and unreachable for
 * NoExecute only, the pressure and unschedulable taints for NoSchedule, and network-unavailable for host-network pods.
 * Note that not-ready:NoSchedule is NOT among them: a daemon pod must tolerate it itself to run on a NotReady node.
 */
function daemonSetTolerations(hostNetwork: boolean): Toleration[] {
  return [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ...(hostNetwork ? [{ key: "node.kubernetes.io/network-unavailable", operator: "Exists" as const, effect: "NoSchedule" }] : []),
  ];
}

/** k8s.io/api core/v1 toleration.go ToleratesTaint: empty effect matches every effect, empty key + Exists every key. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== "Exists") return false;
  if (toleration.operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** The taints of a node a pod does not tolerate (PreferNoSchedule never blocks: the scheduler only scores it). */
export function untoleratedTaints(tolerations: readonly Toleration[], taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect !== "PreferNoSchedule" && !tolerations.some((tol) => tolerates(tol, t)));
}

const taintText = (t: Taint) => `${t.key}${t.value !== undefined ? `=${t.value}` : ""}:${t.effect}`;

// ---------------------------------------------------------------------------------------------------------------------
// Nodes, from the node configs

export interface ModelNode {
  readonly name: string;
  /** `controller` or the worker pool's name. */
  readonly role: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The taints the node keeps once bring-up is over (kubeadm's control-plane taint, the pool's taints). */
  readonly permanentTaints: readonly Taint[];
  /** Whether its kubelet runs with `--cloud-provider=external` (so it starts with the uninitialized taint). */
  readonly externalCloudProvider: boolean;
}

/** What the model reads from a generation's node configs (parsed Ignition JSON by file name, e.g. `controller.ign`). */
export interface NodeConfigFacts {
  /** kubelet's `clusterDNS` (KubeletConfiguration of init.yaml, which kubeadm uploads for every node to use). */
  readonly clusterDns: readonly string[];
  /** The API endpoint the nodes use (host of ClusterConfiguration.controlPlaneEndpoint). */
  readonly apiEndpoint: string;
  /** CONTROL_PLANE_COUNT of the controller's cluster.env. */
  readonly controlPlaneCount: number;
  /** One template node per role: `controller`, and each pool by name. */
  readonly roles: ReadonlyMap<string, Omit<ModelNode, "name">>;
  /**
   * Labels an admin process on the control plane sets on worker nodes after they register (labels a kubelet may not
   * set on itself), by pool: read from the ingress labeler the controller config ships, when it ships one.
   */
  readonly adminLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /**
   * Whether kubeadm installs kube-proxy: its init phase `addon/kube-proxy` (kubernetes.io/docs/reference/setup-tools/
   * kubeadm/generated/kubeadm_init/kubeadm_init_phase_addon_kube-proxy) runs unless InitConfiguration.skipPhases names
   * it or its parent phase `addon`.
   */
  readonly kubeProxy: boolean;
}

interface IgnitionFile {
  path: string;
  contents?: { source?: string; compression?: string };
}

/** The text of one file of an Ignition config, or undefined when it has none at that path. */
function optionalIgnitionFile(config: unknown, path: string): string | undefined {
  const files = ((config as { storage?: { files?: IgnitionFile[] } }).storage?.files ?? []) as IgnitionFile[];
  const file = files.find((f) => f.path === path);
  return file?.contents?.source ? decodeDataUrl(file.contents.source, file.contents.compression) : undefined;
}

/** The text of one file of an Ignition config; throws naming the file when it is missing. */
export function ignitionFile(config: unknown, path: string, configName: string): string {
  const text = optionalIgnitionFile(config, path);
  if (text === undefined) throw new Error(`${configName}: no inline file ${path} in the node config`);
  return text;
}

/**
 * The ingress labeler's effect (constructs/ignition/ingress-node-labels.ts): its script's LABEL goes (=true) on the
 * nodes of the pools its ingress-pools.env lists. Empty when the controller config ships no labeler.
 */
function ingressLabelerLabels(controller: unknown): Map<string, Record<string, string>> {
  const script = optionalIgnitionFile(controller, "/opt/immutable-clusters/bin/label-ingress-nodes.sh");
  const pools = optionalIgnitionFile(controller, "/etc/immutable-clusters/ingress-pools.env");
  const label = script && /^LABEL="([^"]+)"$/m.exec(script)?.[1];
  if (!label || pools === undefined) return new Map();
  const names = (/^INGRESS_POOLS=(.*)$/m.exec(pools)?.[1] ?? "").split(/\s+/).filter(Boolean);
  return new Map(names.map((pool) => [pool, { [label]: "true" }]));
}

type KubeadmDoc = { kind?: string; [key: string]: unknown };
const yamlDocs = (text: string): KubeadmDoc[] => parseAllDocuments(text).map((d) => d.toJS() as KubeadmDoc);
type NodeRegistration = { taints?: Taint[] | null; kubeletExtraArgs?: { name: string; value: string }[] };

/**
 * The CPU architecture of a role's nodes: the one of the Kubernetes node binaries its config downloads
 * (`kubernetes-node-linux-<arch>.tar.gz`, constructs/ignition/kubernetes-releases.ts), which the kubelet reports as the
 * `kubernetes.io/arch` label (runtime.GOARCH; kubernetes/kubernetes pkg/kubelet/kubelet_node_status.go initialNode).
 */
function nodeArchitecture(config: unknown, configName: string): string {
  const arch = /kubernetes-node-linux-([a-z0-9]+)\.tar\.gz/.exec(JSON.stringify(config))?.[1];
  if (!arch) throw new Error(`${configName}: no kubernetes-node-linux-<arch>.tar.gz download, so no node architecture`);
  return arch;
}

function roleFromRegistration(role: string, registration: NodeRegistration, controlPlane: boolean, arch: string): Omit<ModelNode, "name"> {
  const args = new Map((registration.kubeletExtraArgs ?? []).map((a) => [a.name, a.value]));
  const labels: Record<string, string> = { "kubernetes.io/os": "linux", "kubernetes.io/arch": arch };
  for (const pair of (args.get("node-labels") ?? "").split(",").filter(Boolean)) {
    const [key, value = ""] = pair.split("=");
    labels[key] = value;
  }
  // kubeadm's taint default (see CONTROL_PLANE_TAINT): nil -> the control-plane taint on control-plane nodes.
  const taints = registration.taints ?? (controlPlane ? [CONTROL_PLANE_TAINT] : []);
  if (controlPlane) labels[CONTROL_PLANE_LABEL] = "";
  return { role, labels, permanentTaints: taints, externalCloudProvider: args.get("cloud-provider") === "external" };
}

const KUBEADM_DIR = "/etc/immutable-clusters/kubeadm";

/** Reads taints, labels, clusterDNS and the API endpoint from a generation's node configs. */
export function nodeConfigFacts(ignition: Readonly<Record<string, unknown>>): NodeConfigFacts {
  const controller = ignition["controller.ign"];
  if (!controller) throw new Error(`no controller.ign among the node configs (${Object.keys(ignition).join(", ")})`);
  const init = yamlDocs(ignitionFile(controller, `${KUBEADM_DIR}/init.yaml`, "controller.ign"));
  const joinController = yamlDocs(ignitionFile(controller, `${KUBEADM_DIR}/join-controller.yaml`, "controller.ign"));
  const kubelet = init.find((d) => d.kind === "KubeletConfiguration") as { clusterDNS?: string[] } | undefined;
  const cluster = init.find((d) => d.kind === "ClusterConfiguration") as { controlPlaneEndpoint?: string } | undefined;
  const initDoc = init.find((d) => d.kind === "InitConfiguration") as { nodeRegistration: NodeRegistration; skipPhases?: string[] };
  const initRegistration = initDoc.nodeRegistration;
  const skipped = initDoc.skipPhases ?? [];
  const kubeProxy = !["addon/kube-proxy", "addon"].some((phase) => skipped.includes(phase));
  const joinRegistration = (joinController.find((d) => d.kind === "JoinConfiguration") as { nodeRegistration: NodeRegistration })
    .nodeRegistration;
  const env = ignitionFile(controller, "/etc/immutable-clusters/cluster.env", "controller.ign");
  const count = Number(/^CONTROL_PLANE_COUNT=(\d+)$/m.exec(env)?.[1]);
  if (!Number.isInteger(count) || count < 1) throw new Error("controller.ign: cluster.env has no CONTROL_PLANE_COUNT");

  const roles = new Map<string, Omit<ModelNode, "name">>();
  const controllerArch = nodeArchitecture(controller, "controller.ign");
  const first = roleFromRegistration("controller", initRegistration, true, controllerArch);
  const others = roleFromRegistration("controller", joinRegistration, true, controllerArch);
  if (JSON.stringify(first) !== JSON.stringify(others))
    throw new Error("controller.ign: init.yaml and join-controller.yaml register control-plane nodes differently");
  roles.set("controller", first);
  for (const [file, config] of Object.entries(ignition)) {
    const pool = /^worker-(.+)\.ign$/.exec(file)?.[1];
    if (!pool) continue;
    const join = yamlDocs(ignitionFile(config, `${KUBEADM_DIR}/join-worker.yaml`, file));
    const registration = (join.find((d) => d.kind === "JoinConfiguration") as { nodeRegistration: NodeRegistration }).nodeRegistration;
    roles.set(pool, roleFromRegistration(pool, registration, false, nodeArchitecture(config, file)));
  }
  return {
    clusterDns: kubelet?.clusterDNS ?? [],
    apiEndpoint: (cluster?.controlPlaneEndpoint ?? "").replace(/:\d+$/, ""),
    controlPlaneCount: count,
    roles,
    adminLabels: ingressLabelerLabels(controller),
    kubeProxy,
  };
}

/** The nodes of a new generation: the control plane, then `workers[pool]` nodes of each pool. */
export function modelNodes(facts: NodeConfigFacts, workers: Readonly<Record<string, number>>): ModelNode[] {
  const nodes: ModelNode[] = [];
  const add = (role: string, count: number) => {
    const template = facts.roles.get(role);
    if (!template) throw new Error(`no node config for role ${role} (have ${[...facts.roles.keys()].join(", ")})`);
    for (let i = 1; i <= count; i++) {
      const name = `${role}-${i}`;
      // Admin-set labels are there from the start: the labeler is a host process on the control plane, needing no pod.
      const labels = { ...template.labels, ...facts.adminLabels.get(role), "kubernetes.io/hostname": name };
      nodes.push({ ...template, name, labels });
    }
  };
  add("controller", facts.controlPlaneCount);
  for (const [pool, count] of Object.entries(workers)) add(pool, count);
  return nodes;
}

// ---------------------------------------------------------------------------------------------------------------------
// Pods, from the manifests

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[] };
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: LabelSelector[] } };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { labelSelector: LabelSelector; topologyKey: string }[] };
  };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { configMap?: { name: string }; projected?: { sources?: { configMap?: { name: string } }[] } }[];
}

/** One workload of the manifests, as the model sees it. */
export interface Workload {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  /** Names the pod must resolve to do its job (the API endpoint by name, cluster service names it is configured with). */
  readonly names: readonly string[];
  /**
   * Whether it reaches the API server through the `kubernetes` Service's ClusterIP: it gets a service account token
   * and sets no KUBERNETES_SERVICE_HOST of its own. The kubelet gives every container KUBERNETES_SERVICE_HOST/PORT of
   * the default namespace's `kubernetes` Service unless the container sets them (kubernetes/kubernetes
   * pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: service variables first, the container's env overrides),
   * and client-go's rest.InClusterConfig dials exactly that.
   */
  readonly viaKubernetesService: boolean;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
/** Kinds that run pods the model does not simulate: refused rather than skipped, so a new one cannot go unchecked. */
const OTHER_POD_KINDS = new Set(["Pod", "ReplicaSet", "Job", "CronJob", "ReplicationController"]);

/** `<service>.<namespace>.svc[.cluster.local]`: a name only the cluster DNS answers. */
const CLUSTER_NAME = /\b[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc(\.cluster\.local)?\b/g;

function namesOf(spec: PodSpec, namespace: string, configMaps: ReadonlyMap<string, string>): string[] {
  const names = new Set<string>();
  const texts: string[] = [];
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    texts.push(...(c.command ?? []), ...(c.args ?? []));
    for (const e of c.env ?? []) {
      if (e.value === undefined) continue;
      // client-go's in-cluster config dials KUBERNETES_SERVICE_HOST: a name there must resolve (Cilium's k8sServiceHost).
      if (e.name === "KUBERNETES_SERVICE_HOST" && isIP(e.value) === 0) names.add(e.value);
      texts.push(e.value);
    }
  }
  for (const v of spec.volumes ?? []) {
    for (const ref of [v.configMap, ...(v.projected?.sources ?? []).map((s) => s.configMap)]) {
      const data = ref && configMaps.get(`${namespace}/${ref.name}`);
      if (data) texts.push(data);
    }
  }
  for (const text of texts) for (const m of text.matchAll(CLUSTER_NAME)) names.add(m[0]);
  return [...names].sort();
}

/** The workloads of some manifests; throws on a pod-running kind the model does not know. */
export function workloadsOf(objects: readonly KubernetesObject[]): Workload[] {
  const configMaps = new Map<string, string>();
  for (const o of objects)
    if (o.kind === "ConfigMap") configMaps.set(`${o.metadata.namespace}/${o.metadata.name}`, Object.values(o.data ?? {}).join("\n"));
  const workloads: Workload[] = [];
  for (const o of objects) {
    if (OTHER_POD_KINDS.has(o.kind))
      throw new Error(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: the bring-up model does not simulate ${o.kind}; add it`);
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const spec = o.spec as { replicas?: number; template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } };
    const namespace = o.metadata.namespace ?? "default";
    workloads.push({
      kind: o.kind as Workload["kind"],
      namespace,
      name: o.metadata.name,
      replicas: o.kind === "DaemonSet" ? 0 : (spec.replicas ?? 1),
      labels: spec.template.metadata?.labels ?? {},
      spec: spec.template.spec,
      names: namesOf(spec.template.spec, namespace, configMaps),
      viaKubernetesService:
        (spec.template.spec as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !== false &&
        !spec.template.spec.containers.some((c) => (c.env ?? []).some((e) => e.name === "KUBERNETES_SERVICE_HOST")),
    });
  }
  return workloads;
}

// ---------------------------------------------------------------------------------------------------------------------
// DNS

/**
 * Where a pod's resolver points, as the kubelet decides it (kubernetes/kubernetes pkg/kubelet/network/dns/dns.go
 * getPodDNSType): ClusterFirstWithHostNet -> the cluster DNS; ClusterFirst (the default) -> the cluster DNS, except
 * for a host-network pod, which falls back to Default; Default -> the node's resolv.conf (here the VPC resolver, which
 * answers the generation's private API name); None -> the dnsConfig nameservers.
 */
export function resolverOf(spec: PodSpec, clusterDns: readonly string[]): "node" | "cluster" | "none" {
  const policy = spec.dnsPolicy ?? "ClusterFirst";
  if (policy === "ClusterFirstWithHostNet") return "cluster";
  if (policy === "ClusterFirst") return spec.hostNetwork ? "node" : "cluster";
  if (policy === "Default") return "node";
  return (spec.dnsConfig?.nameservers ?? []).some((n) => clusterDns.includes(n)) ? "cluster" : "none";
}

const isClusterName = (name: string) => /\.svc(\.cluster\.local)?$/.test(name);

// ---------------------------------------------------------------------------------------------------------------------
// The simulation

export interface BringUpInput {
  readonly objects: readonly KubernetesObject[];
  readonly nodes: readonly ModelNode[];
  /** kubelet's clusterDNS. */
  readonly clusterDns: readonly string[];
  /** Whether kubeadm installed kube-proxy (NodeConfigFacts.kubeProxy); the hand-made clusters of the tests have it. @default true */
  readonly kubeProxy?: boolean;
}

export interface PodState {
  /** e.g. `DaemonSet kube-system/cilium on controller-1`, `Deployment kube-system/coredns #2`. */
  readonly pod: string;
  readonly workload: Workload;
  /** A daemon pod's node, fixed by the DaemonSet controller. */
  readonly pinnedTo?: string;
  /** Set once scheduled. */
  node?: string;
  running: boolean;
  /** The round in which it started (0 = among the first). */
  startedIn?: number;
  /** Why it is not running, as of the fixed point. */
  blockedBy: string[];
}

export interface BringUpResult {
  readonly pods: readonly PodState[];
  /** Every workload of the manifests. */
  readonly workloads: readonly Workload[];
  /** One line per pod that never runs: the pod, then every condition that blocks it. */
  readonly blocked: readonly string[];
  /** The taints each node still has at the fixed point. */
  readonly nodeTaints: ReadonlyMap<string, readonly Taint[]>;
  /** The order in which workloads first had a Running pod. */
  readonly startOrder: readonly string[];
}

const workloadName = (w: Workload) => `${w.kind} ${w.namespace}/${w.name}`;

function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === "In" && !(has && (e.values ?? []).includes(value))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** Why the node's labels do not fit the pod's nodeSelector / required node affinity; empty when they do. */
function labelMisfit(spec: PodSpec, node: ModelNode): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (node.labels[k] !== v) out.push(`nodeSelector ${k}=${v} does not match`);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => selectorMatches(t, node.labels))) out.push("required node affinity does not match");
  return out;
}

/** Identifies the CNI agent: the DaemonSet that mounts the host's /etc/cni/net.d writable (where it writes the CNI config). */
function isCniAgent(w: Workload, objects: readonly KubernetesObject[]): boolean {
  if (w.kind !== "DaemonSet") return false;
  const template = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === w.name && o.metadata.namespace === w.namespace);
  const spec = (template?.spec as { template: { spec: PodSpec & { volumes?: { name: string; hostPath?: { path: string } }[] } } }).template
    .spec;
  const volume = (spec.volumes ?? []).find((v) => (v as { hostPath?: { path: string } }).hostPath?.path === "/etc/cni/net.d") as
    | { name: string }
    | undefined;
  if (!volume) return false;
  return spec.containers.some((c) =>
    ((c as { volumeMounts?: { name: string; readOnly?: boolean }[] }).volumeMounts ?? []).some(
      (m) => m.name === volume.name && !m.readOnly,
    ),
  );
}

/** Identifies the cloud controller manager: a container started with `--cloud-provider=<a provider>`. */
const isCloudController = (w: Workload) =>
  w.spec.containers.some((c) => [...(c.command ?? []), ...(c.args ?? [])].some((a) => /^--cloud-provider=(?!external$)\S+$/.test(a)));

/**
 * With Cilium's cluster-pool IPAM the operator hands each node its pod CIDR (CiliumNode spec.ipam.podCIDRs); the agent
 * waits for it before it writes the CNI config (docs.cilium.io/en/stable/network/concepts/ipam/cluster-pool/). Returns
 * the operator workload when the manifests configure cluster-pool IPAM.
 */
function ipamAllocator(objects: readonly KubernetesObject[], workloads: readonly Workload[]): Workload | undefined {
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config");
  if ((config?.data as Record<string, string> | undefined)?.ipam !== "cluster-pool") return undefined;
  const operator = workloads.find((w) => w.spec.containers.some((c) => (c.command ?? []).some((a) => a.startsWith("cilium-operator"))));
  if (!operator) throw new Error("cilium-config uses cluster-pool IPAM but no cilium-operator workload is in the manifests");
  return operator;
}

/**
 * Whether the manifests' Cilium replaces kube-proxy: cilium-config `kube-proxy-replacement: "true"` (the agent then
 * load-balances every Service ClusterIP itself, docs.cilium.io network/kubernetes/kubeproxy-free).
 */
function kubeProxyReplacement(objects: readonly KubernetesObject[]): boolean {
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config");
  return (config?.data as Record<string, string> | undefined)?.["kube-proxy-replacement"] === "true";
}

/** The Service at kubelet's clusterDNS address, and the workloads behind it. */
function clusterDnsWorkloads(
  objects: readonly KubernetesObject[],
  workloads: readonly Workload[],
  clusterDns: readonly string[],
): Workload[] {
  const service = objects.find((o) => o.kind === "Service" && clusterDns.includes((o.spec as { clusterIP?: string }).clusterIP ?? ""));
  if (!service) return [];
  const selector = (service.spec as { selector?: Record<string, string> }).selector ?? {};
  return workloads.filter(
    (w) =>
      w.namespace === service.metadata.namespace &&
      Object.keys(selector).length > 0 &&
      selectorMatches({ matchLabels: selector }, w.labels),
  );
}

/**
 * Simulates a new cluster from time zero, when every manifest has been applied at once (the leader's server-side apply)
 * and, unless kubeadm skipped it, kubeadm's own kube-proxy DaemonSet runs on every node (it tolerates every taint and
 * uses the host network), until nothing changes. Capacity (CPU, memory, pod count), image pulls and host-port clashes are not modelled.
 */
export function simulateBringUp(input: BringUpInput): BringUpResult {
  const { objects, nodes, clusterDns } = input;
  const workloads = workloadsOf(objects);
  const cniAgents = workloads.filter((w) => isCniAgent(w, objects));
  const cloudControllers = workloads.filter(isCloudController);
  const dnsServers = clusterDnsWorkloads(objects, workloads, clusterDns);
  const ipam = ipamAllocator(objects, workloads);
  const kubeProxy = input.kubeProxy ?? true;
  const replacesKubeProxy = kubeProxyReplacement(objects);

  const taints = new Map<string, Taint[]>(
    nodes.map((n) => [n.name, [...n.permanentTaints, NOT_READY_TAINT, ...(n.externalCloudProvider ? [UNINITIALIZED_TAINT] : [])]]),
  );
  const pods: PodState[] = [];
  for (const w of workloads) {
    if (w.kind === "DaemonSet") {
      // The DaemonSet controller wants a pod on every node whose labels fit and whose lasting taints it tolerates.
      const tolerations = [...(w.spec.tolerations ?? []), ...daemonSetTolerations(w.spec.hostNetwork === true)];
      for (const n of nodes)
        if (labelMisfit(w.spec, n).length === 0 && untoleratedTaints(tolerations, n.permanentTaints).length === 0)
          pods.push({ pod: `${workloadName(w)} on ${n.name}`, workload: w, pinnedTo: n.name, running: false, blockedBy: [] });
    } else {
      for (let i = 1; i <= w.replicas; i++) pods.push({ pod: `${workloadName(w)} #${i}`, workload: w, running: false, blockedBy: [] });
    }
  }
  const candidatesOf = (p: PodState) => (p.pinnedTo === undefined ? nodes : nodes.filter((n) => n.name === p.pinnedTo));
  const anyRunning = (ws: readonly Workload[]) => pods.some((p) => p.running && ws.includes(p.workload));
  const networkReady = (node: string) => pods.some((p) => p.running && p.node === node && cniAgents.includes(p.workload));
  // Service ClusterIPs are routed on a node by kube-proxy (kubeadm's DaemonSet, on every node from the start) or, when
  // kubeadm skipped it, by the CNI agent's kube-proxy replacement once that agent runs on the node.
  const servicesRouted = (node: string) => kubeProxy || (replacesKubeProxy && networkReady(node));
  const noServiceRouting = (node: string) =>
    `no kube-proxy (kubeadm skipped it) and ${replacesKubeProxy ? "the CNI agent's kube-proxy replacement is not running" : "no kube-proxy replacement"} on ${node}`;
  const startOrder: string[] = [];

  const scheduleProblems = (p: PodState, n: ModelNode): string[] => {
    const w = p.workload;
    const tolerations = [
      ...(w.spec.tolerations ?? []),
      ...(w.kind === "DaemonSet" ? daemonSetTolerations(w.spec.hostNetwork === true) : []),
    ];
    const out = [
      ...labelMisfit(w.spec, n),
      ...untoleratedTaints(tolerations, taints.get(n.name) ?? []).map((t) => `taint ${taintText(t)} not tolerated`),
    ];
    for (const term of w.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const domain = n.labels[term.topologyKey];
      const clash = pods.some(
        (q) =>
          q !== p &&
          q.node !== undefined &&
          q.workload.namespace === w.namespace &&
          selectorMatches(term.labelSelector, q.workload.labels) &&
          nodes.find((m) => m.name === q.node)?.labels[term.topologyKey] === domain,
      );
      if (clash) out.push(`required pod anti-affinity (${term.topologyKey}) with a pod already there`);
    }
    return out;
  };

  const startProblems = (p: PodState): string[] => {
    const w = p.workload;
    const node = p.node!;
    const out: string[] = [];
    if (!w.spec.hostNetwork && !networkReady(node))
      out.push(
        `no pod network on ${node}: the CNI agent (${cniAgents.map(workloadName).join(", ") || "none in the manifests"}) is not running there`,
      );
    if (cniAgents.includes(w) && ipam && !anyRunning([ipam]))
      out.push(`waits for its node's pod CIDR from the IPAM operator ${workloadName(ipam)}, which is not running`);
    if (w.viaKubernetesService && !servicesRouted(node))
      out.push(`reaches the API server through the kubernetes Service ClusterIP, which nothing routes: ${noServiceRouting(node)}`);
    const resolver = resolverOf(w.spec, clusterDns);
    if (resolver === "cluster" && w.names.some(isClusterName) && !servicesRouted(node))
      out.push(`cannot reach the cluster DNS Service: ${noServiceRouting(node)}`);
    for (const name of w.names) {
      const via = `dnsPolicy ${w.spec.dnsPolicy ?? "ClusterFirst"}${w.spec.hostNetwork ? " in the host network" : ""}`;
      if (resolver === "none") out.push(`cannot resolve ${name}: ${via} has no nameserver`);
      else if (resolver === "node" && isClusterName(name))
        out.push(`cannot resolve the cluster name ${name}: ${via} resolves through the node, which does not know cluster names`);
      else if (resolver === "cluster" && !anyRunning(dnsServers))
        out.push(
          `cannot resolve ${name}: ${via} resolves through the cluster DNS (${clusterDns.join(", ") || "no clusterDNS"}), and no pod behind it (${dnsServers.map(workloadName).join(", ") || "none in the manifests"}) is running`,
        );
    }
    return out;
  };

  for (let round = 0; ; round++) {
    let changed = false;
    // Schedule (DaemonSet pods are pinned to their node; others take the first node that fits, in node order).
    for (const p of pods) {
      if (p.node !== undefined) continue;
      const fit = candidatesOf(p).find((n) => scheduleProblems(p, n).length === 0);
      if (fit) {
        p.node = fit.name;
        changed = true;
      }
    }
    // Start: every condition is judged on the state at the start of the round, so the order of pods does not matter.
    const starting = pods.filter((p) => !p.running && p.node !== undefined && startProblems(p).length === 0);
    for (const p of starting) {
      p.running = true;
      p.startedIn = round;
      const name = workloadName(p.workload);
      if (!startOrder.includes(name)) startOrder.push(name);
      changed = true;
    }
    // Nodes: not-ready goes when the CNI runs there; uninitialized goes everywhere once a cloud controller runs.
    for (const n of nodes) {
      const current = taints.get(n.name)!;
      const next = current.filter(
        (t) =>
          !(t.key === NOT_READY_TAINT.key && networkReady(n.name)) && !(t.key === UNINITIALIZED_TAINT.key && anyRunning(cloudControllers)),
      );
      if (next.length !== current.length) {
        taints.set(n.name, next);
        changed = true;
      }
    }
    if (!changed) break;
    if (round > 1000) throw new Error("the bring-up model did not reach a fixed point in 1000 rounds");
  }

  for (const p of pods) {
    if (p.running) continue;
    if (p.node === undefined) {
      p.blockedBy = candidatesOf(p).map((n) => `${n.name}: ${scheduleProblems(p, n).join("; ")}`);
      p.blockedBy.unshift("Pending, not scheduled");
    } else {
      p.blockedBy = [`scheduled on ${p.node} but not started`, ...startProblems(p)];
    }
  }
  const nowhere = workloads
    .filter((w) => w.kind === "DaemonSet" && !pods.some((p) => p.workload === w))
    .map(
      (w) =>
        `${workloadName(w)}: runs on no node: ${nodes.map((n) => `${n.name}: ${[...labelMisfit(w.spec, n), ...untoleratedTaints([...(w.spec.tolerations ?? []), ...daemonSetTolerations(w.spec.hostNetwork === true)], n.permanentTaints).map((t) => `taint ${taintText(t)} not tolerated`)].join("; ")}`).join("; ")}`,
    );
  return {
    pods,
    workloads,
    blocked: [...nowhere, ...pods.filter((p) => !p.running).map((p) => `${p.pod}: ${p.blockedBy.join("; ")}`)],
    nodeTaints: taints,
    startOrder,
  };
}
