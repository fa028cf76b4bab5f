// Table-driven tests of definition validation: each bad input is refused with an error that names the field and the fix,
// and nothing is synthesized from an invalid definition.
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addClusters,
  ArgumentError,
  DefinitionError,
  DefinitionsError,
  definitionProblems,
  validateDefinition,
  type ClusterDefinition,
} from "../constructs";
import { synthCluster, synthClusters } from "../constructs/testing";
import { App } from "../constructs/platform/terraform";
import { clusters } from "../clusters";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

type Mutation = (c: ClusterDefinition) => unknown;

const pool = (overrides: Record<string, unknown>) => ({
  name: "general",
  instanceTypes: ["m6i.large"],
  minSize: 1,
  maxSize: 3,
  ...overrides,
});
const withGeneration = (c: ClusterDefinition, overrides: Record<string, unknown>) => ({
  ...c,
  generations: [{ ...sampleGeneration(), ...overrides }],
});
const withPools = (c: ClusterDefinition, pools: unknown[]) => withGeneration(c, { workerPools: pools });

// [case, mutation, field the error must name, words the message must contain]
const cases: Array<[string, Mutation, string, RegExp]> = [
  ["cluster name not DNS-safe", (c) => ({ ...c, name: "Prod_1" }), "name", /DNS-safe/],
  ["cluster name too long", (c) => ({ ...c, name: "a-very-long-cluster-name" }), "name", /at most 16/],
  ["unknown top-level field", (c) => ({ ...c, vpc: "x" }), "vpc", /unknown field "vpc"/],
  ["region malformed", (c) => ({ ...c, region: "Europe" }), "region", /AWS region/],
  ["VPC id malformed", (c) => ({ ...c, network: { ...c.network, vpcId: "my-vpc" } }), "network.vpcId", /VPC id/],
  ["VPC CIDR not a CIDR", (c) => ({ ...c, network: { ...c.network, vpcCidr: "10.0.0.0" } }), "network.vpcCidr", /not an IPv4 CIDR/],
  [
    "VPC CIDR with host bits",
    (c) => ({ ...c, network: { ...c.network, vpcCidr: "10.0.0.1/16" } }),
    "network.vpcCidr",
    /network address "10\.0\.0\.0\/16"/,
  ],
  [
    "subnets in one zone",
    (c) => ({
      ...c,
      network: {
        ...c.network,
        privateSubnets: [
          { id: "subnet-00000000000000001", availabilityZone: "eu-west-1a" },
          { id: "subnet-00000000000000002", availabilityZone: "eu-west-1a" },
        ],
      },
    }),
    "network.privateSubnets",
    /at least two zones/,
  ],
  [
    "subnet in another region",
    (c) => ({
      ...c,
      network: {
        ...c.network,
        privateSubnets: [c.network.privateSubnets[0], { id: "subnet-00000000000000003", availabilityZone: "us-east-1a" }],
      },
    }),
    "network.privateSubnets[1].availabilityZone",
    /not in region "eu-west-1"/,
  ],
  [
    "subnet listed twice",
    (c) => ({ ...c, network: { ...c.network, privateSubnets: [...c.network.privateSubnets, c.network.privateSubnets[0]] } }),
    "network.privateSubnets[2].id",
    /listed twice/,
  ],
  [
    "admin CIDR open to the world",
    (c) => ({ ...c, network: { ...c.network, adminCidrs: ["0.0.0.0/0"] } }),
    "network.adminCidrs",
    /VPN or bastion/,
  ],
  [
    "private zone id with prefix",
    (c) => ({ ...c, dns: { ...c.dns, privateZoneId: "/hostedzone/Z123" } }),
    "dns.privateZoneId",
    /without "\/hostedzone\/"/,
  ],
  ["no generations", (c) => ({ ...c, generations: [] }), "generations", /at least one generation/],
  ["generation id invalid", (c) => withGeneration(c, { id: "Gen-A" }), "generations[0].id", /lower-case letters and digits/],
  [
    "generation id duplicated",
    (c) => ({ ...c, generations: [sampleGeneration({ weight: 50 }), sampleGeneration({ weight: 50 })] }),
    "generations[1].id",
    /used twice/,
  ],
  [
    "Kubernetes version not exact",
    (c) => withGeneration(c, { kubernetesVersion: "1.31" }),
    "generations[0].kubernetesVersion",
    /exact Kubernetes release/,
  ],
  [
    "Kubernetes version without pinned binaries",
    (c) => withGeneration(c, { kubernetesVersion: "1.30.2" }),
    "generations[0].kubernetesVersion",
    /no pinned node-binary hash for Kubernetes 1\.30\.2 \(amd64\); use one of 1\.31\.0, 1\.32\.8/,
  ],
  [
    "Flatcar channel unknown",
    (c) => withGeneration(c, { flatcar: { channel: "edge", version: "4152.2.3" } }),
    "generations[0].flatcar.channel",
    /"stable", "beta", "alpha" or "lts"/,
  ],
  ["weight above 100", (c) => withGeneration(c, { weight: 120 }), "generations[0].weight", /0 to 100/],
  [
    "no generation carries traffic",
    (c) => withGeneration(c, { weight: 0 }),
    "generations",
    /at least one live generation a weight above 0/,
  ],
  [
    "retiring generation still weighted",
    (c) => ({
      ...c,
      generations: [sampleGeneration({ id: "a", weight: 50, state: "retiring" }), sampleGeneration({ id: "b", weight: 50 })],
    }),
    "generations[0].weight",
    /retiring but has weight 50/,
  ],
  ["even control-plane count", (c) => withGeneration(c, { controlPlane: { count: 2 } }), "generations[0].controlPlane.count", /1, 3 or 5/],
  [
    "control-plane instance type malformed",
    (c) => withGeneration(c, { controlPlane: { instanceType: "large" } }),
    "generations[0].controlPlane.instanceType",
    /instance type/,
  ],
  [
    "arm instance type on flatcar.arch amd64 (deprecated, still binding)",
    (c) =>
      withGeneration(c, {
        flatcar: { ...sampleGeneration().flatcar, arch: "amd64" },
        controlPlane: { instanceType: "m7g.large" },
      }),
    "generations[0].controlPlane.instanceType",
    /arm64 \(Graviton\) type but the generation boots Flatcar amd64/,
  ],
  [
    "one pool mixing x86_64 and Graviton types",
    (c) => withPools(c, [pool({ instanceTypes: ["m7g.large", "m6i.large"] })]),
    "generations[0].workerPools[0].instanceTypes",
    /"m6i\.large" is x86_64 \(amd64\), "m7g\.large" is arm64 \(Graviton\)/,
  ],
  ["no worker pools", (c) => withPools(c, []), "generations[0].workerPools", /at least one worker pool/],
  ["pool name not DNS-safe", (c) => withPools(c, [pool({ name: "General Pool" })]), "generations[0].workerPools[0].name", /DNS-safe/],
  ["pool name duplicated", (c) => withPools(c, [pool({}), pool({})]), "generations[0].workerPools[1].name", /used twice/],
  [
    "min greater than max",
    (c) => withPools(c, [pool({ minSize: 5, maxSize: 2 })]),
    "generations[0].workerPools[0].minSize",
    /greater than maxSize/,
  ],
  [
    "desired outside min..max",
    (c) => withPools(c, [pool({ minSize: 1, maxSize: 3, desiredCapacity: 7 })]),
    "generations[0].workerPools[0].desiredCapacity",
    /outside minSize\.\.maxSize/,
  ],
  ["negative size", (c) => withPools(c, [pool({ minSize: -1 })]), "generations[0].workerPools[0].minSize", /must not be negative/],
  [
    "no instance types",
    (c) => withPools(c, [pool({ instanceTypes: [] })]),
    "generations[0].workerPools[0].instanceTypes",
    /at least one instance type/,
  ],
  [
    "instance type twice",
    (c) => withPools(c, [pool({ instanceTypes: ["m6i.large", "m6i.large"] })]),
    "generations[0].workerPools[0].instanceTypes[1]",
    /listed twice/,
  ],
  [
    "root volume too small",
    (c) => withPools(c, [pool({ rootVolume: { sizeGiB: 4 } })]),
    "generations[0].workerPools[0].rootVolume.sizeGiB",
    /at least 8 GiB/,
  ],
  [
    "spot percentage above 100",
    (c) => withPools(c, [pool({ spot: { onDemandPercentageAboveBase: 150 } })]),
    "generations[0].workerPools[0].spot.onDemandPercentageAboveBase",
    /percentage/,
  ],
  [
    "label key invalid",
    (c) => withPools(c, [pool({ labels: { "bad key!": "x" } })]),
    'generations[0].workerPools[0].labels["bad key!"]',
    /is not a label key/,
  ],
  [
    "taint effect unknown",
    (c) => withPools(c, [pool({ taints: [{ key: "dedicated", value: "batch", effect: "Never" }] })]),
    "generations[0].workerPools[0].taints[0].effect",
    /NoSchedule/,
  ],
  [
    "pod CIDR overlaps the VPC",
    (c) => withGeneration(c, { networking: { podCidr: "10.0.0.0/16" } }),
    "generations[0].networking.podCidr",
    /overlaps the VPC CIDR/,
  ],
  [
    "service CIDR overlaps pods",
    (c) => withGeneration(c, { networking: { podCidr: "10.244.0.0/16", serviceCidr: "10.244.0.0/20" } }),
    "generations[0].networking.serviceCidr",
    /overlaps pod CIDR/,
  ],
  [
    "service CIDR too small",
    (c) => withGeneration(c, { networking: { serviceCidr: "10.96.0.0/28" } }),
    "generations[0].networking.serviceCidr",
    /too small/,
  ],
  ["traffic health path relative", (c) => ({ ...c, traffic: { healthPath: "healthz" } }), "traffic.healthPath", /absolute URL path/],
  [
    "restore snapshot not a snapshot key",
    (c) => restoring(c, { fromGeneration: "a", snapshot: "backups/etcd.db" }),
    "generations[1].controlPlane.restore.snapshot",
    /snapshots\/<UTC time>\.db", e\.g\. "snapshots\/20250101T120000Z\.db"/,
  ],
  [
    "restore from a generation the cluster does not have",
    (c) => restoring(c, { fromGeneration: "z", snapshot: "snapshots/20250101T120000Z.db" }),
    "generations[1].controlPlane.restore.fromGeneration",
    /no generation "z"; use one of "a"/,
  ],
  [
    "restore from itself",
    (c) => restoring(c, { fromGeneration: "b", snapshot: "snapshots/20250101T120000Z.db" }),
    "generations[1].controlPlane.restore.fromGeneration",
    /cannot restore from itself/,
  ],
  [
    "restore into another service CIDR",
    (c) => restoring(c, { fromGeneration: "a", snapshot: "snapshots/20250101T120000Z.db" }, { serviceCidr: "10.112.0.0/12" }),
    "generations[1].networking.serviceCidr",
    /differs from 10\.96\.0\.0\/12 of generation "a".*keep their cluster IPs; use 10\.96\.0\.0\/12/,
  ],
  [
    "restore with an unknown field",
    (c) => restoring(c, { fromGeneration: "a", snapshot: "snapshots/20250101T120000Z.db", bucket: "x" } as never),
    "generations[1].controlPlane.restore",
    /bucket/,
  ],
];

/** Generation "b" restores from "a" with `restore` (and optionally its own networking). */
function restoring(c: ClusterDefinition, restore: object, networking?: { serviceCidr: string }): ClusterDefinition {
  return {
    ...c,
    generations: [
      sampleGeneration({ id: "a", weight: 100 }),
      sampleGeneration({
        id: "b",
        weight: 0,
        controlPlane: { count: 3, restore: restore as never },
        ...(networking ? { networking } : {}),
      }),
    ],
  };
}

describe("definition validation", () => {
  test("the example clusters are valid", () => {
    for (const cluster of clusters) expect(definitionProblems(cluster)).toEqual([]);
  });

  test.each(cases)("%s is refused naming the field and the fix", (_name, mutate, field, message) => {
    const problems = definitionProblems(mutate(sampleCluster()));
    const problem = problems.find((p) => p.field === field);
    expect(problem).toBeDefined();
    expect(problem!.message).toMatch(message);
  });

  test("a generation restoring a snapshot of another generation of the cluster is valid", () => {
    const ok = restoring(sampleCluster(), { fromGeneration: "a", snapshot: "snapshots/20250101T120000Z.db" });
    expect(definitionProblems(ok)).toEqual([]);
  });

  test("every problem of a definition is reported at once", () => {
    const bad = withPools({ ...sampleCluster(), name: "Bad Name" }, [pool({ minSize: 5, maxSize: 2 }), pool({ minSize: 5, maxSize: 2 })]);
    // A shape error no longer hides the cross-field problems of the parts that parsed (issue 13).
    expect(definitionProblems(bad).map((p) => p.field)).toEqual([
      "name",
      "generations[0].workerPools[1].name",
      "generations[0].workerPools[0].minSize",
      "generations[0].workerPools[1].minSize",
    ]);
  });

  test("validateDefinition throws a DefinitionError whose message lists each field", () => {
    const bad = withPools(sampleCluster(), [pool({ minSize: 5, maxSize: 2 })]);
    expect(() => validateDefinition(bad)).toThrow(DefinitionError);
    expect(() => validateDefinition(bad)).toThrow(
      /generations\[0\]\.workerPools\[0\]\.minSize: minSize 5 is greater than maxSize 2; lower minSize or raise maxSize/,
    );
  });

  test("nothing is synthesized when any cluster of a fleet is invalid", () => {
    const outdir = mkdtempSync(join(tmpdir(), "invalid-"));
    const app = new App({ outdir });
    const good = sampleCluster({ name: "good" });
    const bad = withGeneration(sampleCluster({ name: "bad" }), { controlPlane: { count: 2 } });
    expect(() => addClusters(app, [good, bad as ClusterDefinition])).toThrow(/generations\[0\]\.controlPlane\.count/);
    // The valid cluster was not half-built: the app holds no stack and writes nothing.
    expect(app.node.children).toHaveLength(0);
    app.synth();
    expect(existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")) : []).toEqual([]);
  });

  describe("entry points check their arguments (never a TypeError)", () => {
    const app = () => new App({ outdir: mkdtempSync(join(tmpdir(), "arguments-")) });
    test.each([
      [
        "an object instead of a list",
        sampleCluster(),
        /addClusters: definitions must be a list .* not an object; to pass one definition, wrap it in a list/,
      ],
      ["undefined", undefined, /addClusters: definitions must be a list of cluster definitions, e\.g\. \[prod, staging\], not undefined/],
      ["a string", "prod", /not a string/],
    ])("addClusters with %s is an ArgumentError", (_name, value, message) => {
      let thrown: unknown;
      try {
        addClusters(app(), value as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ArgumentError);
      expect((thrown as Error).message).toMatch(message);
    });

    test("synthCluster with a list and synthClusters with an object are ArgumentErrors", () => {
      expect(() => synthCluster([sampleCluster()] as never)).toThrow(ArgumentError);
      expect(() => synthCluster([sampleCluster()] as never)).toThrow(/synthCluster: takes one cluster definition, not a list/);
      expect(() => synthClusters(sampleCluster() as never)).toThrow(/synthClusters: definitions must be a list/);
    });

    test("a list entry that is not an object is named by its index", () => {
      expect(() => addClusters(app(), [null] as never)).toThrow(/cluster definition "definitions\[0\]" is invalid/);
    });

    test("several invalid definitions are one DefinitionsError listing each", () => {
      const bad = (name: string) => ({ ...sampleCluster({ name }), region: "nowhere" });
      let thrown: unknown;
      try {
        addClusters(app(), [bad("one"), bad("two")] as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DefinitionsError);
      expect((thrown as DefinitionsError).errors.map((e) => e.clusterName)).toEqual(["one", "two"]);
    });

    test("two definitions with one name are refused naming the field", () => {
      expect(() => addClusters(app(), [sampleCluster(), sampleCluster()])).toThrow(/name: two cluster definitions are named "demo"/);
    });
  });

  describe("validateDefinition returns the parsed definition, which synthesis uses", () => {
    test("the result is a new object equal in data to a valid input", () => {
      const input = sampleCluster();
      const parsed = validateDefinition(input);
      expect(parsed).not.toBe(input);
      expect(parsed.generations[0]).not.toBe(input.generations[0]);
      expect(parsed.network).toEqual(input.network);
      expect(parsed.generations[0].workerPools).toEqual(input.generations[0].workerPools);
    });

    test("a JSON __proto__ key is refused, not dropped silently", () => {
      const input = JSON.parse(JSON.stringify(sampleCluster())) as Record<string, unknown>;
      const json = JSON.stringify(input).replace('"name":"general"', '"name":"general","labels":{"__proto__":"x"}');
      expect(definitionProblems(JSON.parse(json))).toEqual([
        { field: "generations[0].workerPools[0].labels.__proto__", message: '"__proto__" is not allowed as a key; remove it' },
      ]);
    });

    test("changing the input after addClusters validated it does not reach the stacks", () => {
      const input = sampleCluster() as { -readonly [K in keyof ClusterDefinition]: ClusterDefinition[K] };
      const [stacks] = addClusters(new App({ outdir: mkdtempSync(join(tmpdir(), "parsed-")) }), [input]);
      input.name = "changed";
      expect(stacks.definition.name).toBe("demo");
      expect(stacks.definition).not.toBe(input);
    });
  });
});
