// Test support: the "existing" network a real team already has, created in the emulator: a VPC, private subnets in
// two zones, a private hosted zone associated with the VPC, and Flatcar-named AMIs (they do not exist in moto).
import {
  CreateImageCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import type { ClusterDefinition, GenerationDefinition } from "../../constructs";
import type { Moto } from "./moto";

/** What the fixture created. */
export interface ExistingNetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly subnets: ReadonlyArray<{ id: string; availabilityZone: string }>;
  readonly zoneId: string;
  readonly zoneName: string;
  /** The emulator's account id, which owns the registered AMIs. */
  readonly amiOwner: string;
}

export const MOTO_ACCOUNT = "123456789012";

/**
 * Creates an AMI named as Flatcar publishes it, so the pinned-image data source finds it. moto's RegisterImage leaves
 * architecture and virtualization type empty, so the image is made with CreateImage from an instance of one of moto's
 * own images of the right architecture, whose attributes it copies.
 */
export async function registerFlatcarImage(
  moto: Moto,
  channel: string,
  version: string,
  arch: "amd64" | "arm64" = "amd64",
): Promise<string> {
  const ec2 = new EC2Client(moto.clientConfig);
  const name = `Flatcar-${channel}-${version}${arch === "arm64" ? "-arm64" : ""}-hvm`;
  const architecture = arch === "arm64" ? "arm64" : "x86_64";
  const source = (
    await ec2.send(
      new DescribeImagesCommand({
        Filters: [
          { Name: "architecture", Values: [architecture] },
          { Name: "virtualization-type", Values: ["hvm"] },
        ],
      }),
    )
  ).Images?.find((i) => i.ImageId);
  if (!source) throw new Error(`moto offers no ${architecture} hvm image to copy a Flatcar image from`);
  const run = await ec2.send(new RunInstancesCommand({ ImageId: source.ImageId, MinCount: 1, MaxCount: 1, InstanceType: "t3.micro" }));
  const instanceId = run.Instances![0].InstanceId!;
  const image = await ec2.send(
    new CreateImageCommand({ InstanceId: instanceId, Name: name, Description: `Flatcar Container Linux ${channel} ${version}` }),
  );
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  return image.ImageId!;
}

/** Creates the pre-existing VPC, two private subnets and a private hosted zone. */
export async function createExistingNetwork(moto: Moto, zoneName = "internal.example.com"): Promise<ExistingNetwork> {
  const ec2 = new EC2Client(moto.clientConfig);
  const region = moto.env.AWS_REGION;
  const vpcCidr = "10.0.0.0/16";
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: vpcCidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets = [];
  for (const [i, zone] of ["a", "b"].entries()) {
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `${region}${zone}` }));
    subnets.push({ id: s.Subnet!.SubnetId!, availabilityZone: s.Subnet!.AvailabilityZone! });
  }
  const route53 = new Route53Client(moto.clientConfig);
  const zone = await route53.send(
    new CreateHostedZoneCommand({
      Name: zoneName,
      CallerReference: `fixture-${vpcId}`,
      VPC: { VPCId: vpcId, VPCRegion: region as never },
      HostedZoneConfig: { PrivateZone: true, Comment: "pre-existing private zone" },
    }),
  );
  return { vpcId, vpcCidr, subnets, zoneId: zone.HostedZone!.Id!.replace("/hostedzone/", ""), zoneName, amiOwner: MOTO_ACCOUNT };
}

/** A cluster definition embedded in the fixture's network, with AMIs owned by the emulator's account. */
export function clusterInNetwork(net: ExistingNetwork, name: string, generations: GenerationDefinition[]): ClusterDefinition {
  return {
    name,
    region: net.subnets[0].availabilityZone.slice(0, -1),
    network: { vpcId: net.vpcId, vpcCidr: net.vpcCidr, privateSubnets: net.subnets, adminCidrs: ["10.99.0.0/24"] },
    dns: { privateZoneId: net.zoneId, privateZoneName: net.zoneName },
    // moto's images are published by its own account, not Flatcar's: acknowledged, as a team using a private copy would.
    generations: generations.map((g) => ({ ...g, flatcar: { ...g.flatcar, owner: net.amiOwner, acknowledgeUnofficialOwner: true } })),
  };
}
