// Owns the resolved form of a generation: every default filled in and every derived name computed once,
// so constructs, the bootstrap renderer, the addons and the review tool agree on names without recomputing them.
import { hostAddress } from "./cidr";
import { hexDigest } from "./hex-digest";
import type { EtcdRestoreOptions } from "./etcd-restore";
import { resolveEtcdSnapshots, type ResolvedEtcdSnapshots } from "./etcd-snapshots";
import { DEFAULT_INSTANCE_TYPE, nodeArchitecture, type NodeArchitecture } from "./instance-types";
import { INGRESS_NODE_PORTS } from "./node-port-range";
import type { ClusterDefinition, GenerationDefinition, NodeTaint, WorkerPoolDefinition } from "./types";

/** The Flatcar image owner account that publishes official AMIs. */
export const FLATCAR_OWNER_ACCOUNT = "075585003325";

/** A worker pool with every default filled in. */
export interface ResolvedWorkerPool {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  /** The architecture all the pool's instance types share: its nodes boot that Flatcar image and those binaries. */
  readonly arch: NodeArchitecture;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /** Bounds cluster-autoscaler keeps the pool in (then equal to minSize and maxSize); undefined when not autoscaled. */
  readonly autoscale?: { readonly min: number; readonly max: number };
  readonly rootVolume: { readonly sizeGiB: number; readonly type: string };
  readonly spot?: {
    readonly onDemandBaseCapacity: number;
    readonly onDemandPercentageAboveBase: number;
    readonly allocationStrategy: string;
  };
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly ingress: boolean;
}

/** Names and values derived from a cluster definition and one of its generations. */
export interface ResolvedGeneration {
  /** Logical cluster name, e.g. `prod`. */
  readonly clusterName: string;
  /** Generation id, e.g. `a`. */
  readonly generationId: string;
  /** `<cluster>-<generation>`: the prefix of every AWS name this generation creates, and the Kubernetes cluster name. */
  readonly fullName: string;
  readonly region: string;
  readonly kubernetesVersion: string;
  readonly flatcar: {
    readonly channel: string;
    readonly version: string;
    /** The control plane's architecture (what `flatcar.arch` set for the whole generation before pools had their own). */
    readonly arch: NodeArchitecture;
    readonly owner: string;
    /** The control plane's image name (the lock's `flatcarImage`); a pool's is flatcarImageName(flatcar, pool.arch). */
    readonly imageName: string;
  };
  /** Every architecture the generation's nodes run, the control plane's first: one AMI copy each. */
  readonly architectures: readonly NodeArchitecture[];
  readonly controlPlane: {
    readonly count: number;
    readonly instanceType: string;
    /** The control-plane instance type's architecture. */
    readonly arch: NodeArchitecture;
    readonly rootVolume: { readonly sizeGiB: number; readonly type: string };
    readonly etcdSnapshots: ResolvedEtcdSnapshots;
    /** The snapshot and generation this one starts from (`controlPlane.restore`); undefined for a new cluster. */
    readonly restore?: EtcdRestoreOptions;
  };
  readonly workerPools: readonly ResolvedWorkerPool[];
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** The cluster DNS Service IP: the 10th address of the service CIDR (kubeadm's convention). */
  readonly clusterDnsIp: string;
  /** Private DNS name of the API endpoint (an alias of the internal API load balancer). */
  readonly apiEndpoint: string;
  readonly apiPort: number;
  /** S3 bucket that holds this generation's Ignition configs and addon manifests. */
  readonly bucketName: string;
  /** SSM Parameter Store path under which nodes exchange bootstrap material. */
  readonly ssmPrefix: string;
  /** KMS alias of the key that encrypts the bootstrap SecureString parameters. */
  readonly kmsAlias: string;
  /** NodePorts of the ingress controller that the ingress load balancer targets. */
  readonly ingressNodePorts: { readonly http: number; readonly https: number };
  readonly healthPath: string;
  readonly osUpdates: boolean;
  /** SSH public keys of the `core` user; [] = no SSH daemon. */
  readonly sshAuthorizedKeys: readonly string[];
  readonly weight: number;
  readonly state: "live" | "retiring";
  /** Tags applied to every AWS resource of the generation, including the Kubernetes ownership tag. */
  readonly tags: Readonly<Record<string, string>>;
  readonly definition: GenerationDefinition;
  readonly cluster: ClusterDefinition;
}

/**
 * The name of a Flatcar release's AMI for one architecture, `Flatcar-<channel>-<version>[-arm64]-hvm`: the naming this
 * library has looked images up by since 0.1.0, unchanged (frozen generations' lock entries record it). The lookup
 * also filters on the image's architecture (flatcar-ami.ts), so a name that does not match finds no image, never one
 * of the wrong architecture. Flatcar's release tooling names its AMIs so: flatcar/mantle cmd/plume/prerelease.go
 * (commit 60de9ff9f3d070f73c2cd69bdfdc088ea0d9f0f9) getSpecAWSImageMetadata builds `<BaseName>-<channel>-<version>`
 * plus AmiNameArchTag() (cmd/plume/specs.go: "" for board amd64-usr, "-arm64" for arm64-usr; BaseName "Flatcar") and
 * registers it as that name + "-hvm" with architecture AmiArchForBoard(board) (platform/api/aws/images.go: x86_64,
 * arm64).
 */
export function flatcarImageName(flatcar: { readonly channel: string; readonly version: string }, arch: NodeArchitecture): string {
  return `Flatcar-${flatcar.channel}-${flatcar.version}${arch === "arm64" ? "-arm64" : ""}-hvm`;
}

/**
 * A pool's default instance type and the architecture of nodes whose types do not decide it: `flatcar.arch` (deprecated,
 * kept so definitions written before pools had their own architecture resolve exactly as before), else amd64.
 */
function defaultArchitecture(generation: GenerationDefinition): NodeArchitecture {
  return generation.flatcar.arch ?? "amd64";
}

function resolvePool(pool: WorkerPoolDefinition, index: number, defaultArch: NodeArchitecture): ResolvedWorkerPool {
  // An autoscaled pool's bounds are its group's bounds (constructs/definition/autoscale.ts).
  const minSize = pool.autoscale?.min ?? pool.minSize ?? 1;
  const maxSize = pool.autoscale?.max ?? pool.maxSize ?? Math.max(3, minSize);
  const instanceTypes = pool.instanceTypes ?? [DEFAULT_INSTANCE_TYPE[defaultArch]];
  return {
    name: pool.name,
    instanceTypes,
    arch: nodeArchitecture(instanceTypes) ?? defaultArch,
    minSize,
    maxSize,
    desiredCapacity: pool.desiredCapacity ?? minSize,
    ...(pool.autoscale ? { autoscale: { min: pool.autoscale.min, max: pool.autoscale.max } } : {}),
    rootVolume: { sizeGiB: pool.rootVolume?.sizeGiB ?? 30, type: pool.rootVolume?.type ?? "gp3" },
    spot: pool.spot && {
      onDemandBaseCapacity: pool.spot.onDemandBaseCapacity ?? 0,
      onDemandPercentageAboveBase: pool.spot.onDemandPercentageAboveBase ?? 0,
      allocationStrategy: pool.spot.allocationStrategy ?? "price-capacity-optimized",
    },
    labels: pool.labels ?? {},
    taints: pool.taints ?? [],
    ingress: pool.ingress ?? index === 0,
  };
}

/**
 * Short hashes already computed, by the exact text hashed: a fleet asks for the same few (each cluster's issuer bucket,
 * each generation's node bucket) several times per generation (resolveGeneration for the stack and the traffic stack,
 * serviceAccountIssuer for the kubeadm config, cluster.env, node policies and the identity stack). Keyed by the text
 * hashed, so a hit is that text's hash; cleared whole at 4,096 texts (a fleet has about two per generation).
 */
const shortHashes = new Map<string, string>();

/** A short stable hash, used to make globally unique names (S3) deterministic. */
export function shortHash(...parts: string[]): string {
  const text = parts.join("\0");
  let hash = shortHashes.get(text);
  if (hash === undefined) {
    if (shortHashes.size >= 4096) shortHashes.clear();
    hash = hexDigest("sha256", text).slice(0, 8);
    shortHashes.set(text, hash);
  }
  return hash;
}

/** Resolves one generation of a (validated) cluster definition. */
export function resolveGeneration(cluster: ClusterDefinition, generation: GenerationDefinition): ResolvedGeneration {
  const fullName = `${cluster.name}-${generation.id}`;
  const defaultArch = defaultArchitecture(generation);
  const controlPlaneType = generation.controlPlane?.instanceType ?? DEFAULT_INSTANCE_TYPE[defaultArch];
  const arch = nodeArchitecture([controlPlaneType]) ?? defaultArch;
  const workerPools = generation.workerPools.map((p, i) => resolvePool(p, i, defaultArch));
  const serviceCidr = generation.networking?.serviceCidr ?? "10.96.0.0/12";
  const imageName = flatcarImageName(generation.flatcar, arch);
  return {
    clusterName: cluster.name,
    generationId: generation.id,
    fullName,
    region: cluster.region,
    kubernetesVersion: generation.kubernetesVersion,
    flatcar: {
      channel: generation.flatcar.channel,
      version: generation.flatcar.version,
      arch,
      owner: generation.flatcar.owner ?? FLATCAR_OWNER_ACCOUNT,
      imageName,
    },
    architectures: [...new Set([arch, ...workerPools.map((p) => p.arch)])],
    controlPlane: {
      count: generation.controlPlane?.count ?? 3,
      instanceType: controlPlaneType,
      arch,
      rootVolume: { sizeGiB: generation.controlPlane?.rootVolume?.sizeGiB ?? 50, type: generation.controlPlane?.rootVolume?.type ?? "gp3" },
      etcdSnapshots: resolveEtcdSnapshots(generation.controlPlane?.etcdSnapshots),
      ...(generation.controlPlane?.restore ? { restore: { ...generation.controlPlane.restore } } : {}),
    },
    workerPools,
    podCidr: generation.networking?.podCidr ?? "10.244.0.0/16",
    serviceCidr,
    clusterDnsIp: hostAddress(serviceCidr, 10),
    apiEndpoint: `api.${generation.id}.${cluster.name}.${cluster.dns.privateZoneName}`,
    apiPort: 6443,
    bucketName: `${fullName}-nodes-${shortHash(cluster.region, cluster.network.vpcId, fullName)}`,
    ssmPrefix: `/immutable-clusters/${cluster.name}/${generation.id}`,
    kmsAlias: `alias/immutable-clusters/${fullName}`,
    ingressNodePorts: { ...INGRESS_NODE_PORTS },
    healthPath: cluster.traffic?.healthPath ?? "/healthz",
    osUpdates: generation.osUpdates ?? false,
    sshAuthorizedKeys: generation.sshAuthorizedKeys ?? [],
    weight: generation.weight,
    state: generation.state ?? "live",
    tags: {
      ...(cluster.tags ?? {}),
      "immutable-clusters/cluster": cluster.name,
      "immutable-clusters/generation": generation.id,
      [`kubernetes.io/cluster/${fullName}`]: "owned",
    },
    definition: generation,
    cluster,
  };
}
