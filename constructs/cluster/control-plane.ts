// Owns the control-plane nodes of one generation: one autoscaling group of 1, 3 or 5 identical Flatcar nodes spread
// over the zones and registered with the API load balancer. No node is special at launch: they elect the one that
// runs `kubeadm init` at boot.
import { Construct } from "constructs";
import { AutoscalingGroup } from "../platform/aws";
import { NodeLaunchTemplate } from "./node-launch-template";

export interface ControlPlaneProps {
  /** `<cluster>-<generation>`; the group is `<name>-controllers`. */
  readonly name: string;
  /** 1, 3 or 5. */
  readonly count: number;
  readonly instanceType: string;
  readonly rootVolume: { readonly sizeGiB: number; readonly type: string };
  readonly imageId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  readonly instanceProfileArn: string;
  readonly apiTargetGroupArn: string;
  readonly userData: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The control-plane autoscaling group. */
export class ControlPlane extends Construct {
  readonly autoScalingGroupName: string;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    const template = new NodeLaunchTemplate(this, "launch-template", {
      name: `${props.name}-controller`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      instanceProfileArn: props.instanceProfileArn,
      securityGroupId: props.securityGroupId,
      rootVolume: props.rootVolume,
      userData: props.userData,
      tags: { ...props.tags, "immutable-clusters/role": "controller" },
    });
    this.autoScalingGroupName = `${props.name}-controllers`;
    new AutoscalingGroup(this, "group", {
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
  }
}
