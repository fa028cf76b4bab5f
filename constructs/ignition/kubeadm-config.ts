// Owns the kubeadm configuration of each node role, rendered from the generation as YAML documents (kubeadm API
// v1beta4): InitConfiguration + ClusterConfiguration + KubeletConfiguration + KubeProxyConfiguration for the node that
// wins the election, JoinConfiguration for the other control-plane nodes and for each worker pool. Values only a node
// knows at boot are `@@NAME@@` placeholders that node-bootstrap.sh fills in (token, CA hash, certificate key, name, IP).
import { stringify } from "yaml";
import type { ResolvedGeneration, ResolvedWorkerPool } from "../definition/resolve";
import { kubernetesMinor } from "./kubernetes-releases";

/** The runtime placeholders node-bootstrap.sh substitutes; no other `@@…@@` may appear. */
export const RUNTIME_PLACEHOLDERS = [
  "@@NODE_NAME@@",
  "@@NODE_IP@@",
  "@@BOOTSTRAP_TOKEN@@",
  "@@CA_CERT_HASH@@",
  "@@CERTIFICATE_KEY@@",
] as const;

/**
 * The pause image kubeadm expects for each Kubernetes minor (kubeadm's constants.PauseVersion); kubeadm warns when the
 * runtime's sandbox image differs. 1.33 kept 3.10; 1.34 moved to 3.10.1 ("Updated pause version to
 * `registry.k8s.io/pause:3.10.1`", #130713, in the v1.34.0 notes of
 * kubernetes/kubernetes/blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.34.md#feature-5); the 1.35
 * notes (same commit, CHANGELOG-1.35.md#v1350) record no further change.
 */
export const PAUSE_IMAGE: Readonly<Record<string, string>> = {
  "1.31": "registry.k8s.io/pause:3.10",
  "1.32": "registry.k8s.io/pause:3.10",
  "1.33": "registry.k8s.io/pause:3.10",
  "1.34": "registry.k8s.io/pause:3.10.1",
  "1.35": "registry.k8s.io/pause:3.10.1",
};

/** The sandbox image containerd uses; refuses a minor this table does not know (add it beside its release hashes). */
export function pauseImage(kubernetesVersion: string): string {
  const minor = kubernetesMinor(kubernetesVersion);
  const image = PAUSE_IMAGE[minor];
  if (!image)
    throw new Error(
      `kubernetesVersion: no pause image known for Kubernetes ${minor}; add it to PAUSE_IMAGE in constructs/ignition/kubeadm-config.ts`,
    );
  return image;
}

const API = "kubeadm.k8s.io/v1beta4";
const arg = (name: string, value: string) => ({ name, value });

/** Labels of a worker pool's nodes (see docs/node-boot.md); the ingress label selects ingress-nginx's nodes. */
export function poolNodeLabels(pool: ResolvedWorkerPool): Record<string, string> {
  return { ...pool.labels, "immutable-clusters.io/pool": pool.name, ...(pool.ingress ? { "immutable-clusters.io/ingress": "true" } : {}) };
}

function nodeRegistration(extraLabels: Record<string, string> | undefined, taints: ResolvedWorkerPool["taints"] | undefined) {
  const kubeletExtraArgs = [arg("cloud-provider", "external"), arg("node-ip", "@@NODE_IP@@")];
  if (extraLabels && Object.keys(extraLabels).length) {
    const labels = Object.keys(extraLabels)
      .sort()
      .map((k) => `${k}=${extraLabels[k]}`)
      .join(",");
    kubeletExtraArgs.push(arg("node-labels", labels));
  }
  return {
    name: "@@NODE_NAME@@",
    criSocket: "unix:///run/containerd/containerd.sock",
    kubeletExtraArgs,
    ...(taints
      ? { taints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) }
      : {}),
  };
}

function clusterConfiguration(gen: ResolvedGeneration) {
  return {
    apiVersion: API,
    kind: "ClusterConfiguration",
    clusterName: gen.fullName,
    kubernetesVersion: `v${gen.kubernetesVersion}`,
    // The private Route53 alias of the generation's internal API Network Load Balancer: stable across control-plane nodes.
    controlPlaneEndpoint: `${gen.apiEndpoint}:${gen.apiPort}`,
    networking: { podSubnet: gen.podCidr, serviceSubnet: gen.serviceCidr, dnsDomain: "cluster.local" },
    // No cloud-provider flag on the API server: not needed since 1.31 (in-tree providers are gone), an unknown flag in 1.33.
    apiServer: {
      certSANs: [gen.apiEndpoint],
      extraArgs: [arg("profiling", "false")],
    },
    controllerManager: {
      extraArgs: [arg("cloud-provider", "external"), arg("allocate-node-cidrs", "true"), arg("profiling", "false")],
    },
    scheduler: { extraArgs: [arg("profiling", "false")] },
    // CoreDNS ships as this project's addon (constructs/addons/coredns), not kubeadm's.
    dns: { disabled: true },
  };
}

function kubeletConfiguration(gen: ResolvedGeneration) {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    cgroupDriver: "systemd",
    clusterDNS: [gen.clusterDnsIp],
    clusterDomain: "cluster.local",
    // Serving certificates signed by the cluster CA, so metrics-server and Prometheus can verify kubelets.
    serverTLSBootstrap: true,
    rotateCertificates: true,
    protectKernelDefaults: true,
    readOnlyPort: 0,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
    authorization: { mode: "Webhook" },
    systemReserved: { cpu: "100m", memory: "256Mi" },
    kubeReserved: { cpu: "100m", memory: "256Mi" },
    evictionHard: { "memory.available": "200Mi", "nodefs.available": "10%", "imagefs.available": "15%" },
  };
}

const yamlDocs = (docs: object[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");

/** init.yaml: the configuration of `kubeadm init` on the elected control-plane node. */
export function initConfiguration(gen: ResolvedGeneration): string {
  return yamlDocs([
    {
      apiVersion: API,
      kind: "InitConfiguration",
      certificateKey: "@@CERTIFICATE_KEY@@",
      localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@", bindPort: gen.apiPort },
      nodeRegistration: nodeRegistration(undefined, undefined),
      skipPhases: ["addon/coredns"],
    },
    clusterConfiguration(gen),
    kubeletConfiguration(gen),
    { apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration", mode: "iptables", clusterCIDR: gen.podCidr },
  ]);
}

const discovery = (gen: ResolvedGeneration) => ({
  bootstrapToken: {
    apiServerEndpoint: `${gen.apiEndpoint}:${gen.apiPort}`,
    token: "@@BOOTSTRAP_TOKEN@@",
    caCertHashes: ["@@CA_CERT_HASH@@"],
  },
});

/** join-controller.yaml: `kubeadm join` of the other control-plane nodes. */
export function controllerJoinConfiguration(gen: ResolvedGeneration): string {
  return yamlDocs([
    {
      apiVersion: API,
      kind: "JoinConfiguration",
      discovery: discovery(gen),
      nodeRegistration: nodeRegistration(undefined, undefined),
      controlPlane: { certificateKey: "@@CERTIFICATE_KEY@@", localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@", bindPort: gen.apiPort } },
    },
  ]);
}

/** join-worker.yaml: `kubeadm join` of a worker of `pool`, with the pool's labels and taints. */
export function workerJoinConfiguration(gen: ResolvedGeneration, pool: ResolvedWorkerPool): string {
  return yamlDocs([
    {
      apiVersion: API,
      kind: "JoinConfiguration",
      discovery: discovery(gen),
      nodeRegistration: nodeRegistration(poolNodeLabels(pool), pool.taints),
    },
  ]);
}
