// Test support: the adjustments a synthesized stack needs before it applies and re-plans cleanly on moto 5.2.1, kept in
// one place, each tied to the moto behaviour it works around. Real AWS needs none of them; the unit tests
// (test/cluster-constructs.test.ts) assert the synthesized originals.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Resource = Record<string, unknown> & { depends_on?: string[] };
type Doc = { resource?: Record<string, Record<string, Resource>> };

/** What `adaptForMoto` changed, for the test to assert that each adjustment still applies. */
export interface MotoAdjustments {
  readonly tlsOnlyBucketPolicies: number;
  readonly launchTemplateTags: number;
  readonly groupRuleDescriptions: number;
}

/**
 * Rewrites a synthesized stack folder's cdk.tf.json for moto:
 * - TLS-only bucket policies are removed: moto evaluates a bucket policy's Deny without request context, and a
 *   condition it cannot check makes the statement deny unconditionally (moto/iam/access_control.py,
 *   IAMPolicyStatement.is_action_permitted returns DENIED when _check_conditions fails), so every object call fails.
 * - Launch templates lose their own `tags`: moto stores CreateLaunchTemplate's `launch-template` tag specification
 *   inside the template data, so the provider reads back a tag_specifications block it never sent (perpetual diff).
 * - Security group rules that reference a group lose their description: moto's DescribeSecurityGroupRules omits the
 *   description of group-referenced rules (perpetual diff).
 */
export function adaptForMoto(stackDir: string): MotoAdjustments {
  const file = join(stackDir, "cdk.tf.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as Doc;
  const resources = doc.resource ?? {};

  const policies = resources.aws_s3_bucket_policy ?? {};
  const removed = Object.keys(policies).filter((id) => String(policies[id].policy).includes("aws:SecureTransport"));
  for (const id of removed) delete policies[id];
  if (resources.aws_s3_bucket_policy && Object.keys(policies).length === 0) delete resources.aws_s3_bucket_policy;
  const gone = new Set(removed.map((id) => `aws_s3_bucket_policy.${id}`));
  for (const group of Object.values(resources)) {
    for (const resource of Object.values(group)) {
      if (resource.depends_on) resource.depends_on = resource.depends_on.filter((d) => !gone.has(d));
    }
  }

  let launchTemplateTags = 0;
  for (const template of Object.values(resources.aws_launch_template ?? {})) {
    if (template.tags) {
      delete template.tags;
      launchTemplateTags++;
    }
  }

  let groupRuleDescriptions = 0;
  for (const type of ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]) {
    for (const rule of Object.values(resources[type] ?? {})) {
      if (rule.referenced_security_group_id && rule.description) {
        delete rule.description;
        groupRuleDescriptions++;
      }
    }
  }

  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { tlsOnlyBucketPolicies: removed.length, launchTemplateTags, groupRuleDescriptions };
}
