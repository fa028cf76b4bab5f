// The node bucket's objects carry their text as `content_base64` in generations of node contract 3 (this library's),
// and as template-escaped `content` in frozen generations of contracts 1 and 2, byte for byte as they were deployed
// (constructs/cluster/node-bucket-object-content.ts). Synthesizes the example fleet once, in process.
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockGeneration } from "../apps/commands/lock";
import { clusters } from "../clusters";
import { synthFleet } from "../constructs";
import { POLICY_MANIFESTS_KEY, policyManifest, splitLayers } from "../constructs/addons/policy-layer";
import {
  nodeBucketObjectContent,
  nodeBucketObjectForm,
  storedObjectText,
  terraformLiteral,
} from "../constructs/cluster/node-bucket-object-content";
import { NODE_CONTRACT } from "../constructs/cluster/node-contract";
import { parseFleetLock, type FrozenGenerationRecord } from "../constructs/fleet/lock";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const ROOT = join(__dirname, "..");

interface StoredObject {
  readonly key: string;
  readonly content?: string;
  readonly content_base64?: string;
}

/** The aws_s3_object resources of a synthesized stack, by key. */
function objectsOf(outdir: string, stack: string): Map<string, StoredObject> {
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as {
    resource: { aws_s3_object: Record<string, StoredObject> };
  };
  return new Map(Object.values(json.resource.aws_s3_object).map((o) => [o.key, o]));
}

/** What immutable-clusters 0.1.0 and 0.2.0 wrote into `content` (node-config-bucket.ts before content_base64). */
function escapedAsDeployed(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

test("the form follows the node contract: contracts 1 and 2 keep escaped content, 3 and later base64", () => {
  expect([1, 2, 3, 4].map(nodeBucketObjectForm)).toEqual(["escaped-content", "escaped-content", "content-base64", "content-base64"]);
  expect(nodeBucketObjectForm(NODE_CONTRACT)).toBe("content-base64");
  const text = 'echo "${HOME}" %{if x}é\n';
  const escaped = nodeBucketObjectContent(text, "escaped-content");
  expect(escaped).toEqual({ content: 'echo "$${HOME}" %%{if x}é\n' });
  const base64 = nodeBucketObjectContent(text, "content-base64");
  expect(base64).toEqual({ contentBase64: Buffer.from(text, "utf8").toString("base64") });
  // Either form reads back as the same text (the same bytes in S3).
  expect(storedObjectText(escaped as { content: string })).toBe(text);
  expect(storedObjectText({ content_base64: (base64 as { contentBase64: string }).contentBase64 })).toBe(text);
  expect(terraformLiteral("$${a} %%{b}")).toBe("${a} %{b}");
  expect(storedObjectText({})).toBeUndefined();
});

describe("the example fleet", () => {
  const outdir = mkdtempSync(join(tmpdir(), "object-form-"));
  const { stacks } = synthFleet(clusters, { root: ROOT, outdir, env: {}, notify: () => undefined });
  const lock = parseFleetLock(readFileSync(join(ROOT, "clusters", "generations.lock.json"), "utf8"));

  test("staging/b (unlocked, contract 3) stores every object as content_base64 decoding to exactly what it renders", () => {
    const stack = stacks.find((s) => s.definition.name === "staging")!.generations.find((g) => g.cluster.generation.generationId === "b")!;
    const objects = objectsOf(outdir, "staging-b");
    expect(objects.size).toBeGreaterThan(2);
    for (const object of objects.values()) {
      expect(object.content).toBeUndefined();
      expect(typeof object.content_base64).toBe("string");
    }
    const decoded = (key: string) => Buffer.from(objects.get(key)!.content_base64!, "base64").toString("utf8");
    expect([...stack.cluster.nodeConfigs.keys()].length).toBeGreaterThan(0);
    for (const [key, config] of stack.cluster.nodeConfigs) expect(decoded(key)).toBe(config);
    const { immutable, policy } = splitLayers(stack.addonManifests);
    expect(decoded("addons/manifests.yaml")).toBe(immutable.map((f) => f.yaml.trimEnd()).join("\n---\n") + "\n");
    expect(decoded(POLICY_MANIFESTS_KEY)).toBe(policyManifest(policy));
    // The shell in the manifests reaches S3 with its `${` literal: no template escapes in base64.
    expect(decoded("addons/manifests.yaml")).toContain("${");
    expect(decoded("addons/manifests.yaml")).not.toContain("$${");
  });

  test.each(["prod/a", "prod/b", "staging/a"])("frozen %s keeps the escaped content it was deployed with, byte for byte", (target) => {
    const [cluster, generation] = target.split("/");
    expect((lock.clusters[cluster][generation] as FrozenGenerationRecord).nodeContract).toBe(1);
    const objects = objectsOf(outdir, `${cluster}-${generation}`);
    const frozenDir = join(ROOT, "clusters", "deployed", `${cluster}-${generation}`);
    for (const object of objects.values()) expect(object.content_base64).toBeUndefined();
    for (const name of readdirSync(join(frozenDir, "ignition"))) {
      const config = JSON.stringify(JSON.parse(readFileSync(join(frozenDir, "ignition", name), "utf8")));
      expect(objects.get(`ignition/${name}`)!.content).toBe(escapedAsDeployed(config));
    }
    const manifests = readdirSync(join(frozenDir, "addons"))
      .sort()
      .map((name) => readFileSync(join(frozenDir, "addons", name), "utf8").trimEnd());
    expect(objects.get("addons/manifests.yaml")!.content).toBe(escapedAsDeployed(manifests.join("\n---\n") + "\n"));
  });
});

test("a contract-3 generation locked later keeps content_base64 (the lock records its contract)", () => {
  const root = mkdtempSync(join(tmpdir(), "object-form-lock-"));
  const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a", weight: 100 })] });
  expect(lockGeneration("demo/a", { root, clusters: [cluster] })).toMatch(/^recorded and froze demo\/a/);
  const lock = parseFleetLock(readFileSync(join(root, "clusters", "generations.lock.json"), "utf8"));
  expect((lock.clusters.demo.a as FrozenGenerationRecord).nodeContract).toBe(NODE_CONTRACT);
  const outdir = join(root, "cdktf.out");
  synthFleet([cluster], { root, outdir, env: {}, notify: () => undefined });
  const objects = [...objectsOf(outdir, "demo-a").values()];
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) expect(object).toMatchObject({ content_base64: expect.any(String) as string });
  expect(objects.every((o) => o.content === undefined)).toBe(true);
});
