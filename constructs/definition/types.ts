// Owns the public shape of a cluster definition: the plain, typed data a team writes in clusters/<name>.ts.
// A definition is data only; constructs turn it into resources. Every optional field documents its default.

import type { AddonsDefinition } from "../addons/definition";
import type { AccessDefinition } from "./access";
import type { ApiServerOptions } from "./control-plane-options";
import type { AutoscaleOptions } from "./autoscale";
import type { EtcdRestoreOptions } from "./etcd-restore";
import type { EtcdSnapshotOptions } from "./etcd-snapshots";
import type { ServiceAccountDefinition } from "./service-accounts";

/** A subnet the cluster may place nodes and load balancers in. */
export interface SubnetReference {
  /** The subnet id, e.g. `subnet-0abc...`. */
  readonly id: string;
  /** The subnet's availability zone, e.g. `eu-west-1a`. Needed at synth to refuse single-zone clusters. */
  readonly availabilityZone: string;
}

/** The existing network a cluster embeds in. Nothing VPC-wide is created: only what the cluster owns. */
export interface NetworkDefinition {
  /** The id of the existing VPC. */
  readonly vpcId: string;
  /** The VPC's IPv4 CIDR; pod/service CIDRs must not overlap it, and tenant egress excludes it by default. */
  readonly vpcCidr: string;
  /**
   * Private subnets, in at least two availability zones. Nodes get no public IP. Several subnets in one zone are
   * fine: the nodes' autoscaling groups use all of them, the load balancers the first listed of each zone (AWS allows
   * one per zone). Subnets are named by id rather than found by tag filter, so that the zone check runs at synth and a
   * pull request's diff shows exactly which subnets a generation uses.
   */
  readonly privateSubnets: readonly SubnetReference[];
  /**
   * CIDRs allowed to reach the Kubernetes API (port 6443) through the internal API load balancer,
   * e.g. a VPN or bastion range; and SSH (port 22) on the nodes of a generation that sets `sshAuthorizedKeys`.
   * @default [] (only the cluster's own nodes)
   */
  readonly adminCidrs?: readonly string[];
  /**
   * Admin CIDRs that include public (internet) addresses are refused unless this is true: the API and SSH would answer
   * those addresses wherever they can route to the VPC (e.g. over a VPN or Direct Connect that forwards public ranges).
   * Ranges that together cover every address are refused regardless.
   * @default false
   */
  readonly acknowledgePublicAdminCidrs?: boolean;
  /**
   * Open the whole NodePort range (30000-32767) on the workers to `vpcCidr`. Off: NodePorts are reachable only from the
   * ingress load balancer (its security group), and Services of type LoadBalancer get their rules from the cloud controller.
   * @default false
   */
  readonly nodePortsFromVpc?: boolean;
}

/** The existing private Route53 hosted zone associated with the VPC. */
export interface DnsDefinition {
  /** Hosted zone id, e.g. `Z0123456789ABC`. */
  readonly privateZoneId: string;
  /** The zone's domain name, e.g. `internal.example.com`. */
  readonly privateZoneName: string;
}

/** The Flatcar Container Linux image a generation boots, pinned exactly. */
export interface FlatcarImage {
  /** Release channel. */
  readonly channel: "stable" | "beta" | "alpha" | "lts";
  /** Exact release, e.g. `4230.2.3`. */
  readonly version: string;
  /**
   * Deprecated: each worker pool's architecture is the one its `instanceTypes` share and the control plane's its
   * `instanceType`'s, so one generation can run Graviton (arm64) pools beside amd64 nodes. When set, every node's
   * instance types must match it (as before pools had their own architecture), and it picks the default instance type.
   * @default undefined (each node's architecture follows its instance types; default types are amd64)
   * @deprecated leave it out and choose instance types per pool
   */
  readonly arch?: "amd64" | "arm64";
  /**
   * AWS account that publishes the image.
   * @default "075585003325" (Flatcar's official account)
   */
  readonly owner?: string;
  /**
   * Required (true) with an `owner` other than Flatcar's account: the nodes boot whatever that account publishes under
   * the image name, so a team that builds its own images says so here.
   * @default false
   */
  readonly acknowledgeUnofficialOwner?: boolean;
}

/** A root EBS volume. Always encrypted. */
export interface RootVolume {
  /** @default 30 (GiB) */
  readonly sizeGiB?: number;
  /** @default "gp3" */
  readonly type?: "gp3" | "gp2" | "io1" | "io2";
}

/** A Kubernetes node taint. */
export interface NodeTaint {
  readonly key: string;
  /** @default "" */
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** The control plane of one generation. */
export interface ControlPlaneDefinition {
  /**
   * Number of control-plane nodes: 1, 3 or 5 (etcd needs an odd quorum).
   * @default 3
   */
  readonly count?: 1 | 3 | 5;
  /** @default "m6i.large" */
  readonly instanceType?: string;
  /** @default { sizeGiB: 50, type: "gp3" } */
  readonly rootVolume?: RootVolume;
  /** The few kube-apiserver settings a team may change (see ApiServerOptions). @default {} (the secure defaults) */
  readonly apiServer?: ApiServerOptions;
  /** etcd snapshots to the node bucket (node contract 2 and later). @default { intervalMinutes: 30, retentionDays: 7 } */
  readonly etcdSnapshots?: EtcdSnapshotOptions;
  /**
   * Start this (fresh) generation from an etcd snapshot of an earlier generation of the cluster, with that generation's
   * cluster CA, front-proxy and etcd CAs, service-account key pair and Secrets encryption key (docs/operations.md,
   * "Restore into a fresh generation"; `immutable-clusters restore` copies them in). @default undefined (a new cluster)
   */
  readonly restore?: EtcdRestoreOptions;
}

/** Spot settings of a worker pool's mixed instances policy. */
export interface SpotOptions {
  /**
   * On-demand instances the pool always keeps before any spot is used.
   * @default 0
   */
  readonly onDemandBaseCapacity?: number;
  /**
   * Percentage of on-demand instances above the base capacity (0 = all spot above base).
   * @default 0
   */
  readonly onDemandPercentageAboveBase?: number;
  /** @default "price-capacity-optimized" */
  readonly allocationStrategy?: "price-capacity-optimized" | "capacity-optimized" | "lowest-price";
}

/** What a user passes to `cluster.addWorkerPool(id, options)` or lists in a generation's `workerPools`. */
export interface WorkerPoolOptions {
  /**
   * EC2 instance types of the pool, all of one architecture: x86_64 types make an amd64 pool, Graviton types (e.g.
   * `m7g.large`, `c7g.large`) an arm64 pool, which boots the arm64 Flatcar image and node binaries.
   * @default ["m6i.large"] (["m7g.large"] with the deprecated `flatcar.arch: "arm64"`)
   */
  readonly instanceTypes?: readonly string[];
  /** @default 1 */
  readonly minSize?: number;
  /** @default 3 */
  readonly maxSize?: number;
  /** @default minSize (autoscale.min for an autoscaled pool, where it is only the size the group starts at) */
  readonly desiredCapacity?: number;
  /**
   * Let cluster-autoscaler size the pool between `min` and `max` (which replace minSize and maxSize); without it the
   * pool keeps the size the definition gives it. See docs/addons.md ("cluster-autoscaler").
   * @default undefined (not autoscaled)
   */
  readonly autoscale?: AutoscaleOptions;
  /** @default { sizeGiB: 30, type: "gp3" } */
  readonly rootVolume?: RootVolume;
  /** When set, the pool mixes spot capacity in; when absent, the pool is all on-demand. @default undefined */
  readonly spot?: SpotOptions;
  /** Kubernetes node labels, passed to kubelet at join. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kubernetes node taints, registered at join. @default [] */
  readonly taints?: readonly NodeTaint[];
  /**
   * Whether this pool runs the ingress controller and is the ingress load balancer's target.
   * @default true for the first pool of a generation, false for the others
   */
  readonly ingress?: boolean;
}

/** A worker pool in a generation's definition. */
export interface WorkerPoolDefinition extends WorkerPoolOptions {
  /** DNS-safe pool name, unique within the generation, e.g. `general`. */
  readonly name: string;
}

/** Kubernetes networking of one generation. */
export interface ClusterNetworking {
  /** @default "10.244.0.0/16" */
  readonly podCidr?: string;
  /** @default "10.96.0.0/12" */
  readonly serviceCidr?: string;
}

/**
 * One generation of a logical cluster: a complete, independent Kubernetes cluster with its own stack and state.
 * A new Kubernetes or Flatcar version is a new generation; an existing one is never mutated in place.
 */
export interface GenerationDefinition {
  /** Short DNS-safe id, unique in the cluster, e.g. `a`, `b`, `g7` (at most 8 characters). */
  readonly id: string;
  /** Exact Kubernetes version, e.g. `1.31.0`. */
  readonly kubernetesVersion: string;
  /** Flatcar image, pinned by channel, version and architecture. */
  readonly flatcar: FlatcarImage;
  /** Share of the cluster's traffic (0-100) sent to this generation's ingress by weighted DNS. */
  readonly weight: number;
  /**
   * `retiring` marks a generation about to be destroyed: it must carry weight 0.
   * @default "live"
   */
  readonly state?: "live" | "retiring";
  /** @default { count: 3, instanceType: "m6i.large" } */
  readonly controlPlane?: ControlPlaneDefinition;
  /** At least one pool. */
  readonly workerPools: readonly WorkerPoolDefinition[];
  /** @default { podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" } */
  readonly networking?: ClusterNetworking;
  /** Addons shipped with this generation. @default every default addon enabled with its defaults */
  readonly addons?: AddonsDefinition;
  /**
   * Flatcar's automatic OS updates and reboots. Off by default: clusters are replaced, not updated.
   * @default false
   */
  readonly osUpdates?: boolean;
  /**
   * OpenSSH public keys for Flatcar's `core` user, for break-glass access. With none, the nodes run no SSH daemon at
   * all (`sshd.socket` masked) and no security group opens port 22. With keys, port 22 on every node is open to
   * `network.adminCidrs` (and to nothing else: with no admin CIDRs, a team adds its own rule, e.g. from a bastion).
   * @default [] (no SSH)
   */
  readonly sshAuthorizedKeys?: readonly string[];
}

/** Where Terraform keeps the state of each stack. */
export interface StateBackend {
  /** S3 bucket for state; each stack gets its own key under `keyPrefix`. */
  readonly bucket: string;
  /** @default "immutable-clusters" */
  readonly keyPrefix?: string;
  /** @default the cluster's region */
  readonly region?: string;
  /** DynamoDB table for state locking. @default undefined (S3 native locking) */
  readonly dynamodbTable?: string;
}

/** Shared entry points that outlive any generation. */
export interface TrafficDefinition {
  /**
   * First label of the name clients use, `<hostname>.<cluster name>.<private zone>` (e.g. `apps.prod.internal.example.com`,
   * so two clusters in one zone never collide); weighted records point it at each live generation.
   * @default "apps"
   */
  readonly hostname?: string;
  /**
   * Path of the ingress controller's health endpoint, checked by the load balancer and Route53.
   * @default "/healthz"
   */
  readonly healthPath?: string;
}

/** A logical cluster (e.g. `prod`) and its generations. */
export interface ClusterDefinition {
  /** DNS-safe name of the logical cluster, at most 16 characters, e.g. `prod`. */
  readonly name: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  readonly network: NetworkDefinition;
  readonly dns: DnsDefinition;
  /** One or more generations; see GenerationDefinition. */
  readonly generations: readonly GenerationDefinition[];
  /** @default { hostname: "apps", healthPath: "/healthz" } */
  readonly traffic?: TrafficDefinition;
  /** Terraform state backend. @default local state files beside the project, one per stack */
  readonly stateBackend?: StateBackend;
  /** Tags added to every AWS resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * IAM role ARN that administers every generation's KMS key (break-glass), with the deploying principal, instead of
   * the account root. Neither may encrypt or decrypt with the key. See docs/security.md.
   * @default undefined (the account root administers the keys)
   */
  readonly keyAdministratorRoleArn?: string;
  /**
   * IAM roles that may use the Kubernetes API of each generation, and as which groups (see AccessDefinition and
   * docs/operations.md). With no role, generations run no authenticator and only the break-glass path exists.
   * @default {} (no role mapped)
   */
  readonly access?: AccessDefinition;
  /**
   * Kubernetes service accounts that get an IAM role trusting the cluster's service-account issuer, which every
   * generation of node contract 3 and later signs its tokens with (docs/workload-identity.md). The roles are in the
   * cluster's identity stack (`<cluster>-identity`) and change in place: adding one touches no generation.
   * @default [] (no workload role)
   */
  readonly serviceAccounts?: readonly ServiceAccountDefinition[];
}
