// Owns one worker pool: an autoscaling group with a mixed instances policy (several types, on-demand/spot mix) over a
// launch template whose Ignition carries the pool's labels and taints; ingress pools register with the ingress
// load balancer. Cluster-autoscaler discovery tags are set so the pool can scale by itself.
import { Construct } from "constructs";
import type { ResolvedWorkerPool } from "../definition/resolve";
import { AutoscalingGroup } from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";
import { NodeLaunchTemplate } from "./node-launch-template";

export interface WorkerPoolProps {
  /** `<cluster>-<generation>`; the group is `<name>-<pool>`. */
  readonly clusterName: string;
  readonly pool: ResolvedWorkerPool;
  readonly imageId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** The generation's KMS key, for the root volumes. */
  readonly rootVolumeKmsKeyArn: string;
  readonly instanceProfileArn: string;
  /** Target groups to register with (the ingress load balancer's, for ingress pools). @default [] */
  readonly targetGroupArns?: readonly string[];
  readonly userData: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * What must exist before any node of this group boots: the API listener and DNS record, the node config object(s) in
   * S3, the role's policies and instance profile. Ignition fetches an `s3://` config once, with no retry (coreos/ignition
   * internal/resource/url.go FetchFromS3; only http(s) retries, in internal/resource/http.go), so a node started before
   * these exist never comes up.
   * @default []
   */
  readonly bootDependencies?: readonly ITerraformDependable[];
}

/** An autoscaling pool of worker nodes. */
export class WorkerPool extends Construct {
  readonly autoScalingGroupName: string;
  readonly pool: ResolvedWorkerPool;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { pool } = props;
    this.pool = pool;
    this.autoScalingGroupName = `${props.clusterName}-${pool.name}`;
    const template = new NodeLaunchTemplate(this, "launch-template", {
      name: `${props.clusterName}-worker-${pool.name}`,
      imageId: props.imageId,
      instanceProfileArn: props.instanceProfileArn,
      securityGroupId: props.securityGroupId,
      rootVolume: pool.rootVolume,
      rootVolumeKmsKeyArn: props.rootVolumeKmsKeyArn,
      userData: props.userData,
      tags: { ...props.tags, "immutable-clusters/role": "worker", "immutable-clusters/pool": pool.name },
    });
    const spot = pool.spot;
    const autoscalerTags: Record<string, string> = {
      "k8s.io/cluster-autoscaler/enabled": "true",
      [`k8s.io/cluster-autoscaler/${props.clusterName}`]: "owned",
    };
    for (const [key, value] of Object.entries(pool.labels)) autoscalerTags[`k8s.io/cluster-autoscaler/node-template/label/${key}`] = value;
    for (const taint of pool.taints) {
      autoscalerTags[`k8s.io/cluster-autoscaler/node-template/taint/${taint.key}`] = `${taint.value ?? ""}:${taint.effect}`;
    }
    new AutoscalingGroup(this, "group", {
      name: this.autoScalingGroupName,
      minSize: pool.minSize,
      maxSize: pool.maxSize,
      desiredCapacity: pool.desiredCapacity,
      vpcZoneIdentifier: [...props.subnetIds],
      targetGroupArns: [...(props.targetGroupArns ?? [])],
      healthCheckType: "EC2",
      healthCheckGracePeriod: 300,
      dependsOn: [...(props.bootDependencies ?? [])],
      capacityRebalance: spot !== undefined,
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: template.id, version: template.latestVersion },
          override: pool.instanceTypes.map((instanceType) => ({ instanceType })),
        },
        instancesDistribution: {
          onDemandAllocationStrategy: "prioritized",
          onDemandBaseCapacity: spot?.onDemandBaseCapacity ?? 0,
          onDemandPercentageAboveBaseCapacity: spot ? spot.onDemandPercentageAboveBase : 100,
          spotAllocationStrategy: spot?.allocationStrategy ?? "price-capacity-optimized",
        },
      },
      tag: Object.entries({
        ...props.tags,
        ...autoscalerTags,
        Name: `${props.clusterName}-worker-${pool.name}`,
        "immutable-clusters/role": "worker",
        "immutable-clusters/pool": pool.name,
      }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
  }
}
