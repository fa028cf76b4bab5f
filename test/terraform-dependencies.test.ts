// Terraform ordering of node boot: from the synthesized Terraform JSON of every example generation (and a generation
// with a pool added through addWorkerPool), every autoscaling group must depend, directly or transitively (depends_on
// plus references in expressions), on what its nodes need at first boot: the API load balancer's listener and the API
// DNS record, the S3 object(s) its user data points at (controllers also the addon manifests they apply), and its
// role's IAM policies. Ignition fetches an s3:// config once, without the retry loop it has for http(s)
// (coreos/ignition internal/resource/url.go: FetchFromS3 runs one s3manager download and returns its error, while
// FetchFromHTTP goes through internal/resource/http.go getReaderWithHeader, which retries with backoff), so a node
// that boots before its object or its permission exists never comes up.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { KubernetesCluster, resolveGeneration } from "../constructs";
import { AwsProvider } from "../constructs/platform/aws";
import { App, TerraformStack } from "../constructs/platform/terraform";
import { sampleCluster } from "./support/fixtures";
import { synthClusters, type TerraformJson } from "./support/synth";

type Resource = Record<string, unknown>;

/** Every resource and data source of a stack by its Terraform address (`aws_x.id`, `data.aws_x.id`). */
function addresses(doc: TerraformJson): Map<string, { type: string; body: Resource }> {
  const out = new Map<string, { type: string; body: Resource }>();
  for (const [type, byId] of Object.entries(doc.resource))
    for (const [id, body] of Object.entries(byId)) out.set(`${type}.${id}`, { type, body });
  for (const [type, byId] of Object.entries(doc.data ?? {}))
    for (const [id, body] of Object.entries(byId)) out.set(`data.${type}.${id}`, { type, body });
  return out;
}

/**
 * The addresses a resource depends on directly: its depends_on list and every address referenced inside a Terraform
 * interpolation `${...}` anywhere in its arguments. `$${` is a literal (escaped) `${` and is not a reference.
 */
function directDependencies(body: Resource, known: ReadonlySet<string>): Set<string> {
  const deps = new Set<string>();
  for (const d of (body.depends_on as string[] | undefined) ?? []) deps.add(d);
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/(?<!\$)\$\{([^}]*)\}/g)) {
        for (const ref of m[1].matchAll(/\b((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) if (known.has(ref[1])) deps.add(ref[1]);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) if (k !== "depends_on") visit(v);
  };
  visit(body);
  return deps;
}

/** Everything `start` depends on, directly or transitively. */
function transitiveDependencies(doc: TerraformJson, start: string): Set<string> {
  const all = addresses(doc);
  const known = new Set(all.keys());
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const next = all.get(queue.pop()!);
    if (!next) continue;
    for (const dep of directDependencies(next.body, known)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return seen;
}

/** The addresses of a type's resources that satisfy `where`. */
function find(doc: TerraformJson, type: string, where: (r: Resource) => boolean): string[] {
  return Object.entries(doc.resource[type] ?? {})
    .filter(([, r]) => where(r))
    .map(([id]) => `${type}.${id}`);
}

/** The single address `${type.id.attr}` in an expression refers to. */
function referenced(expression: unknown, type: string): string {
  const m = new RegExp(`\\$\\{(${type}\\.[A-Za-z0-9_-]+)\\.`).exec(String(expression));
  if (!m) throw new Error(`expected a reference to a ${type} in ${String(expression)}`);
  return m[1];
}

/** What one autoscaling group must depend on, derived from what its nodes boot from. */
function requiredBefore(doc: TerraformJson, groupAddress: string, apiEndpoint: string, apiPort: number): Record<string, string[]> {
  const group = addresses(doc).get(groupAddress)!.body;
  const spec = group.launch_template as { id: string } | undefined;
  const mixed = group.mixed_instances_policy as
    | { launch_template: { launch_template_specification: { launch_template_id: string } } }
    | undefined;
  const templateAddress = referenced(
    spec?.id ?? mixed?.launch_template.launch_template_specification.launch_template_id,
    "aws_launch_template",
  );
  const template = addresses(doc).get(templateAddress)!.body;
  // The S3 object the user data's Ignition pointer replaces itself with.
  const pointer = JSON.parse(Buffer.from(String(template.user_data), "base64").toString("utf8"));
  const [, key] = /^s3:\/\/[^/]+\/(.+)$/.exec(pointer.ignition.config.replace.source)!;
  const objects = find(
    doc,
    "aws_s3_object",
    (o) => o.key === key || (key === "ignition/controller.ign" && String(o.key).startsWith("addons/")),
  );
  // The role behind the instance profile, and every policy attached to that role.
  const profile = addresses(doc).get(referenced((template.iam_instance_profile as { arn: string }).arn, "aws_iam_instance_profile"))!.body;
  const role = referenced(profile.role, "aws_iam_role");
  const policies = [
    ...find(doc, "aws_iam_role_policy", (p) => String(p.role).startsWith(`\${${role}.`)),
    ...find(doc, "aws_iam_role_policy_attachment", (p) => String(p.role).startsWith(`\${${role}.`)),
  ];
  return {
    "API listener": find(doc, "aws_lb_listener", (l) => l.port === apiPort),
    "API DNS record": find(doc, "aws_route53_record", (r) => r.name === apiEndpoint),
    "node config object(s)": objects,
    "role policies": policies,
    "instance profile": [referenced((template.iam_instance_profile as { arn: string }).arn, "aws_iam_instance_profile")],
  };
}

/** For each autoscaling group of a stack, what it must depend on but does not. */
function missingDependencies(doc: TerraformJson, apiEndpoint: string, apiPort: number): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const group of find(doc, "aws_autoscaling_group", () => true)) {
    const deps = transitiveDependencies(doc, group);
    const required = requiredBefore(doc, group, apiEndpoint, apiPort);
    const missing: Record<string, string[]> = {};
    for (const [what, list] of Object.entries(required)) {
      if (list.length === 0) missing[what] = ["(none found in the stack: the test cannot derive it)"];
      const absent = list.filter((a) => !deps.has(a));
      if (absent.length) missing[what] = absent;
    }
    out[String((doc.resource.aws_autoscaling_group[group.split(".")[1]] as Resource).name)] = missing;
  }
  return out;
}

/** A sample generation built with the construct directly, plus a pool added with addWorkerPool after construction. */
function synthWithAddedPool(): { doc: TerraformJson; cluster: KubernetesCluster } {
  const outdir = mkdtempSync(join(tmpdir(), "deps-"));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "added-pool");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cluster = new KubernetesCluster(stack, "cluster", { cluster: sampleCluster(), generationId: "a" });
  cluster.addWorkerPool("gpu", { instanceTypes: ["g5.xlarge"], minSize: 0, maxSize: 2 });
  app.synth();
  return { doc: JSON.parse(readFileSync(join(outdir, "stacks", "added-pool", "cdk.tf.json"), "utf8")) as TerraformJson, cluster };
}

describe("autoscaling groups start only after what their nodes need at first boot exists", () => {
  const synth = synthClusters(clusters);
  const cases = clusters.flatMap((cluster) => cluster.generations.map((g) => ({ cluster, gen: resolveGeneration(cluster, g) })));

  test.each(cases.map((c) => [c.gen.fullName, c] as const))("%s", (_, { gen }) => {
    const doc = synth.json(gen.fullName);
    const result = missingDependencies(doc, gen.apiEndpoint, gen.apiPort);
    const groups = Object.keys(result).sort();
    expect(groups).toEqual([`${gen.fullName}-controllers`, ...gen.workerPools.map((p) => `${gen.fullName}-${p.name}`)].sort());
    for (const group of groups) expect({ group, missing: result[group] }).toEqual({ group, missing: {} });
  });

  test("a pool added with addWorkerPool after construction is ordered too", () => {
    const { doc, cluster } = synthWithAddedPool();
    const gen = cluster.generation;
    const result = missingDependencies(doc, gen.apiEndpoint, gen.apiPort);
    expect(Object.keys(result).sort()).toEqual(["demo-a-controllers", "demo-a-general", "demo-a-gpu"]);
    for (const group of Object.keys(result)) expect({ group, missing: result[group] }).toEqual({ group, missing: {} });
  });

  test("the check sees a missing dependency (an autoscaling group with no ordering fails it)", () => {
    const gen = cases[0].gen;
    const doc = structuredClone(synth.json(gen.fullName)) as TerraformJson;
    for (const group of Object.values(doc.resource.aws_autoscaling_group)) delete group.depends_on;
    const result = missingDependencies(doc, gen.apiEndpoint, gen.apiPort);
    expect(Object.keys(result[`${gen.fullName}-controllers`]).sort()).toEqual(
      ["API DNS record", "API listener", "node config object(s)", "role policies"].sort(),
    );
  });
});
