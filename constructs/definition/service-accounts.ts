// Owns `serviceAccounts` of a cluster definition: the Kubernetes service accounts that get an IAM role through the
// cluster's service-account issuer (IAM roles for service accounts, docs/workload-identity.md), their validation rules,
// and the derived name of each workload role. The roles live in the cluster's identity stack, so they outlive
// generations: a role written for `prod` trusts tokens of every generation of `prod`.
import { z } from "zod";
import { createHash } from "node:crypto";
import { dnsLabelProblem, dnsSubdomainProblem } from "./kubernetes-names";

/**
 * One Kubernetes service account that may assume an IAM role: its pods exchange a projected service-account token
 * (audience `sts.amazonaws.com`) for AWS credentials with `sts:AssumeRoleWithWebIdentity`. Give the role its rights with
 * `policyArns`, `policy`, or both.
 */
export interface ServiceAccountDefinition {
  /** The service account's namespace, e.g. `"payments"`. */
  readonly namespace: string;
  /** The service account's name, e.g. `"invoice-exporter"`. */
  readonly name: string;
  /** Managed IAM policies attached to the role, e.g. `["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]`. @default [] */
  readonly policyArns?: readonly string[];
  /** An inline IAM policy document of the role (`{ Version: "2012-10-17", Statement: [...] }`). @default none */
  readonly policy?: Readonly<Record<string, unknown>>;
}

/**
 * IAM's quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "IAM object quotas" and
 * "IAM and AWS STS character limits"): 10 managed policies attached to a role (default quota), an inline role policy
 * of at most 10,240 characters, role names of 1-64 characters.
 */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
export const MAX_INLINE_ROLE_POLICY_CHARACTERS = 10240;
const MAX_ROLE_NAME = 64;

/** A managed policy ARN: a customer policy of an account, or an AWS managed policy (account `aws`). */
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy\/[\w+=,.@/-]{1,128}$/;

/** Why `policy` is not an IAM policy document the role can carry inline; undefined when it is one. */
function inlinePolicyProblem(policy: Readonly<Record<string, unknown>>): string | undefined {
  const example =
    '{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::my-bucket/*"] }] }';
  if (policy.Version !== "2012-10-17") return `must be an IAM policy document with Version "2012-10-17", e.g. ${example}`;
  const statements = policy.Statement;
  if (!Array.isArray(statements) || statements.length === 0) return `must have a non-empty Statement list, e.g. ${example}`;
  const text = JSON.stringify(policy);
  if (text.length > MAX_INLINE_ROLE_POLICY_CHARACTERS)
    return `is ${text.length} characters; an inline role policy has at most ${MAX_INLINE_ROLE_POLICY_CHARACTERS}: move statements into a managed policy and list it in policyArns`;
  return undefined;
}

const serviceAccountSchema = z
  .object({
    namespace: z.string().superRefine((value, ctx) => {
      const problem = dnsLabelProblem(value, "payments");
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    name: z.string().superRefine((value, ctx) => {
      const problem = dnsSubdomainProblem(value, "invoice-exporter");
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    policyArns: z
      .array(
        z.string().regex(POLICY_ARN, {
          error:
            'must be an IAM policy ARN such as "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" or "arn:aws:iam::123456789012:policy/invoices-read"',
        }),
      )
      .max(MAX_MANAGED_POLICIES_PER_ROLE, {
        error: `lists more than ${MAX_MANAGED_POLICIES_PER_ROLE} policies, IAM's default quota of managed policies per role; combine some into one managed policy`,
      })
      .optional(),
    policy: z
      .record(z.string(), z.unknown(), { error: 'must be an IAM policy document object, e.g. { Version: "2012-10-17", Statement: [...] }' })
      .superRefine((value, ctx) => {
        const problem = inlinePolicyProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  })
  .strict();

/** The schema of `serviceAccounts` (per-entry problems); duplicates are in {@link serviceAccountsCrossProblems}. */
export const serviceAccountsSchema = z.array(serviceAccountSchema, {
  error:
    'must be a list of service accounts, e.g. [{ namespace: "payments", name: "invoice-exporter", policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] }]',
});

/** Problems across the entries of a parsed `serviceAccounts`: one listed twice, one with no rights. Fields relative to `serviceAccounts`. */
export function serviceAccountsCrossProblems(accounts: readonly ServiceAccountDefinition[]): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const seen = new Map<string, number>();
  accounts.forEach((account, i) => {
    const key = `${account.namespace}/${account.name}`;
    const first = seen.get(key);
    if (first !== undefined)
      problems.push({ field: `[${i}]`, message: `${key} is listed twice (also serviceAccounts[${first}]); merge the two entries` });
    else seen.set(key, i);
    if ((account.policyArns ?? []).length === 0 && account.policy === undefined)
      problems.push({
        field: `[${i}]`,
        message: `${key} has no rights: give it policyArns (managed policies) or policy (an inline policy document)`,
      });
  });
  return problems;
}

/**
 * `<cluster>-sa-<namespace>-<name>`, the workload role of a service account; a name longer than IAM's 64 characters is
 * cut to 55 and ends in `-<8 hex>` of the full name, so two long names never share a role.
 */
export function workloadRoleName(clusterName: string, account: Pick<ServiceAccountDefinition, "namespace" | "name">): string {
  const full = `${clusterName}-sa-${account.namespace}-${account.name}`;
  if (full.length <= MAX_ROLE_NAME) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, MAX_ROLE_NAME - 9)}-${hash}`;
}

/** A generation id whose stack would take the name of the cluster's identity stack (`<cluster>-identity`). */
export const IDENTITY_STACK_SUFFIX = "identity";

/** Why a generation may not have this id; undefined when it may. */
export function reservedGenerationIdProblem(id: string): string | undefined {
  return id === IDENTITY_STACK_SUFFIX
    ? `"${id}" is reserved: the cluster's identity stack (service-account issuer and workload roles) is named <cluster>-${IDENTITY_STACK_SUFFIX}; use another id, e.g. "i1"`
    : undefined;
}
