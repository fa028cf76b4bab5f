// Unit tests of the policy layer (issue 15 item 3) and etcd snapshot settings (item 4) at synth level: tenants leave the
// frozen addons for node contract 2 and go to policy/manifests.yaml; contract 1 keeps them frozen; the guard allows a
// tenant change on a frozen contract-2 generation and refuses it on contract 1; the ApplySet parent's id is kubectl's;
// the snapshot lifecycle rule and the timer follow the definition, and bad snapshot settings are refused by field.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { EMPTY_LOCK, immutabilityViolations, validateDefinition, withGeneration, type ClusterDefinition } from "../constructs";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import { POLICY_APPLYSET, POLICY_MANIFESTS_KEY, isPolicyLayerFile } from "../constructs/addons/policy-layer";
import { resolveGeneration } from "../constructs/definition/resolve";
import { freezeGeneration, frozenRecord, renderedArtifactFiles } from "../constructs/fleet/frozen-artifacts";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { synthClusters } from "./support/synth";

const tenant = (name: string) => ({ name, groups: { admins: [`${name}-admins`] } });
const withTenants = (names: string[], etcdSnapshots?: object): ClusterDefinition =>
  sampleCluster({
    generations: [
      sampleGeneration({
        id: "a",
        weight: 100,
        addons: { tenants: names.map(tenant) } as never,
        ...(etcdSnapshots ? { controlPlane: { etcdSnapshots } } : {}),
      }),
    ],
  });
const resolved = (cluster: ClusterDefinition) => {
  const valid = validateDefinition(cluster);
  return resolveGeneration(valid, valid.generations[0]);
};

/** kubectl's ApplySet id: "applyset-" + base64url(sha256(<name>.<namespace>.<kind>.<group>)) + "-v1" (applyset.go ID). */
const applySetId = (name: string, namespace: string, kind: string, group: string) =>
  `applyset-${createHash("sha256").update([name, namespace, kind, group].join(".")).digest("base64url")}-v1`;

test("the ApplySet id formula gives kubectl's own testdata id, and the parent carries it", () => {
  // kubernetes/kubectl testdata/apply/applyset-cr.yaml at dee3483a: my-set, cluster-scoped ApplySet of company.com.
  expect(applySetId("my-set", "", "ApplySet", "company.com")).toBe("applyset-rhp1a-HVAVT_dFgyEygyA1BEB82HPp2o10UiFTpqtAs-v1");
  const parent = parse(readFileSync(join(__dirname, "../constructs/ignition/files/config/policy-applyset-parent.yaml"), "utf8"));
  expect(parent.metadata.labels["applyset.kubernetes.io/id"]).toBe(
    applySetId(POLICY_APPLYSET.name, "", POLICY_APPLYSET.kind, POLICY_APPLYSET.group),
  );
  const crd = parse(readFileSync(join(__dirname, "../constructs/ignition/files/config/policy-applyset-crd.yaml"), "utf8"));
  expect(crd.spec).toMatchObject({ group: POLICY_APPLYSET.group, scope: "Cluster", names: { kind: POLICY_APPLYSET.kind } });
});

test("contract 2 freezes no tenants; contract 1 keeps them in its frozen addons", () => {
  const gen = resolved(withTenants(["team-a"]));
  expect([...renderedArtifactFiles(gen).keys()].filter((p) => isPolicyLayerFile(p.slice("addons/".length)))).toEqual([]);
  expect([...renderedArtifactFiles(gen, 1).keys()]).toContain("addons/80-tenants.yaml");
  expect([...freezeGeneration(withTenants(["team-a"]), "a").files.keys()]).not.toContain("addons/80-tenants.yaml");
});

test("the stack uploads the policy layer (marker first) apart from the init addons, and a lifecycle rule for snapshots", () => {
  const doc = synthClusters([withTenants(["team-a"], { retentionDays: 3 })]).json("demo-a");
  const objects = Object.values(doc.resource.aws_s3_object) as { key: string; content_base64?: string }[];
  const policy = storedObjectText(objects.find((o) => o.key === POLICY_MANIFESTS_KEY)!);
  expect(policy).toMatch(/^apiVersion: v1\nkind: ConfigMap\nmetadata:\n {2}name: immutable-clusters-policy-layer/);
  expect(policy).toContain("name: team-a");
  expect(storedObjectText(objects.find((o) => o.key === "addons/manifests.yaml")!)).not.toContain("team-a");
  const rules = Object.values(doc.resource.aws_s3_bucket_lifecycle_configuration) as { rule: unknown[] }[];
  expect(rules[0].rule).toEqual([
    expect.objectContaining({
      filter: [{ prefix: "snapshots/" }],
      expiration: [{ days: 3 }],
      noncurrent_version_expiration: [{ noncurrent_days: 1 }],
    }),
  ]);
});

test("the snapshot timer follows controlPlane.etcdSnapshots.intervalMinutes", () => {
  const config = JSON.parse(renderNodeIgnition(resolved(withTenants([], { intervalMinutes: 15 })), { kind: "controller" }));
  const timer = config.systemd.units.find((u: { name: string }) => u.name === "immutable-clusters-etcd-snapshot.timer");
  expect(timer.contents).toContain("OnUnitActiveSec=15min");
  const worker = JSON.parse(
    renderNodeIgnition(resolved(withTenants([])), { kind: "worker", pool: resolved(withTenants([])).workerPools[0] }),
  );
  expect(worker.systemd.units.map((u: { name: string }) => u.name)).not.toContain("immutable-clusters-policy.timer");
});

test.each([
  [{ intervalMinutes: 2 }, "controlPlane.etcdSnapshots.intervalMinutes", /at least 5 minutes/],
  [{ retentionDays: 0.5 }, "controlPlane.etcdSnapshots.retentionDays", /whole number of days/],
  [{ keep: 3 }, "controlPlane.etcdSnapshots", /keep/],
])("bad snapshot settings %j are refused naming %s", (settings, field, message) => {
  expect(() => validateDefinition(withTenants([], settings))).toThrow(new RegExp(`${field.replace(/\./g, "\\.")}[^\\n]*${message.source}`));
});

describe("the guard and the policy layer", () => {
  const before = withTenants(["team-a"]);
  const after = withTenants(["team-a", "team-b"]);
  const lockWith = (contract: number) =>
    withGeneration(EMPTY_LOCK, "demo", "a", frozenRecord(before, "a", freezeGeneration(before, "a").files, "0.2.0", contract));

  test("a tenant added to a frozen contract-2 generation is allowed", () => {
    expect(immutabilityViolations([after], lockWith(2))).toEqual([]);
    expect(immutabilityViolations([withTenants([])], lockWith(2))).toEqual([]);
  });

  test("the same change on a contract-1 generation is refused, as is a non-policy change on contract 2", () => {
    expect(immutabilityViolations([after], lockWith(1)).map((v) => v.field)).toEqual(["generations[0].addons.tenants"]);
    const bumped = { ...after, generations: [{ ...after.generations[0], kubernetesVersion: "1.32.8" }] };
    expect(immutabilityViolations([bumped], lockWith(2)).map((v) => v.field)).toEqual(["generations[0].kubernetesVersion"]);
  });
});
