// The parsers and offline catalogues behind definition validation (issue 13), each against upstream facts: the shipped
// catalogues match the data they cite, Flatcar's published version numbers fit their channel's rule, and the CIDR,
// quantity, label and tag parsers accept and refuse what Kubernetes and AWS accept and refuse.
import * as ec2 from "@aws-sdk/client-ec2";
import { AWS_REGIONS, regionProblem, zoneProblem } from "../constructs/definition/aws-regions";
import { tagProblems } from "../constructs/definition/aws-tags";
import { cidrProblem, coversEverything, publicAddressCount } from "../constructs/definition/cidr";
import { flatcarVersionProblem, todaysFlatcarMajor } from "../constructs/definition/flatcar-version";
import { EC2_INSTANCE_TYPES, instanceArchitecture, instanceTypeProblem } from "../constructs/definition/instance-types";
import { labelKeyProblem, labelValueProblem, nodeLabelNamespaceProblem } from "../constructs/definition/kubernetes-names";
import { editDistance, nearest } from "../constructs/definition/nearest";
import { quantityProblem } from "../constructs/definition/quantity";

describe("catalogues", () => {
  test("every catalogued instance type is in the EC2 API model's InstanceType enum (the cited source)", () => {
    const enumValues = new Set<string>(Object.values(ec2._InstanceType));
    expect(EC2_INSTANCE_TYPES.filter((t) => !enumValues.has(t))).toEqual([]);
    expect(EC2_INSTANCE_TYPES.length).toBeGreaterThan(1000);
  });

  test.each([
    ["m6i.large", "x86_64"],
    ["c6a.2xlarge", "x86_64"],
    ["m7g.large", "arm64"],
    ["c6gn.xlarge", "arm64"],
    ["t4g.small", "arm64"],
    ["a1.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["g4dn.xlarge", "x86_64"],
    ["im4gn.large", "arm64"],
    ["mac2.metal", "macos"],
  ])("%s is %s (AWS's naming convention: g = Graviton)", (type, arch) => {
    expect(instanceArchitecture(type)).toBe(arch);
  });

  test("regions and zones", () => {
    expect(AWS_REGIONS).toEqual(expect.arrayContaining(["eu-west-1", "us-east-1", "us-gov-west-1", "ap-southeast-5"]));
    expect(AWS_REGIONS.some((r) => r.endsWith("-global"))).toBe(false);
    expect(regionProblem("eu-west-1")).toBeUndefined();
    expect(regionProblem("eu-west-9")).toMatch(/"eu-west-1"/);
    expect(zoneProblem("eu-west-1a", "eu-west-1")).toBeUndefined();
    expect(zoneProblem("us-west-2-lax-1a", "us-west-2")).toBeUndefined();
    expect(zoneProblem("eu-west-1a", "us-east-1")).toMatch(/not in region "us-east-1"/);
    expect(zoneProblem("euw1-az1")).toMatch(/not an availability zone name/);
  });

  test("nearest values by edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(nearest("m6i.lage", ["m6i.large", "m5.large", "c6i.large"], 1)).toEqual(["m6i.large"]);
    expect(instanceTypeProblem("m6i.lage")).toMatch(/did you mean "m6i\.large"/);
  });

  test("nearest keeps exactly what sorting every candidate by distance keeps, on hundreds of refused values", () => {
    // The definition nearest() had before it stopped computing distances that cannot make the cut: every candidate's
    // full distance, a stable sort by distance then catalogue order, the first `count`.
    const bySorting = (value: string, candidates: readonly string[], count: number) => {
      const lower = value.toLowerCase().slice(0, 40);
      return candidates
        .map((candidate, index) => ({ candidate, index, distance: editDistance(lower, candidate.toLowerCase()) }))
        .sort((x, y) => x.distance - y.distance || x.index - y.index)
        .slice(0, count)
        .map((x) => x.candidate);
    };
    // Seeded (mulberry32), so a failure repeats.
    let seed = 17;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // One to four edits (insert, delete, replace) of a catalogue value, or a value of random characters.
    const mutant = (from: readonly string[]) => {
      if (random() < 0.1) return Array.from({ length: Math.floor(random() * 50) }, () => pick([...alphabet])).join("");
      let text = pick(from);
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const op = random();
        text =
          op < 0.33
            ? text.slice(0, at) + pick([...alphabet]) + text.slice(at)
            : op < 0.66
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + pick([...alphabet]) + text.slice(at + 1);
      }
      return text;
    };
    const cases: [string, readonly string[], number][] = [];
    // The catalogues the refusals use, and every third instance type (a list of another length, with other ties).
    const everyThirdType = EC2_INSTANCE_TYPES.filter((_, index) => index % 3 === 0);
    for (const [list, times, counts] of [
      [EC2_INSTANCE_TYPES, 30, [1, 3]],
      [everyThirdType, 80, [1, 2, 3, 4]],
      [AWS_REGIONS, 300, [1, 3, 5]],
    ] as const)
      for (let n = 0; n < times; n++) cases.push([mutant(list), list, pick(counts)]);
    cases.push(
      // Exact matches, ties, duplicates, the empty value, and counts at and past the ends (as slice takes them).
      ["m6i.large", EC2_INSTANCE_TYPES, 3],
      ["", AWS_REGIONS, 3],
      ["x", ["b", "a", "c", "a", "bb"], 2],
      ["ab", ["ab", "ab", "ab", "ab"], 3],
      ["ab", ["ba", "ab", "Ab", "aB"], 0],
      ["ab", ["ba", "ab", "Ab", "aB"], -1],
      ["ab", ["ba", "ab", "Ab", "aB"], 2.7],
      ["ab", ["ba", "ab", "Ab", "aB"], Number.NaN],
      ["ab", ["ba", "ab", "Ab", "aB"], Number.POSITIVE_INFINITY],
      ["a".repeat(60), ["a".repeat(45), "a".repeat(40), "b".repeat(39)], 3],
      ["m6i.lage", [], 3],
    );
    const differing = cases.filter(([value, candidates, count]) => {
      const expected = bySorting(value, candidates, count);
      const got = nearest(value, candidates, count);
      return JSON.stringify(got) !== JSON.stringify(expected);
    });
    expect(differing).toEqual([]);
  });
});

describe("Flatcar version numbers", () => {
  // Published releases, as listed in flatcar/flatcar-website pull request #229 (2022-08-04) and in this repo's examples.
  test.each([
    ["3305.0.1", "alpha"],
    ["3277.1.1", "beta"],
    ["3227.2.1", "stable"],
    ["3033.3.4", "lts"],
    ["2605.30.1", "lts"],
    ["4152.2.3", "stable"],
    ["4230.2.1", "stable"],
  ] as const)("%s is a %s release", (version, channel) => {
    expect(flatcarVersionProblem(version, channel)).toBeUndefined();
  });

  test("the channel's minor, the shape and the date are checked", () => {
    expect(flatcarVersionProblem("3227.2.1", "beta")).toMatch(/set flatcar\.channel to "stable"/);
    expect(flatcarVersionProblem("3305.0.1", "stable")).toMatch(/"alpha"/);
    expect(flatcarVersionProblem("3227.2", "stable")).toMatch(/MAJOR\.MINOR\.PATCH/);
    // The major is the day number since the CoreOS epoch, 2013-07-01T00:00:00Z (coreos/scripts COREOS_EPOCH=1372636800).
    expect(todaysFlatcarMajor(new Date("2013-07-01T00:00:00Z"))).toBe(0);
    expect(todaysFlatcarMajor(new Date("2013-07-02T12:00:00Z"))).toBe(1);
    expect(flatcarVersionProblem("4000.2.0", "stable", new Date("2022-05-14T12:00:00Z"))).toMatch(/lies in the future/);
  });
});

describe("parsers", () => {
  test.each(["10.0.0.0/8", "0.0.0.0/0", "192.168.1.0/24", "10.1.2.3/32"])("CIDR %s is accepted", (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });
  test.each([
    ["999.1.1.1/99", /not an IPv4 CIDR/],
    ["10.0.0.1/8", /"10\.0\.0\.0\/8"/],
    ["10.0.0.0", /not an IPv4 CIDR/],
    ["010.0.0.0/8", /not an IPv4 CIDR/],
    ["10.0.0.0/08", /not an IPv4 CIDR/],
    [" 10.0.0.0/8", /not an IPv4 CIDR/],
  ])("CIDR %s is refused", (cidr, message) => {
    expect(cidrProblem(cidr)).toMatch(message);
  });

  test("admin ranges: coverage of every address and public addresses, over the union", () => {
    expect(coversEverything(["0.0.0.0/1", "128.0.0.0/1"])).toBe(true);
    expect(coversEverything(["0.0.0.0/1", "128.0.0.0/2"])).toBe(false);
    expect(publicAddressCount(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])).toBe(0);
    expect(publicAddressCount(["8.8.8.0/24"])).toBe(256);
    expect(publicAddressCount(["172.0.0.0/8"])).toBe(2 ** 24 - 2 ** 20);
  });

  // apimachinery's quantity grammar (staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go), without a sign.
  test.each(["4", "100m", "128Mi", "8Gi", "1.5", ".5", "1e3", "1E-3", "2k", "0"])("quantity %s is accepted", (q) => {
    expect(quantityProblem(q)).toBeUndefined();
  });
  test.each([
    ["-4", /has a sign/],
    ["+4", /has a sign/],
    ["8 Gi", /not a Kubernetes quantity/],
    ["8GB", /not a Kubernetes quantity/],
    ["Gi", /not a Kubernetes quantity/],
    ["", /not a Kubernetes quantity/],
  ])("quantity %s is refused", (q, message) => {
    expect(quantityProblem(q)).toMatch(message);
  });

  test.each([
    "team",
    "example.com/team",
    "a.b-c.example/x_y.z",
    `${"a".repeat(63)}`,
    `${["a", "b", "c"].map((c) => c.repeat(63)).join(".")}.${"d".repeat(61)}/n`,
  ])("label key %s is accepted", (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });
  test.each([
    ["bad key", /not a label key/],
    [`${"a".repeat(64)}`, /at most 63/],
    [`${"p".repeat(254)}/n`, /at most 253/],
    ["Example.com/x", /prefix before "\/"/],
    ["example.com/", /empty name/],
    ["-team", /not a label key/],
  ])("label key %s is refused", (key, message) => {
    expect(labelKeyProblem(key)).toMatch(message);
  });
  test("label values", () => {
    expect(labelValueProblem("")).toBeUndefined();
    expect(labelValueProblem("batch-1.x_y")).toBeUndefined();
    expect(labelValueProblem("a b")).toMatch(/letters, digits/);
    expect(labelValueProblem("v".repeat(64))).toMatch(/at most 63/);
  });

  // kubelet's --node-labels rule (cmd/kubelet/app/options/options.go with IsKubeletLabel of well_known_labels.go).
  test.each([
    "node.kubernetes.io/pool",
    "kubelet.kubernetes.io/x",
    "team.node.kubernetes.io/x",
    "topology.kubernetes.io/zone",
    "kubernetes.io/arch",
    "example.com/x",
    "plain",
  ])("kubelet accepts node label %s", (key) => expect(nodeLabelNamespaceProblem(key)).toBeUndefined());
  test.each(["node-role.kubernetes.io/worker", "kubernetes.io/role", "k8s.io/x", "example.k8s.io/x", "node-restriction.kubernetes.io/x"])(
    "kubelet refuses node label %s",
    (key) => expect(nodeLabelNamespaceProblem(key)).toMatch(/kubelet refuses to start/),
  );

  test("AWS tag rules", () => {
    expect(tagProblems({ team: "platform", "cost center": "a_b.c:d/e=f+g-h@i" })).toEqual([]);
    expect(tagProblems({ "aws:x": "y" })).toEqual([{ key: "aws:x", message: expect.stringMatching(/reserved for AWS/) }]);
    expect(tagProblems({ ["k".repeat(128)]: "v".repeat(256) })).toEqual([]);
    expect(tagProblems({ ["k".repeat(129)]: "x" })[0].message).toMatch(/1 to 128/);
  });
});
