// Owns the control-plane nodes of one generation: one autoscaling group of 1, 3 or 5 identical Flatcar nodes spread
// over the zones and registered with the API load balancer. No node is special at launch: they elect the one that
// runs `kubeadm init` at boot.
import { Construct } from "constructs";
import { AutoscalingGroup } from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";
import { dependsOnTokens } from "./depends-on-tokens";
import { NodeLaunchTemplate } from "./node-launch-template";

export interface ControlPlaneProps {
  /** `<cluster>-<generation>`; the group is `<name>-controllers`. */
  readonly name: string;
  /** 1, 3 or 5. */
  readonly count: number;
  readonly instanceType: string;
  readonly rootVolume: { readonly sizeGiB: number; readonly type: string };
  /** The generation's KMS key, for the root volumes. */
  readonly rootVolumeKmsKeyArn: string;
  readonly imageId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly instanceProfileArn: string;
  readonly apiTargetGroupArn: string;
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

/** The control-plane autoscaling group. */
export class ControlPlane extends Construct {
  readonly autoScalingGroupName: string;
  private readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const template = new NodeLaunchTemplate(this, "launch-template", {
      name: `${props.name}-controller`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      instanceProfileArn: props.instanceProfileArn,
      securityGroupId: props.securityGroupId,
      rootVolume: props.rootVolume,
      rootVolumeKmsKeyArn: props.rootVolumeKmsKeyArn,
      userData: props.userData,
      tags: { ...props.tags, "immutable-clusters/role": "controller" },
    });
    this.autoScalingGroupName = `${props.name}-controllers`;
    this.group = new AutoscalingGroup(this, "group", {
      name: this.autoScalingGroupName,
      minSize: props.count,
      maxSize: props.count,
      desiredCapacity: props.count,
      vpcZoneIdentifier: [...props.subnetIds],
      launchTemplate: { id: template.id, version: template.latestVersion },
      targetGroupArns: [props.apiTargetGroupArn],
      healthCheckType: "EC2",
      healthCheckGracePeriod: 600,
      tag: Object.entries({ ...props.tags, Name: `${props.name}-controller`, "immutable-clusters/role": "controller" }).map(
        ([key, value]) => ({ key, value, propagateAtLaunch: true }),
      ),
    });
    // The same tokens as every other resource depending on these (depends-on-tokens.ts).
    this.group.dependsOn = dependsOnTokens(props.bootDependencies ?? []);
  }

  /** Orders the group after one more thing its nodes need at first boot (e.g. an object added after construction). */
  addBootDependency(target: ITerraformDependable): void {
    this.group.dependsOn = [...(this.group.dependsOn ?? []), ...dependsOnTokens([target])];
  }
}
