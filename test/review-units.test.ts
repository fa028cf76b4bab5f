// Tests of the review's pure parts without git: attribute diff, replace/destroy classification, Ignition decoding and
// text diffs, Kubernetes object diff, cost, Mermaid, exit codes and the Markdown layout.
import { gzipSync } from "node:zlib";
import { compareSynthOutputs, verdictOf } from "../apps/review/compare";
import { costDelta } from "../apps/review/cost";
import { loadPriceTable, priceSource, validatePriceTable } from "../apps/review/price-table";
import { decodeIgnition, decodeSource, diffIgnitionConfig, terraformLiteral } from "../apps/review/ignition";
import { lockChanges, unguardedLive } from "../apps/review/lock-changes";
import { cleanOutput, synthProblems, typeProblems } from "../apps/review/review-errors";
import { diffManifests } from "../apps/review/kubernetes-diff";
import { renderMarkdown } from "../apps/review/markdown";
import { mermaidId, renderMermaid } from "../apps/review/mermaid";
import { diffValues, formatPath } from "../apps/review/object-diff";
import { generationShape, type GenerationShape } from "../apps/review/stack-shape";
import type { SynthOutput } from "../apps/review/synth-output";
import { destroysLive, diffTerraform } from "../apps/review/terraform-diff";
import type { TerraformJson } from "../constructs/testing/terraform-json";
import { POLICY_MANIFESTS_KEY, POLICY_RECONCILE_MINUTES } from "../constructs/addons/policy-layer";
import { clusters } from "../clusters";
import { resolveGeneration } from "../constructs/definition/resolve";
import { nodeBucketObjectContent } from "../constructs/cluster/node-bucket-object-content";

const meta = (path: string) => ({ "//": { metadata: { path, uniqueId: path.replace(/\//g, "_") } } });

/** A small generation stack: one pool ASG (mixed instances), its launch template, an NLB, a weighted record. */
function stack(opts: { desired?: number; lbName?: string; weight?: number; userData?: string; region?: string } = {}): TerraformJson {
  return {
    terraform: {},
    provider: { aws: [{ region: opts.region ?? "eu-west-1" }] },
    resource: {
      aws_autoscaling_group: {
        pool: {
          ...meta("demo-a/cluster/pool-general/group"),
          name: "demo-a-general",
          min_size: 1,
          max_size: 10,
          desired_capacity: opts.desired ?? 2,
          target_group_arns: ["${aws_lb_target_group.http.arn}"],
          mixed_instances_policy: {
            instances_distribution: { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 100 },
            launch_template: {
              launch_template_specification: { launch_template_id: "${aws_launch_template.lt.id}" },
              override: [{ instance_type: "m6i.xlarge" }, { instance_type: "m5.xlarge" }],
            },
          },
          tag: [
            { key: "immutable-clusters/cluster", value: "demo", propagate_at_launch: true },
            { key: "immutable-clusters/generation", value: "a", propagate_at_launch: true },
            { key: "immutable-clusters/role", value: "worker", propagate_at_launch: true },
            { key: "immutable-clusters/pool", value: "general", propagate_at_launch: true },
          ],
        },
      },
      aws_launch_template: {
        lt: {
          ...meta("demo-a/cluster/pool-general/launch-template"),
          name: "demo-a-worker-general",
          user_data: opts.userData ?? Buffer.from('{"ignition":{"version":"3.3.0"}}').toString("base64"),
          block_device_mappings: [{ ebs: { volume_size: 30, volume_type: "gp3" } }],
        },
      },
      aws_lb: {
        ingress: {
          ...meta("demo-a/cluster/ingress/nlb"),
          name: opts.lbName ?? "demo-a-ing",
          load_balancer_type: "network",
          internal: true,
        },
      },
      aws_route53_record: {
        weighted: {
          ...meta("demo-traffic/generation-a/weighted"),
          name: "apps.demo.internal.example.com",
          type: "A",
          set_identifier: "demo-a",
          weighted_routing_policy: { weight: opts.weight ?? 100 },
        },
        api: { name: "api.demo-a.internal.example.com", type: "A" },
      },
    },
  };
}

describe("attribute diff", () => {
  it("formats paths and ignores cdktf metadata", () => {
    expect(formatPath(["a", 0, "b", "app.kubernetes.io/name"])).toBe('a[0].b["app.kubernetes.io/name"]');
    const changes = diffValues({ "//": { x: 1 }, a: { b: [1, 2] }, gone: 1 }, { "//": { x: 2 }, a: { b: [1, 3] }, added: "x".repeat(300) });
    expect(changes.map((c) => [c.path, c.kind])).toEqual([
      ["a.b[1]", "changed"],
      ["gone", "removed"],
      ["added", "added"],
    ]);
    expect(changes[2].after).toMatch(/… \(300 chars\)$/);
  });
  it("compares lists of tags and named items by key, so an insertion is one added entry", () => {
    const tags = (extra: { key: string; value: string }[]) => ({
      tag: [{ key: "team", value: "a" }, ...extra, { key: "Name", value: "n" }],
    });
    expect(diffValues(tags([]), tags([{ key: "tier", value: "web" }]))).toEqual([
      { path: "tag[key=tier]", kind: "added", after: '{"key":"tier","value":"web"}' },
    ]);
    const pod = (image: string) => ({
      containers: [
        { name: "dns", image },
        { name: "sidecar", image: "s:1" },
      ],
    });
    expect(diffValues(pod("dns:1"), pod("dns:2"))).toEqual([
      { path: "containers[name=dns].image", kind: "changed", before: '"dns:1"', after: '"dns:2"' },
    ]);
  });
});

describe("terraform resource diff and risk", () => {
  it("a resized pool is an in-place update marked as scale, not a replacement", () => {
    const [change] = diffTerraform(stack(), stack({ desired: 4 }));
    expect(change).toMatchObject({
      address: "aws_autoscaling_group.pool",
      action: "update",
      constructPath: "demo-a/cluster/pool-general/group",
    });
    expect(change.attributes).toEqual([{ path: "desired_capacity", kind: "changed", before: "2", after: "4" }]);
    expect(change.risk).toMatchObject({ level: "scale", live: false });
    expect(destroysLive(change)).toBe(false);
  });

  it("renaming a load balancer replaces it and counts as destroying something live", () => {
    const [change] = diffTerraform(stack(), stack({ lbName: "demo-a-ingress" }));
    expect(change).toMatchObject({ address: "aws_lb.ingress", action: "replace", replacedBy: ["name"] });
    expect(change.risk).toMatchObject({ level: "replace", live: true });
    expect(destroysLive(change)).toBe(true);
  });

  it("a weight change is a traffic shift; removing the weighted record destroys it; the plain record is not live", () => {
    const [shift] = diffTerraform(stack(), stack({ weight: 40 }));
    expect(shift.risk).toMatchObject({ level: "traffic", note: "traffic weight 100 → 40 for demo-a" });
    const removed = diffTerraform(stack(), undefined);
    const weighted = removed.find((c) => c.address === "aws_route53_record.weighted")!;
    const plain = removed.find((c) => c.address === "aws_route53_record.api")!;
    expect(weighted).toMatchObject({ action: "delete", risk: { level: "destroy", live: true } });
    expect(plain.risk).toBeUndefined();
    expect(
      removed
        .filter(destroysLive)
        .map((c) => c.type)
        .sort(),
    ).toEqual(["aws_autoscaling_group", "aws_lb", "aws_route53_record"]);
  });

  it("new user data is a new launch template version, not a replacement", () => {
    const [change] = diffTerraform(stack(), stack({ userData: Buffer.from('{"ignition":{"version":"3.4.0"}}').toString("base64") }));
    expect(change).toMatchObject({ address: "aws_launch_template.lt", action: "update" });
    expect(change.risk).toMatchObject({ level: "rollout", live: false });
    expect(change.risk!.note).toMatch(/new launch template version.*instance refresh/);
  });
});

describe("ignition decoding", () => {
  const gz = (text: string) => `data:;base64,${gzipSync(Buffer.from(text)).toString("base64")}`;
  it("decodes percent, base64 and gzip data URLs and undoes Terraform escaping", () => {
    expect(decodeSource("data:,hello%20world%0A")).toBe("hello world\n");
    expect(decodeSource(`data:text/plain;base64,${Buffer.from("b64\n").toString("base64")}`)).toBe("b64\n");
    expect(decodeSource(gz("zipped\n"), "gzip")).toBe("zipped\n");
    expect(decodeSource("s3://bucket/key")).toMatch(/fetched at boot from s3:\/\/bucket\/key/);
    expect(terraformLiteral("a $${HOME} %%{x}")).toBe("a ${HOME} %{x}");
  });

  it("diffs files by path and units and drop-ins by name as unified text", () => {
    const config = (port: string, label: string) =>
      JSON.stringify({
        ignition: { version: "3.3.0" },
        storage: { files: [{ path: "/etc/kubelet.env", contents: { source: gz(`PORT=${port}\nNAME=x\n`), compression: "gzip" } }] },
        systemd: {
          units: [
            {
              name: "kubelet.service",
              enabled: true,
              contents: `[Service]\nExecStart=/opt/bin/kubelet --node-labels=${label}\n`,
              dropins: [{ name: "10-env.conf", contents: `[Service]\nEnvironment=L=${label}\n` }],
            },
          ],
        },
      });
    const decoded = decodeIgnition(config("1", "a"));
    expect(decoded.files["/etc/kubelet.env"]).toBe("PORT=1\nNAME=x\n");
    expect(decoded.units["kubelet.service"]).toContain("ExecStart=/opt/bin/kubelet");
    const entries = diffIgnitionConfig(config("1", "a"), config("2", "pool=b"));
    expect(entries.map((e) => `${e.kind} ${e.name} ${e.status}`)).toEqual([
      "file /etc/kubelet.env changed",
      "unit kubelet.service changed",
      "dropin kubelet.service/10-env.conf changed",
    ]);
    expect(entries[0].diff.split("\n")).toEqual(expect.arrayContaining(["-PORT=1", "+PORT=2", " NAME=x"]));
    expect(entries[1].diff).toContain("+ExecStart=/opt/bin/kubelet --node-labels=pool=b");
  });
});

describe("kubernetes object diff", () => {
  const manifests = (replicas: number, extra = "") =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: coredns\n  namespace: kube-system\nspec:\n  replicas: ${replicas}\n${extra}`;
  it("keys objects by kind/namespace/name and reports field paths", () => {
    const changes = diffManifests(
      manifests(2),
      manifests(3, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: tools\n"),
    );
    expect(changes).toEqual([
      { key: "ConfigMap/tools/extra", kind: "ConfigMap", namespace: "tools", name: "extra", status: "added", fields: [] },
      {
        key: "Deployment/kube-system/coredns",
        kind: "Deployment",
        namespace: "kube-system",
        name: "coredns",
        status: "changed",
        fields: [{ path: "spec.replicas", kind: "changed", before: "2", after: "3" }],
      },
    ]);
    expect(diffManifests(manifests(2), undefined)).toContainEqual(expect.objectContaining({ key: "Namespace/tools", status: "removed" }));
  });
});

describe("cost", () => {
  const table = loadPriceTable("eu-west-1");
  it("prices desired capacity at the first instance type plus root volumes, and the NLB hourly", () => {
    const cost = costDelta(generationShape("demo-a", stack()), generationShape("demo-a", stack({ desired: 4 })), table);
    const perInstance = table.ec2OnDemandHourly["m6i.xlarge"] * 730 + 30 * table.ebsPerGiBMonth.gp3;
    expect(cost.delta).toBeCloseTo(2 * perInstance, 1);
    expect(cost.before).toBeCloseTo(2 * perInstance + table.loadBalancerHourly.network * 730, 1);
    expect(cost.lines).toHaveLength(1);
    expect(cost.lines[0].label).toBe("pool general: 2 × m6i.xlarge (1..10) + 30 GiB gp3 → 4 × m6i.xlarge (1..10) + 30 GiB gp3");
    expect(cost.lines[0].notes.join()).toMatch(/priced at the first type m6i.xlarge/);
    expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  /** One worker pool of `count` × `type` without a root volume and no load balancer: the EC2 price alone. */
  const pool = (type: string, count: number): GenerationShape => ({
    stack: "demo-a",
    cluster: "demo",
    generation: "a",
    region: "eu-west-1",
    groups: [
      {
        name: "demo-a-general",
        role: "worker",
        pool: "general",
        desired: count,
        min: 0,
        max: 10,
        instanceTypes: [type],
        spotPercent: 0,
        onDemandBase: 0,
        behindLoadBalancer: false,
      },
    ],
    loadBalancers: [],
  });

  it("prices resizes with the verified eu-west-1 on-demand prices (AWS price list via skypilot-catalog@001367d2)", () => {
    // Literal numbers on purpose: these fail if the table's verified prices drift from the cited source.
    expect(table.ec2OnDemandHourly["m6i.large"]).toBe(0.107);
    expect(costDelta(pool("m6i.large", 2), pool("m6i.large", 5), table).delta).toBe(234.33); // 3 × 0.107 × 730
    expect(table.ec2OnDemandHourly["c6i.large"]).toBe(0.0912); // was 0.096 when entered from memory
    expect(costDelta(pool("c6i.large", 1), pool("c6i.large", 3), table).delta).toBe(133.15); // 2 × 0.0912 × 730
    expect(costDelta(undefined, pool("r6i.xlarge", 4), table).after).toBe(823.44); // 4 × 0.282 × 730
    expect(costDelta(undefined, pool("m6i.large", 1), table).lines[0].notes).toEqual([]);
    // 30 GiB gp3 at $0.088/GB-month (AWS's EBS calculator price file of 2021-05-13).
    expect(costDelta(undefined, generationShape("demo-a", stack()), table).lines[0].after).toBe(317.72); // 2 × (0.214 × 730 + 30 × 0.088)
  });

  it("prices Graviton pools with the verified eu-west-1 prices (skypilot-catalog@001367d2), not $0 with a warning", () => {
    // Literal numbers on purpose: the eu-west-1 Price of these types in catalogs/v7/aws/vms.csv at 001367d2.
    expect(table.ec2OnDemandHourly["m7g.large"]).toBe(0.091);
    expect(table.ec2OnDemandHourly["c7g.large"]).toBe(0.0775);
    const cost = costDelta(pool("m7g.large", 0), pool("m7g.large", 2), table);
    expect(cost.delta).toBe(132.86); // 2 × 0.091 × 730
    expect(cost.warnings).toEqual([]);
    expect(costDelta(undefined, pool("c7g.large", 2), table).after).toBe(113.15); // 2 × 0.0775 × 730
    expect(costDelta(undefined, pool("m7g.large", 1), table).lines[0].notes).toEqual([]); // verified: no "unverified" note
  });

  // A future example generation with an unpriced instance type or volume type would be costed as $0 with only a warning.
  it.each(clusters.flatMap((c) => c.generations.map((g) => [`${c.name}/${g.id}`, c, g] as const)))(
    "every instance and volume type of example generation %s has a price in its region's table",
    (_name, cluster, generation) => {
      const regionTable = loadPriceTable(cluster.region);
      expect(regionTable.region).toBe(cluster.region);
      const resolved = resolveGeneration(cluster, generation);
      const types = [resolved.controlPlane.instanceType, ...resolved.workerPools.flatMap((p) => p.instanceTypes)];
      const volumes = [resolved.controlPlane.rootVolume.type, ...resolved.workerPools.map((p) => p.rootVolume.type)];
      expect(types.filter((t) => regionTable.ec2OnDemandHourly[t] === undefined)).toEqual([]);
      expect(volumes.filter((v) => regionTable.ebsPerGiBMonth[v] === undefined)).toEqual([]);
    },
  );

  it("every price has a cited source; unverified ones are said so per entry and on the cost line", () => {
    for (const section of ["ec2OnDemandHourly", "loadBalancerHourly", "ebsPerGiBMonth"] as const) {
      for (const entry of Object.keys(table[section])) {
        const id = table.provenance[`${section}.${entry}`] ?? table.provenance[section];
        expect(table.citations[id]).toBeDefined();
      }
    }
    const ec2 = table.citations[table.provenance.ec2OnDemandHourly];
    expect(ec2).toMatchObject({ status: "verified", checked: table.date });
    expect(ec2.citation).toContain("001367d22a0033fac286a8c71aeac7109e431bcb");
    expect(table.citations[table.provenance.ebsPerGiBMonth]).toMatchObject({ status: "verified", sourceDate: "2021-05-13" });
    for (const key of ["loadBalancerHourly.network", "loadBalancerHourly.application"])
      expect(table.citations[table.provenance[key]].status).toBe("unverified");
    const cost = costDelta(undefined, generationShape("demo-a", stack()), table);
    expect(cost.lines.find((l) => l.key.startsWith("asg:"))!.notes.join()).not.toMatch(/unverified/);
    expect(cost.lines.find((l) => l.key.startsWith("lb:"))!.notes.join()).toMatch(/network load balancer price unverified/);
    expect(priceSource(table).citations.map((c) => [c.status, c.covers])).toEqual([
      ["verified", ["ec2OnDemandHourly"]],
      ["verified", ["ebsPerGiBMonth"]],
      ["unverified", ["loadBalancerHourly.network", "loadBalancerHourly.application"]],
    ]);
  });

  it("the loader refuses a table with a price that has no source or an unknown source", () => {
    const raw = JSON.parse(JSON.stringify(table)) as Record<string, Record<string, unknown>>;
    raw.loadBalancerHourly.gateway = 0.0125;
    raw.provenance["loadBalancerHourly.network"] = "nowhere";
    (raw.citations["hand-entered-2025"] as { status: string }).status = "guessed";
    expect(() => validatePriceTable(raw, "test.json")).toThrow(/price table test\.json is invalid \(3 problem\(s\)\)/);
    expect(() => validatePriceTable(raw, "test.json")).toThrow(/loadBalancerHourly\.gateway: no provenance/);
    expect(() => validatePriceTable(raw, "test.json")).toThrow(/provenance\.loadBalancerHourly\.network: "nowhere" is not a citation id/);
    expect(() => validatePriceTable(raw, "test.json")).toThrow(/citations\.hand-entered-2025\.status/);
    expect(() => validatePriceTable(table, "ok.json")).not.toThrow();
  });
  it("the loader names each malformed field: a negative price, a bad date, a verified source without its check date", () => {
    const raw = JSON.parse(JSON.stringify(table)) as Record<string, Record<string, unknown>> & { date: unknown };
    raw.ec2OnDemandHourly["m6i.large"] = -1;
    raw.date = "last June";
    delete (raw.citations[table.provenance.ec2OnDemandHourly] as { checked?: string }).checked;
    const message = (() => {
      try {
        validatePriceTable(raw, "bad.json");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/invalid \(3 problem\(s\)\)/);
    expect(message).toMatch(/ec2OnDemandHourly\.m6i\.large: must be a non-negative number/);
    expect(message).toMatch(/date: must be a date, YYYY-MM-DD/);
    expect(message).toMatch(new RegExp(`citations\\.${table.provenance.ec2OnDemandHourly}\\.checked: a verified source needs`));
  });
  it("warns when the stack's region has no table", () => {
    const cost = costDelta(undefined, generationShape("demo-a", stack({ region: "ap-south-2" })), table);
    expect(cost.warnings.join()).toMatch(/runs in ap-south-2 but the price table is for eu-west-1/);
  });
});

describe("mermaid", () => {
  it("draws generations with safe ids, balanced subgraphs and weight edges", () => {
    const base = generationShape("demo-a", stack());
    const head = generationShape("demo-a", stack({ desired: 5 }));
    const text = renderMermaid(
      [{ stack: "demo-a", cluster: "demo", status: "changed", base, head }],
      [
        {
          base: { stack: "demo-traffic", records: { "demo-a": { weight: 100, hostname: "apps.demo" } } },
          head: { stack: "demo-traffic", records: { "demo-a": { weight: 60, hostname: "apps.demo" } } },
        },
      ],
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines.filter((l) => /^\s*subgraph /.test(l)).length).toBe(lines.filter((l) => /^\s*end$/.test(l)).length);
    for (const l of lines) expect((l.match(/"/g) ?? []).length % 2).toBe(0);
    const ids = [...text.matchAll(/^\s*(?:subgraph\s+)?([^\s[(|-]+)[[(]/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(2);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(text).toContain('["pool general: 2 → 5 × m6i.xlarge (+1 alt.)"]');
    expect(text).toContain(`${mermaidId("demo-traffic")} -->|"weight 100 → 60"| ${mermaidId("demo-a", "ingress")}`);
    expect(mermaidId("prod-a", "pool_x.y")).toBe("n_prod_a_pool_x_y");
  });
});

describe("verdict and markdown", () => {
  it("exit codes: 3 guard, 2 live destroy without allow, else 0", () => {
    expect(verdictOf(1, 5, true).exitCode).toBe(3);
    expect(verdictOf(0, 1, false).exitCode).toBe(2);
    expect(verdictOf(0, 1, true).exitCode).toBe(0);
    expect(verdictOf(0, 0, false).exitCode).toBe(0);
  });

  it("a removed generation stack gates with exit 2 and the Markdown starts with the summary table", () => {
    const out = (stacks: Record<string, TerraformJson>): SynthOutput => ({
      stacks,
      distManifests: {},
      guardViolations: [],
      lockPresent: false,
    });
    const report = compareSynthOutputs(out({ "demo-a": stack(), "demo-b": stack() }), out({ "demo-a": stack({ desired: 3 }) }), {
      base: { ref: "main" },
      head: { ref: "working tree" },
    });
    expect(report.summary).toMatchObject({ stacksRemoved: 1, stacksChanged: 1, liveReplacedOrDestroyed: 3 });
    expect(report.verdict.exitCode).toBe(2);
    expect(report.generations.map((g) => `${g.stack}:${g.how}`)).toEqual(["demo-a:changed", "demo-b:removed"]);
    const md = renderMarkdown(report);
    const lines = md.split("\n");
    const table = lines.indexOf("| stack | added | changed | removed | replaced/destroyed live | cost Δ /month |");
    expect(table).toBeGreaterThan(0);
    expect(lines.slice(0, table).some((l) => l.startsWith("<details>") || l.startsWith("```"))).toBe(false);
    expect(md).toContain("| `demo-b` (removed) | 0 | 0 | 5 | ⛔ 3 |");
    expect(md).toContain("**Verdict:** ⛔ exit 2:");
    expect(md).toContain("<details><summary><b>demo-b</b> (removed)");
    expect(md).toContain("```mermaid\nflowchart LR");
    expect(md).toMatch(
      /<sub>Cost: USD per month \(730 h\), on-demand Linux prices for eu-west-1 .*checked \d{4}-\d{2}-\d{2}: EC2 instances from \[skypilot-org\/skypilot-catalog@001367d2[^\]]*\]\(https:\/\/github\.com\/skypilot-org\/skypilot-catalog\/blob\/001367d2[0-9a-f]+\/catalogs\/v7\/aws\/vms\.csv\); EBS volumes from \[AWS EBS calculator price file[^\]]*\]\([^)]+\), dated 2021-05-13; load balancers \(network, application\) \*\*unverified\*\*/,
    );
  });
});

describe("rollout notes of the policy layer (issue 15 item 3)", () => {
  /** A generation stack that uploads these addon and policy-layer manifests (constructs/addons/policy-layer.ts). */
  const withLayers = (addons: string, policy: string): TerraformJson => {
    const doc = stack();
    doc.resource!.aws_s3_object = {
      addons: { ...meta("demo-a/cluster/node-config/addons"), bucket: "demo-a-nodes", key: "addons/manifests.yaml", content: addons },
      policy: { ...meta("demo-a/cluster/node-config/policy"), bucket: "demo-a-nodes", key: POLICY_MANIFESTS_KEY, content: policy },
    };
    return doc;
  };
  const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
  const quota = (namespace: string, pods: number) =>
    `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: tenant-quota\n  namespace: ${namespace}\nspec:\n  hard:\n    pods: "${pods}"\n`;
  const out = (doc: TerraformJson): SynthOutput => ({
    stacks: { "demo-a": doc },
    distManifests: {},
    guardViolations: [],
    lockPresent: true,
    // demo/a is locked (its frozen artifacts recorded as node contract 2): deployed in base.
    lock: new Map([["demo/a", '{"nodeContract":2}']]),
  });

  it("a tenant change on a locked contract-2 generation is reconciled in place; an immutable addon change is not applied", () => {
    const addons = ns("kube-flannel");
    const base = withLayers(addons, [ns("team-a"), quota("team-a", 50), ns("team-b")].join("---\n"));
    const policyOnly = compareSynthOutputs(out(base), out(withLayers(addons, [ns("team-a"), quota("team-a", 80)].join("---\n"))), {
      base: { ref: "main" },
      head: { ref: "working tree" },
    });
    expect(policyOnly.rollout).toEqual([
      {
        stack: "demo-a",
        cluster: "demo",
        generation: "a",
        subject: "policy-layer objects (2)",
        takesEffect: "now",
        note: `reconciled in place within ${POLICY_RECONCILE_MINUTES} minutes of the deploy: demo/a's control plane applies its policy layer with server-side apply and prunes removed objects`,
      },
    ]);
    // The same generation's immutable addons changing as well: those objects never reach it.
    const both = compareSynthOutputs(out(base), out(withLayers(ns("kube-dns"), [ns("team-a"), quota("team-a", 80)].join("---\n"))), {
      base: { ref: "main" },
      head: { ref: "working tree" },
    });
    expect(both.rollout.map((n) => [n.subject, n.takesEffect])).toEqual([
      ["policy-layer objects (2)", "now"],
      ["addon objects (2)", "not-applied"],
    ]);
  });
});

describe("issue 14 units: detailed exit codes, lock changes, unguarded generations, verification hashes, error parsing", () => {
  it("(8) --detailed-exitcode: 0 only without changes, 4 for acceptable changes; 2 and 3 unchanged", () => {
    expect(verdictOf(0, 0, false, { detailed: true, changed: false }).exitCode).toBe(0);
    expect(verdictOf(0, 0, false, { detailed: true, changed: true }).exitCode).toBe(4);
    expect(verdictOf(0, 1, true, { detailed: true, changed: true }).exitCode).toBe(4);
    expect(verdictOf(0, 1, false, { detailed: true, changed: true }).exitCode).toBe(2);
    expect(verdictOf(1, 0, false, { detailed: true, changed: true }).exitCode).toBe(3);
    expect(verdictOf(0, 0, false, { changed: true }).exitCode).toBe(0);
  });

  it("(1) a lock removal is allowed only with the definition's removal; re-recording and recording are shown", () => {
    const base = new Map([
      ["prod/a", '{"k":"1.31.0"}'],
      ["prod/b", '{"k":"1.35.4"}'],
      ["prod/c", '{"k":"1.35.4"}'],
    ]);
    const head = new Map([
      ["prod/b", '{"k":"1.35.5"}'],
      ["prod/d", '{"k":"1.35.4"}'],
    ]);
    const changes = lockChanges(base, head, (_c, g) => g !== "c");
    expect(changes.map((c) => [`${c.cluster}/${c.generation}`, c.change, c.allowed])).toEqual([
      ["prod/a", "removed", false],
      ["prod/b", "re-recorded", true],
      ["prod/c", "removed", true],
      ["prod/d", "recorded", true],
    ]);
  });

  it("(2) a generation with weight > 0 in base and no base lock entry is a warning, an error with strict", () => {
    const weights = new Map([
      ["prod-a", { cluster: "prod", generation: "a", weight: 75 }],
      ["prod-b", { cluster: "prod", generation: "b", weight: 25 }],
      ["prod-c", { cluster: "prod", generation: "c", weight: 0 }],
    ]);
    const lock = new Map([["prod/a", "{}"]]);
    expect(unguardedLive(weights, lock, false)).toEqual([expect.objectContaining({ generation: "b", weight: 25, level: "warning" })]);
    expect(unguardedLive(weights, lock, true)).toEqual([expect.objectContaining({ generation: "b", level: "error" })]);
    expect(unguardedLive(weights, undefined, false).map((u) => u.generation)).toEqual(["a", "b"]);
  });

  it("(9) a remote file shows the hash Ignition verifies it by, so a new binary's hash is in the diff", () => {
    const hash = `sha512-${"ab".repeat(64)}`;
    expect(decodeSource("https://dl.k8s.io/v1.35.4/kubernetes-node-linux-amd64.tar.gz", undefined, hash)).toBe(
      `(fetched at boot from https://dl.k8s.io/v1.35.4/kubernetes-node-linux-amd64.tar.gz, verified by ${hash})\n`,
    );
    const config = (h: string) =>
      JSON.stringify({
        ignition: { version: "3.3.0" },
        storage: { files: [{ path: "/opt/k.tgz", contents: { source: "https://example.invalid/k.tgz", verification: { hash: h } } }] },
      });
    const diff = diffIgnitionConfig(config(hash), config(`sha512-${"cd".repeat(64)}`));
    expect(diff).toEqual([expect.objectContaining({ kind: "file", name: "/opt/k.tgz", status: "changed" })]);
    expect(diff[0].diff).toContain(`+(fetched at boot from https://example.invalid/k.tgz, verified by sha512-${"cd".repeat(64)})`);
  });

  it("(4) error output: definition problems by field (once), type errors by file and line, no stack frames or temporary paths", () => {
    const raw = [
      "/tmp/immutable-clusters-review-x/head/node_modules/tsx/dist/cli.mjs:1",
      'DefinitionError: cluster definition "prod" is invalid (1 problem); nothing was synthesized:',
      "  - generations[0].workerPools[0].minSize: minSize 5 is greater than maxSize 2; lower minSize or raise maxSize",
      "    at validateDefinition (/tmp/immutable-clusters-review-x/head/constructs/definition/validate.ts:10:5)",
      'cluster definition "prod" is invalid (1 problem); nothing was synthesized:',
      "  - generations[0].workerPools[0].minSize: minSize 5 is greater than maxSize 2; lower minSize or raise maxSize",
      "Node.js v20.19.0",
    ].join("\n");
    const clean = cleanOutput(raw, { "/tmp/immutable-clusters-review-x/head": "<head>" });
    expect(clean).not.toMatch(/\bat validateDefinition|\/tmp\/|Node\.js v/);
    expect(clean.match(/minSize 5/g)).toHaveLength(1);
    expect(synthProblems(raw)).toEqual([
      {
        field: "prod: generations[0].workerPools[0].minSize",
        message: "minSize 5 is greater than maxSize 2; lower minSize or raise maxSize",
      },
    ]);
    expect(typeProblems("clusters/staging.ts(20,14): error TS2322: Type 'string' is not assignable to type 'number'.\n")).toEqual([
      { file: "clusters/staging.ts", line: 20, message: "TS2322: Type 'string' is not assignable to type 'number'." },
    ]);
  });
});

describe("node-bucket object moved from content to content_base64 (node contract 3)", () => {
  // A manifest with Terraform template syntax in it, so the escaped `content` differs from the text it stores.
  const manifest = (replicas: number) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - name: web\n          args: ["echo \${HOME} %{x}"]\n`;
  /** demo-a's stack with its addon manifest written the way a contract-2 (`content`) or contract-3 generation writes it. */
  const withManifest = (text: string, form: "escaped-content" | "content-base64"): TerraformJson => {
    const written = nodeBucketObjectContent(text, form);
    const doc = stack();
    doc.resource!.aws_s3_object = {
      addons: {
        ...meta("demo-a/cluster/node-config/addons"),
        bucket: "demo-a-nodes",
        key: "addons/manifests.yaml",
        ...("content" in written ? { content: written.content } : { content_base64: written.contentBase64 }),
      },
    };
    return doc;
  };
  const review = (base: TerraformJson, head: TerraformJson) => {
    const out = (doc: TerraformJson): SynthOutput => ({
      stacks: { "demo-a": doc },
      distManifests: {},
      guardViolations: [],
      lockPresent: false,
    });
    return compareSynthOutputs(out(base), out(head), { base: { ref: "main" }, head: { ref: "working tree" } });
  };

  it("the same decoded text is one change saying so, not a content change, with no Kubernetes or Ignition diff", () => {
    const base = withManifest(manifest(2), "escaped-content");
    expect((base.resource!.aws_s3_object as Record<string, { content: string }>).addons.content).toContain("$${HOME} %%{x}");
    const report = review(base, withManifest(manifest(2), "content-base64"));
    const [stackReview] = report.stacks;
    expect(stackReview.resources).toEqual([
      expect.objectContaining({
        address: "aws_s3_object.addons",
        action: "update",
        attributes: [{ path: "content_base64", kind: "changed", note: "same text, now base64-encoded (was `content`)" }],
      }),
    ]);
    expect(stackReview.kubernetes).toEqual([]);
    expect(stackReview.ignition).toEqual([]);
    expect(report.rollout.map((n) => n.note)).toEqual([
      "in place now: uploaded again with the same text (same text, now base64-encoded (was `content`))",
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain("- `content_base64`: same text, now base64-encoded (was `content`)");
    expect(md).not.toMatch(/decoded below|`content`: removed|`content_base64`: added/);
  });

  it("a different decoded text is still the change it is, decoded field by field", () => {
    const report = review(withManifest(manifest(2), "escaped-content"), withManifest(manifest(3), "content-base64"));
    const [stackReview] = report.stacks;
    const [change] = stackReview.resources;
    expect(change.attributes).toEqual([
      expect.objectContaining({ path: "content_base64", kind: "changed", note: "text changed, now base64-encoded (was `content`)" }),
    ]);
    expect(change.attributes[0].before).toContain("apiVersion: apps/v1");
    expect(stackReview.kubernetes).toEqual([
      expect.objectContaining({
        key: "Deployment/demo/web",
        status: "changed",
        fields: [{ path: "spec.replicas", kind: "changed", before: "2", after: "3" }],
      }),
    ]);
    expect(renderMarkdown(report)).toContain("- `content_base64`: text changed, now base64-encoded (was `content`) (decoded below)");
  });
});
