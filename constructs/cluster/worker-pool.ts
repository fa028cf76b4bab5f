// Owns one worker pool: an autoscaling group with a mixed instances policy (several types, on-demand/spot mix) over a
// launch template whose Ignition carries the pool's labels and taints; ingress pools register with the ingress
// load balancer. An autoscaled pool's group carries cluster-autoscaler's discovery and node-template tags.
import { Construct } from "constructs";
import { autoscalerGroupTags } from "../addons/cluster-autoscaler/asg-tags";
import type { ResolvedWorkerPool } from "../definition/resolve";
import { AutoscalingGroup } from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";
import { dependsOnTokens } from "./depends-on-tokens";
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
    // Only an autoscaled pool is discovered (a pool without `autoscale` keeps its definition's size); the tags describe
    // the group to cluster-autoscaler, not its instances, so they do not propagate to them.
    const autoscalerTags = pool.autoscale ? autoscalerGroupTags(props.clusterName, pool) : {};
    const group = new AutoscalingGroup(this, "group", {
      name: this.autoScalingGroupName,
      minSize: pool.minSize,
      maxSize: pool.maxSize,
      desiredCapacity: pool.desiredCapacity,
      vpcZoneIdentifier: [...props.subnetIds],
      targetGroupArns: [...(props.targetGroupArns ?? [])],
      healthCheckType: "EC2",
      healthCheckGracePeriod: 300,
      // cluster-autoscaler owns an autoscaled group's desired capacity once it exists: Terraform sets it at creation
      // and leaves it alone after, so an apply never undoes a scale-out (https://developer.hashicorp.com/terraform/tutorials/aws/aws-asg,
      // "use lifecycle arguments to avoid drift").
      ...(pool.autoscale ? { lifecycle: { ignoreChanges: ["desired_capacity"] } } : {}),
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
      tag: [
        ...Object.entries({
          ...props.tags,
          Name: `${props.clusterName}-worker-${pool.name}`,
          "immutable-clusters/role": "worker",
          "immutable-clusters/pool": pool.name,
        }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        ...Object.entries(autoscalerTags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
      ],
    });
    // The same tokens as every other resource depending on these (depends-on-tokens.ts).
    group.dependsOn = dependsOnTokens(props.bootDependencies ?? []);
  }
}
