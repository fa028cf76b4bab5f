// Tests of the review's pure parts without git: attribute diff, replace/destroy classification, Ignition decoding and
// text diffs, Kubernetes object diff, cost, Mermaid, exit codes and the Markdown layout.
import { gzipSync } from "node:zlib";
import { compareSynthOutputs, verdictOf } from "../constructs/review/compare";
import { costDelta, loadPriceTable } from "../constructs/review/cost";
import { decodeIgnition, decodeSource, diffIgnitionConfig, terraformLiteral } from "../constructs/review/ignition";
import { diffManifests } from "../constructs/review/kubernetes-diff";
import { renderMarkdown } from "../constructs/review/markdown";
import { mermaidId, renderMermaid } from "../constructs/review/mermaid";
import { diffValues, formatPath } from "../constructs/review/object-diff";
import { generationShape } from "../constructs/review/stack-shape";
import type { SynthOutput } from "../constructs/review/synth-output";
import { destroysLive, diffTerraform } from "../constructs/review/terraform-diff";
import type { TerraformJson } from "../constructs/testing/terraform-json";

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
    expect(cost.lines[0].label).toBe("pool general: 2 × m6i.xlarge + 30 GiB gp3 → 4 × m6i.xlarge + 30 GiB gp3");
    expect(cost.lines[0].notes.join()).toMatch(/priced at the first type m6i.xlarge/);
    expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.source).toMatch(/by hand/);
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
  });
});
