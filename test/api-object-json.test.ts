// Addon API objects rendered to JSON once per content (constructs/addons/api-object-json.ts): the charts' output is
// what cdk8s renders, an object of the same class and data renders from the kept JSON without cdk8s's path as one
// deep-frozen object shared across apps (a distinct one for a second object of the same text in one app), metadata
// changes are keyed, and objects whose JSON is not a function of their class and plain data (a Lazy, a JSON
// patch) still render through cdk8s each time.
import { ApiObject, App, Chart, JsonPatch, Lazy } from "cdk8s";
import { renderApiObjectsOnce } from "../constructs/addons/api-object-json";
import { contentKey, withSharedContentKeys } from "../constructs/addons/render-cache";
import { k8s } from "../constructs/platform/k8s";

/** A chart of the kinds of objects the addons render; `suffix` changes only the ConfigMap named after the cluster. */
function build(app: App, suffix: string, chartId = "chart"): Chart {
  const chart = new Chart(app, chartId, { namespace: "kube-system" });
  const labels = { "app.kubernetes.io/name": "demo" }; // one object reached twice, as the addons write them
  new k8s.KubeDeployment(chart, "deployment", {
    metadata: { name: "demo", labels },
    spec: {
      selector: { matchLabels: labels },
      strategy: { rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "demo",
              image: "registry.k8s.io/pause:3.10",
              resources: { requests: { cpu: k8s.Quantity.fromString("10m"), memory: k8s.Quantity.fromString("16Mi") } },
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  });
  new k8s.KubeService(chart, "service", {
    metadata: { name: "demo" },
    spec: { selector: labels, ports: [{ port: 80, targetPort: k8s.IntOrString.fromString("http") }] },
  });
  new k8s.KubeConfigMap(chart, "named", { metadata: { name: "cluster-name" }, data: { cluster: `cluster-${suffix}` } });
  new ApiObject(chart, "custom", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 3 } });
  new k8s.KubeConfigMap(chart, "lazy", {
    metadata: { name: "lazy" },
    data: { value: Lazy.any({ produce: () => `produced-${suffix}` }) as unknown as string },
  });
  const patched = new k8s.KubeConfigMap(chart, "patched", { metadata: { name: "patched" }, data: { a: "1" } });
  patched.addJsonPatch(JsonPatch.add("/data/b", "2"));
  return chart;
}

/** What cdk8s renders for the chart, without the table. */
function cdk8sRenders(suffix: string): unknown[] {
  return build(new App(), suffix).toJson();
}

function rendersOnce(suffix: string, chartId?: string): unknown[] {
  const chart = build(new App(), suffix, chartId);
  renderApiObjectsOnce(chart);
  return chart.toJson();
}

describe("renderApiObjectsOnce", () => {
  it("renders what cdk8s renders, and an object of the same class and data again without cdk8s's path", () => {
    const calls = {
      deployment: jest.spyOn(k8s.KubeDeployment.prototype, "toJson"),
      configMap: jest.spyOn(k8s.KubeConfigMap.prototype, "toJson"),
      apiObject: jest.spyOn(ApiObject.prototype, "toJson"),
    };
    try {
      // The first render of a construct path is cdk8s's alone; the second keeps the JSON.
      expect(rendersOnce("one")).toEqual(cdk8sRenders("one"));
      const first = rendersOnce("one");
      expect(first).toEqual(cdk8sRenders("one"));
      const expected = cdk8sRenders("two");
      Object.values(calls).forEach((spy) => spy.mockClear());

      const second = rendersOnce("two");
      expect(second).toEqual(expected);
      // The Deployment, the Service and the custom object came from the table; cdk8s rendered the ConfigMaps whose data
      // changed (twice: its path's template, api-object-template.ts, is made of the marked copy and the object), holds a
      // Lazy or has a patch.
      expect(calls.deployment).not.toHaveBeenCalled();
      expect(calls.configMap.mock.contexts.map((c) => (c as ApiObject).name).sort()).toEqual([
        "cluster-name",
        "cluster-name",
        "lazy",
        "patched",
      ]);
      expect(calls.apiObject).toHaveBeenCalledTimes(4);
    } finally {
      Object.values(calls).forEach((spy) => spy.mockRestore());
    }
  });

  it("renders an object through cdk8s the first two times its construct path is rendered, then from the table", () => {
    const spy = jest.spyOn(k8s.KubeConfigMap.prototype, "toJson");
    try {
      const calls = [1, 2, 3].map(() => {
        spy.mockClear();
        const chart = new Chart(new App(), "first-path", { namespace: "kube-system" });
        new k8s.KubeConfigMap(chart, "only", { metadata: { name: "only" }, data: { a: "1" } });
        renderApiObjectsOnce(chart);
        expect(chart.toJson()).toEqual([
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "only", namespace: "kube-system" }, data: { a: "1" } },
        ]);
        return spy.mock.calls.length;
      });
      // The first (a single generation's synth keys nothing), the second (keyed and kept), the third from the table.
      expect(calls).toEqual([1, 1, 0]);
    } finally {
      spy.mockRestore();
    }
  });

  it("renders a path's missed object from its template from the second miss on, stops keying a path that never hit, and renders as cdk8s does", () => {
    const spy = jest.spyOn(k8s.KubeConfigMap.prototype, "toJson");
    const renderAt = (value: string) => {
      spy.mockClear();
      const chart = new Chart(new App(), "changing-path", { namespace: "kube-system" });
      new k8s.KubeConfigMap(chart, "named", { metadata: { name: "named" }, data: { cluster: value } });
      renderApiObjectsOnce(chart);
      expect(chart.toJson()).toEqual([
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "named", namespace: "kube-system" }, data: { cluster: value } },
      ]);
      return spy.mock.calls.length;
    };
    try {
      // First render, then a miss (kept), then a second miss: the path's template is made of it and the kept one
      // (cdk8s renders the marked copy and the object itself, once, api-object-template.ts) and renders the next
      // objects; after three misses without a hit data seen before is no longer looked up in the table.
      expect(["c1", "c2", "c3", "c4"].map(renderAt)).toEqual([1, 1, 2, 0]);
      expect(["c2", "c5", "c1"].map(renderAt)).toEqual([0, 0, 0]);
      // A path that hit once keeps being keyed: the same data again comes from the table, other data from the
      // path's template.
      expect(["h1", "h1"].map((v) => renderAtOther(v))).toEqual([1, 1]);
      expect(["h1", "h2", "h3", "h4", "h1"].map((v) => renderAtOther(v))).toEqual([0, 2, 0, 0, 0]);
    } finally {
      spy.mockRestore();
    }

    function renderAtOther(value: string): number {
      spy.mockClear();
      const chart = new Chart(new App(), "hit-path", { namespace: "kube-system" });
      new k8s.KubeConfigMap(chart, "named", { metadata: { name: "named" }, data: { cluster: value } });
      renderApiObjectsOnce(chart);
      chart.toJson();
      return spy.mock.calls.length;
    }
  });

  it("hands out one deep-frozen object per kept text: changing it throws and changes no later render", () => {
    rendersOnce("three");
    rendersOnce("three");
    const first = rendersOnce("three") as Record<string, unknown>[];
    const deployment = first.find((o) => o.kind === "Deployment")!;
    const spec = deployment.spec as { template: { spec: { containers: { image: string }[] } } };
    expect(Object.isFrozen(deployment) && Object.isFrozen(spec.template.spec.containers[0])).toBe(true);
    // Strict code (every compiled module of the library) throws on the change; sloppy code's change is ignored.
    expect(() =>
      (function change() {
        "use strict";
        (deployment.metadata as Record<string, unknown>).name = "changed";
      })(),
    ).toThrow(TypeError);
    expect(() =>
      (function change() {
        "use strict";
        spec.template.spec.containers[0].image = "changed";
      })(),
    ).toThrow(TypeError);
    expect(Reflect.set(deployment, "kind", "Changed")).toBe(false);
    const second = rendersOnce("three") as Record<string, unknown>[];
    expect(second.find((o) => o.kind === "Deployment")).toBe(deployment);
    expect(second).toEqual(cdk8sRenders("three"));
  });

  it("gives an object of a text already handed out among the same charts a distinct object (the checks key them by identity)", () => {
    const renderTwins = () => {
      // Two charts of one generation (each in an app of its own, as render.ts builds them).
      const charts = ["twins-a", "twins-b"].map((id) => {
        const chart = new Chart(new App(), id, { namespace: "kube-system" });
        new k8s.KubeConfigMap(chart, "same", { metadata: { name: "same" }, data: { a: "1" } });
        return chart;
      });
      renderApiObjectsOnce(...charts);
      return charts.flatMap((chart) => chart.toJson() as object[]);
    };
    renderTwins();
    renderTwins();
    const [a, b] = renderTwins();
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    const [again] = renderTwins();
    expect(again).toBe(a);
  });

  it("keys the metadata by what cdk8s renders it from: every metadata change after a render renders anew", () => {
    const changes: [string, (m: ApiObject["metadata"]) => void, Record<string, unknown>][] = [
      ["addLabel", (m) => m.addLabel("extra", "label"), { labels: { extra: "label" } }],
      ["addAnnotation", (m) => m.addAnnotation("extra", "annotation"), { annotations: { extra: "annotation" } }],
      ["add", (m) => m.add("generateName", "extra-"), { generateName: "extra-" }],
      ["addFinalizers", (m) => m.addFinalizers("example.com/extra"), { finalizers: ["example.com/extra"] }],
      [
        "addOwnerReference",
        (m) => m.addOwnerReference({ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "1" }),
        { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "1" }] },
      ],
    ];
    for (const [name, change, expected] of changes) {
      const renderWith = (changed: boolean) => {
        const chart = new Chart(new App(), `metadata-${name}`, { namespace: "kube-system" });
        const map = new k8s.KubeConfigMap(chart, "map", { metadata: { name: "map" }, data: { a: "1" } });
        if (changed) change(map.metadata);
        renderApiObjectsOnce(chart);
        return (chart.toJson() as { metadata: Record<string, unknown> }[])[0].metadata;
      };
      const plain = { name: "map", namespace: "kube-system" };
      // Kept from the second render, then a changed object of the same path and data must not come from the table.
      for (let i = 0; i < 3; i++) expect(renderWith(false)).toEqual(plain);
      expect({ name, metadata: renderWith(true) }).toEqual({ name, metadata: { ...plain, ...expected } });
      expect(renderWith(false)).toEqual(plain);
      expect({ name, metadata: renderWith(true) }).toEqual({ name, metadata: { ...plain, ...expected } });
    }
  });

  it("never hands out a kept rendering for inputs that differ in any way cdk8s could render differently", () => {
    type Spec = Record<string, unknown>;
    const base = (): Spec => ({
      replicas: 1,
      selector: { matchLabels: { app: "x" } },
      template: {
        metadata: { labels: { app: "x" } },
        spec: { containers: [{ name: "x", image: "x:1", ports: [{ containerPort: 80 }] }] },
      },
      strategy: { rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
    });
    const container = (spec: Spec) => (spec.template as { spec: { containers: Record<string, unknown>[] } }).spec.containers[0];
    const variants: [string, (spec: Spec) => void][] = [
      ["a number as a string", (s) => (s.replicas = "1")],
      ["-0 for 0", (s) => (s.replicas = -0)],
      ["another number", (s) => (s.replicas = 2)],
      ["null for a member", (s) => (s.replicas = null)],
      ["an undefined member for a missing one", (s) => (s.minReadySeconds = undefined)],
      ["a new member", (s) => (s.minReadySeconds = 5)],
      ["a member left out", (s) => delete s.replicas],
      ["a member renamed", (s) => ((s.selector as Spec).matchLabels = { role: "x" })],
      ["members in another order", (s) => Object.assign(s, { selector: s.selector, replicas: 1 })],
      ["an IntOrString of a string", (s) => ((s.strategy as Spec).rollingUpdate = { maxUnavailable: k8s.IntOrString.fromString("1") })],
      ["a plain { value } for an IntOrString", (s) => ((s.strategy as Spec).rollingUpdate = { maxUnavailable: { value: 1 } })],
      ["a Quantity for an IntOrString", (s) => ((s.strategy as Spec).rollingUpdate = { maxUnavailable: k8s.Quantity.fromNumber(1) })],
      ["an extra array item", (s) => (container(s).ports as unknown[]).push({ containerPort: 81 })],
      ["an empty array", (s) => (container(s).ports = [])],
      ["an array for an object", (s) => (container(s).ports = [[{ containerPort: 80 }]])],
      ["a deep string", (s) => (container(s).image = "x:2")],
      ["a Lazy", (s) => (container(s).image = Lazy.any({ produce: () => "x:1" }))],
    ];
    for (const [name, change] of variants) {
      const renderAt = (changed: boolean, withTable: boolean) => {
        const chart = new Chart(new App(), `differs-${name.replace(/[^a-z0-9]+/g, "-")}`, { namespace: "kube-system" });
        const spec = base();
        if (changed) change(spec);
        new k8s.KubeDeployment(chart, "deployment", { metadata: { name: "x" }, spec: spec as unknown as k8s.DeploymentSpec });
        if (withTable) renderApiObjectsOnce(chart);
        return JSON.stringify(chart.toJson());
      };
      for (let i = 0; i < 3; i++) renderAt(false, true);
      expect({ name, rendered: renderAt(true, true) }).toEqual({ name, rendered: renderAt(true, false) });
      expect({ name, rendered: renderAt(false, true) }).toEqual({ name, rendered: renderAt(false, false) });
    }
  });

  it("keys IntOrString and Quantity by their value: a different value renders differently", () => {
    rendersOnce("four");
    const app = new App();
    const chart = new Chart(app, "c", { namespace: "kube-system" });
    new k8s.KubeService(chart, "service", {
      metadata: { name: "demo" },
      spec: { selector: { "app.kubernetes.io/name": "demo" }, ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] },
    });
    renderApiObjectsOnce(chart);
    const [service] = chart.toJson() as { spec: { ports: { targetPort: unknown }[] } }[];
    expect(service.spec.ports[0].targetPort).toBe(8080);
  });

  it("gives an object of a path no longer keyed no content key: its YAML and verdict are not memoized by a key never looked up again", () => {
    const renderAt = (value: string) => {
      const chart = new Chart(new App(), "unkeyed-path", { namespace: "kube-system" });
      new k8s.KubeConfigMap(chart, "named", { metadata: { name: "named" }, data: { cluster: value } });
      renderApiObjectsOnce(chart);
      return chart.toJson() as Record<string, unknown>[];
    };
    withSharedContentKeys(() => {
      const keyed = renderAt("u1")[0];
      expect(contentKey(keyed)).toBe(JSON.stringify(keyed));
    });
    ["u2", "u3", "u4"].forEach(renderAt);
    withSharedContentKeys(() => {
      const [object] = renderAt("u5");
      expect(object).toEqual({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "named", namespace: "kube-system" },
        data: { cluster: "u5" },
      });
      expect(contentKey(object)).toBeUndefined();
    });
  });

  it("hands the kept JSON text on as each object's content key, which is the key the object's JSON gives", () => {
    // A chart path of its own: the paths of "chart" saw the cluster-name ConfigMap differ in every earlier test.
    rendersOnce("five", "content-key-chart");
    rendersOnce("five", "content-key-chart");
    withSharedContentKeys(() => {
      const objects = rendersOnce("five", "content-key-chart") as Record<string, unknown>[];
      const stringify = jest.spyOn(JSON, "stringify");
      try {
        const keys = objects.map((o) => contentKey(o));
        // The Deployment, the Service, the custom object and the cluster-name ConfigMap came from the table.
        expect(stringify.mock.calls.length).toBe(objects.length - 4);
        stringify.mockRestore();
        expect(keys).toEqual(objects.map((o) => JSON.stringify(o)));
      } finally {
        stringify.mockRestore();
      }
    });
  });
});
