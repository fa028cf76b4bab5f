// Tests of the tenants addon: what one TenantNamespace creates (PSA labels, quota, limits, default-deny network
// policies and their allowances, group RoleBindings), its verbs, and settings errors that name the field.
import { Chart, Testing } from "cdk8s";
import { TenantsChart } from "../constructs/addons/tenants/chart";
import { tenantsSettingsSchema } from "../constructs/addons/tenants/settings";
import { TenantNamespace } from "../constructs/addons/tenants/tenant-namespace";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { manifestProblems } from "../constructs/addons/validate";
import { resolveGeneration } from "../constructs/definition/resolve";
import { definitionProblems } from "../constructs/definition/validate";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const cluster = sampleCluster();
const generation = resolveGeneration(cluster, cluster.generations[0]);

function tenants(input: unknown): Obj[] {
  return Testing.synth(new TenantsChart(Testing.app(), "tenants", { generation, tenants: tenantsSettingsSchema.parse(input) }));
}
function find(objects: Obj[], kind: string, name: string, namespace?: string): Obj {
  const found = objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(`no ${kind} ${namespace ?? ""}/${name}; have ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
function issues(input: unknown): Array<{ path: string; message: string }> {
  const result = tenantsSettingsSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

describe("a tenant namespace with defaults", () => {
  const objects = tenants([{ name: "team-a", groups: { admins: ["oidc:team-a-admins"], viewers: ["oidc:auditors"] } }]);

  test("enforces the restricted Pod Security Standard pinned to the cluster's minor version", () => {
    const ns = find(objects, "Namespace", "team-a");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.31",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  test("caps resources with a quota and gives containers default requests and limits", () => {
    const quota = find(objects, "ResourceQuota", "tenant-quota", "team-a");
    expect(quota.spec.hard).toMatchObject({ "requests.cpu": "4", "limits.memory": "16Gi", pods: "50", "services.loadbalancers": "0" });
    const limits = find(objects, "LimitRange", "tenant-limits", "team-a").spec.limits[0];
    expect(limits).toMatchObject({
      type: "Container",
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
    });
  });

  test("denies all traffic by default in both directions", () => {
    const deny = find(objects, "NetworkPolicy", "default-deny", "team-a");
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test("allows DNS to kube-dns in kube-system over UDP and TCP 53", () => {
    const dns = find(objects, "NetworkPolicy", "allow-dns", "team-a").spec;
    expect(dns.policyTypes).toEqual(["Egress"]);
    expect(dns.egress[0].to).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
      },
    ]);
    expect(dns.egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });

  test("allows traffic inside the namespace and from the ingress controller", () => {
    const same = find(objects, "NetworkPolicy", "allow-same-namespace", "team-a").spec;
    expect(same.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
    expect(same.egress).toEqual([{ to: [{ podSelector: {} }] }]);
    const from = find(objects, "NetworkPolicy", "allow-from-namespaces", "team-a").spec;
    expect(from.ingress[0].from[0].namespaceSelector.matchExpressions[0]).toMatchObject({
      key: "kubernetes.io/metadata.name",
      operator: "In",
      values: expect.arrayContaining(["ingress-nginx"]),
    });
    expect(objects.find((o) => o.metadata.name === "allow-egress-cidrs")).toBeUndefined();
  });

  test("binds the team's groups to the built-in admin and view roles", () => {
    const admins = find(objects, "RoleBinding", "tenant-admins", "team-a");
    expect(admins.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" });
    expect(admins.subjects).toEqual([{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "oidc:team-a-admins" }]);
    const viewers = find(objects, "RoleBinding", "tenant-viewers", "team-a");
    expect(viewers.roleRef.name).toBe("view");
    expect(viewers.subjects.map((s: Obj) => s.name)).toEqual(["oidc:auditors"]);
  });

  test("every namespaced object lives in the tenant's namespace", () => {
    for (const o of objects.filter((x) => x.kind !== "Namespace")) expect([o.kind, o.metadata.namespace]).toEqual([o.kind, "team-a"]);
  });
});

describe("tenant options and verbs", () => {
  test("baseline enforcement still audits and warns at restricted", () => {
    const ns = find(tenants([{ name: "legacy", podSecurity: "baseline" }]), "Namespace", "legacy");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
    expect(ns.metadata.labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
  });

  test("allowFrom and egressCidrs open exactly what they name; no groups means no RoleBinding", () => {
    const objects = tenants([{ name: "team-b", allowFrom: ["partners"], egressCidrs: ["10.50.0.0/16"] }]);
    const from = find(objects, "NetworkPolicy", "allow-from-namespaces", "team-b").spec.ingress[0].from[0];
    expect(from.namespaceSelector.matchExpressions[0].values).toEqual(["ingress-nginx", "monitoring", "partners"]);
    expect(find(objects, "NetworkPolicy", "allow-egress-cidrs", "team-b").spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: "10.50.0.0/16" } }] },
    ]);
    expect(objects.filter((o) => o.kind === "RoleBinding")).toEqual([]);
  });

  test("verbs add grants and allowances after construction, without duplicates", () => {
    const chart = new Chart(Testing.app(), "c", { disableResourceNameHashes: true });
    new TenantNamespace(chart, "team-c", { name: "team-c", kubernetesVersion: "1.32.8" })
      .grantAdmin("g-admins")
      .grantAdmin("g-admins")
      .grantView("g-view")
      .allowIngressFrom("ingress-nginx")
      .allowIngressFrom("batch")
      .allowEgressTo("0.0.0.0/0");
    const objects = Testing.synth(chart);
    expect(find(objects, "RoleBinding", "tenant-admins").subjects.map((s: Obj) => s.name)).toEqual(["g-admins"]);
    expect(find(objects, "RoleBinding", "tenant-viewers").subjects.map((s: Obj) => s.name)).toEqual(["g-view"]);
    expect(
      find(objects, "NetworkPolicy", "allow-from-namespaces").spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values,
    ).toEqual(["ingress-nginx", "monitoring", "batch"]);
    expect(find(objects, "Namespace", "team-c").metadata.labels["pod-security.kubernetes.io/enforce-version"]).toBe("v1.32");
  });

  test("the construct refuses a bad name, naming the field", () => {
    const chart = new Chart(Testing.app(), "c");
    expect(() => new TenantNamespace(chart, "bad", { name: "Team_A", kubernetesVersion: "1.31.0" })).toThrow(/name: must be a DNS label/);
  });

  test("several tenants each get their own namespace and objects", () => {
    const objects = tenants([{ name: "team-a" }, { name: "team-b" }]);
    expect(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)).toEqual(["team-a", "team-b"]);
    expect(objects.filter((o) => o.kind === "ResourceQuota").map((o) => o.metadata.namespace)).toEqual(["team-a", "team-b"]);
  });
});

describe("addons.tenants settings", () => {
  test("default to no tenants", () => {
    expect(tenantsSettingsSchema.parse(undefined)).toEqual([]);
  });

  test.each([
    [[{ name: "Team_A" }], "0.name", /DNS label/],
    [[{ name: "a".repeat(64) }], "0.name", /at most 63/],
    [[{ name: "kube-team" }], "0.name", /kube-/],
    [[{ name: "monitoring" }], "0.name", /platform namespace/],
    [[{ name: "ok" }, { name: "ok" }], "1.name", /duplicate tenant name "ok" \(also tenants\[0\]\)/],
    [[{ name: "ok", podSecurity: "privileged" }], "0.podSecurity", /restricted|baseline/],
    [[{ name: "ok", quota: { pods: -1 } }], "0.quota.pods", /./],
    [[{ name: "ok", quota: { requestsCpu: "four" } }], "0.quota.requestsCpu", /Kubernetes quantity/],
    [[{ name: "ok", allowFrom: ["Bad NS"] }], "0.allowFrom.0", /DNS label/],
    [[{ name: "ok", egressCidrs: ["everywhere"] }], "0.egressCidrs.0", /IPv4 CIDR/],
    [[{ name: "ok", owner: "me" }], "0", /owner/],
  ])("%j is refused at %s", (input, path, message) => {
    const found = issues(input);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toMatch(message);
  });
});

describe("tenants through a generation's definition", () => {
  const generationWith = (addons: Record<string, unknown>) => sampleCluster({ generations: [sampleGeneration({ addons })] });

  test("tenant objects pass the OpenAPI schema and the cross-object checks", () => {
    const c = generationWith({
      tenants: [
        { name: "team-a", groups: { admins: ["a-admins"], viewers: ["a-view"] }, allowFrom: ["team-b"], egressCidrs: ["0.0.0.0/0"] },
        { name: "team-b", podSecurity: "baseline", quota: { pods: 10, loadBalancers: 1 } },
      ],
    });
    const files = synthesizeAddonObjects(resolveGeneration(c, c.generations[0]));
    const tenantFile = files.find((f) => f.file === "80-tenants.yaml");
    expect(tenantFile?.objects.filter((o) => o.kind === "Namespace")).toHaveLength(2);
    expect(manifestProblems(files)).toEqual([]);
  });

  test("no tenants, no tenants file", () => {
    const c = generationWith({});
    expect(synthesizeAddonObjects(resolveGeneration(c, c.generations[0])).map((f) => f.file)).not.toContain("80-tenants.yaml");
  });

  test("bad and duplicate tenant names are refused naming the field in the definition", () => {
    const problems = definitionProblems(generationWith({ tenants: [{ name: "team-a" }, { name: "Team B" }, { name: "team-a" }] }));
    expect(problems.map((p) => p.field)).toEqual(["generations[0].addons.tenants[1].name", "generations[0].addons.tenants[2].name"]);
    expect(problems[1].message).toMatch(/duplicate tenant name "team-a"/);
  });
});
