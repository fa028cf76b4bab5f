// Owns reading the shape of a synthesized stack: which cluster/generation it is, its region, control plane and pools
// (Auto Scaling groups with sizes and instance types), load balancers, and the traffic stack's weighted records.
// Cost and the Mermaid picture are computed from these shapes.
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { decodeIgnition, ignitionConfigsOf } from "./ignition";

/** One Auto Scaling group: the control plane or a worker pool. */
export interface GroupShape {
  /** ASG name, e.g. `prod-a-general`. */
  readonly name: string;
  readonly role: "controller" | "worker";
  /** Pool name (workers). */
  readonly pool?: string;
  /** desired_capacity, or min_size when unset. */
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  /** Instance types in order of preference (the launch template's, or the mixed policy's overrides). */
  readonly instanceTypes: readonly string[];
  /** Share of instances above the on-demand base that run on spot, 0–100 (0 without a mixed policy). */
  readonly spotPercent: number;
  readonly onDemandBase: number;
  /** Whether the group registers its instances with load balancer target groups (API servers, ingress nodes). */
  readonly behindLoadBalancer: boolean;
  /** Root volume size (GiB) and type from the launch template's first block device. */
  readonly rootVolume?: { readonly sizeGiB: number; readonly type: string };
}

/** One load balancer. */
export interface LoadBalancerShape {
  readonly name: string;
  /** `network` or `application`. */
  readonly type: string;
  /** `api` or `ingress` when the name says so. */
  readonly purpose?: "api" | "ingress";
}

export interface GenerationShape {
  readonly stack: string;
  readonly cluster: string;
  readonly generation: string;
  readonly region?: string;
  readonly groups: readonly GroupShape[];
  readonly loadBalancers: readonly LoadBalancerShape[];
  /** From the AMI lookup's name filter, e.g. `Flatcar-stable-4152.2.3-hvm`. */
  readonly flatcarImage?: string;
  /** KUBERNETES_VERSION from the decoded node config's cluster.env, when it carries one. */
  readonly kubernetesVersion?: string;
}

export interface TrafficShape {
  readonly stack: string;
  readonly cluster?: string;
  readonly region?: string;
  /** Weighted records: set identifier (the generation's full name) → weight and hostname. */
  readonly records: Readonly<Record<string, { readonly weight: number; readonly hostname: string }>>;
}

type Config = Record<string, unknown>;

/** The AWS region of a stack's (first) aws provider. */
export function regionOf(stack: TerraformJson | undefined): string | undefined {
  const aws = (stack?.provider as { aws?: { region?: unknown }[] } | undefined)?.aws;
  const region = Array.isArray(aws) ? aws[0]?.region : undefined;
  return typeof region === "string" ? region : undefined;
}

function tagsOf(asg: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (asg.tag as { key: string; value: string }[] | undefined) ?? []) out[t.key] = t.value;
  return out;
}

/** `${aws_launch_template.<id>.id}` → `<id>`. */
function referencedTemplate(ref: unknown): string | undefined {
  return typeof ref === "string" ? /\$\{aws_launch_template\.([^.}]+)\./.exec(ref)?.[1] : undefined;
}

function groupShape(asg: Config, templates: Record<string, Config>): GroupShape {
  const tags = tagsOf(asg);
  const mixed = asg.mixed_instances_policy as
    | {
        instances_distribution?: { on_demand_base_capacity?: number; on_demand_percentage_above_base_capacity?: number };
        launch_template?: { launch_template_specification?: { launch_template_id?: string }; override?: { instance_type?: string }[] };
      }
    | undefined;
  const templateId = referencedTemplate(
    mixed?.launch_template?.launch_template_specification?.launch_template_id ?? (asg.launch_template as { id?: string } | undefined)?.id,
  );
  const template = templateId ? templates[templateId] : undefined;
  const overrides = (mixed?.launch_template?.override ?? []).map((o) => o.instance_type).filter((t): t is string => typeof t === "string");
  const instanceTypes = overrides.length > 0 ? overrides : typeof template?.instance_type === "string" ? [template.instance_type] : [];
  const device = (template?.block_device_mappings as { ebs?: { volume_size?: number; volume_type?: string } }[] | undefined)?.[0]?.ebs;
  const min = Number(asg.min_size ?? 0);
  return {
    name: String(asg.name ?? ""),
    role: tags["immutable-clusters/role"] === "controller" ? "controller" : "worker",
    ...(tags["immutable-clusters/pool"] ? { pool: tags["immutable-clusters/pool"] } : {}),
    desired: Number(asg.desired_capacity ?? min),
    min,
    max: Number(asg.max_size ?? min),
    instanceTypes,
    spotPercent: mixed ? 100 - Number(mixed.instances_distribution?.on_demand_percentage_above_base_capacity ?? 100) : 0,
    onDemandBase: Number(mixed?.instances_distribution?.on_demand_base_capacity ?? 0),
    behindLoadBalancer: Array.isArray(asg.target_group_arns) && asg.target_group_arns.length > 0,
    ...(device?.volume_size ? { rootVolume: { sizeGiB: Number(device.volume_size), type: String(device.volume_type ?? "gp3") } } : {}),
  };
}

/** The generation shape of a stack, or undefined when it has no Auto Scaling group (not a generation stack). */
export function generationShape(name: string, stack: TerraformJson | undefined): GenerationShape | undefined {
  const asgs = Object.values(stack?.resource?.aws_autoscaling_group ?? {});
  if (!stack || asgs.length === 0) return undefined;
  const templates = (stack.resource?.aws_launch_template ?? {}) as Record<string, Config>;
  const groups = asgs.map((a) => groupShape(a, templates));
  const tags = tagsOf(asgs[0]);
  const loadBalancers = Object.values(stack.resource?.aws_lb ?? {}).map((lb) => {
    const lbName = String(lb.name ?? "");
    const purpose = /-api$/.test(lbName) ? "api" : /-ingress$|-ing$/.test(lbName) ? "ingress" : undefined;
    return { name: lbName, type: String(lb.load_balancer_type ?? "application"), ...(purpose ? { purpose } : {}) } as LoadBalancerShape;
  });
  // aws_ami_ids since the generation copies its image (constructs/cluster/flatcar-ami.ts); aws_ami in stacks synthesized before.
  const ami = Object.values(stack.data?.aws_ami_ids ?? stack.data?.aws_ami ?? {})[0] as
    | { filter?: { name: string; values: string[] }[] }
    | undefined;
  const flatcarImage = ami?.filter?.find((f) => f.name === "name")?.values?.[0];
  let kubernetesVersion: string | undefined;
  for (const text of Object.values(ignitionConfigsOf(stack))) {
    const env = decodeIgnition(text).files["/etc/immutable-clusters/cluster.env"];
    const match = env ? /^KUBERNETES_VERSION=["']?([^"'\s]+)/m.exec(env) : null;
    if (match) {
      kubernetesVersion = match[1];
      break;
    }
  }
  const dash = name.lastIndexOf("-");
  return {
    stack: name,
    cluster: tags["immutable-clusters/cluster"] ?? name.slice(0, dash),
    generation: tags["immutable-clusters/generation"] ?? name.slice(dash + 1),
    region: regionOf(stack),
    groups,
    loadBalancers,
    ...(flatcarImage ? { flatcarImage } : {}),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  };
}

/** The weighted records of a stack (any stack; the traffic stack has them), or undefined when it has none. */
export function trafficShape(name: string, stack: TerraformJson | undefined): TrafficShape | undefined {
  const records: Record<string, { weight: number; hostname: string }> = {};
  for (const r of Object.values(stack?.resource?.aws_route53_record ?? {})) {
    const policy = r.weighted_routing_policy as { weight?: number } | undefined;
    if (policy === undefined || typeof r.set_identifier !== "string") continue;
    records[r.set_identifier] = { weight: Number(policy.weight ?? 0), hostname: String(r.name ?? "") };
  }
  if (Object.keys(records).length === 0) return undefined;
  return {
    stack: name,
    ...(name.endsWith("-traffic") ? { cluster: name.slice(0, -"-traffic".length) } : {}),
    region: regionOf(stack),
    records,
  };
}
