// An addon API object that differs in every generation is rendered from its construct path's template
// (constructs/addons/api-object-template.ts): the rendering is what cdk8s renders for it, whatever the strings, and a
// string cdk8s reads by its characters, a change of anything but a string, or a change of shape renders through cdk8s.
import { App, Chart } from "cdk8s";
import { renderApiObjectsOnce } from "../constructs/addons/api-object-json";
import { contentKey, rememberedSchemaValid, rememberedYaml, withSharedContentKeys } from "../constructs/addons/render-cache";
import { schemaProblems } from "../constructs/addons/validate-schema";
import { yamlDocument } from "../constructs/addons/yaml-document";
import { k8s } from "../constructs/platform/k8s";

/** A chart like the cni addon's: a DaemonSet naming the cluster's API endpoint and a ConfigMap naming the cluster. */
function build(app: App, path: string, cluster: string, options: { extraEnv?: boolean; replicas?: unknown; data?: unknown } = {}): Chart {
  const chart = new Chart(app, path, { namespace: "kube-system" });
  const labels = { "app.kubernetes.io/name": "agent", "example.com/cluster": cluster };
  new k8s.KubeDaemonSet(chart, "agent", {
    metadata: { name: "agent", labels },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "agent" } },
      minReadySeconds: options.replicas as number,
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "agent",
              image: "registry.k8s.io/pause:3.10",
              args: [`--cluster-name=${cluster}`, "--v=2"],
              env: [
                { name: "KUBERNETES_SERVICE_HOST", value: `api.${cluster}.example.com` },
                ...(options.extraEnv ? [{ name: "EXTRA", value: "1" }] : []),
              ],
              resources: { requests: { cpu: k8s.Quantity.fromString("10m") } },
              ports: [{ containerPort: 4240, name: "health" }],
            },
          ],
        },
      },
    },
  });
  new k8s.KubeConfigMap(chart, "config", {
    metadata: { name: "config" },
    data: (options.data as Record<string, string>) ?? { "cluster-name": cluster, "config.yaml": `cluster: ${cluster}\nlines:\n  - a\n` },
  });
  return chart;
}

/** The chart's JSON through the render table, with how often cdk8s's own toJson ran for the two kinds. */
function throughTable(path: string, cluster: string, options?: Parameters<typeof build>[3]): { json: string; cdk8sCalls: number } {
  const spies = [jest.spyOn(k8s.KubeDaemonSet.prototype, "toJson"), jest.spyOn(k8s.KubeConfigMap.prototype, "toJson")];
  try {
    const chart = build(new App(), path, cluster, options);
    renderApiObjectsOnce(chart);
    const json = JSON.stringify(chart.toJson());
    return { json, cdk8sCalls: spies.reduce((n, spy) => n + spy.mock.calls.length, 0) };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

const cdk8sRenders = (path: string, cluster: string, options?: Parameters<typeof build>[3]) =>
  JSON.stringify(build(new App(), path, cluster, options).toJson());

/** Strings that a YAML or JSON writer treats specially: any of them may name a cluster in this test. */
const HARD_STRINGS = [
  "",
  "123",
  "true",
  "null",
  "a: b",
  "- x",
  "multi\nline\n",
  '"quoted"',
  "tab\there",
  "ünï©ødé",
  "\uE000api-object-template\uE0010\uE002",
];

describe("rendering from a construct path's template", () => {
  it("renders what cdk8s renders for every generation, and after the first template without cdk8s", () => {
    const clusters = ["c1", "c2", "c3", "c4", "c5", "c6", ...HARD_STRINGS, "c7"];
    const calls = clusters.map((cluster) => {
      const { json, cdk8sCalls } = throughTable("template-path", cluster);
      expect({ cluster, json }).toEqual({ cluster, json: cdk8sRenders("template-path", cluster) });
      return cdk8sCalls;
    });
    // Rendered first, then a miss (kept), then the template is made of the second miss and the kept one (the marked
    // copy and the object itself, of both objects), then none.
    expect(calls.slice(0, 3)).toEqual([2, 2, 4]);
    expect(calls.slice(3)).toEqual(clusters.slice(3).map(() => 0));
  });

  it("hands each generation new objects without a content key, whose YAML is written from the template's", () => {
    for (const cluster of ["y1", "y2", "y3", "y4", "y5", "y6"]) throughTable("yaml-path", cluster);
    for (const cluster of ["y7", ...HARD_STRINGS]) {
      withSharedContentKeys(() => {
        const chart = build(new App(), "yaml-path", cluster);
        renderApiObjectsOnce(chart);
        const objects = chart.toJson() as Record<string, unknown>[];
        const again = build(new App(), "yaml-path", cluster);
        renderApiObjectsOnce(again);
        const second = again.toJson() as Record<string, unknown>[];
        expect(second[0]).not.toBe(objects[0]);
        expect(Object.isFrozen(objects[0])).toBe(false);
        for (const object of objects) {
          expect(contentKey(object)).toBeUndefined();
          // Written from the template's YAML: what the writer writes for a copy of the object.
          const yaml = rememberedYaml(object);
          expect({ cluster, yaml }).toEqual({ cluster, yaml: yamlDocument(structuredClone(object)) });
        }
      });
    }
  });

  it("renders through cdk8s when anything but a string differs from the template, and the same as cdk8s", () => {
    for (const cluster of ["d1", "d2", "d3", "d4", "d5", "d6"]) throughTable("differs-path", cluster);
    const changes: [string, Parameters<typeof build>[3]][] = [
      ["an item more", { extraEnv: true }],
      ["a number where there was none", { replicas: 5 }],
      ["a string for a number", { replicas: "5" }],
      ["a key more", { data: { "cluster-name": "x", "config.yaml": "y", more: "z" } }],
      ["a key renamed", { data: { "cluster-name": "x", other: "y" } }],
    ];
    for (const [name, options] of changes) {
      const { json, cdk8sCalls } = throughTable("differs-path", `d-${name}`, options);
      expect({ name, json }).toEqual({ name, json: cdk8sRenders("differs-path", `d-${name}`, options) });
      expect({ name, cdk8sCalls: cdk8sCalls > 0 }).toEqual({ name, cdk8sCalls: true });
    }
    // The template still serves the objects it fits.
    expect(throughTable("differs-path", "d7")).toEqual({ json: cdk8sRenders("differs-path", "d7"), cdk8sCalls: 0 });
  });

  it("makes no template of a string cdk8s reads by its characters (a string where a map belongs), and renders as cdk8s does", () => {
    // toJson_KubeConfigMapProps maps `data` with Object.entries: a string there renders as its characters.
    const withData = (cluster: string) => ({ data: `${cluster}` as unknown });
    const calls = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"].map((cluster) => {
      const { json, cdk8sCalls } = throughTable("characters-path", cluster, withData(cluster));
      expect({ cluster, json }).toEqual({ cluster, json: cdk8sRenders("characters-path", cluster, withData(cluster)) });
      return cdk8sCalls;
    });
    // The DaemonSet's template serves it from the third generation on; the ConfigMap renders through cdk8s every time
    // (twice while templates are tried, from its second miss: at most three per path).
    expect(calls).toEqual([2, 2, 4, 2, 2, 1, 1, 1, 1]);
  });

  it("judges a filled object by the schema check as kubernetes-models' model does, without checking a valid one again", () => {
    /** The problems kubernetes-models' own model finds: none, or that it throws. */
    const modelFinds = (object: Record<string, unknown>) => {
      const Model = (require(`kubernetes-models/${String(object.apiVersion)}/${String(object.kind)}`) as Record<string, unknown>)[
        String(object.kind)
      ] as new (data: unknown) => { validate(): void };
      try {
        new Model(structuredClone(object)).validate();
        return false;
      } catch {
        return true;
      }
    };
    /** A Deployment naming `name` with pull policy `policy` (an enum), and a ConfigMap of binary data `blob` (base64). */
    const judged = (path: string, policy: string, blob: string, name = blob) =>
      withSharedContentKeys(() => {
        const chart = new Chart(new App(), path, { namespace: "kube-system" });
        new k8s.KubeDeployment(chart, "deployment", {
          metadata: { name: "d", labels: { cluster: name } },
          spec: {
            selector: { matchLabels: { app: "d" } },
            template: {
              metadata: { labels: { app: "d" } },
              spec: { containers: [{ name: "d", image: `d:${name}`, imagePullPolicy: policy }] },
            },
          },
        });
        new k8s.KubeConfigMap(chart, "blob", { metadata: { name: "blob" }, binaryData: { blob } });
        renderApiObjectsOnce(chart);
        return (chart.toJson() as Record<string, unknown>[]).map((object) => ({
          problems: schemaProblems(object).length > 0,
          model: modelFinds(object),
          remembered: rememberedSchemaValid(object),
        }));
      });
    // Strings anywhere but where content is judged (a label, an image): from the template on, every filled object is
    // known to pass, and kubernetes-models' model agrees.
    const names = ["n1", "n2", "n3", "n4", "n5", "n6", ...HARD_STRINGS];
    const named = names.map((name) => judged("schema-names-path", "Always", "YQ==", name));
    for (const [i, [deployment, configMap]] of named.entries()) {
      // The ConfigMap is the same in every generation: a kept rendering, its verdict memoized by its text.
      expect({ name: names[i], deployment, configMap }).toEqual({
        name: names[i],
        deployment: { problems: false, model: false, remembered: i >= 3 },
        configMap: { problems: false, model: false, remembered: false },
      });
    }
    // A hole in an enum (the pull policy) and in base64 data: each filled object is checked, and a bad one fails.
    const policies = ["Always", "IfNotPresent", "Never", "Always", "IfNotPresent", "Never", "Sometimes", "Always"];
    const blobs = ["YQ==", "Yg==", "Yw==", "ZA==", "ZQ==", "Zg==", "Zw==", "not base64!"];
    const verdicts = policies.map((policy, i) => judged("schema-enum-path", policy, blobs[i]));
    for (const [i, [deployment, configMap]] of verdicts.entries()) {
      expect({ i, deployment: deployment.problems, configMap: configMap.problems }).toEqual({
        i,
        deployment: deployment.model,
        configMap: configMap.model,
      });
      expect({ i, remembered: deployment.remembered || configMap.remembered }).toEqual({ i, remembered: false });
    }
    expect(verdicts[6][0].problems && verdicts[7][1].problems).toBe(true);
  });
});
