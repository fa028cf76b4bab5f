// KubernetesCluster.nodeConfigDocument: a node config as data (what the review copy, write-dist.ts, writes indented).
// A rendered config comes with the document it is the JSON of, so it is not parsed again; a frozen one is parsed.
import { KubernetesCluster } from "../constructs";
import { validateDefinition } from "../constructs/definition/validate";
import { resolveGeneration } from "../constructs/definition/resolve";
import { nodeConfigKey, renderNodeIgnition } from "../constructs/ignition/node-config";
import { App, TerraformStack } from "../constructs/platform/terraform";
import { AwsProvider } from "../constructs/platform/aws";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const definition = sampleCluster({
  generations: [sampleGeneration({ workerPools: [{ name: "general", instanceTypes: ["m6i.large"], minSize: 1, maxSize: 2 }] })],
});

function cluster(frozenNodeConfigs?: ReadonlyMap<string, string>): KubernetesCluster {
  const stack = new TerraformStack(new App({ outdir: "unused" }), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return new KubernetesCluster(stack, "c", { cluster: definition, generationId: "a", frozenNodeConfigs });
}

describe("nodeConfigDocument", () => {
  test("a rendered config's document is its text's data, written indented to the same bytes as the parsed text", () => {
    const rendered = cluster();
    expect([...rendered.nodeConfigs.keys()].sort()).toEqual(["ignition/controller.ign", "ignition/worker-general.ign"]);
    for (const [key, text] of rendered.nodeConfigs) {
      const document = rendered.nodeConfigDocument(key);
      expect(JSON.stringify(document)).toBe(text);
      expect(JSON.stringify(document, null, 2)).toBe(JSON.stringify(JSON.parse(text), null, 2));
    }
  });

  test("a frozen config is its frozen text parsed, not a rendering of the definition", () => {
    const valid = validateDefinition(definition);
    const gen = resolveGeneration(valid, valid.generations[0]);
    const role = { kind: "worker", pool: gen.workerPools[0] } as const;
    const key = nodeConfigKey(role);
    // A frozen config that differs from what this library renders now (an extra top-level member).
    const frozenData = { ...(JSON.parse(renderNodeIgnition(gen, role)) as object), frozenMarker: true };
    const frozen = cluster(new Map([[key, JSON.stringify(frozenData)]]));
    expect(frozen.nodeConfigDocument(key)).toEqual(frozenData);
    expect(frozen.nodeConfigDocument("ignition/none.ign")).toBeUndefined();
  });
});
