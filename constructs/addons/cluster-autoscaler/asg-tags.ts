// Owns the tags an autoscaled worker pool's Auto Scaling group carries for cluster-autoscaler: the auto-discovery tags
// and the scale-from-zero node template (labels, taints, ephemeral storage), and the limits those tags must fit.
// Source of every key and value format: kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md at
// b6e1991f ("Auto-Discovery Setup", the node-template paragraphs "only required if scaling up from 0 nodes"), read by
// cloudprovider/aws/aws_manager.go (extractLabelsFromAsg, extractTaintsFromAsg, extractAllocatableResourcesFromAsg) at
// tag cluster-autoscaler-1.35.2 (2d425888).
import type { NodeArchitecture } from "../../definition/instance-types";
import type { ResolvedWorkerPool } from "../../definition/resolve";
import { ARCH_LABEL } from "../image-architectures";
import { poolNodeLabels } from "../../ignition/kubeadm-config";
import { RESTRICTED_INGRESS_NODE_LABEL } from "../../ignition/ingress-node-labels";

/** Discovery tag every autoscaled group carries (with the cluster's own key, below). */
export const AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
/** Discovery tag naming the cluster (`<cluster>-<generation>`): its value is `owned`. */
export const autoscalerClusterTag = (clusterFullName: string) => `k8s.io/cluster-autoscaler/${clusterFullName}`;
export const LABEL_TAG_PREFIX = "k8s.io/cluster-autoscaler/node-template/label/";
export const TAINT_TAG_PREFIX = "k8s.io/cluster-autoscaler/node-template/taint/";
export const RESOURCE_TAG_PREFIX = "k8s.io/cluster-autoscaler/node-template/resources/";
/** AWS tag keys are at most 128 characters (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). */
export const MAX_TAG_KEY_LENGTH = 128;

/** `--node-group-auto-discovery` value that finds exactly the generation's autoscaled groups (README "Auto-Discovery Setup"). */
export function autoDiscoverySpec(clusterFullName: string): string {
  return `asg:tag=${AUTOSCALER_ENABLED_TAG},${autoscalerClusterTag(clusterFullName)}`;
}

/**
 * Blocks of a Flatcar disk that are not the ROOT partition, which grows to fill the rest of the volume
 * (flatcar/scripts build_library/disk_layout.json at 05ed9ec4, layout "base", 512-byte blocks: EFI-SYSTEM 2097152,
 * BIOS-BOOT 4096, USR-A 4194304, USR-B 4194304, OEM 2097152, OEM-CONFIG 131072): about 6.06 GiB.
 */
const FLATCAR_NON_ROOT_BYTES = (2097152 + 4096 + 4194304 + 4194304 + 2097152 + 131072) * 512;
/** The kubelet keeps `nodefs.available: 10%` free (constructs/ignition/kubeadm-config.ts evictionHard). */
const NODEFS_EVICTION_FRACTION = 0.1;
/** ext4 metadata, GPT and alignment: 1 GiB more is held back so the template never promises more than a node has. */
const FILESYSTEM_MARGIN_BYTES = 1024 ** 3;

/**
 * The ephemeral storage a pool's node offers pods, in MiB: the ROOT filesystem of its root volume less the kubelet's
 * eviction threshold. cluster-autoscaler sets a template node's capacity for a resource only from a tag (otherwise
 * none: aws_manager.go buildNodeFromTemplate), so without it a pod requesting ephemeral storage never triggers a
 * scale-up from zero.
 */
export function templateEphemeralStorageMiB(rootVolumeGiB: number): number {
  const root = rootVolumeGiB * 1024 ** 3 - FLATCAR_NON_ROOT_BYTES - FILESYSTEM_MARGIN_BYTES;
  return Math.max(0, Math.floor((root * (1 - NODEFS_EVICTION_FRACTION)) / 1024 ** 2));
}

/**
 * The labels a pool's node carries once it runs: the kubelet's own (poolNodeLabels, registered at join) and, on ingress
 * pools, the restricted ingress label the control plane sets right after registration (ingress-node-labels.ts).
 */
export function templateLabels(pool: Pick<ResolvedWorkerPool, "name" | "labels" | "ingress">): Record<string, string> {
  return { ...poolNodeLabels(pool as ResolvedWorkerPool), ...(pool.ingress ? { [RESTRICTED_INGRESS_NODE_LABEL]: "true" } : {}) };
}

/** What the tags of one pool are made of. */
export type AutoscaledPool = Pick<ResolvedWorkerPool, "name" | "labels" | "taints" | "ingress" | "rootVolume"> & {
  readonly arch: NodeArchitecture;
};

/**
 * The cluster-autoscaler tags of an autoscaled pool's group: discovery, then one tag per node label, the pool's
 * architecture (ARCH_LABEL), one per taint (a taint
 * tag's value is `<value>:<effect>`, one taint per key) and the ephemeral-storage resource. CPU, memory and GPUs come
 * from the group's first instance type (README: "only the first instance type found will be used").
 */
export function autoscalerGroupTags(clusterFullName: string, pool: AutoscaledPool): Record<string, string> {
  const tags: Record<string, string> = { [AUTOSCALER_ENABLED_TAG]: "true", [autoscalerClusterTag(clusterFullName)]: "owned" };
  const labels = templateLabels(pool);
  for (const key of Object.keys(labels).sort()) tags[`${LABEL_TAG_PREFIX}${key}`] = labels[key];
  // The kubelet sets kubernetes.io/arch on its own Node; a template node without it matches no pod that requires an
  // architecture (the amd64-only addons' node affinity, image-architectures.ts), so pools scaled from zero are told
  // apart by architecture only through this tag.
  tags[`${LABEL_TAG_PREFIX}${ARCH_LABEL}`] = pool.arch;
  for (const taint of pool.taints) tags[`${TAINT_TAG_PREFIX}${taint.key}`] = `${taint.value ?? ""}:${taint.effect}`;
  tags[`${RESOURCE_TAG_PREFIX}ephemeral-storage`] = `${templateEphemeralStorageMiB(pool.rootVolume.sizeGiB)}Mi`;
  return tags;
}
