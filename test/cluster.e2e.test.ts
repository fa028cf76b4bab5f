// End to end on the local AWS emulator: a cluster generation synthesized into an "existing" VPC is applied unmodified
// with the real terraform CLI and AWS provider, read back through the AWS SDK, re-planned with no changes, and destroyed
// while the pre-existing network, zone and image stay. Where moto 5.2.1 differs from AWS, the emulator is patched
// (test/support/moto-patches), never the stack.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import {
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  GetInstanceProfileCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { resolveGeneration, type ClusterDefinition } from "../constructs";
import { clusterInNetwork, createExistingNetwork, registerFlatcarImage, type ExistingNetwork } from "./support/aws-fixture";
import { startMoto, type Moto } from "./support/moto";
import { startProviderServer, type ProviderServer } from "./support/provider-server";
import { ignitionProblems } from "./support/ignition-validate";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { synthClusters } from "./support/synth";
import { terraform } from "./support/terraform";
import { readStackState } from "./support/terraform-state";

const FLATCAR = { channel: "stable" as const, version: "4152.2.3" };

describe("a cluster generation on the AWS emulator", () => {
  let moto: Moto;
  /** The AWS provider every terraform run of this suite attaches to (test/support/provider-server.ts). */
  let provider: ProviderServer;
  let providerStarting: Promise<ProviderServer> | undefined;
  /** What the apply after the nodes' writes printed: its plan, which the "second plan" test checks is empty. */
  let refreshingApply = "";
  /** The environment of every terraform run: the emulator and the provider process. */
  const tfEnv = () => ({ ...moto.env, ...provider.env });
  let net: ExistingNetwork;
  let definition: ClusterDefinition;
  let stackDir: string;
  let workDir: string;
  const aws = () => {
    const config = moto.clientConfig;
    return {
      ec2: new EC2Client(config),
      asg: new AutoScalingClient(config),
      elb: new ElasticLoadBalancingV2Client(config),
      iam: new IAMClient(config),
      s3: new S3Client({ ...config, forcePathStyle: true }),
      route53: new Route53Client(config),
      ssm: new SSMClient(config),
    };
  };

  beforeAll(async () => {
    moto = await startMoto();
    // The provider boots (a 675 MB binary) while the fixture's network and image are made and the stack is synthesized:
    // none of these needs another. The image and the network are independent requests to the emulator.
    providerStarting = startProviderServer(moto.env);
    providerStarting.catch(() => undefined); // awaited at the end of beforeAll, whose failure it then is
    [net] = await Promise.all([createExistingNetwork(moto), registerFlatcarImage(moto, FLATCAR.channel, FLATCAR.version)]);
    definition = clusterInNetwork(net, "e2e", [
      {
        id: "a",
        kubernetesVersion: "1.31.0",
        flatcar: FLATCAR,
        weight: 100,
        controlPlane: { count: 1, instanceType: "t3.medium" },
        workerPools: [
          { name: "general", instanceTypes: ["t3.medium", "t3a.medium"], minSize: 1, maxSize: 3, desiredCapacity: 1, ingress: true },
          {
            name: "batch",
            instanceTypes: ["c6i.large", "c5.large"],
            // Autoscaled: the cluster autoscaler's discovery and scale-from-zero tags are asserted below.
            autoscale: { min: 0, max: 4 },
            desiredCapacity: 0,
            spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
            labels: { "example.com/workload": "batch" },
            taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }],
          },
        ],
      },
    ]);
    // The output folder sits in a folder of its own: the local state file lands beside it, not in the shared temp dir.
    workDir = mkdtempSync(join(tmpdir(), "e2e-"));
    // As the cdktf app synthesizes (constructs/fleet/fleet-app.ts): cdktf's token stack captures left unformatted; the
    // Terraform JSON is the same.
    const outdir = withCheapCaptures(() => synthClusters([definition], join(workDir, "cdktf.out"))).outdir;
    stackDir = join(outdir, "stacks", "e2e-a");
    provider = await providerStarting;
  });

  afterAll(async () => {
    // Also when beforeAll failed before it awaited the provider: the process is stopped either way.
    await (provider ?? (await providerStarting?.catch(() => undefined)))?.stop();
    await moto?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("terraform apply creates the generation", () => {
    terraform(stackDir, ["init", "-no-color"], tfEnv());
    terraform(stackDir, ["apply", "-auto-approve", "-no-color", "-parallelism=20"], tfEnv());
  });

  test("the autoscaling groups have the sizes, instance mix and ownership tags", async () => {
    const { asg } = aws();
    const groups = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["e2e-a-controllers", "e2e-a-general", "e2e-a-batch"] }))
    ).AutoScalingGroups!;
    const byName = Object.fromEntries(groups.map((g) => [g.AutoScalingGroupName!, g]));
    expect(Object.keys(byName).sort()).toEqual(["e2e-a-batch", "e2e-a-controllers", "e2e-a-general"]);
    expect(byName["e2e-a-controllers"]).toMatchObject({ MinSize: 1, MaxSize: 1, DesiredCapacity: 1 });
    expect(byName["e2e-a-general"]).toMatchObject({ MinSize: 1, MaxSize: 3, DesiredCapacity: 1 });
    expect(byName["e2e-a-batch"]).toMatchObject({ MinSize: 0, MaxSize: 4, DesiredCapacity: 0, CapacityRebalance: true });
    const general = byName["e2e-a-general"];
    expect(general.MixedInstancesPolicy!.LaunchTemplate!.Overrides!.map((o) => o.InstanceType)).toEqual(["t3.medium", "t3a.medium"]);
    expect(general.MixedInstancesPolicy!.InstancesDistribution).toMatchObject({ OnDemandPercentageAboveBaseCapacity: 100 });
    const batch = byName["e2e-a-batch"];
    expect(batch.MixedInstancesPolicy!.LaunchTemplate!.Overrides!.map((o) => o.InstanceType)).toEqual(["c6i.large", "c5.large"]);
    expect(batch.MixedInstancesPolicy!.InstancesDistribution).toMatchObject({
      OnDemandBaseCapacity: 0,
      OnDemandPercentageAboveBaseCapacity: 0,
      SpotAllocationStrategy: "price-capacity-optimized",
    });
    // The autoscaled pool's labels and taints are announced to the cluster autoscaler (and reach the nodes through Ignition);
    // the pool that is not autoscaled carries no autoscaler tag.
    expect(general.Tags!.filter((t) => t.Key!.startsWith("k8s.io/cluster-autoscaler/"))).toEqual([]);
    expect(batch.Tags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Key: "k8s.io/cluster-autoscaler/node-template/label/example.com/workload", Value: "batch" }),
        expect.objectContaining({ Key: "k8s.io/cluster-autoscaler/node-template/taint/dedicated", Value: "batch:NoSchedule" }),
      ]),
    );
    // Registered with the right load balancer target groups: the API one for controllers, the ingress ones for the ingress pool.
    const { elb } = aws();
    const targetGroup = async (name: string) =>
      (await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups![0].TargetGroupArn!;
    expect(byName["e2e-a-controllers"].TargetGroupARNs).toEqual([await targetGroup("e2e-a-api")]);
    expect([...general.TargetGroupARNs!].sort()).toEqual([await targetGroup("e2e-a-http"), await targetGroup("e2e-a-https")].sort());
    expect(batch.TargetGroupARNs ?? []).toEqual([]);
    for (const group of groups) {
      expect(group.Tags).toEqual(expect.arrayContaining([expect.objectContaining({ Key: "kubernetes.io/cluster/e2e-a", Value: "owned" })]));
      expect(group.VPCZoneIdentifier!.split(",").sort()).toEqual(net.subnets.map((s) => s.id).sort());
    }
  });

  test("launch templates: IMDSv2, encrypted root, no public IP, the generation's copy of the Flatcar AMI, user data pointing at the stored config", async () => {
    const { ec2, s3 } = aws();
    const [image] = (
      await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: "name", Values: [`e2e-a-Flatcar-stable-${FLATCAR.version}-hvm`] }] }))
    ).Images!;
    for (const name of ["e2e-a-controller", "e2e-a-worker-general", "e2e-a-worker-batch"]) {
      const [version] = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: name, Versions: ["$Latest"] })))
        .LaunchTemplateVersions!;
      const data = version.LaunchTemplateData!;
      expect(data.ImageId).toBe(image.ImageId);
      expect(data.MetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 1 });
      expect(data.BlockDeviceMappings![0].Ebs).toMatchObject({ Encrypted: true, VolumeType: "gp3" });
      expect(data.NetworkInterfaces![0].AssociatePublicIpAddress).toBe(false);
      expect(data.InstanceType).toBe(name === "e2e-a-controller" ? "t3.medium" : undefined);
      expect(data.IamInstanceProfile!.Arn).toMatch(
        new RegExp(`:instance-profile/e2e-a-${name === "e2e-a-controller" ? "controller" : "worker"}$`),
      );
      const instanceTags = data.TagSpecifications!.find((t) => t.ResourceType === "instance")!.Tags!;
      expect(instanceTags).toEqual(expect.arrayContaining([{ Key: "kubernetes.io/cluster/e2e-a", Value: "owned" }]));
      const [template] = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] }))).LaunchTemplates!;
      expect(template.Tags).toEqual(expect.arrayContaining([{ Key: "kubernetes.io/cluster/e2e-a", Value: "owned" }]));

      const userData = Buffer.from(data.UserData!, "base64").toString("utf8");
      expect(userData.length).toBeLessThan(16 * 1024);
      expect(ignitionProblems(userData)).toEqual([]);
      const pointer = JSON.parse(userData);
      expect(pointer.ignition.version).toBe("3.3.0");
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(pointer.ignition.config.replace.source)!;
      expect(match).not.toBeNull();
      const stored = await (await s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }))).Body!.transformToString();
      expect(pointer.ignition.config.replace.verification.hash).toBe(`sha512-${createHash("sha512").update(stored).digest("hex")}`);
      expect(JSON.parse(stored).ignition.version).toBe("3.3.0");
      expect(ignitionProblems(stored)).toEqual([]);
    }
  });

  test("the internal API load balancer listens on 6443 with a TCP target group; the ingress one on 80 and 443", async () => {
    const { elb } = aws();
    const lbs = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["e2e-a-api", "e2e-a-ing"] }))).LoadBalancers!;
    expect(lbs.map((lb) => [lb.LoadBalancerName, lb.Scheme, lb.Type]).sort()).toEqual([
      ["e2e-a-api", "internal", "network"],
      ["e2e-a-ing", "internal", "network"],
    ]);
    const ports = async (name: string) => {
      const lb = lbs.find((l) => l.LoadBalancerName === name)!;
      const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
      return listeners.map((l) => l.Port).sort();
    };
    expect(await ports("e2e-a-api")).toEqual([6443]);
    expect(await ports("e2e-a-ing")).toEqual([443, 80]);
    const [api] = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["e2e-a-api"] }))).TargetGroups!;
    expect(api).toMatchObject({ Port: 6443, Protocol: "TCP", HealthCheckProtocol: "TCP" });
  });

  test("security group rules are the explicit ones and none is open to the world", async () => {
    const { ec2 } = aws();
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpcId] }] })))
      .SecurityGroups!;
    const id = (name: string) => groups.find((g) => g.GroupName === name)!.GroupId!;
    const rules: SecurityGroupRule[] = (
      await ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: "group-id", Values: groups.filter((g) => g.GroupName!.startsWith("e2e-a-")).map((g) => g.GroupId!) }],
        }),
      )
    ).SecurityGroupRules!;
    const inbound = rules.filter((r) => !r.IsEgress);
    const has = (into: string, proto: string, from: number, to: number, source: string) =>
      inbound.some(
        (r) =>
          r.GroupId === id(into) &&
          r.IpProtocol === proto &&
          r.FromPort === from &&
          r.ToPort === to &&
          (r.ReferencedGroupInfo?.GroupId === (source.startsWith("e2e-") ? id(source) : undefined) || r.CidrIpv4 === source),
      );
    expect(has("e2e-a-api-lb", "tcp", 6443, 6443, "e2e-a-workers")).toBe(true);
    expect(has("e2e-a-api-lb", "tcp", 6443, 6443, "e2e-a-controllers")).toBe(true);
    expect(has("e2e-a-controllers", "tcp", 6443, 6443, "e2e-a-workers")).toBe(true);
    expect(has("e2e-a-controllers", "tcp", 10250, 10250, "e2e-a-controllers")).toBe(true);
    expect(has("e2e-a-controllers", "udp", 8472, 8472, "e2e-a-workers")).toBe(true);
    expect(has("e2e-a-workers", "udp", 8472, 8472, "e2e-a-controllers")).toBe(true);
    expect(has("e2e-a-ingress-lb", "tcp", 80, 80, net.vpcCidr)).toBe(true);
    expect(has("e2e-a-ingress-lb", "tcp", 443, 443, net.vpcCidr)).toBe(true);
    expect(has("e2e-a-workers", "tcp", 30080, 30080, "e2e-a-ingress-lb")).toBe(true);
    expect(has("e2e-a-workers", "tcp", 30443, 30443, "e2e-a-ingress-lb")).toBe(true);
    expect(has("e2e-a-api-lb", "tcp", 6443, 6443, "10.99.0.0/24")).toBe(true);
    expect(has("e2e-a-controllers", "tcp", 6443, 6443, "e2e-a-api-lb")).toBe(true);
    expect(has("e2e-a-workers", "tcp", 10250, 10250, "e2e-a-controllers")).toBe(true);
    expect(has("e2e-a-controllers", "tcp", 2379, 2380, "e2e-a-controllers")).toBe(true);
    expect(has("e2e-a-workers", "udp", 8472, 8472, "e2e-a-workers")).toBe(true);
    expect(has("e2e-a-workers", "tcp", 30000, 32767, net.vpcCidr)).toBe(false); // only with network.nodePortsFromVpc
    // Nothing from the world, no IPv6 or all-protocol rule, and every address range is the VPC's or a configured admin one.
    expect(inbound.filter((r) => r.CidrIpv4 === "0.0.0.0/0" || r.CidrIpv6 || r.IpProtocol === "-1")).toEqual([]);
    expect(inbound.filter((r) => r.CidrIpv4 && ![net.vpcCidr, "10.99.0.0/24"].includes(r.CidrIpv4))).toEqual([]);
    // Only the etcd rule spans ports below the NodePort range; every rule says what it is for.
    expect(inbound.filter((r) => r.FromPort !== r.ToPort && r.FromPort! < 30000).map((r) => [r.FromPort, r.ToPort])).toEqual([
      [2379, 2380],
    ]);
    expect(rules.filter((r) => !r.Description)).toEqual([]);
  });

  test("IAM: an instance profile per node role with its scoped policy", async () => {
    const { iam } = aws();
    for (const role of ["controller", "worker"]) {
      const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: `e2e-a-${role}` }))).InstanceProfile!;
      expect(profile.Roles!.map((r) => r.RoleName)).toEqual([`e2e-a-${role}`]);
    }
    const statements = async (role: string) => {
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames!;
      expect(names).toHaveLength(1);
      const policy = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: names[0] }));
      return JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement as Array<{
        Effect: string;
        Action: string | string[];
        Resource: string | string[];
      }>;
    };
    const actionsOf = (list: Array<{ Action: string | string[] }>) => list.flatMap((s) => ([] as string[]).concat(s.Action));
    const worker = await statements("e2e-a-worker");
    const controller = await statements("e2e-a-controller");
    expect(actionsOf(worker).filter((a) => a.startsWith("ssm:"))).toEqual([]);
    // Least privilege: no action wildcard at all, and SSM writes only under this generation's prefix.
    expect([...actionsOf(worker), ...actionsOf(controller)].filter((a) => a === "*" || a.endsWith(":*"))).toEqual([]);
    const ssmWrites = controller.filter((s) => ([] as string[]).concat(s.Action).includes("ssm:PutParameter"));
    // Node contract 2: the bootstrap material is objects of the node bucket; workers read exactly the token and CA hash.
    const bucket = resolveGeneration(definition, definition.generations[0]).bucketName;
    const resourcesFor = (list: typeof worker, action: string) =>
      list.filter((s) => ([] as string[]).concat(s.Action).includes(action)).flatMap((s) => ([] as string[]).concat(s.Resource));
    expect(resourcesFor(worker, "s3:GetObject")).toEqual(
      expect.arrayContaining([`arn:aws:s3:::${bucket}/join/token`, `arn:aws:s3:::${bucket}/join/ca-cert-hash`]),
    );
    expect(resourcesFor(worker, "s3:GetObject").filter((r) => r.includes("/control-plane/") || r.includes("/state/"))).toEqual([]);
    expect(resourcesFor(controller, "s3:PutObject")).toEqual(
      expect.arrayContaining([`arn:aws:s3:::${bucket}/control-plane/secrets-encryption-key`, `arn:aws:s3:::${bucket}/join/token`]),
    );
    // Node contract 3 adds exactly one write outside the generation's prefix: the cluster's service-account signing key,
    // created once by the first controller of any generation (docs/workload-identity.md, "The signing key").
    for (const resource of ssmWrites.flatMap((s) => ([] as string[]).concat(s.Resource))) {
      expect(resource).toMatch(/:parameter\/(immutable-clusters\/e2e\/a\/|immutable-clusters-identity\/e2e\/service-account-signing-key$)/);
    }
  });

  test("the node bucket is versioned, KMS-encrypted, private, and holds each role's Ignition config", async () => {
    const { s3 } = aws();
    const bucket = resolveGeneration(definition, definition.generations[0]).bucketName;
    expect((await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toContain(bucket);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    const sse = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration!;
    expect(sse.Rules![0].ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe("aws:kms");
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
    expect(policy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]),
    );
    for (const key of ["ignition/controller.ign", "ignition/worker-general.ign", "ignition/worker-batch.ign", "addons/manifests.yaml"]) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ServerSideEncryption).toBe("aws:kms");
      if (!key.endsWith(".ign")) continue;
      const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
      expect(JSON.parse(text).ignition.version).toBe("3.3.0");
    }
  });

  test("the API endpoint record is in the private zone, aliased to the API load balancer", async () => {
    const { route53, elb } = aws();
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: net.zoneId }))).ResourceRecordSets!;
    const record = records.find((r) => r.Name === `api.a.e2e.${net.zoneName}.`);
    expect(record).toBeDefined();
    const [api] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ["e2e-a-api"] }))).LoadBalancers!;
    expect(record!.AliasTarget!.DNSName!.replace(/\.$/, "").toLowerCase()).toBe(api.DNSName!.toLowerCase());
  });

  test("what the nodes publish stays out of Terraform's state; a refresh reads none of it", async () => {
    const { s3 } = aws();
    const bucket = resolveGeneration(definition, definition.generations[0]).bucketName;
    // What the bootstrap scripts write once a control plane is up (bootstrap-lib.sh), with values to look for.
    const published: Record<string, string> = {
      "join/token": "e2eabc.0123456789abcdef",
      "join/token-expiry": "2031-01-01T00:00:00Z",
      "join/ca-cert-hash": `sha256:${"e2".repeat(32)}`,
      "control-plane/certificate-key": "e2".repeat(32),
      "control-plane/secrets-encryption-key": Buffer.alloc(32, 0xe2).toString("base64"),
    };
    for (const [key, value] of Object.entries(published)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: value }));
    // One apply refreshes and plans: its plan reads every resource back from the emulator and compares the result
    // with the configuration; with nothing to change it applies nothing and still writes the refreshed state
    // (hashicorp/terraform internal/backend/local/backend_apply.go, opApply: `lr.Core.Apply(plan, ...)`, then
    // `statemgr.WriteAndPersist` of its state). It replaces `apply -refresh-only` followed by `plan -detailed-exitcode
    // -refresh=false`: the same reads and the same comparison, one terraform run (and one decoding of the provider's
    // schema) fewer. The next test checks that its plan was empty.
    refreshingApply = terraform(stackDir, ["apply", "-auto-approve", "-no-color", "-parallelism=20"], tfEnv());
    // The state file the refresh wrote, read as it is (test/support/terraform-state.ts): `terraform show -json` would
    // print the same snapshot after decoding the provider's schema (2.3 CPU s), and reads nothing from the emulator.
    const state = readStackState(stackDir).text;
    expect(state).toContain(bucket);
    for (const [key, value] of Object.entries(published)) expect({ key, inState: state.includes(value) }).toEqual({ key, inState: false });
  });

  test("a second plan shows no changes", () => {
    // The plan of the refreshing apply above. An empty plan prints "No changes. Your infrastructure matches the
    // configuration." (hashicorp/terraform internal/command/jsonformat/renderer.go, RenderHumanPlan) and its apply
    // counts nothing ("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.", internal/command/views/apply.go,
    // ResourceCount); a plan with changes lists them instead, and the failing assertion prints it.
    const clean =
      refreshingApply.includes("No changes. Your infrastructure matches the configuration.") &&
      refreshingApply.includes("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
    expect({ clean, output: clean ? "" : refreshingApply }).toEqual({ clean: true, output: "" });
  });

  test("terraform destroy removes the generation and leaves the existing network", async () => {
    // Without a refresh: the state was just refreshed and planned clean; the destroy deletes everything in it, and the
    // checks below read the emulator to prove it.
    terraform(stackDir, ["destroy", "-auto-approve", "-refresh=false", "-no-color", "-parallelism=20"], tfEnv());
    // What `terraform state list` would list, from the state file the destroy wrote: nothing.
    expect(readStackState(stackDir).resources.map((r) => `${r.type}.${r.name}`)).toEqual([]);
    const { ec2, asg, elb, s3, route53, iam, ssm } = aws();
    expect((await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toEqual([]);
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpcId] }] })))
      .SecurityGroups!;
    expect(groups.map((g) => g.GroupName)).toEqual(["default"]);
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: net.zoneId }))).ResourceRecordSets!;
    expect(records.map((r) => r.Type).sort()).toEqual(["NS", "SOA"]);
    expect((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).toEqual([]);
    expect((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).toEqual([]);
    expect(((await iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName!.startsWith("e2e-"))).toEqual([]);
    expect((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).toEqual([]);
    const parameters = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/immutable-clusters/"] }] }),
    );
    expect(parameters.Parameters ?? []).toEqual([]);
    // The fixture's network is intact.
    expect((await ec2.send(new DescribeVpcsCommand({ VpcIds: [net.vpcId] }))).Vpcs).toHaveLength(1);
    expect((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: net.subnets.map((s) => s.id) }))).Subnets).toHaveLength(2);
    expect((await route53.send(new GetHostedZoneCommand({ Id: net.zoneId }))).HostedZone!.Config!.PrivateZone).toBe(true);
    const images = (
      await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: "name", Values: [`Flatcar-stable-${FLATCAR.version}-hvm`] }] }))
    ).Images;
    expect(images).toHaveLength(1);
  });
});
