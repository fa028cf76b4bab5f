// Owns the `access` part of a cluster definition: which IAM roles may use each generation's Kubernetes API, and as
// which Kubernetes groups (mapped by aws-iam-authenticator, see constructs/addons/access/), with its validation rules.
import { z } from "zod";
import { oidcCrossProblems, oidcSchema, type OidcIssuerDefinition } from "./oidc";

/** The Kubernetes group of `access.admins` (bound to the `cluster-admin` ClusterRole). */
export const ADMINS_GROUP = "immutable-clusters:admins";
/** The Kubernetes group of `access.viewers` (bound to the `view` ClusterRole). */
export const VIEWERS_GROUP = "immutable-clusters:viewers";

/**
 * Who may use the Kubernetes API of every generation of the cluster, by AWS identity (IAM roles, as on EKS): an operator
 * assumes one of these roles and `immutable-clusters kubeconfig` gives kubectl a token for it. No static credential
 * exists. Each role maps to one Kubernetes user (`iam:<role name>:<session name>`) in the groups listed here.
 *
 * A change reaches a generation rendered after it; a deployed (frozen) generation keeps the mapping it was locked with.
 */
export interface AccessDefinition {
  /**
   * IAM role ARNs whose sessions are cluster administrators: group `immutable-clusters:admins`, bound to `cluster-admin`.
   * Written without an IAM path (`arn:aws:iam::123456789012:role/platform-admin`): the caller's identity carries none.
   * @default []
   */
  readonly admins?: readonly string[];
  /**
   * IAM role ARNs whose sessions may read most objects (not Secrets): group `immutable-clusters:viewers`, bound to the
   * built-in `view` ClusterRole.
   * @default []
   */
  readonly viewers?: readonly string[];
  /**
   * Further Kubernetes groups by name, each with the IAM role ARNs mapped into it, e.g. `{ "team-payments": [roleArn] }`;
   * a tenant's `groups` RoleBindings (addons.tenants) then grant that group its namespace. A role listed under several
   * groups gets all of them. Names starting with `system:` or `immutable-clusters:` are refused.
   * @default {}
   */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * OpenID Connect issuers whose ID tokens the API server also accepts (structured authentication configuration,
   * beside the IAM webhook), each with its claims, prefixes and the groups it binds to cluster-admin and view; see
   * OidcIssuerDefinition and docs/security.md ("Access by OIDC").
   * @default []
   */
  readonly oidc?: readonly OidcIssuerDefinition[];
}

/**
 * An IAM role ARN as the authenticator can match it. It compares the mapping with the caller's canonical ARN
 * (`arn:<partition>:iam::<account>:role/<name>`, built from the assumed-role ARN, which has no path) case-insensitively:
 * kubernetes-sigs/aws-iam-authenticator pkg/arn/arn.go Canonicalize and pkg/config/mapper.go RoleMapping.Matches
 * (strings.EqualFold), tag v0.7.18 (commit c0e2ecd6c9e352db19435db4d2c7e64282554d2f). A mapped ARN with a path never
 * matches. Role names: 1-64 of letters, digits and `+=,.@_-` (IAM API reference, CreateRole RoleName,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
 */
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/[\w+=,.@-]{1,64}$/;
const ROLE_ARN_WITH_PATH = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)+([\w+=,.@-]{1,64})$/;

/** Why `value` is not a role ARN the authenticator can map, with the fix; undefined when it is one. */
export function roleArnProblem(value: string): string | undefined {
  if (ROLE_ARN.test(value)) return undefined;
  const withPath = ROLE_ARN_WITH_PATH.exec(value);
  if (withPath)
    return `"${value}" has an IAM path, which the caller's identity does not carry, so it would never match; write it without the path: "arn:${withPath[1]}:iam::${withPath[2]}:role/${withPath[3]}"`;
  return `"${value}" is not an IAM role ARN; write it like "arn:aws:iam::123456789012:role/platform-admin"`;
}

const roleArn = z.string().superRefine((value, ctx) => {
  const problem = roleArnProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const roleList = z.array(roleArn, { error: 'must be a list of IAM role ARNs, e.g. ["arn:aws:iam::123456789012:role/platform-admin"]' });

/** Kubernetes group names are free strings; reserved prefixes are refused (they would grant system or built-in rights). */
function groupNameProblem(name: string): string | undefined {
  if (name.trim() === "" || name !== name.trim()) return 'must be a non-empty group name without surrounding spaces, e.g. "team-payments"';
  if (name.startsWith("system:"))
    return `"${name}" is a Kubernetes system group (e.g. system:masters bypasses RBAC); list the roles in access.admins instead, or use a group of your own`;
  if (name.startsWith("immutable-clusters:")) return `"${name}" is reserved for access.admins and access.viewers; list the roles there`;
  return undefined;
}

/** The schema of `access` (per-field problems); cross-field rules are in {@link accessCrossProblems}. */
export const accessSchema = z
  .object({
    admins: roleList.optional(),
    viewers: roleList.optional(),
    groups: z
      .record(z.string(), roleList, { error: 'must be an object of group name to role ARNs, e.g. { "team-payments": [roleArn] }' })
      .superRefine((groups, ctx) => {
        for (const name of Object.keys(groups)) {
          const problem = groupNameProblem(name);
          if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
        }
      })
      .optional(),
    oidc: oidcSchema.optional(),
  })
  .strict();

/** Problems across the lists of a parsed `access`: a role listed twice, or both as admin and viewer. Fields are relative to `access`. */
export function accessCrossProblems(access: AccessDefinition): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const seen = new Map<string, string>();
  const check = (list: readonly string[] | undefined, at: string) =>
    (list ?? []).forEach((arn, i) => {
      const key = arn.toLowerCase(); // the authenticator matches case-insensitively
      const field = `${at}[${i}]`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, field);
      else if (first.startsWith(at + "[")) problems.push({ field, message: `"${arn}" is listed twice (also ${first}); remove one` });
      else
        problems.push({
          field,
          message: `"${arn}" is also in ${first}; a role has one level of access: keep it in access.admins (which can also read) or in access.viewers`,
        });
    });
  check(access.admins, "admins");
  check(access.viewers, "viewers");
  for (const p of oidcCrossProblems(access.oidc ?? [])) problems.push({ field: `oidc${p.field}`, message: p.message });
  return problems;
}

/** One role's mapping: a Kubernetes username template and groups (the authenticator's mapRoles entry). */
export interface RoleMapping {
  readonly roleARN: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * The authenticator's role mappings of a (valid) `access`, one per role, in definition order. The username is
 * `iam:<role name>:{{SessionName}}` so the audit log names the session ({{SessionName}} is the authenticator's template
 * parameter, deploy/example.yaml at tag v0.7.18); rights come from the groups only.
 */
export function roleMappings(access: AccessDefinition | undefined): RoleMapping[] {
  const byRole = new Map<string, { roleARN: string; groups: string[] }>();
  const add = (arn: string, group: string) => {
    const key = arn.toLowerCase();
    const entry = byRole.get(key) ?? { roleARN: arn, groups: [] };
    if (!entry.groups.includes(group)) entry.groups.push(group);
    byRole.set(key, entry);
  };
  for (const arn of access?.admins ?? []) add(arn, ADMINS_GROUP);
  for (const arn of access?.viewers ?? []) add(arn, VIEWERS_GROUP);
  for (const [group, arns] of Object.entries(access?.groups ?? {})) for (const arn of arns) add(arn, group);
  return [...byRole.values()].map(({ roleARN, groups }) => ({
    roleARN,
    username: `iam:${roleARN.slice(roleARN.indexOf(":role/") + 6)}:{{SessionName}}`,
    groups,
  }));
}

/** Whether the definition maps any role, i.e. whether its generations run the authenticator. */
export function accessEnabled(access: AccessDefinition | undefined): boolean {
  return roleMappings(access).length > 0;
}
