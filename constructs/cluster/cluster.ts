// Owns one generation of a Kubernetes cluster inside an existing VPC: it wires the security groups, node identities,
// bootstrap key, node-config bucket, API and ingress load balancers, control plane and worker pools together.
// Grow it with verbs: `addWorkerPool(name, options)`, `addManifests(key, yaml)`.
import { Construct } from "constructs";
import type { ClusterDefinition, GenerationDefinition, WorkerPoolDefinition, WorkerPoolOptions } from "../definition/types";
import { flatcarImageName, resolveGeneration, type ResolvedGeneration, type ResolvedWorkerPool } from "../definition/resolve";
import type { NodeArchitecture } from "../definition/instance-types";
import { validateDefinition } from "../definition/validate";
import { parsedDefinition } from "../definition/parsed-definitions";
import type { S3Object } from "../platform/aws";
import { logShippingTarget, runsClusterAutoscaler } from "../addons/node-permissions";
import { nodeConfigKey, nodeRoleArchitecture, renderNodeIgnitionDocument, userDataPointer, type NodeRole } from "../ignition/node-config";
import { ApiLoadBalancer } from "./api-load-balancer";
import { BootstrapKey } from "./bootstrap-key";
import { ControlPlane } from "./control-plane";
import { DeployingAccount } from "./deploying-account";
import { GenerationImage } from "./generation-image";
import { IngressLoadBalancer } from "./ingress-load-balancer";
import { nodeBucketObjectForm, utf8Text } from "./node-bucket-object-content";
import { NodeConfigBucket } from "./node-config-bucket";
import { NodeIdentity } from "./node-identity";
import { NODE_CONTRACT, SUPPORTED_NODE_CONTRACTS } from "./node-contract";
import { controllerStatements, workerStatements } from "./node-policies";
import { CaCertificateParameter } from "./ca-certificate-parameter";
import { SNAPSHOT_PREFIX } from "./operations-policies";
import { issuerControllerStatements } from "./service-account-issuer-policies";
import { serviceAccountIssuer } from "../definition/service-account-issuer";
import { contract1ControllerStatements, contract1WorkerStatements } from "./node-policies-contract-1";
import { ClusterSecurityGroups } from "./security-groups";
import { WorkerPool } from "./worker-pool";

export interface KubernetesClusterProps {
  /** The logical cluster (network, DNS, tags). Validated here: an invalid definition throws before any resource exists. */
  readonly cluster: ClusterDefinition;
  /** Id of the generation (in `cluster.generations`) this construct builds. */
  readonly generationId: string;
  /**
   * Node configs to upload instead of rendering them, by node-bucket key (`ignition/controller.ign`): a deployed
   * generation's frozen configs (see readFrozenArtifacts). A role without one is rendered by this library.
   * @default none (every role rendered)
   */
  readonly frozenNodeConfigs?: ReadonlyMap<string, string>;
  /**
   * The node contract the node configs follow (node-contract.ts): a frozen generation's, recorded in the lock. Decides
   * the node IAM statements and the nodes' grants in the key policy.
   * @default NODE_CONTRACT (this library's)
   */
  readonly nodeContract?: number;
}

/** One immutable generation of a self-managed Kubernetes cluster on Flatcar. */
export class KubernetesCluster extends Construct {
  /** Every default filled in and every name derived. */
  readonly generation: ResolvedGeneration;
  readonly securityGroups: ClusterSecurityGroups;
  readonly apiLoadBalancer: ApiLoadBalancer;
  readonly ingressLoadBalancer: IngressLoadBalancer;
  readonly nodeBucket: NodeConfigBucket;
  readonly bootstrapKey: BootstrapKey;
  readonly controlPlane: ControlPlane;
  private readonly pools = new Map<string, WorkerPool>();
  private readonly configs = new Map<string, string>();
  /** The documents of the node configs rendered by this library (not the frozen ones), by node-bucket key. */
  private readonly configDocuments = new Map<string, unknown>();
  private readonly addedPools: WorkerPoolDefinition[] = [];
  private readonly frozenNodeConfigs: ReadonlyMap<string, string>;
  private readonly workerIdentity: NodeIdentity;
  /** The generation's encrypted AMI copy of each architecture in use, made when the first node of it is added. */
  private readonly images = new Map<NodeArchitecture, string>();
  private readonly subnetIds: string[];
  /** The first listed subnet of each zone: a load balancer takes at most one subnet per availability zone. */
  private readonly loadBalancerSubnetIds: string[];

  constructor(scope: Construct, id: string, props: KubernetesClusterProps) {
    super(scope, id);
    const cluster = parsedDefinition(props.cluster);
    const definition: GenerationDefinition | undefined = cluster.generations.find((g) => g.id === props.generationId);
    if (!definition) {
      throw new Error(
        `generationId: cluster "${cluster.name}" has no generation "${props.generationId}"; use one of ${cluster.generations.map((g) => `"${g.id}"`).join(", ")}`,
      );
    }
    const gen = resolveGeneration(cluster, definition);
    this.generation = gen;
    this.frozenNodeConfigs = props.frozenNodeConfigs ?? new Map();
    this.subnetIds = cluster.network.privateSubnets.map((s) => s.id);
    this.loadBalancerSubnetIds = firstSubnetPerZone(cluster.network.privateSubnets);

    this.securityGroups = new ClusterSecurityGroups(this, "security-groups", {
      name: gen.fullName,
      vpcId: cluster.network.vpcId,
      vpcCidr: cluster.network.vpcCidr,
      adminCidrs: cluster.network.adminCidrs ?? [],
      sshCidrs: gen.sshAuthorizedKeys.length ? (cluster.network.adminCidrs ?? []) : [],
      ingressNodePorts: [gen.ingressNodePorts.http, gen.ingressNodePorts.https],
      nodePortsFromVpc: cluster.network.nodePortsFromVpc ?? false,
      tags: gen.tags,
    });
    const contract = props.nodeContract ?? NODE_CONTRACT;
    if (!SUPPORTED_NODE_CONTRACTS.includes(contract))
      throw new Error(
        `nodeContract: ${gen.fullName} was frozen with node contract ${contract}, which this library version cannot build; use the library version that froze it`,
      );
    const account = new DeployingAccount(this, "account");
    const roleArn = (role: string) => `arn:aws:iam::${account.accountId}:role/${gen.fullName}-${role}`;
    this.bootstrapKey = new BootstrapKey(this, "bootstrap-key", {
      alias: gen.kmsAlias,
      description: `Bootstrap secrets and node configs of Kubernetes cluster ${gen.fullName}`,
      policy: {
        region: gen.region,
        accountId: account.accountId,
        deployerArn: account.deployerArn,
        breakGlassAdminRoleArn: cluster.keyAdministratorRoleArn,
        controllerRoleArn: roleArn("controller"),
        workerRoleArn: roleArn("worker"),
        ssmPrefix: gen.ssmPrefix,
        bucketName: gen.bucketName,
        nodeContract: contract,
      },
      tags: gen.tags,
    });
    // The nodes publish the join material and the control-plane secrets as objects of this bucket (node contract 2),
    // never in anything Terraform manages: Terraform state would hold them (node-policies.ts BOOTSTRAP_OBJECT_KEYS).
    this.nodeBucket = new NodeConfigBucket(this, "node-configs", {
      bucketName: gen.bucketName,
      kmsKeyArn: this.bootstrapKey.keyArn,
      tags: gen.tags,
      // By the contract recorded in the lock: a generation keeps the object form it was deployed with.
      objectForm: nodeBucketObjectForm(contract),
    });
    // Contract 2 controllers upload etcd snapshots (etcd-snapshot.sh); the bucket keeps them for the retention.
    if (contract >= 2) this.nodeBucket.expireObjects(SNAPSHOT_PREFIX, gen.controlPlane.etcdSnapshots.retentionDays);
    // Contract 2 controllers publish the cluster CA for kubeconfigs (publish-ca.sh) into this pre-created parameter.
    if (contract >= 2)
      new CaCertificateParameter(this, "ca-certificate", { ssmPrefix: gen.ssmPrefix, clusterFullName: gen.fullName, tags: gen.tags });
    const policyScope = {
      region: gen.region,
      accountId: account.accountId,
      vpcId: cluster.network.vpcId,
      bucketName: gen.bucketName,
      kmsKeyArn: this.bootstrapKey.keyArn,
      ssmPrefix: gen.ssmPrefix,
      clusterFullName: gen.fullName,
      logShipping: logShippingTarget(gen),
      clusterAutoscaler: runsClusterAutoscaler(gen),
    };
    const controllerIdentity = new NodeIdentity(this, "controller-identity", {
      name: `${gen.fullName}-controller`,
      statements:
        contract === 1
          ? contract1ControllerStatements(policyScope)
          : [
              ...controllerStatements(policyScope),
              // Contract 3: the cluster's service-account issuer (signing-key parameter, JWKS).
              ...(contract >= 3
                ? issuerControllerStatements({ region: gen.region, accountId: account.accountId, issuer: serviceAccountIssuer(cluster) })
                : []),
            ],
      tags: gen.tags,
    });
    this.workerIdentity = new NodeIdentity(this, "worker-identity", {
      name: `${gen.fullName}-worker`,
      statements: contract === 1 ? contract1WorkerStatements(policyScope) : workerStatements(policyScope),
      tags: gen.tags,
    });
    // One encrypted copy per architecture in use, the control plane's first (its construct id and names are those of
    // the generation's single image before pools had their own architecture, so existing stacks keep their copy).
    for (const arch of gen.architectures) this.imageFor(arch);

    this.apiLoadBalancer = new ApiLoadBalancer(this, "api", {
      name: gen.fullName,
      vpcId: cluster.network.vpcId,
      subnetIds: this.loadBalancerSubnetIds,
      securityGroupId: this.securityGroups.groupId(this.securityGroups.apiLoadBalancer),
      zoneId: cluster.dns.privateZoneId,
      endpoint: gen.apiEndpoint,
      port: gen.apiPort,
      tags: gen.tags,
    });
    this.ingressLoadBalancer = new IngressLoadBalancer(this, "ingress", {
      name: gen.fullName,
      vpcId: cluster.network.vpcId,
      subnetIds: this.loadBalancerSubnetIds,
      securityGroupId: this.securityGroups.groupId(this.securityGroups.ingressLoadBalancer),
      nodePorts: gen.ingressNodePorts,
      healthPath: gen.healthPath,
      tags: gen.tags,
    });

    const controllerConfig = this.storeNodeConfig({ kind: "controller" });
    this.controlPlane = new ControlPlane(this, "control-plane", {
      name: gen.fullName,
      count: gen.controlPlane.count,
      instanceType: gen.controlPlane.instanceType,
      rootVolume: gen.controlPlane.rootVolume,
      rootVolumeKmsKeyArn: this.bootstrapKey.keyArn,
      imageId: this.imageFor(gen.controlPlane.arch),
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroups.groupId(this.securityGroups.controlPlane),
      instanceProfileArn: controllerIdentity.instanceProfileArn,
      apiTargetGroupArn: this.apiLoadBalancer.targetGroupArn,
      userData: controllerConfig.userData,
      tags: gen.tags,
      bootDependencies: [...this.apiLoadBalancer.dependables, controllerConfig.object, ...controllerIdentity.dependables],
    });
    for (const pool of gen.workerPools) this.addResolvedPool(pool);
  }

  /** The worker pools, by name. */
  get workerPools(): ReadonlyMap<string, WorkerPool> {
    return this.pools;
  }

  /** Each node role's full Ignition config (canonical JSON), by its key in the node bucket, e.g. `ignition/controller.ign`. */
  get nodeConfigs(): ReadonlyMap<string, string> {
    return this.configs;
  }

  /**
   * The node config stored under `key` as data (what JSON.parse of its text gives): the document it was rendered
   * from, or the frozen text parsed. Read it, do not change it. Undefined for a key the generation has no config for.
   */
  nodeConfigDocument(key: string): unknown {
    if (this.configDocuments.has(key)) return this.configDocuments.get(key);
    const text = this.configs.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  /**
   * Adds a worker pool beyond those in the definition.
   * @param name DNS-safe pool name, unique in this generation
   */
  addWorkerPool(name: string, options: WorkerPoolOptions = {}): WorkerPool {
    const pool: WorkerPoolDefinition = { ...options, name };
    const generation = {
      ...this.generation.definition,
      workerPools: [...this.generation.definition.workerPools, ...this.addedPools, pool],
    };
    const cluster = {
      ...this.generation.cluster,
      generations: this.generation.cluster.generations.map((g) => (g.id === generation.id ? generation : g)),
    };
    // The pool is resolved from the parsed definition only (one source of truth), never from `options` as passed.
    const valid = validateDefinition(cluster);
    const validGeneration = valid.generations.find((g) => g.id === generation.id)!;
    this.addedPools.push(validGeneration.workerPools[validGeneration.workerPools.length - 1]);
    return this.addResolvedPool(resolveGeneration(valid, validGeneration).workerPools[validGeneration.workerPools.length - 1]);
  }

  /** Stores a manifest file under `addons/` in the node bucket; the first control-plane node applies it. */
  addManifests(id: string, key: string, yaml: string): void {
    // The first control-plane node applies them right after `kubeadm init`: its group waits for the object.
    this.controlPlane.addBootDependency(this.nodeBucket.addObject(id, `addons/${key}`, yaml, "application/yaml"));
  }

  private addResolvedPool(pool: ResolvedWorkerPool): WorkerPool {
    if (this.pools.has(pool.name))
      throw new Error(`workerPools: pool "${pool.name}" already exists in ${this.generation.fullName}; use another name`);
    const nodeConfig = this.storeNodeConfig({ kind: "worker", pool });
    const workerPool = new WorkerPool(this, `pool-${pool.name}`, {
      clusterName: this.generation.fullName,
      pool,
      imageId: this.imageFor(pool.arch),
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroups.groupId(this.securityGroups.workers),
      rootVolumeKmsKeyArn: this.bootstrapKey.keyArn,
      instanceProfileArn: this.workerIdentity.instanceProfileArn,
      targetGroupArns: pool.ingress ? this.ingressLoadBalancer.targetGroupArns : [],
      userData: nodeConfig.userData,
      tags: this.generation.tags,
      bootDependencies: [...this.apiLoadBalancer.dependables, nodeConfig.object, ...this.workerIdentity.dependables],
    });
    this.pools.set(pool.name, workerPool);
    return workerPool;
  }

  /**
   * The id of the generation's AMI copy for an architecture, created on first use: the control plane's architecture
   * under the construct id `image` (as before pools had their own), a pools-only one under `pool-image-<arch>` (which
   * sorts after `image` in the Terraform JSON, so the first image lookup stays the control plane's, which the review reads).
   */
  private imageFor(arch: NodeArchitecture): string {
    const existing = this.images.get(arch);
    if (existing) return existing;
    const gen = this.generation;
    const image = new GenerationImage(this, arch === gen.controlPlane.arch ? "image" : `pool-image-${arch}`, {
      imageName: flatcarImageName(gen.flatcar, arch),
      owner: gen.flatcar.owner,
      arch,
      name: gen.fullName,
      region: gen.region,
      kmsKeyArn: this.bootstrapKey.keyArn,
      tags: gen.tags,
    });
    this.images.set(arch, image.imageId);
    return image.imageId;
  }

  /** Renders a role's full Ignition config into the bucket; returns the user-data pointer to it and the stored object. */
  private storeNodeConfig(role: NodeRole): { userData: string; object: S3Object } {
    const key = nodeConfigKey(role);
    // A frozen generation uploads exactly what it booted with; a role it has no frozen config for is rendered now.
    const frozen = this.frozenNodeConfigs.get(key);
    if (frozen !== undefined) assertFrozenArchitecture(this.generation, role, key, frozen);
    let config = frozen;
    if (config === undefined) {
      const rendered = renderNodeIgnitionDocument(this.generation, role);
      config = rendered.text;
      this.configDocuments.set(key, rendered.document);
    }
    this.configs.set(key, config);
    // Encoded to UTF-8 once: the object's base64 and the pointer's SHA-512 are of these bytes (issue 17).
    const encoded = utf8Text(config);
    const object = this.nodeBucket.addObject(
      role.kind === "controller" ? "controller-ignition" : `worker-${role.pool.name}-ignition`,
      key,
      encoded,
      "application/json",
    );
    return { userData: userDataPointer(this.generation.bucketName, key, encoded.bytes), object };
  }
}

/**
 * Refuses a frozen node config whose nodes would now launch on another architecture: instance types may change in
 * place on a deployed generation, but its frozen config downloads the Kubernetes binaries of the architecture it was
 * rendered for (`kubernetes-node-linux-<arch>.tar.gz`), and the nodes would boot another Flatcar image than they run.
 */
function assertFrozenArchitecture(gen: ResolvedGeneration, role: NodeRole, key: string, frozenConfig: string): void {
  const arch = nodeRoleArchitecture(gen, role);
  const frozenArch = /kubernetes-node-linux-(amd64|arm64)\.tar\.gz/.exec(frozenConfig)?.[1];
  if (frozenArch === undefined || frozenArch === arch) return;
  const field =
    role.kind === "controller"
      ? "controlPlane.instanceType"
      : `workerPools[${gen.workerPools.findIndex((p) => p.name === role.pool.name)}].instanceTypes`;
  const types = role.kind === "controller" ? [gen.controlPlane.instanceType] : role.pool.instanceTypes;
  throw new Error(
    `${gen.fullName}: generations[${gen.cluster.generations.findIndex((g) => g.id === gen.generationId)}].${field}: ` +
      `${types.map((t) => JSON.stringify(t)).join(", ")} ${types.length === 1 ? "is" : "are"} ${arch} but the frozen node config ${key} runs ${frozenArch} ` +
      `nodes; a deployed generation keeps its nodes' architecture: use ${frozenArch} instance types here, or create a new generation with the change`,
  );
}

/**
 * The first listed subnet of each availability zone, in the order listed. AWS refuses a load balancer with two subnets
 * in one zone; the nodes' autoscaling groups still use every subnet (more addresses), and a load balancer reaches its
 * instance targets in any subnet of a zone it is enabled in.
 */
function firstSubnetPerZone(subnets: readonly { readonly id: string; readonly availabilityZone: string }[]): string[] {
  const byZone = new Map<string, string>();
  for (const subnet of subnets) if (!byZone.has(subnet.availabilityZone)) byZone.set(subnet.availabilityZone, subnet.id);
  return [...byZone.values()];
}
