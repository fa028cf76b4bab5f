// Issue 17 (fleet synth cost): the cluster constructs read each resource attribute once and share cdktf's depends_on
// tokens, Ignition paths are checked without splitting them, and writeDist makes each generation's folders with plain
// mkdirs. Each is checked here against what it replaces: cdktf's own per-resource tokens, `split("/").includes("..")`
// and the folders and files the review copy holds.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Construct } from "constructs";
import { addClusters, writeDist } from "../constructs";
import { dependsOnTokens } from "../constructs/cluster/depends-on-tokens";
import { ClusterSecurityGroups } from "../constructs/cluster/security-groups";
import { IgnitionConfig } from "../constructs/ignition/builder";
import { S3Bucket, S3Object, SecurityGroup } from "../constructs/platform/aws";
import { App, TerraformOutput, Testing, TerraformStack, Token } from "../constructs/platform/terraform";
import { sampleCluster } from "./support/fixtures";

/** A stack of two buckets and two objects that depend on both, their depends_on given by `dependOn`. */
function objectsStack(dependOn: (scope: Construct, id: string, after: S3Bucket[]) => S3Object): string {
  const stack = new TerraformStack(Testing.app(), "objects");
  const first = new S3Bucket(stack, "first", { bucket: "first" });
  const second = new S3Bucket(stack, "second", { bucket: "second" });
  dependOn(stack, "one", [first, second]);
  dependOn(stack, "two", [second, first]);
  return Testing.synth(stack);
}

describe("dependsOnTokens", () => {
  test("synthesizes the depends_on cdktf writes for the same elements given as dependsOn", () => {
    const byCdktf = objectsStack((scope, id, after) => new S3Object(scope, id, { bucket: "first", key: id, dependsOn: after }));
    const shared = objectsStack((scope, id, after) => {
      const object = new S3Object(scope, id, { bucket: "first", key: id });
      object.dependsOn = dependsOnTokens(after);
      return object;
    });
    expect(shared).toBe(byCdktf);
    const objects = (JSON.parse(shared) as { resource: { aws_s3_object: Record<string, { depends_on: string[] }> } }).resource
      .aws_s3_object;
    expect(objects.one.depends_on).toEqual(["aws_s3_bucket.first", "aws_s3_bucket.second"]);
    expect(objects.two.depends_on).toEqual(["aws_s3_bucket.second", "aws_s3_bucket.first"]);
  });

  test("gives one token per element, and every caller its own array", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const bucket = new S3Bucket(stack, "b", { bucket: "b" });
    const a = dependsOnTokens([bucket]);
    const b = dependsOnTokens([bucket]);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(Token.isUnresolved(a[0])).toBe(true);
  });
});

describe("ClusterSecurityGroups.groupId", () => {
  test("is one token per group, resolving to the group's id as a fresh read of `id` does", () => {
    const stack = new TerraformStack(Testing.app(), "sg");
    const groups = new ClusterSecurityGroups(stack, "groups", {
      name: "demo-a",
      vpcId: "vpc-1",
      vpcCidr: "10.0.0.0/16",
      adminCidrs: [],
      ingressNodePorts: [30080],
      tags: {},
    });
    const id = groups.groupId(groups.workers);
    expect(groups.groupId(groups.workers)).toBe(id);
    expect(groups.groupId(groups.controlPlane)).not.toBe(id);
    new TerraformOutput(stack, "shared", { value: id });
    new TerraformOutput(stack, "fresh", { value: groups.workers.id });
    const outputs = (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> }).output;
    expect(outputs.shared.value).toBe(outputs.fresh.value);
    expect(outputs.shared.value).toMatch(/^\$\{aws_security_group\.groups_workers_[0-9A-F]+\.id\}$/);
    expect(groups.workers).toBeInstanceOf(SecurityGroup);
  });
});

describe("Ignition paths", () => {
  test('refuses exactly the paths with a ".." segment, as split("/").includes("..") does', () => {
    const paths = [
      "/etc/../x",
      "/..",
      "/a/..",
      "/a/../",
      "/a//../b",
      "/a/...",
      "/a/..b",
      "/a/b..",
      "/..a/b",
      "/a/.../b",
      "/a/. ./b",
      "/a/..",
    ];
    for (const path of paths) {
      const climbs = path.split("/").includes("..");
      const add = () => new IgnitionConfig().addFile({ path, contents: "" });
      if (climbs) expect(add).toThrow(/without "\.\."/);
      else expect(add).not.toThrow();
    }
  });
});

describe("writeDist", () => {
  test("writes each generation's addons and indented node configs into a new folder, dropping what was there", () => {
    const root = mkdtempSync(join(tmpdir(), "dist-"));
    const stacks = addClusters(new App({ outdir: join(root, "out") }), [sampleCluster()]);
    // A folder whose parents do not exist yet, then one holding a stale generation.
    const dist = join(root, "nested", "dist");
    writeDist(dist, stacks);
    mkdirSync(join(dist, "old-a"));
    writeFileSync(join(dist, "old-a", "stale.yaml"), "stale");
    writeDist(dist, stacks);

    expect(readdirSync(dist)).toEqual(["demo-a"]);
    const [generation] = stacks[0].generations;
    expect(readdirSync(join(dist, "demo-a", "addons")).sort()).toEqual(generation.addonManifests.map((f) => f.name).sort());
    for (const file of generation.addonManifests) expect(readFileSync(join(dist, "demo-a", "addons", file.name), "utf8")).toBe(file.yaml);
    const keys = [...generation.cluster.nodeConfigs.keys()];
    expect(keys).toEqual(["ignition/controller.ign", "ignition/worker-general.ign"]);
    for (const key of keys) {
      const written = readFileSync(join(dist, "demo-a", key), "utf8");
      expect(written).toBe(JSON.stringify(JSON.parse(generation.cluster.nodeConfigs.get(key)!), null, 2) + "\n");
    }
    expect(existsSync(join(dist, "old-a"))).toBe(false);
  });
});
