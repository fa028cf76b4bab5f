// Owns the launch template every node boots from: the pinned Flatcar AMI, the role's instance profile and security
// group, IMDSv2 required, a root volume encrypted with the generation's key, no public IP, and user data that is only a pointer to the full
// Ignition config in S3 (verified by its SHA-512).
import { Construct } from "constructs";
import { LaunchTemplate } from "../platform/aws";

export interface NodeLaunchTemplateProps {
  /** Launch template name, e.g. `prod-a-controller`. */
  readonly name: string;
  readonly imageId: string;
  /** Fixed instance type; leave out for pools whose autoscaling group lists types. @default undefined */
  readonly instanceType?: string;
  readonly instanceProfileArn: string;
  readonly securityGroupId: string;
  readonly rootVolume: { readonly sizeGiB: number; readonly type: string };
  /**
   * KMS key that encrypts the root volume: the generation's key, not the account's default EBS key. The EC2 Auto
   * Scaling service-linked role must be allowed to use it (key policy), see docs/terraform-and-emulator-tests.md.
   */
  readonly rootVolumeKmsKeyArn: string;
  /** The user-data Ignition config, as JSON text (base64-encoded here). */
  readonly userData: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A launch template with the instance defaults a security reviewer expects. */
export class NodeLaunchTemplate extends Construct {
  readonly id: string;
  readonly latestVersion: string;

  constructor(scope: Construct, id: string, props: NodeLaunchTemplateProps) {
    super(scope, id);
    const template = new LaunchTemplate(this, "template", {
      name: props.name,
      description: `Flatcar node ${props.name}`,
      imageId: props.imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: props.instanceProfileArn },
      networkInterfaces: [
        { associatePublicIpAddress: "false", deleteOnTermination: "true", deviceIndex: 0, securityGroups: [props.securityGroupId] },
      ],
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: props.rootVolume.sizeGiB,
            volumeType: props.rootVolume.type,
            encrypted: "true",
            // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/launch_template#kms_key_id-1
            kmsKeyId: props.rootVolumeKmsKeyArn,
            deleteOnTermination: "true",
          },
        },
      ],
      monitoring: { enabled: true },
      userData: Buffer.from(props.userData, "utf8").toString("base64"),
      updateDefaultVersion: true,
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType,
        tags: { ...props.tags, Name: props.name },
      })),
      tags: { ...props.tags },
    });
    this.id = template.id;
    this.latestVersion = template.latestVersion.toString();
  }
}
