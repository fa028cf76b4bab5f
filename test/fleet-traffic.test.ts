// Unit tests of the fleet's stacks: the traffic stack's weighted records, health checks and alarms per live generation,
// the ingress publication each generation stack writes for it, and AWS names that stay unique and within limits.
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters, type TerraformJson } from "./support/synth";

/** The single resource of a type whose construct path contains `part`. */
function byPath(doc: TerraformJson, type: string, part: string): Record<string, unknown> {
  const found = Object.entries(resourcesOf(doc, type)).filter(([id]) => id.includes(part));
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** A cluster with a retiring generation and two live ones, synthesized once for the traffic and generation stacks. */
const definition = sampleCluster({
  tags: { team: "platform" },
  generations: [
    sampleGeneration({ id: "a", weight: 0, state: "retiring" }),
    sampleGeneration({ id: "b", weight: 75 }),
    sampleGeneration({ id: "c", kubernetesVersion: "1.32.8", weight: 25 }),
  ],
});
const out = synthClusters([definition]);

describe("the traffic stack", () => {
  const traffic = out.json("demo-traffic");

  test("one weighted alias record per live generation, named <hostname>.<cluster>.<zone>, none for the retiring one", () => {
    const records = Object.values(resourcesOf(traffic, "aws_route53_record"));
    expect(records.map((r) => [r.set_identifier, (r.weighted_routing_policy as { weight: number }).weight])).toEqual([
      ["demo-b", 75],
      ["demo-c", 25],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ zone_id: "Z0000000000000000TEST", name: "apps.demo.internal.example.com", type: "A" });
      expect(record.alias).toMatchObject({ evaluate_target_health: true });
    }
    expect(out.stacks[0].traffic.hostname).toBe("apps.demo.internal.example.com");
    expect(Object.keys(traffic.data?.aws_ssm_parameter ?? {}).some((id) => id.includes("generation-a"))).toBe(false);
  });

  test("each record aliases its own generation's ingress, read from the parameter that generation publishes", () => {
    const parameters = traffic.data!.aws_ssm_parameter;
    for (const id of ["b", "c"]) {
      const [key, parameter] = Object.entries(parameters).find(([k]) => k.includes(`generation-${id}`))!;
      expect(parameter.name).toBe(`/immutable-clusters-fleet/demo/${id}/ingress`);
      const record = byPath(traffic, "aws_route53_record", `generation-${id}_weighted`);
      const alias = record.alias as { name: string; zone_id: string };
      expect(alias.name).toBe(`\${jsondecode(data.aws_ssm_parameter.${key}.insecure_value).dnsName}`);
      expect(alias.zone_id).toBe(`\${jsondecode(data.aws_ssm_parameter.${key}.insecure_value).zoneId}`);
    }
  });

  test("each record is guarded by a CLOUDWATCH_METRIC health check on its generation's healthy-ingress alarm", () => {
    for (const id of ["b", "c"]) {
      const record = byPath(traffic, "aws_route53_record", `generation-${id}_weighted`);
      const checkId = Object.keys(resourcesOf(traffic, "aws_route53_health_check")).find((k) => k.includes(`generation-${id}_`))!;
      expect(record.health_check_id).toBe(`\${aws_route53_health_check.${checkId}.id}`);
      const check = resourcesOf(traffic, "aws_route53_health_check")[checkId];
      const alarmId = Object.keys(resourcesOf(traffic, "aws_cloudwatch_metric_alarm")).find((k) => k.includes(`generation-${id}_`))!;
      expect(check).toMatchObject({
        type: "CLOUDWATCH_METRIC",
        cloudwatch_alarm_name: `\${aws_cloudwatch_metric_alarm.${alarmId}.alarm_name}`,
        cloudwatch_alarm_region: "eu-west-1",
        insufficient_data_health_status: "Unhealthy",
      });
      expect((check.tags as Record<string, string>).Name).toBe(`demo-${id}-ingress`);
      const alarm = resourcesOf(traffic, "aws_cloudwatch_metric_alarm")[alarmId];
      expect(alarm).toMatchObject({
        alarm_name: `demo-${id}-ingress-healthy-hosts`,
        namespace: "AWS/NetworkELB",
        metric_name: "HealthyHostCount",
        statistic: "Minimum",
        comparison_operator: "LessThanThreshold",
        threshold: 1,
        period: 60,
        treat_missing_data: "breaching",
      });
      const dimensions = alarm.dimensions as Record<string, string>;
      expect(dimensions.LoadBalancer).toMatch(/\.loadBalancer}$/);
      expect(dimensions.TargetGroup).toMatch(/\.targetGroup}$/);
      expect(alarm.tags).toEqual({ team: "platform", "immutable-clusters/cluster": "demo", "immutable-clusters/generation": id });
    }
  });

  test("the traffic stack has its own state, apart from every generation's", () => {
    const keys = ["demo-a", "demo-b", "demo-c", "demo-traffic"].map((s) => JSON.stringify(out.json(s).terraform.backend));
    expect(new Set(keys).size).toBe(4);
  });

  test("a custom hostname and a weight change are all the traffic stack follows", () => {
    const shifted = synthClusters([
      {
        ...definition,
        traffic: { hostname: "web" },
        generations: definition.generations.map((g) => (g.id === "b" ? { ...g, weight: 50 } : g.id === "c" ? { ...g, weight: 50 } : g)),
      },
    ]);
    const records = Object.values(resourcesOf(shifted.json("demo-traffic"), "aws_route53_record"));
    expect(records.map((r) => [r.name, (r.weighted_routing_policy as { weight: number }).weight])).toEqual([
      ["web.demo.internal.example.com", 50],
      ["web.demo.internal.example.com", 50],
    ]);
  });
});

describe("a generation stack", () => {
  // The traffic stack's synth above: its live generations b and c.

  test("publishes its ingress load balancer for the traffic stack, outside the parameter prefix its nodes may write", () => {
    const doc = out.json("demo-b");
    // Outside /immutable-clusters/demo/b/, where node contract 1's nodes write their own join parameters.
    const parameter = Object.values(resourcesOf(doc, "aws_ssm_parameter")).find((p) => String(p.name).endsWith("/ingress"))!;
    expect(parameter).toMatchObject({ name: "/immutable-clusters-fleet/demo/b/ingress", type: "String" });
    expect(String(parameter.name).startsWith("/immutable-clusters/demo/b/")).toBe(false);
    const lb = Object.keys(resourcesOf(doc, "aws_lb")).find((k) => k.includes("ingress"))!;
    const http = Object.keys(resourcesOf(doc, "aws_lb_target_group")).find((k) => k.includes("ingress_http"))!;
    const value = String(parameter.value);
    for (const [key, ref] of [
      ["dnsName", `aws_lb.${lb}.dns_name`],
      ["zoneId", `aws_lb.${lb}.zone_id`],
      ["loadBalancer", `aws_lb.${lb}.arn_suffix`],
      ["targetGroup", `aws_lb_target_group.${http}.arn_suffix`],
    ]) {
      expect(value).toMatch(new RegExp(`"${key}"\\s*=\\s*${ref.replace(/[.$]/g, "\\$&")}`));
    }
  });

  test("no AWS name is shared between two generations of a cluster", () => {
    const names = (stack: string) => {
      const doc = out.json(stack);
      const found: string[] = [];
      for (const [type, resources] of Object.entries(doc.resource)) {
        for (const r of Object.values(resources)) {
          for (const key of ["name", "name_prefix", "bucket", "alarm_name"]) {
            if (typeof r[key] === "string" && !String(r[key]).includes("${")) found.push(`${type}:${r[key]}`);
          }
        }
      }
      return found;
    };
    const b = names("demo-b");
    const c = names("demo-c");
    expect(b.length).toBeGreaterThan(10);
    expect(b.filter((n) => c.includes(n))).toEqual([]);
  });
});

describe("AWS name limits", () => {
  test("the longest cluster name (16) and generation id (8) keep load balancer and target group names within 32 characters", () => {
    const cluster = sampleCluster({ name: "abcdefghijklmnop", generations: [sampleGeneration({ id: "abcdefgh" })] });
    const doc = synthClusters([cluster]).json("abcdefghijklmnop-abcdefgh");
    const names = [...Object.values(resourcesOf(doc, "aws_lb")), ...Object.values(resourcesOf(doc, "aws_lb_target_group"))].map((r) =>
      String(r.name),
    );
    expect(names.length).toBe(5);
    expect(names.every((n) => n.startsWith("abcdefghijklmnop-abcdefgh-"))).toBe(true);
    expect(names.filter((n) => n.length > 32)).toEqual([]);
  });
});
