// Owns which CPU architectures each addon image reference this library pins can run on, with the upstream evidence,
// and what follows for a generation whose nodes run more than one architecture (Graviton pools beside amd64 ones):
// a workload whose images are not all recorded for an architecture it could be scheduled on gets a required
// nodeAffinity `kubernetes.io/arch In [<the architectures its images have>]`; a DaemonSet, which must run on every
// node it selects (the Cilium agent, fluent-bit, node-exporter, ...), is refused instead, naming the addon.
// An image reference not recorded here (e.g. one a definition overrides) is taken to be amd64 only.
import type { NodeArchitecture } from "../definition/instance-types";
import type { ResolvedGeneration } from "../definition/resolve";
import { CONTROL_PLANE_NODE_SELECTOR } from "./common/workload";
import { poolNodeLabels } from "../ignition/kubeadm-config";
import { RESTRICTED_INGRESS_NODE_LABEL } from "../ignition/ingress-node-labels";

/** The architectures one image reference runs on and where that is published. */
export interface ImageArchitectures {
  readonly architectures: readonly NodeArchitecture[];
  /** The upstream evidence: the build that publishes one manifest list for these platforms under the tag/digest. */
  readonly source: string;
}

const BOTH: readonly NodeArchitecture[] = ["amd64", "arm64"];
const AMD64_ONLY: readonly NodeArchitecture[] = ["amd64"];

// The evidence for each project, cited once and shared by its references.
const CILIUM =
  "cilium/cilium .github/workflows/build-images-releases.yaml (cfb3b3b747ad6113f5fd681a80d13c5ebb97dbbc): docker/build-push-action with `platforms: linux/amd64,linux/arm64` for cilium and operator-generic; the digest the release notes publish is that build's output digest, i.e. the multi-platform index";
const COREDNS =
  "coredns/coredns Makefile.docker (4d27f64a819d826e5f6905ff8a05a6bb8728c782): LINUX_ARCH:=amd64 arm arm64 mips64le ppc64le s390x, pushed as one `docker manifest` list per version; registry.k8s.io promotes that list, and the pinned digest is the promoted list's";
const METRICS_SERVER =
  "kubernetes-sigs/metrics-server Makefile (009ffa21ea2de4ee4fa4b55d6546a48dcfebb6d5): ALL_ARCHITECTURES=amd64 arm arm64 ppc64le s390x, `push-multi-arch` creates one manifest list per tag; the pinned digest is registry.k8s.io's promoted list";
const KUBE_STATE_METRICS =
  "kubernetes/kube-state-metrics Makefile (112391760e5c6c3f4cf00a6a3818ffe3a0e4311d): ALL_ARCH = amd64 arm arm64 ppc64le s390x, `push-multi-arch` creates one manifest list per tag; the pinned digest is registry.k8s.io's promoted list";
const FLUENT_BIT =
  "fluent/fluent-bit .github/workflows/call-build-images.yaml (0119de88dd60ce33af15c1d04047d2b76187fcd5): production images built per platform (amd64, arm64, arm/v7) and joined by `docker buildx imagetools create` into one manifest under the version tag";
const PROMETHEUS =
  "prometheus/prometheus Makefile: `DOCKER_ARCHS ?= amd64 armv7 arm64 ppc64le s390x` before Makefile.common, whose docker-manifest target publishes them as one manifest list under the release tag";
const NODE_EXPORTER =
  "prometheus/node_exporter Makefile: `DOCKER_ARCHS ?= amd64 armv7 arm64 ppc64le s390x` before Makefile.common, whose docker-manifest target publishes them as one manifest list under the release tag";
const CLUSTER_PROPORTIONAL_AUTOSCALER =
  "kubernetes-sigs/cluster-proportional-autoscaler Makefile (b809c2f79946a846b2f3d5fb94f1000735cb7366): ALL_PLATFORMS ?= linux/amd64 linux/arm linux/arm64 linux/ppc64le linux/s390x, `manifest-list` pushes one list of them under the version; the pinned digest is registry.k8s.io's promoted list";
/** The reason an image is kept on amd64 nodes: no upstream build config or release note for that tag was found. */
const NOT_PROVEN = (project: string) =>
  `${project}: no upstream build configuration or release note that publishes linux/arm64 under this tag could be cited, so it is kept on amd64 nodes`;
/** The reason a control-plane-only image is kept on amd64: it runs on the control plane (whose type is amd64 by default). */
const CONTROL_PLANE_ONLY = (project: string) =>
  `${NOT_PROVEN(project)}; it runs on the control plane only, so only an arm64 control plane is affected`;

/**
 * Every image reference this library pins, exactly as rendered (tag and digest), with the architectures it runs on.
 * Sources are the upstream builds that publish the multi-arch manifest list behind the tag (and, for a digest pin,
 * whose list the digest is); an image without one is recorded amd64 only, with the reason.
 */
export const IMAGE_ARCHITECTURES: Readonly<Record<string, ImageArchitectures>> = {
  "quay.io/cilium/cilium:v1.17.18@sha256:2f2c611db8de2f9c4846ee80fa3371617218dcd0cce42cf0d7d40b4d06458a23": {
    architectures: BOTH,
    source: CILIUM,
  },
  "quay.io/cilium/operator-generic:v1.17.18@sha256:ec68d574d2288f2d8cb0ae50778c1a0b08a6165cfcb6ba5bc5595d99ed3f7bda": {
    architectures: BOTH,
    source: CILIUM,
  },
  "quay.io/cilium/cilium:v1.19.8@sha256:e9f7ee1f2f3a41e44339612e3b6b88170bdde7679c9c9461f287bb27702a8ecf": {
    architectures: BOTH,
    source: CILIUM,
  },
  "quay.io/cilium/operator-generic:v1.19.8@sha256:786ec9bb1a9344435e3e3f994bc4ed3a4a85afa6a314e98681af241f8be79833": {
    architectures: BOTH,
    source: CILIUM,
  },
  "registry.k8s.io/coredns/coredns:v1.11.3@sha256:9caabbf6238b189a65d0d6e6ac138de60d6a1c419e5a341fbbb7c78382559c6e": {
    architectures: BOTH,
    source: COREDNS,
  },
  "registry.k8s.io/coredns/coredns:v1.12.0@sha256:40384aa1f5ea6bfdc77997d243aec73da05f27aed0c5e9d65bfa98933c519d97": {
    architectures: BOTH,
    source: COREDNS,
  },
  "registry.k8s.io/coredns/coredns:v1.12.1@sha256:e8c262566636e6bc340ece6473b0eed193cad045384401529721ddbe6463d31c": {
    architectures: BOTH,
    source: COREDNS,
  },
  "registry.k8s.io/coredns/coredns:v1.12.4@sha256:986f04c2e15e147d00bdd51e8c51bcef3644b13ff806be7d2ff1b261d6dfbae1": {
    architectures: BOTH,
    source: COREDNS,
  },
  "registry.k8s.io/metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf004d6aa0a17d90e0247cf94f2865c8901dcab4427034c341951c239f9": {
    architectures: BOTH,
    source: METRICS_SERVER,
  },
  "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0@sha256:db384bf43222b066c378e77027a675d4cd9911107adba46c2922b3a55e10d6fb": {
    architectures: BOTH,
    source: KUBE_STATE_METRICS,
  },
  "cr.fluentbit.io/fluent/fluent-bit:3.2.8": { architectures: BOTH, source: FLUENT_BIT },
  "quay.io/prometheus/prometheus:v3.4.0": { architectures: BOTH, source: PROMETHEUS },
  "quay.io/prometheus/node-exporter:v1.9.1": { architectures: BOTH, source: NODE_EXPORTER },
  "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0@sha256:8f3b4e4beb62a9a5ad1ff96712129996e614d1fe7c57739c9816545ecea6f8b6": {
    architectures: BOTH,
    source: CLUSTER_PROPORTIONAL_AUTOSCALER,
  },
  // Kept on amd64 nodes until an arm64 manifest for exactly these references is cited.
  "docker.io/grafana/grafana:11.6.1": { architectures: AMD64_ONLY, source: NOT_PROVEN("grafana/grafana") },
  "ghcr.io/postfinance/kubelet-csr-approver:v1.2.14": { architectures: AMD64_ONLY, source: NOT_PROVEN("postfinance/kubelet-csr-approver") },
  "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1": {
    architectures: AMD64_ONLY,
    source: NOT_PROVEN("kubernetes/ingress-nginx"),
  },
  "registry.k8s.io/provider-aws/cloud-controller-manager:v1.31.8@sha256:f846203ea9e0f510176b08c1c0406ffec03498c610d66442953b7823ca99622f": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/cloud-provider-aws"),
  },
  "registry.k8s.io/provider-aws/cloud-controller-manager:v1.32.5@sha256:542aa2b272f931fc5b0bf260866eea1135aee33ba6b84bfa4564adda35bf1732": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/cloud-provider-aws"),
  },
  "registry.k8s.io/provider-aws/cloud-controller-manager:v1.33.4@sha256:b54bc094711e9d7ace6c9bab3d6f02a598e7570ac1fedd6341940e1de79ea476": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/cloud-provider-aws"),
  },
  "registry.k8s.io/provider-aws/cloud-controller-manager:v1.34.3@sha256:ab45cec4a1ee68a556d09a362746db8fd66b258101aefcf0542f51e960248810": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/cloud-provider-aws"),
  },
  "registry.k8s.io/provider-aws/cloud-controller-manager:v1.35.2@sha256:5a5d4e5942ad078a184c12bf5435f8226ccb157ee15e9e1f87c183a4bf4b8f1a": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/cloud-provider-aws"),
  },
  "public.ecr.aws/eks/amazon-eks-pod-identity-webhook:v0.6.17@sha256:3071570e8e8cba6d5aff01e86d52bc91025a0578782aa9cd2b681480845b0a50": {
    architectures: AMD64_ONLY,
    // The digest's source calls it a multi-arch manifest list, but names no platforms, and upstream's build (its
    // Makefile, a `docker build` of one platform at 0048675f) publishes none we could cite.
    source: CONTROL_PLANE_ONLY("aws/amazon-eks-pod-identity-webhook"),
  },
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.3@sha256:b5ac5d93d0e43c6f4f14b0a3994ff905ed169aa0d614d7af702eca0a254cb8a8": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/autoscaler (cluster-autoscaler)"),
  },
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.2@sha256:c627d8d159a8cd6705a2612afd8a9ffc499e2fc37bad3525364427439b9224c0": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/autoscaler (cluster-autoscaler)"),
  },
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6@sha256:7b44e0f075b2c8f9952e339b6c396cd4d1c3831c24c0fe092a3e708c45e6ec51": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/autoscaler (cluster-autoscaler)"),
  },
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5@sha256:5c3a56440ffc76eac79e7d7e840153c1fbe7b6e02d415e76a45ba2e0ef99a266": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/autoscaler (cluster-autoscaler)"),
  },
  "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2@sha256:aac369dc283927a623deb1af54696efcc722ae79255aa07788422e495bab887d": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("kubernetes/autoscaler (cluster-autoscaler)"),
  },
  "public.ecr.aws/eks-distro/kubernetes-sigs/aws-iam-authenticator:v0.7.18-cvefix-eks-1-33-33": {
    architectures: AMD64_ONLY,
    source: CONTROL_PLANE_ONLY("aws/eks-distro (aws-iam-authenticator)"),
  },
};

/** The architectures an image reference runs on: its record, or amd64 only for a reference not recorded. */
export function imageArchitectures(image: string): readonly NodeArchitecture[] {
  return Object.hasOwn(IMAGE_ARCHITECTURES, image) ? IMAGE_ARCHITECTURES[image].architectures : AMD64_ONLY;
}

/** The well-known label the kubelet sets to its GOARCH (k8s.io/api core/v1 well_known_labels.go LabelArchStable). */
export const ARCH_LABEL = "kubernetes.io/arch";

type Toleration = { key?: string; operator?: string; value?: string; effect?: string };
type Taint = { key: string; value?: string; effect: string };
type PodSpec = {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: Record<string, unknown> } & Record<string, unknown>;
  containers?: Array<{ image: string }>;
  initContainers?: Array<{ image: string }>;
};

/** One kind of node of a generation: the control plane or one pool, with the labels and taints it registers with. */
interface NodeGroup {
  readonly name: string;
  readonly arch: NodeArchitecture;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** The generation's node groups (kubeadm taints the control plane node-role.kubernetes.io/control-plane:NoSchedule). */
function nodeGroups(gen: ResolvedGeneration): NodeGroup[] {
  return [
    {
      name: "the control plane",
      arch: gen.controlPlane.arch,
      labels: { ...CONTROL_PLANE_NODE_SELECTOR },
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    },
    ...gen.workerPools.map((pool) => ({
      name: `pool "${pool.name}"`,
      arch: pool.arch,
      labels: { ...poolNodeLabels(pool), ...(pool.ingress ? { [RESTRICTED_INGRESS_NODE_LABEL]: "true" } : {}) },
      taints: pool.taints.map((t) => ({ key: t.key, value: t.value ?? "", effect: t.effect })),
    })),
  ];
}

/** Whether a toleration list tolerates a taint (Kubernetes' rules: empty key with Exists tolerates everything). */
function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (t.effect === undefined || t.effect === "" || t.effect === taint.effect) &&
      ((t.operator === "Exists" && (t.key === undefined || t.key === "" || t.key === taint.key)) ||
        ((t.operator ?? "Equal") === "Equal" && t.key === taint.key && (t.value ?? "") === (taint.value ?? ""))),
  );
}

/** A node group's labels as its Nodes carry them, with the well-known ones the kubelet sets itself. */
function nodeLabels(group: NodeGroup): Record<string, string> {
  return { ...group.labels, [ARCH_LABEL]: group.arch, "kubernetes.io/os": "linux" };
}

type NodeSelectorRequirement = { key: string; operator: string; values?: string[] };

/** Whether a node selector requirement matches a node's labels (Gt and Lt, unused by the addons, count as a match). */
function matches(labels: Readonly<Record<string, string>>, requirement: NodeSelectorRequirement): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case "In":
      return has && (requirement.values ?? []).includes(labels[requirement.key]);
    case "NotIn":
      return !has || !(requirement.values ?? []).includes(labels[requirement.key]);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return true;
  }
}

/**
 * The node groups a pod spec can be scheduled on: its node selector and required node affinity match their labels, and
 * it tolerates their NoSchedule and NoExecute taints.
 */
function eligibleGroups(groups: readonly NodeGroup[], spec: PodSpec): NodeGroup[] {
  const terms = (
    spec.affinity?.nodeAffinity as
      | { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: NodeSelectorRequirement[] }> } }
      | undefined
  )?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return groups.filter((g) => {
    const labels = nodeLabels(g);
    return (
      Object.entries(spec.nodeSelector ?? {}).every(([key, value]) => labels[key] === value) &&
      (terms === undefined || terms.some((term) => (term.matchExpressions ?? []).every((r) => matches(labels, r)))) &&
      g.taints.filter((t) => t.effect !== "PreferNoSchedule").every((t) => tolerates(spec.tolerations ?? [], t))
    );
  });
}

function podSpecOf(object: Record<string, unknown>): PodSpec | undefined {
  const spec = object.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  if (object.kind === "Pod") return spec as PodSpec | undefined;
  if (object.kind === "CronJob") return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

/** What a workload's images allow on a generation's nodes. */
export interface ArchitecturePlacement {
  /** The architectures of the node groups the workload can be scheduled on. */
  readonly landsOn: readonly NodeArchitecture[];
  /** The architectures every one of its images runs on. */
  readonly imagesRunOn: readonly NodeArchitecture[];
  /** Images not recorded for an architecture the workload lands on, with that architecture. */
  readonly missing: ReadonlyArray<{ readonly image: string; readonly arch: NodeArchitecture }>;
}

/** Where a pod-bearing object can land on a generation and which of its images cannot run there; undefined for others. */
export function architecturePlacement(gen: ResolvedGeneration, object: Record<string, unknown>): ArchitecturePlacement | undefined {
  const spec = podSpecOf(object);
  if (!spec) return undefined;
  const images = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.image);
  const landsOn = [...new Set(eligibleGroups(nodeGroups(gen), spec).map((g) => g.arch))].sort();
  const imagesRunOn = (["amd64", "arm64"] as const).filter((arch) => images.every((image) => imageArchitectures(image).includes(arch)));
  const missing = landsOn.flatMap((arch) =>
    images.filter((image) => !imageArchitectures(image).includes(arch)).map((image) => ({ image, arch })),
  );
  return { landsOn, imagesRunOn, missing };
}

/**
 * Keeps every workload of one addon on nodes its images run on: a workload that could land on an architecture one of
 * its images lacks gets a required node affinity to the architectures its images have (added beside any affinity it
 * has). Throws, naming the addon, the object and the image, for a DaemonSet (it must run on every node it selects) and
 * for a workload left with no node at all. Objects that need nothing are returned unchanged (same reference).
 */
export function restrictToImageArchitectures(
  gen: ResolvedGeneration,
  addonKey: string,
  objects: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  // Every recorded image runs on amd64 and an unrecorded one counts as amd64: an all-amd64 generation needs nothing.
  if (gen.architectures.every((arch) => arch === "amd64")) return [...objects];
  return objects.map((object) => {
    const placement = architecturePlacement(gen, object);
    if (!placement || placement.missing.length === 0) return object;
    const metadata = object.metadata as { name?: string; namespace?: string };
    const what = `${object.kind} ${metadata.namespace ?? ""}/${metadata.name ?? ""}`;
    const { image, arch } = placement.missing[0];
    const fix = `set an image recorded for ${arch} in constructs/addons/image-architectures.ts (with its upstream source), or give the ${arch} pools instance types of another architecture`;
    if (object.kind === "DaemonSet")
      throw new Error(
        `${gen.fullName}: addons.${addonKey}: ${what} must run on every node it selects, including ${arch} nodes, but its image ${image} is not recorded as available for ${arch}; ${fix}`,
      );
    const allowed = placement.landsOn.filter((a) => placement.imagesRunOn.includes(a));
    if (allowed.length === 0)
      throw new Error(
        `${gen.fullName}: addons.${addonKey}: ${what} can only be scheduled on ${placement.landsOn.join(" and ")} nodes, but its image ${image} is not recorded as available for ${arch}; ${fix}`,
      );
    return withRequiredArchitectures(object, allowed);
  });
}

/** A copy of a pod-bearing object whose pods require `kubernetes.io/arch In [allowed]` (ANDed into every term). */
function withRequiredArchitectures(object: Record<string, unknown>, allowed: readonly NodeArchitecture[]): Record<string, unknown> {
  const copy = structuredClone(object);
  const spec = podSpecOf(copy)!;
  const requirement = { key: ARCH_LABEL, operator: "In", values: [...allowed] };
  const nodeAffinity = (spec.affinity?.nodeAffinity ?? {}) as {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: Array<{ matchExpressions?: unknown[] }> };
  };
  const terms = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{}];
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((term) => ({ ...term, matchExpressions: [...(term.matchExpressions ?? []), requirement] })),
      },
    },
  };
  return copy;
}
