// End to end on the local AWS emulator: the life cycle of a logical cluster's generations with `terraform apply` per
// stack. Deploy generation A and the traffic stack, deploy B beside it (A's plan stays empty), shift traffic 75/25,
// 50/50, 0/100 checking the weighted records, health checks and alarms in the emulator after each step, retire and
// destroy A, and prove B, the traffic stack's records and the pre-existing network are intact. Stacks that do not depend on
// each other run side by side (A's and B's first applies, A's plan with B in place beside the traffic stack's first
// steps, the last two plans), so the AWS provider's fixed waits overlap; every step is still checked when it is done.
// Every folder's `terraform init` starts up front, all at once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetHealthCheckCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { ClusterDefinition, GenerationDefinition } from "../constructs";
import { clusterInNetwork, createExistingNetwork, registerFlatcarImage, type ExistingNetwork } from "./support/aws-fixture";
import { startMoto, type Moto } from "./support/moto";
import { startProviderServer, type ProviderServer } from "./support/provider-server";
import { synthClusters } from "./support/synth";
import { terraformAsync } from "./support/terraform";

const A_FLATCAR = { channel: "stable" as const, version: "4152.2.3" };
const B_FLATCAR = { channel: "stable" as const, version: "4230.2.1" };

/** A small generation: one controller, one tiny ingress pool. */
function generation(
  id: string,
  kubernetesVersion: string,
  flatcar: typeof A_FLATCAR,
  weight: number,
  state: "live" | "retiring" = "live",
): GenerationDefinition {
  return {
    id,
    kubernetesVersion,
    flatcar,
    weight,
    state,
    controlPlane: { count: 1, instanceType: "t3.medium" },
    workerPools: [{ name: "general", instanceTypes: ["t3.medium"], minSize: 1, maxSize: 2, desiredCapacity: 1 }],
  };
}

describe("generations on the AWS emulator: deploy, shift traffic in steps, retire", () => {
  let moto: Moto;
  /** The AWS provider every terraform run of this suite attaches to (test/support/provider-server.ts). */
  let provider: ProviderServer;
  let net: ExistingNetwork;
  /** Folder that holds every synth output and, beside them, the local state of each stack. */
  let root: string;
  let step = 0;
  const hostname = () => `apps.life.${net.zoneName}.`;

  const aws = () => {
    const config = moto.clientConfig;
    return {
      ec2: new EC2Client(config),
      elb: new ElasticLoadBalancingV2Client(config),
      route53: new Route53Client(config),
      cloudwatch: new CloudWatchClient(config),
    };
  };

  /** Synthesizes the definition into a fresh output folder beside the others (local state lives in `root`, shared by all). */
  const synth = (generations: GenerationDefinition[]): { dir: (stack: string) => string; definition: ClusterDefinition } => {
    const definition = clusterInNetwork(net, "life", generations);
    const outdir = synthClusters([definition], join(root, `out-${++step}`)).outdir;
    return { definition, dir: (stack) => join(outdir, "stacks", stack) };
  };
  // Every terraform run is asynchronous: a blocking run would stop the test process from reading the output of a stack
  // applying beside it, and that stack would stall on a full pipe.
  const tf = (dir: string, ...args: string[]) => terraformAsync(dir, [...args, "-no-color"], { ...moto.env, ...provider.env });
  /** Each stack folder's `terraform init`, run once: started for every folder the life cycle uses in beforeAll. */
  const inits = new Map<string, Promise<string>>();
  const init = (dir: string): Promise<string> => {
    let run = inits.get(dir);
    if (!run) {
      run = tf(dir, "init");
      run.catch(() => undefined); // awaited, and reported, by the step that uses the folder
      inits.set(dir, run);
    }
    return run;
  };
  const apply = async (dir: string) => {
    await init(dir);
    await tf(dir, "apply", "-auto-approve", "-parallelism=20");
  };
  /** `plan -detailed-exitcode` exits 0 only when nothing would change (terraformAsync() rejects on 2 = changes). */
  const expectNoChanges = async (dir: string) => {
    await init(dir);
    expect(await tf(dir, "plan", "-detailed-exitcode", "-parallelism=20")).toMatch(/No changes/);
  };
  /** Generation B's first apply, started beside A's; awaited (and checked) by the B test. */
  let bApplied: Promise<void> | undefined;
  /** A's plan once B is in place (no changes), started as soon as both are applied; awaited (and checked) by the B test. */
  let aPlannedWithB: Promise<void> | undefined;

  /** The weighted records of the entry point, by generation id (their set identifier is `life-<generation>`). */
  const weightedRecords = async (): Promise<Record<string, ResourceRecordSet>> => {
    const sets = (await aws().route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: net.zoneId }))).ResourceRecordSets!;
    return Object.fromEntries(
      sets.filter((r) => r.Name === hostname() && r.Type === "A").map((r) => [r.SetIdentifier!.replace(/^life-/, ""), r]),
    );
  };
  const ingressDnsName = async (generationId: string) => {
    const [lb] = (await aws().elb.send(new DescribeLoadBalancersCommand({ Names: [`life-${generationId}-ing`] }))).LoadBalancers!;
    return lb;
  };
  const normalize = (name: string | undefined) => (name ?? "").replace(/\.$/, "").toLowerCase();

  /** Asserts exactly these weights, each record an alias of its generation's ingress NLB behind a CloudWatch-alarm health check. */
  const expectWeights = async (weights: Record<string, number>) => {
    const records = await weightedRecords();
    expect(Object.fromEntries(Object.entries(records).map(([id, r]) => [id, r.Weight]))).toEqual(weights);
    const { route53, cloudwatch } = aws();
    for (const [id, record] of Object.entries(records)) {
      const lb = await ingressDnsName(id);
      expect(normalize(record.AliasTarget?.DNSName)).toBe(normalize(lb.DNSName));
      expect(record.AliasTarget?.EvaluateTargetHealth).toBe(true);
      expect(record.HealthCheckId).toBeTruthy();
      const check = (await route53.send(new GetHealthCheckCommand({ HealthCheckId: record.HealthCheckId! }))).HealthCheck!;
      expect(check.HealthCheckConfig).toMatchObject({
        Type: "CLOUDWATCH_METRIC",
        AlarmIdentifier: { Name: `life-${id}-ingress-healthy-hosts`, Region: moto.env.AWS_REGION },
        InsufficientDataHealthStatus: "Unhealthy",
      });
      const [alarm] = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [`life-${id}-ingress-healthy-hosts`] })))
        .MetricAlarms!;
      expect(alarm).toMatchObject({
        Namespace: "AWS/NetworkELB",
        MetricName: "HealthyHostCount",
        ComparisonOperator: "LessThanThreshold",
        Threshold: 1,
      });
      const dimensions = Object.fromEntries(alarm.Dimensions!.map((d) => [d.Name, d.Value]));
      expect(dimensions.LoadBalancer).toBe(lb.LoadBalancerArn!.split(":loadbalancer/")[1]);
      expect(dimensions.TargetGroup).toMatch(new RegExp(`^targetgroup/life-${id}-http/`));
    }
  };

  /** Every revision of the definition the life cycle goes through, synthesized up front from one state of the code. */
  const revisions: Record<string, (stack: string) => string> = {};

  beforeAll(async () => {
    moto = await startMoto();
    provider = await startProviderServer(moto.env);
    net = await createExistingNetwork(moto);
    await registerFlatcarImage(moto, A_FLATCAR.channel, A_FLATCAR.version);
    await registerFlatcarImage(moto, B_FLATCAR.channel, B_FLATCAR.version);
    root = mkdtempSync(join(tmpdir(), "generations-e2e-"));
    const a = (weight: number, state?: "retiring") => generation("a", "1.31.0", A_FLATCAR, weight, state);
    const b = (weight: number) => generation("b", "1.32.8", B_FLATCAR, weight);
    const table: Record<string, GenerationDefinition[]> = {
      "a only": [a(100)],
      "b added": [a(100), b(0)],
      "75/25": [a(75), b(25)],
      "50/50": [a(50), b(50)],
      "0/100": [a(0), b(100)],
      "a retiring": [a(0, "retiring"), b(100)],
      "a removed": [b(100)],
    };
    for (const [name, generations] of Object.entries(table)) revisions[name] = synth(generations).dir;
    // The stacks each revision runs terraform in. Their inits only set up each folder's local backend and touch no state:
    // the AWS provider is the attached one, which init does not install ("unmanaged providers do not require
    // installation", hashicorp/terraform v1.11.4 internal/providercache/installer.go, given TF_REATTACH_PROVIDERS by
    // internal/command/meta_providers.go). 0.1-0.15 CPU s each, measured; started here side by side instead of one
    // before each step, where the 13 added about 6 s to the run.
    const stacksUsed: Record<string, string[]> = {
      "a only": ["life-a", "life-traffic"],
      "b added": ["life-a", "life-b", "life-traffic"],
      "75/25": ["life-traffic"],
      "50/50": ["life-traffic"],
      "0/100": ["life-traffic"],
      "a retiring": ["life-a", "life-traffic"],
      "a removed": ["life-b", "life-traffic"],
    };
    for (const [name, stacks] of Object.entries(stacksUsed)) for (const stack of stacks) void init(revisions[name](stack));
  });

  afterAll(async () => {
    await provider?.stop();
    await moto?.stop();
  });

  test("deploy generation A and the traffic stack: A carries all traffic", async () => {
    const dir = revisions["a only"];
    // B needs nothing of A's stack or the traffic stack: its apply runs from the start, beside A's, and on while the
    // traffic stack's first steps are checked. Once both are applied, A's plan with B in place (next test) starts too.
    // The next test awaits both (a failure is reported there, not as an unhandled rejection).
    bApplied = apply(revisions["b added"]("life-b"));
    bApplied.catch(() => undefined);
    await apply(dir("life-a"));
    aPlannedWithB = bApplied.then(() => expectNoChanges(revisions["b added"]("life-a")));
    aPlannedWithB.catch(() => undefined);
    await apply(dir("life-traffic"));
    await expectWeights({ a: 100 });
    await expectNoChanges(dir("life-traffic"));
  }, 600_000);

  test("deploy generation B beside A: A's plan shows no changes, B joins with weight 0", async () => {
    const dir = revisions["b added"];
    if (!bApplied || !aPlannedWithB) throw new Error("generation B's apply was not started: the test that deploys A did not get that far");
    await bApplied;
    // With B in place, A's plan (started when B was applied) and the traffic stack's apply touch different stacks: side by side.
    await Promise.all([aPlannedWithB, apply(dir("life-traffic"))]);
    await expectWeights({ a: 100, b: 0 });
  }, 600_000);

  test.each([
    [75, 25],
    [50, 50],
    [0, 100],
  ])(
    "shift traffic to %i/%i with the traffic stack alone",
    async (a, b) => {
      const dir = revisions[`${a}/${b}`];
      await apply(dir("life-traffic"));
      await expectWeights({ a, b });
    },
    600_000,
  );

  test("retire A (its record goes), destroy it: B, the entry point and the existing network stay", async () => {
    const retiring = revisions["a retiring"];
    await apply(retiring("life-traffic"));
    await expectWeights({ b: 100 });
    await init(retiring("life-a"));
    // Without a refresh: A's plan with B in place found its state matching the emulator, and only the traffic stack
    // changed since. The destroy still deletes every resource in A's state, and the checks below prove it.
    await tf(retiring("life-a"), "destroy", "-auto-approve", "-refresh=false", "-parallelism=20");

    const { ec2, elb, cloudwatch } = aws();
    const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.map((lb) => lb.LoadBalancerName).sort();
    expect(lbs).toEqual(["life-b-api", "life-b-ing"]);
    await expectWeights({ b: 100 });
    expect((await cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms!.map((a) => a.AlarmName)).toEqual([
      "life-b-ingress-healthy-hosts",
    ]);
    expect((await ec2.send(new DescribeVpcsCommand({ VpcIds: [net.vpcId] }))).Vpcs).toHaveLength(1);
    expect((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: net.subnets.map((s) => s.id) }))).Subnets).toHaveLength(2);

    // With A gone from the definition, B and the traffic stack have nothing left to change.
    const after = revisions["a removed"];
    await Promise.all([expectNoChanges(after("life-b")), expectNoChanges(after("life-traffic"))]);
  }, 600_000);
});
