// Owns what a resource change means for running things: which Terraform types are "live" (run instances, carry traffic
// or hold data), which attributes force Terraform to replace a resource (a small hand-kept table of the AWS provider
// 5.x ForceNew attributes for the types the constructs create, not the provider schema), and the note for each case.

/** Types whose destruction or replacement interrupts something running, with what they are. */
export const LIVE_TYPES: Readonly<Record<string, string>> = {
  aws_autoscaling_group: "Auto Scaling group: its instances are terminated",
  aws_instance: "EC2 instance",
  aws_lb: "load balancer: its DNS name and addresses change, connections drop",
  aws_lb_target_group: "target group: registered nodes are dropped from the load balancer",
  aws_route53_record: "weighted DNS record: the generation leaves rotation",
  aws_kms_key: "KMS key: data encrypted with it (join material in SSM) becomes unreadable after the deletion window",
  aws_s3_bucket: "S3 bucket: node configs and addon manifests that booting nodes fetch",
};

/**
 * Top-level attributes whose change makes Terraform destroy and re-create the resource (AWS provider 5.x). Only types
 * the constructs create are listed; any other type's change counts as in-place.
 */
export const REPLACING_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_autoscaling_group: ["name", "name_prefix"],
  aws_instance: ["ami", "availability_zone", "subnet_id", "key_name", "private_ip", "placement_group", "tenancy"],
  aws_launch_template: ["name", "name_prefix"],
  aws_lb: ["name", "name_prefix", "internal", "load_balancer_type", "subnets", "subnet_mapping", "security_groups"],
  aws_lb_target_group: ["name", "name_prefix", "port", "protocol", "vpc_id", "target_type", "protocol_version", "ip_address_type"],
  aws_lb_listener: ["load_balancer_arn"],
  aws_route53_record: ["zone_id", "name", "type", "set_identifier"],
  aws_kms_key: ["customer_master_key_spec", "key_spec", "key_usage", "multi_region"],
  aws_kms_alias: ["name", "name_prefix"],
  aws_s3_bucket: ["bucket", "bucket_prefix", "object_lock_enabled"],
  aws_s3_object: ["bucket", "key"],
  aws_security_group: ["name", "name_prefix", "description", "vpc_id"],
  aws_vpc_security_group_ingress_rule: ["security_group_id"],
  aws_vpc_security_group_egress_rule: ["security_group_id"],
  aws_iam_role: ["name", "name_prefix", "path"],
  aws_iam_instance_profile: ["name", "name_prefix", "path"],
  aws_iam_role_policy: ["name", "name_prefix", "role"],
  aws_ssm_parameter: ["name"],
  aws_route53_health_check: ["type", "reference_name"],
  aws_cloudwatch_metric_alarm: ["alarm_name"],
};

/** Attributes of a launch template that change what new instances boot. */
const LAUNCH_ATTRIBUTES = ["user_data", "image_id", "instance_type", "block_device_mappings", "iam_instance_profile", "network_interfaces"];

/** Whether a resource of this type, with this configuration, counts as live. */
export function isLive(type: string, config: Record<string, unknown> | undefined): boolean {
  if (!(type in LIVE_TYPES)) return false;
  // Only weighted records carry a share of a cluster's traffic; the API endpoint alias moves with its own stack.
  if (type === "aws_route53_record") return config?.weighted_routing_policy !== undefined;
  return true;
}

/** Which of the changed top-level attributes force replacement of a resource of `type`. */
export function replacingAttributes(type: string, changedTopLevel: readonly string[]): string[] {
  const table = REPLACING_ATTRIBUTES[type] ?? [];
  return [...new Set(changedTopLevel.filter((a) => table.includes(a)))];
}

/** What a classified change means; undefined when nothing running is affected beyond an in-place update. */
export function riskOf(
  type: string,
  action: "create" | "delete" | "update" | "replace",
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  changedTopLevel: readonly string[],
  replacedBy: readonly string[],
): { level: "destroy" | "replace" | "rollout" | "scale" | "traffic"; live: boolean; note: string } | undefined {
  const live = isLive(type, before ?? after);
  const what = LIVE_TYPES[type] ?? type;
  if (action === "delete") return live ? { level: "destroy", live, note: `destroyed: ${what}` } : undefined;
  if (action === "replace") {
    return {
      level: "replace",
      live,
      note: `replaced (destroy, then create) because ${replacedBy.join(", ")} changed${live ? `: ${what}` : ""}`,
    };
  }
  if (action !== "update") return undefined;
  if (type === "aws_launch_template") {
    const launch = changedTopLevel.filter((a) => LAUNCH_ATTRIBUTES.includes(a));
    if (launch.length > 0) {
      return {
        level: "rollout",
        live: false,
        note: `new launch template version (${launch.join(", ")}); running instances are replaced only by an instance refresh or scale-out`,
      };
    }
  }
  if (type === "aws_autoscaling_group") {
    const sizes = ["desired_capacity", "min_size", "max_size"].filter((a) => changedTopLevel.includes(a));
    if (sizes.length > 0) {
      const d = (c?: Record<string, unknown>) => String(c?.desired_capacity ?? c?.min_size ?? "?");
      return { level: "scale", live: false, note: `resized in place: desired ${d(before)} → ${d(after)} (${sizes.join(", ")} changed)` };
    }
  }
  if (type === "aws_route53_record" && changedTopLevel.includes("weighted_routing_policy")) {
    const w = (c?: Record<string, unknown>) => String((c?.weighted_routing_policy as { weight?: unknown } | undefined)?.weight ?? "?");
    return { level: "traffic", live: false, note: `traffic weight ${w(before)} → ${w(after)} for ${String(after?.set_identifier ?? "")}` };
  }
  return undefined;
}
