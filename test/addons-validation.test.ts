// Tests of the addon manifest checks: every example cluster generation passes the OpenAPI schema and cross-object
// checks; each check fails on a crafted bad object; renderAddonManifests' error names the file, object and problem.
import { clusters } from "../clusters";
import { synthesizeAddonObjects, type AddonObjects } from "../constructs/addons/render";
import { assertValidManifests, manifestProblems, ManifestValidationError } from "../constructs/addons/validate";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import { resolveGeneration } from "../constructs/definition/resolve";
import { resourceConfigs } from "../constructs/testing/terraform-json";
import { synthClusters } from "../constructs/testing/synth";
import { sampleCluster } from "./support/fixtures";

type Obj = Record<string, unknown>;

const generations = clusters.flatMap((cluster) =>
  cluster.generations.map((g) => [`${cluster.name}-${g.id}`, resolveGeneration(cluster, g)] as const),
);

describe("the example clusters' addon manifests", () => {
  test.each(generations)(
    "%s: every object validates against the OpenAPI schema and passes the cross-object checks",
    (_name, generation) => {
      const addons = synthesizeAddonObjects(generation);
      expect(addons.length).toBeGreaterThanOrEqual(5);
      expect(manifestProblems(addons)).toEqual([]);
    },
  );
});

// A small, valid set of objects each test breaks in one way.
function baseline(): Obj[] {
  const labels = { app: "demo" };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "demo", namespace: "demo" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "demo", namespace: "demo" },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { serviceAccountName: "demo", containers: [{ name: "demo", image: "registry.example.com/demo:1.0.0" }] },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "demo", namespace: "demo" }, spec: { selector: labels, ports: [{ port: 80 }] } },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "demo", namespace: "demo" }, rules: [] },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "demo", namespace: "demo" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "demo" },
      subjects: [{ kind: "ServiceAccount", name: "demo", namespace: "demo" }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "demo-auth-delegator" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: "demo", namespace: "demo" }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "demo-auth-reader", namespace: "kube-system" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
      subjects: [{ kind: "ServiceAccount", name: "demo", namespace: "demo" }],
    },
  ];
}

const asAddons = (objects: Obj[]): AddonObjects[] => [{ file: "99-demo.yaml", objects }];
const named = (objects: Obj[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name)!;

describe("each check refuses a crafted bad object", () => {
  test("the valid baseline passes (including the built-in roles it binds)", () => {
    expect(manifestProblems(asAddons(baseline()))).toEqual([]);
  });

  test.each<[string, (objects: Obj[]) => void, string, RegExp]>([
    [
      "schema: a container port that is not a number",
      (o) => {
        const d = named(o, "Deployment", "demo") as { spec: { template: { spec: { containers: Obj[] } } } };
        d.spec.template.spec.containers[0].ports = [{ containerPort: "http" }];
      },
      "Deployment demo/demo",
      /spec\.template\.spec\.containers\.0\.ports\.0\.containerPort must be integer/,
    ],
    [
      "schema: a required field missing",
      (o) => {
        delete (named(o, "Deployment", "demo") as { spec: Obj }).spec.selector;
      },
      "Deployment demo/demo",
      /spec must have required property selector/,
    ],
    [
      "schema: a kind without a schema",
      (o) => {
        o.push({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "demo" } });
      },
      "Widget demo/w",
      /no OpenAPI schema for apiVersion "example\.com\/v1" kind "Widget"/,
    ],
    [
      "schema: a kind that a served apiVersion does not have (loaded per kind, so a missing file)",
      (o) => {
        o.push({ apiVersion: "apps/v1", kind: "Widget", metadata: { name: "w2", namespace: "demo" } });
      },
      "Widget demo/w2",
      /no OpenAPI schema for apiVersion "apps\/v1" kind "Widget"/,
    ],
    [
      "schema: a kind that is not a kind name (never a path into the models package)",
      (o) => {
        o.push({ apiVersion: "v1", kind: "../apps/v1/Deployment", metadata: { name: "w3", namespace: "demo" } });
      },
      "../apps/v1/Deployment demo/w3",
      /no OpenAPI schema for apiVersion "v1" kind "\.\.\/apps\/v1\/Deployment"/,
    ],
    [
      "duplicate kind/namespace/name",
      (o) => {
        o.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "demo", namespace: "demo" } });
      },
      "ServiceAccount demo/demo",
      /is defined more than once/,
    ],
    [
      "a namespace nothing creates",
      (o) => {
        o.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "missing" }, data: {} });
      },
      "ConfigMap missing/c",
      /namespace "missing", which no manifest creates/,
    ],
    [
      "a Service selector that matches no pod template",
      (o) => {
        (named(o, "Service", "demo") as { spec: Obj }).spec.selector = { app: "typo" };
      },
      "Service demo/demo",
      /selector \{"app":"typo"\} matches no pod template in namespace "demo"/,
    ],
    [
      "a Service selecting pods of another namespace",
      (o) => {
        o.push({
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "other", namespace: "kube-system" },
          spec: { selector: { app: "demo" }, ports: [{ port: 80 }] },
        });
      },
      "Service kube-system/other",
      /matches no pod template in namespace "kube-system"/,
    ],
    [
      "a workload naming a ServiceAccount that does not exist",
      (o) => {
        (named(o, "Deployment", "demo") as { spec: { template: { spec: Obj } } }).spec.template.spec.serviceAccountName = "ghost";
      },
      "Deployment demo/demo",
      /serviceAccountName "ghost", which does not exist in namespace "demo"/,
    ],
    [
      "a RoleBinding to a Role that does not exist",
      (o) => {
        (named(o, "RoleBinding", "demo") as { roleRef: Obj }).roleRef.name = "ghost";
      },
      "RoleBinding demo/demo",
      /roleRef names Role "demo\/ghost", which no manifest creates and is not built in/,
    ],
    [
      "a ClusterRoleBinding to a ClusterRole that does not exist",
      (o) => {
        (named(o, "ClusterRoleBinding", "demo-auth-delegator") as { roleRef: Obj }).roleRef.name = "system:auth-delegat0r";
      },
      "ClusterRoleBinding demo-auth-delegator",
      /roleRef names ClusterRole "system:auth-delegat0r", which no manifest creates and is not built in/,
    ],
    [
      "a ClusterRoleBinding to a Role",
      (o) => {
        (named(o, "ClusterRoleBinding", "demo-auth-delegator") as { roleRef: Obj }).roleRef.kind = "Role";
      },
      "ClusterRoleBinding demo-auth-delegator",
      /roleRef kind "Role" is not allowed here/,
    ],
    [
      "a binding granting to a ServiceAccount that does not exist",
      (o) => {
        (named(o, "RoleBinding", "demo") as { subjects: Obj[] }).subjects[0].name = "ghost";
      },
      "RoleBinding demo/demo",
      /grants to ServiceAccount "demo\/ghost", which no manifest creates/,
    ],
  ])("%s", (_case, breakIt, object, message) => {
    const objects = baseline();
    breakIt(objects);
    const problems = manifestProblems(asAddons(objects));
    expect(problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: "99-demo.yaml", object, message: expect.stringMatching(message) })]),
    );
  });

  test("the error thrown lists every problem with file and object", () => {
    const objects = baseline();
    (named(objects, "Service", "demo") as { spec: Obj }).spec.selector = { app: "typo" };
    (named(objects, "RoleBinding", "demo") as { roleRef: Obj }).roleRef.name = "ghost";
    const generation = resolveGeneration(sampleCluster(), sampleCluster().generations[0]);
    let error: unknown;
    try {
      assertValidManifests(generation, asAddons(objects));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestValidationError);
    const text = (error as Error).message;
    expect(text).toMatch(/^addon manifests of demo-a are invalid \(2 problems\):/);
    expect(text).toContain("  - 99-demo.yaml: Service demo/demo: selector");
    expect(text).toContain('  - 99-demo.yaml: RoleBinding demo/demo: roleRef names Role "demo/ghost"');
  });
});

describe("delivery", () => {
  test("the generation stack stores all addon files, in order, as one S3 object the first control-plane node applies", () => {
    const out = synthClusters([sampleCluster()]);
    // immutable-clusters/testing returns every stack synth writes: the generation, traffic and identity stacks.
    expect(Object.keys(out.stacks).sort()).toEqual(["demo-a", "demo-identity", "demo-traffic"]);
    const manifests = out.manifests["demo-a"];
    expect(manifests.map((f) => f.name).slice(0, 5)).toEqual([
      "10-cni.yaml",
      "20-coredns.yaml",
      "30-cloud-controller.yaml",
      "40-metrics-server.yaml",
      "50-ingress-nginx.yaml",
    ]);
    const objects = resourceConfigs(out.stacks["demo-a"], "aws_s3_object").filter((o) => o.key === "addons/manifests.yaml");
    expect(objects).toHaveLength(1);
    // Base64 (node contract 3): nothing for Terraform's template syntax to read; the escaped `content` form of
    // contracts 1 and 2 is tested in node-config-object-form.test.ts.
    expect(objects[0].content).toBeUndefined();
    expect(storedObjectText(objects[0])).toBe(manifests.map((f) => f.yaml.trimEnd()).join("\n---\n") + "\n");
  });
});
