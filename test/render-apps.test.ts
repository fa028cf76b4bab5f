// The addon objects of a generation (constructs/addons/render.ts synthesizeAddonObjects, through the render table of
// api-object-json.ts from the second generation on) are the objects cdk8s renders for the same charts without the
// table: a differential test against cdk8s itself over the example clusters and a generation with every addon on.
import { App, type Chart } from "cdk8s";
import { clusters } from "../clusters";
import { restrictToImageArchitectures } from "../constructs/addons/image-architectures";
import { ADDONS } from "../constructs/addons/registry";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { definitionProblems } from "../constructs/definition/validate";
import type { ClusterDefinition, GenerationDefinition, WorkerPoolDefinition } from "../constructs";
import { generatedFleet } from "../bench/fleet";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

/** Every enabled addon's chart of a generation in one app, as render.ts builds them, without the render table. */
function chartsInOneApp(generation: ResolvedGeneration): { file: string; key: string; chart: Chart }[] {
  const raw = (generation.definition.addons ?? {}) as Record<string, unknown>;
  const app = new App({ outdir: "unused" });
  return [...ADDONS]
    .sort((a, b) => (a.file < b.file ? -1 : 1))
    .flatMap((addon) => {
      const settings = addon.settings.parse(raw[addon.key]);
      if (!addon.isEnabled(settings, generation)) return [];
      return [{ file: `${addon.file}.yaml`, key: addon.key, chart: addon.build(app, addon.key, generation, settings) }];
    });
}

const everyAddon = sampleCluster({
  access: { admins: ["arn:aws:iam::123456789012:role/platform-admins"] } as ClusterDefinition["access"],
  generations: [
    sampleGeneration({
      kubernetesVersion: "1.35.4",
      workerPools: [{ name: "general", instanceTypes: ["m6i.large"], autoscale: { min: 2, max: 4 } } as WorkerPoolDefinition],
      addons: {
        podIdentityWebhook: { enabled: true },
        monitoring: { enabled: true, grafana: { enabled: true } },
        tenants: [{ name: "team-a", groups: { admins: ["a-admins"] }, quota: { pods: 10 } }],
      } as GenerationDefinition["addons"],
    }),
  ],
});

const generations = [...clusters, everyAddon].flatMap((cluster) =>
  cluster.generations.map((g) => [`${cluster.name}-${g.id}`, resolveGeneration(cluster, g)] as const),
);

describe("a generation's addon objects through the render table", () => {
  test.each(generations)("%s: the same files and objects as cdk8s renders without the table", (_name, generation) => {
    const oneApp = chartsInOneApp(generation).map(({ file, key, chart }) => ({
      file,
      objects: restrictToImageArchitectures(generation, key, chart.toJson() as Record<string, unknown>[]),
    }));
    expect(JSON.stringify(synthesizeAddonObjects(generation))).toBe(JSON.stringify(oneApp));
  });

  test("a generated fleet's generations, most objects from the table and those naming the cluster from their templates, are what cdk8s renders", () => {
    // 12 generations: from the fifth, the objects that differ in every generation render from their path's template
    // (api-object-template.ts); a third generation per cluster on Kubernetes 1.35 runs the gateway.
    const fleet = generatedFleet(4).flatMap((cluster) =>
      [...cluster.generations, { ...cluster.generations[1], id: "c", kubernetesVersion: "1.35.4" }].map((g) =>
        resolveGeneration(cluster, g),
      ),
    );
    for (const generation of fleet) {
      const oneApp = chartsInOneApp(generation).map(({ file, key, chart }) => ({
        file,
        objects: restrictToImageArchitectures(generation, key, chart.toJson() as Record<string, unknown>[]),
      }));
      expect({ generation: generation.fullName, objects: JSON.stringify(synthesizeAddonObjects(generation)) }).toEqual({
        generation: generation.fullName,
        objects: JSON.stringify(oneApp),
      });
    }
  });

  test("the generation with every addon on is valid and renders every addon file but ingress-nginx's (replaced by the gateway)", () => {
    expect(definitionProblems(everyAddon)).toEqual([]);
    const files = synthesizeAddonObjects(generations[generations.length - 1][1]).map((f) => f.file);
    expect(files).toEqual(ADDONS.filter((a) => a.key !== "ingressNginx").map((a) => `${a.file}.yaml`));
  });
});
