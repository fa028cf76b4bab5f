// End to end on the local AWS emulator: the generation's own AMI copy (issue 11 item 7). Flatcar unpublishes old AMIs; a
// generation launches from its copy in the account, so after the public image is gone a re-plan is clean and the pools
// still scale. A scenario of its own (own emulator and stack), in a suite of its own so that jest runs it on another
// worker beside cluster.e2e.test.ts: the two applies' provider waits overlap instead of adding up.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import {
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { clusterInNetwork, createExistingNetwork, registerFlatcarImage } from "./support/aws-fixture";
import { startMoto, type Moto } from "./support/moto";
import { startProviderServer, type ProviderServer } from "./support/provider-server";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { synthClusters } from "./support/synth";
import { runTerraform, terraform } from "./support/terraform";
import { readStackState } from "./support/terraform-state";

const FLATCAR = { channel: "stable" as const, version: "4152.2.3" };

describe("a generation keeps working after its public Flatcar image is unpublished", () => {
  let moto: Moto;
  /** The AWS provider every terraform run of this suite attaches to (test/support/provider-server.ts). */
  let provider: ProviderServer;
  let providerStarting: Promise<ProviderServer> | undefined;
  /** The environment of every terraform run: the emulator and the provider process. */
  const tfEnv = () => ({ ...moto.env, ...provider.env });
  let stackDir: string;
  let workDir: string;
  let publicImageId: string;

  beforeAll(async () => {
    moto = await startMoto();
    // The provider boots (a 675 MB binary) while the fixture's network and image are made and the stack is synthesized:
    // none of these needs another. The image and the network are independent requests to the emulator.
    providerStarting = startProviderServer(moto.env);
    providerStarting.catch(() => undefined); // awaited before the first terraform run, whose failure it then is
    const [net, imageId] = await Promise.all([createExistingNetwork(moto), registerFlatcarImage(moto, FLATCAR.channel, FLATCAR.version)]);
    publicImageId = imageId;
    // The emulator's account publishes the test image; the definition says so (validation refuses a foreign owner).
    const flatcar = { ...FLATCAR, acknowledgeUnofficialOwner: true };
    const definition = clusterInNetwork(net, "amicopy", [
      {
        id: "a",
        kubernetesVersion: "1.31.0",
        flatcar,
        weight: 100,
        controlPlane: { count: 1, instanceType: "t3.medium" },
        workerPools: [{ name: "general", instanceTypes: ["t3.medium"], minSize: 1, maxSize: 3, desiredCapacity: 1, ingress: true }],
      },
    ]);
    workDir = mkdtempSync(join(tmpdir(), "e2e-ami-"));
    // As the cdktf app synthesizes (constructs/fleet/fleet-app.ts): cdktf's token stack captures left unformatted; the
    // Terraform JSON is the same.
    stackDir = join(withCheapCaptures(() => synthClusters([definition], join(workDir, "cdktf.out"))).outdir, "stacks", "amicopy-a");
    provider = await providerStarting;
    terraform(stackDir, ["init", "-no-color"], tfEnv());
    terraform(stackDir, ["apply", "-auto-approve", "-no-color", "-parallelism=20"], tfEnv());
  });

  afterAll(async () => {
    // Also when beforeAll failed before it awaited the provider: the process is stopped either way.
    await (provider ?? (await providerStarting?.catch(() => undefined)))?.stop();
    await moto?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const imageOfTemplates = async (ec2: EC2Client) => {
    const ids = new Set<string>();
    const kmsKeys = new Set<string | undefined>();
    for (const name of ["amicopy-a-controller", "amicopy-a-worker-general"]) {
      const [version] = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name, Versions: ["$Latest"] })))
        .LaunchTemplateVersions!;
      ids.add(version.LaunchTemplateData!.ImageId!);
      kmsKeys.add(version.LaunchTemplateData!.BlockDeviceMappings![0].Ebs!.KmsKeyId);
    }
    return { ids: [...ids], kmsKeys: [...kmsKeys] };
  };

  test("nodes launch from the generation's encrypted copy, root volumes encrypted with the generation's key", async () => {
    const ec2 = new EC2Client(moto.clientConfig);
    const [copy] = (
      await ec2.send(
        new DescribeImagesCommand({
          Owners: ["self"],
          Filters: [{ Name: "name", Values: [`amicopy-a-Flatcar-stable-${FLATCAR.version}-hvm`] }],
        }),
      )
    ).Images!;
    expect(copy.ImageId).not.toBe(publicImageId);
    // The values the apply wrote to the state file (test/support/terraform-state.ts): what `terraform show -json`
    // would print under values.root_module.resources, without a terraform run that decodes the provider's schema.
    const resources = readStackState(stackDir).resources;
    const keyArn = resources.find((r) => r.type === "aws_kms_key")!.values.arn;
    expect(resources.find((r) => r.type === "aws_ami_copy")!.values).toMatchObject({
      id: copy.ImageId,
      encrypted: true,
      kms_key_id: keyArn,
    });
    expect(await imageOfTemplates(ec2)).toEqual({ ids: [copy.ImageId], kmsKeys: [keyArn] });
  });

  test("after the public image is deregistered, a re-plan is clean and a pool scales out from the copy", async () => {
    const ec2 = new EC2Client(moto.clientConfig);
    const asg = new AutoScalingClient(moto.clientConfig);
    await ec2.send(new DeregisterImageCommand({ ImageId: publicImageId }));
    expect(
      (await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: "name", Values: [`Flatcar-stable-${FLATCAR.version}-hvm`] }] })))
        .Images,
    ).toEqual([]);

    const plan = runTerraform(stackDir, ["plan", "-detailed-exitcode", "-no-color", "-input=false"], tfEnv());
    if (plan.status !== 0)
      throw new Error(`re-plan after the public image is gone is not clean (exit ${plan.status}):\n${plan.stdout}\n${plan.stderr}`);

    const { ids } = await imageOfTemplates(ec2);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "amicopy-a-general", DesiredCapacity: 2 }));
    const [group] = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["amicopy-a-general"] })))
      .AutoScalingGroups!;
    expect(group.Instances).toHaveLength(2);
    const reservations = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: group.Instances!.map((i) => i.InstanceId!) })))
      .Reservations!;
    expect([...new Set(reservations.flatMap((r) => r.Instances!.map((i) => i.ImageId)))]).toEqual(ids);
  });

  test("terraform destroy removes the copy", async () => {
    // Without a refresh: the re-plan above read the emulator; since then only the pool's desired capacity changed, which
    // a destroy does not need to know (it deletes the group whatever its size). The check below reads the emulator.
    terraform(stackDir, ["destroy", "-auto-approve", "-refresh=false", "-no-color", "-parallelism=20"], tfEnv());
    const ec2 = new EC2Client(moto.clientConfig);
    expect(
      (await ec2.send(new DescribeImagesCommand({ Owners: ["self"], Filters: [{ Name: "name", Values: [`amicopy-a-*`] }] }))).Images,
    ).toEqual([]);
  });
});
