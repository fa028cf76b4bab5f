// IAM roles for service accounts with a cluster-stable issuer (docs/workload-identity.md), as synthesized: the identity
// stack's issuer bucket, discovery document, OIDC provider, cluster key and workload roles; every generation's API
// server signing for the same issuer; the trust policy, key policy, bucket policy and node statements evaluated with
// the IAM policy simulator (@cloud-copilot/iam-simulate); the definition rows that refuse bad `serviceAccounts`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { clusters } from "../clusters";
import {
  definitionProblems,
  immutabilityViolations,
  readFleetLock,
  resolveGeneration,
  serviceAccountIssuer,
  type ClusterDefinition,
} from "../constructs";
import { KubernetesCluster } from "../constructs/cluster/cluster";
import { discoveryDocument } from "../constructs/definition/service-account-issuer";
import { IdentityStack } from "../constructs/fleet/identity-stack";
import { apiServerArgs } from "../constructs/ignition/kubeadm-config";
import { AwsProvider } from "../constructs/platform/aws";
import { App, TerraformStack, Testing } from "../constructs/platform/terraform";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { generationPolicies, resolveReferences, simulate, type Decision, type GenerationPolicies } from "./support/iam-simulator";
import { synthClusters, type TerraformJson } from "./support/synth";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/platform/terraform-deployer`;
const account = { accountId: ACCOUNT, region: REGION, deployerArn: DEPLOYER };
const ISSUER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/3333cccc-33cc-33cc-33cc-333333333333`;

const EXPORTER = {
  namespace: "payments",
  name: "invoice-exporter",
  policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
  policy: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:aws:sqs:eu-west-1:123456789012:invoices"] }],
  },
};
const demo = sampleCluster({
  generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0, kubernetesVersion: "1.35.4" })],
  serviceAccounts: [EXPORTER],
});
const other = sampleCluster({ name: "other", network: { ...demo.network, vpcId: "vpc-0fedcba9876543210" } });

const synthesized = synthClusters([demo]);
const identity = synthesized.json("demo-identity");
const issuer = serviceAccountIssuer(demo);
const otherIssuer = serviceAccountIssuer(other);
const policies = (stack: string, keyId: string): GenerationPolicies =>
  generationPolicies(synthesized.json(stack), { ...account, keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}` });
const genA = policies("demo-a", "1111aaaa-11aa-11aa-11aa-111111111111");
const genB = policies("demo-b", "2222bbbb-22bb-22bb-22bb-222222222222");
/** Another cluster's generation, as its stack builds it (its node roles are all the tests need of it). */
function otherGeneration(): GenerationPolicies {
  const stack = new TerraformStack(new App(), "other-a");
  new AwsProvider(stack, "aws", { region: REGION });
  new KubernetesCluster(stack, "cluster", { cluster: other, generationId: "a" });
  const doc = JSON.parse(Testing.synth(stack)) as TerraformJson;
  return generationPolicies(doc, { ...account, keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/4444dddd-44dd-44dd-44dd-444444444444` });
}
const otherA = otherGeneration();
const only = <T>(record: Record<string, T> | undefined): T => {
  const values = Object.values(record ?? {});
  if (values.length !== 1) throw new Error(`expected one, found ${values.length}`);
  return values[0];
};
const resolved = (text: string) => JSON.parse(resolveReferences(text, { ...account, keyArn: ISSUER_KEY })) as object;
const issuerKeyPolicy = resolved(only(identity.resource.aws_kms_key).policy as string);
const issuerBucketPolicy = resolved(only(identity.resource.aws_s3_bucket_policy).policy as string);
/** A generation's policies, with the cluster issuer's key and bucket as the resource policies of the request. */
const towardIssuer = (gen: GenerationPolicies): GenerationPolicies => ({
  ...gen,
  keyPolicy: issuerKeyPolicy,
  bucketPolicy: issuerBucketPolicy,
});
const parameterArn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${issuer.signingKeyParameter}`;
const viaSsm = { "kms:ViaService": `ssm.${REGION}.amazonaws.com`, "kms:ResourceAliases": [issuer.kmsAlias] };

/** What a generation's API server is told its issuer is (the `iss` of its tokens) and where its JWKS is. */
function apiServerIssuer(cluster: "demo" | "other", generation: number): { iss: string; jwks: string } {
  const args = apiServerArgs(
    cluster === "demo"
      ? synthesized.stacks[0].generations[generation].cluster.generation
      : resolveGeneration(other, other.generations[generation]),
  );
  const value = (name: string) => {
    const found = args.filter((a) => a.name === name);
    if (found.length !== 1) throw new Error(`${name} is set ${found.length} times`);
    return found[0].value;
  };
  return { iss: value("service-account-issuer"), jwks: value("service-account-jwks-uri") };
}

/**
 * AssumeRoleWithWebIdentity with a token of issuer `iss` (the provider named by its host is the principal). The
 * simulator (0.1.173) knows OIDC condition keys only of the providers its catalogue lists (iam-data sts.json) and drops
 * any other host's `<host>:sub`/`:aud` from the request, so a condition could never match: policy and request carry the
 * cluster issuer's keys under a catalogued provider's (`accounts.google.com:sub`, `:aud`, same string type), as
 * iam-simulator.ts aliases KMS encryption-context keys. The principal still tells the issuers apart.
 */
async function assumeWithToken(roleTrust: object, token: { iss: string; sub: string; aud: string }): Promise<Decision> {
  const host = new URL(token.iss).host;
  const alias = (text: string) => text.split(`${issuer.host}:`).join("accounts.google.com:");
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: `arn:aws:iam::${ACCOUNT}:role/demo-sa-payments-invoice-exporter`, accountId: ACCOUNT },
        contextVariables: { [alias(`${host}:sub`)]: token.sub, [alias(`${host}:aud`)]: token.aud },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: JSON.parse(alias(JSON.stringify(roleTrust))) as object,
    },
    {},
  );
  if (response.resultType === "error") throw new Error(JSON.stringify(response.errors));
  return response.overallResult as Decision;
}

/** A request of a principal of the account with no identity policy of its own: only the resource policy can allow it. */
async function anyone(action: string, resource: string): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/somebody`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { "aws:SecureTransport": "true" },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: issuerBucketPolicy,
    },
    {},
  );
  if (response.resultType === "error") throw new Error(JSON.stringify(response.errors));
  return response.overallResult as Decision;
}

describe("the identity stack", () => {
  test("every cluster has one, beside its generation and traffic stacks", () => {
    expect(synthesized.stacks.map((s) => [s.identity.node.id, s.traffic.node.id, ...s.generations.map((g) => g.node.id)])).toEqual([
      ["demo-identity", "demo-traffic", "demo-a", "demo-b"],
    ]);
  });

  test("the issuer bucket is public only through its policy: ACLs blocked, SSE-S3, the discovery document uploaded", () => {
    expect(only(identity.resource.aws_s3_bucket)).toMatchObject({ bucket: issuer.bucketName, force_destroy: true });
    expect(only(identity.resource.aws_s3_bucket_public_access_block)).toMatchObject({
      block_public_acls: true,
      ignore_public_acls: true,
      block_public_policy: false,
      restrict_public_buckets: false,
    });
    expect(only(identity.resource.aws_s3_bucket_ownership_controls)).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(only(identity.resource.aws_s3_bucket_server_side_encryption_configuration)).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    const discovery = only(identity.resource.aws_s3_object);
    expect(discovery).toMatchObject({ key: ".well-known/openid-configuration", content_type: "application/json" });
    expect(JSON.parse(discovery.content as string)).toMatchObject({ issuer: issuer.url, jwks_uri: `${issuer.url}/keys.json` });
  });

  test("anyone may read exactly the discovery document and the JWKS, nothing else", async () => {
    const bucket = `arn:aws:s3:::${issuer.bucketName}`;
    expect(await anyone("s3:GetObject", `${bucket}/.well-known/openid-configuration`)).toBe("Allowed");
    expect(await anyone("s3:GetObject", `${bucket}/keys.json`)).toBe("Allowed");
    expect(await anyone("s3:GetObject", `${bucket}/other.json`)).toBe("ImplicitlyDenied");
    expect(await anyone("s3:PutObject", `${bucket}/keys.json`)).toBe("ImplicitlyDenied");
    expect(await anyone("s3:ListBucket", bucket)).toBe("ImplicitlyDenied");
  });

  test("one OIDC provider for the issuer URL, audience sts.amazonaws.com, no thumbprint", () => {
    const provider = only(identity.resource.aws_iam_openid_connect_provider);
    expect(provider).toMatchObject({ url: issuer.url, client_id_list: ["sts.amazonaws.com"] });
    expect(provider.thumbprint_list).toBeUndefined();
  });

  test("one role per service account, with its managed and inline policies", () => {
    const role = only(identity.resource.aws_iam_role);
    expect(role.name).toBe("demo-sa-payments-invoice-exporter");
    expect(Object.values(identity.resource.aws_iam_role_policy_attachment ?? {}).map((a) => a.policy_arn)).toEqual(EXPORTER.policyArns);
    expect(JSON.parse(only(identity.resource.aws_iam_role_policy).policy as string)).toEqual(EXPORTER.policy);
    expect(Object.keys(identity.output ?? {}).sort()).toEqual(["issuer_url", "oidc_provider_arn", "workload_role_arns"]);
  });
});

describe("one issuer for every generation", () => {
  test("generations a and b sign for the cluster issuer and point at its JWKS; another cluster has its own", () => {
    expect(apiServerIssuer("demo", 0)).toEqual({ iss: issuer.url, jwks: `${issuer.url}/keys.json` });
    expect(apiServerIssuer("demo", 1)).toEqual(apiServerIssuer("demo", 0));
    expect(apiServerIssuer("other", 0).iss).toBe(otherIssuer.url);
    expect(otherIssuer.url).not.toBe(issuer.url);
    expect(JSON.parse(discoveryDocument(issuer)).issuer).toBe(apiServerIssuer("demo", 1).iss);
  });

  test("the role written for demo trusts a token of generation a and of generation b, unchanged", async () => {
    // The trust names the provider by reference: resolved to the provider of the issuer's host, as Terraform does.
    const trustText = only(identity.resource.aws_iam_role).assume_role_policy as string;
    expect(trustText).toMatch(/"Federated":"\$\{aws_iam_openid_connect_provider\.[\w-]+\.arn\}"/);
    const trust = JSON.parse(
      trustText.replace(/\$\{aws_iam_openid_connect_provider\.[\w-]+\.arn\}/, `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.host}`),
    ) as object;
    const sub = "system:serviceaccount:payments:invoice-exporter";
    for (const generation of [0, 1])
      expect(await assumeWithToken(trust, { iss: apiServerIssuer("demo", generation).iss, sub, aud: "sts.amazonaws.com" })).toBe("Allowed");
    const iss = apiServerIssuer("demo", 1).iss;
    expect(await assumeWithToken(trust, { iss, sub: "system:serviceaccount:payments:other", aud: "sts.amazonaws.com" })).toBe(
      "ImplicitlyDenied",
    );
    expect(await assumeWithToken(trust, { iss, sub: "system:serviceaccount:default:invoice-exporter", aud: "sts.amazonaws.com" })).toBe(
      "ImplicitlyDenied",
    );
    expect(await assumeWithToken(trust, { iss, sub, aud: iss })).toBe("ImplicitlyDenied");
    // The same service account in another cluster: its tokens come from that cluster's issuer (another provider).
    expect(await assumeWithToken(trust, { iss: apiServerIssuer("other", 0).iss, sub, aud: "sts.amazonaws.com" })).toBe("ImplicitlyDenied");
  });
});

describe("the signing key: controllers of the cluster's issuing generations only", () => {
  const kms = (gen: GenerationPolicies, role: string, action: string, context: Record<string, string | string[]> = viaSsm) =>
    simulate(gen, { role, action, resource: ISSUER_KEY, context }, towardIssuer(gen));

  test("the key policy lets exactly demo-a's and demo-b's controllers use the key, through SSM", async () => {
    for (const [gen, role] of [
      [genA, "demo-a-controller"],
      [genB, "demo-b-controller"],
    ] as const) {
      expect(await kms(gen, role, "kms:Decrypt")).toBe("Allowed");
      expect(await kms(gen, role, "kms:Encrypt")).toBe("Allowed");
      expect(
        await kms(gen, role, "kms:Decrypt", { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:ResourceAliases": [issuer.kmsAlias] }),
      ).toBe("ImplicitlyDenied");
    }
    expect(await kms(genA, "demo-a-worker", "kms:Decrypt")).toBe("ImplicitlyDenied");
    // Another cluster's controller, even with the alias in its request: neither its policy nor the key policy names it.
    expect(await kms(otherA, "other-a-controller", "kms:Decrypt")).toBe("ImplicitlyDenied");
  });

  test("controllers create and read the parameter; workers and other clusters' controllers cannot", async () => {
    const ssm = (gen: GenerationPolicies, role: string, action: string) => simulate(gen, { role, action, resource: parameterArn });
    expect(await ssm(genA, "demo-a-controller", "ssm:GetParameter")).toBe("Allowed");
    expect(await ssm(genB, "demo-b-controller", "ssm:PutParameter")).toBe("Allowed");
    expect(await ssm(genA, "demo-a-controller", "ssm:DeleteParameter")).toBe("ImplicitlyDenied");
    expect(await ssm(genA, "demo-a-worker", "ssm:GetParameter")).toBe("ImplicitlyDenied");
    expect(await ssm(otherA, "other-a-controller", "ssm:GetParameter")).toBe("ImplicitlyDenied");
  });

  test("controllers publish keys.json only; workers publish nothing", async () => {
    const s3 = (gen: GenerationPolicies, role: string, action: string, key: string) =>
      simulate(gen, { role, action, resource: `arn:aws:s3:::${issuer.bucketName}/${key}` }, towardIssuer(gen));
    expect(await s3(genA, "demo-a-controller", "s3:PutObject", "keys.json")).toBe("Allowed");
    expect(await s3(genA, "demo-a-controller", "s3:PutObject", ".well-known/openid-configuration")).toBe("ImplicitlyDenied");
    expect(await s3(genA, "demo-a-worker", "s3:PutObject", "keys.json")).toBe("ImplicitlyDenied");
  });

  test("a generation frozen with contract 2 keeps its own issuer: no issuer statement, no use of the cluster key", () => {
    const stack = new TerraformStack(new App(), "frozen");
    new AwsProvider(stack, "aws", { region: REGION });
    new KubernetesCluster(stack, "cluster", { cluster: demo, generationId: "a", nodeContract: 2 });
    const doc = JSON.parse(Testing.synth(stack)) as TerraformJson;
    const statements = Object.values(doc.resource.aws_iam_role_policy).flatMap(
      (p) => (JSON.parse(p.policy as string) as { Statement: Array<{ Sid: string }> }).Statement,
    );
    expect(statements.map((s) => s.Sid)).not.toContain("ServiceAccountSigningKey");
    const identityStack = new IdentityStack(new App(), { cluster: demo, issuingGenerations: [] });
    const keyPolicy = JSON.parse(
      only((JSON.parse(Testing.synth(identityStack)) as TerraformJson).resource.aws_kms_key).policy as string,
    ) as {
      Statement: Array<{ Sid: string }>;
    };
    expect(keyPolicy.Statement.map((s) => s.Sid)).toEqual(["AccountAdministratorsManageKey"]);
  });
});

test("no private key anywhere in the synthesized output: the nodes create it, Terraform never holds it", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  const all = files(synthesized.outdir);
  expect(all.some((f) => f.includes("demo-identity"))).toBe(true);
  for (const file of all) expect(readFileSync(file, "utf8")).not.toMatch(/PRIVATE KEY|aws_ssm_parameter[^"]*"[^"]*signing/);
  expect(JSON.stringify(identity)).not.toContain("aws_ssm_parameter");
});

test("service accounts change in place on a cluster with frozen generations: the guard lets them through", () => {
  const lock = readFleetLock(join(__dirname, ".."), {})!;
  const withAccount = clusters.map((c) => (c.name === "prod" ? { ...c, serviceAccounts: [EXPORTER] } : c));
  expect(immutabilityViolations(withAccount, lock)).toEqual([]);
  // The guard is live for the same frozen generations: a cluster-level field that reaches their nodes is refused.
  const moved = clusters.map((c) => (c.name === "prod" ? { ...c, dns: { ...c.dns, privateZoneName: "other.example.com" } } : c));
  expect(immutabilityViolations(moved, lock).length).toBeGreaterThan(0);
});

describe("serviceAccounts validation", () => {
  const withAccounts = (accounts: unknown, c: ClusterDefinition = demo) => ({ ...c, serviceAccounts: accounts }) as ClusterDefinition;
  // [case, definition, field the problem names, words of its message]
  const rows: Array<[string, ClusterDefinition, string, RegExp]> = [
    [
      "namespace not a DNS label",
      withAccounts([{ ...EXPORTER, namespace: "Payments" }]),
      "serviceAccounts[0].namespace",
      /not a DNS label/,
    ],
    ["name not a DNS name", withAccounts([{ ...EXPORTER, name: "invoice_exporter" }]), "serviceAccounts[0].name", /not a DNS name/],
    [
      "policy ARN malformed",
      withAccounts([{ ...EXPORTER, policyArns: ["AmazonS3ReadOnlyAccess"] }]),
      "serviceAccounts[0].policyArns[0]",
      /IAM policy ARN/,
    ],
    [
      "more managed policies than IAM's quota",
      withAccounts([{ ...EXPORTER, policyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:policy/p${i}`) }]),
      "serviceAccounts[0].policyArns",
      /more than 10 policies/,
    ],
    [
      "inline policy without Version",
      withAccounts([{ ...EXPORTER, policy: { Statement: [] } }]),
      "serviceAccounts[0].policy",
      /Version "2012-10-17"/,
    ],
    ["no rights", withAccounts([{ namespace: "payments", name: "idle" }]), "serviceAccounts[0]", /has no rights: give it policyArns/],
    ["listed twice", withAccounts([EXPORTER, EXPORTER]), "serviceAccounts[1]", /listed twice \(also serviceAccounts\[0\]\)/],
    ["unknown field", withAccounts([{ ...EXPORTER, roleArn: "x" }]), "serviceAccounts[0]", /unknown field "roleArn"/],
    ["not a list", withAccounts({ payments: "invoice-exporter" }), "serviceAccounts", /list of service accounts/],
    [
      "generation id that is the identity stack's name",
      { ...demo, generations: [sampleGeneration({ id: "identity" })] },
      "generations[0].id",
      /"identity" is reserved: the cluster's identity stack/,
    ],
    [
      "API server issuer overridden",
      {
        ...demo,
        generations: [
          sampleGeneration({ controlPlane: { count: 3, apiServer: { extraArgs: { "service-account-issuer": "https://x" } } } }),
        ],
      },
      'generations[0].controlPlane.apiServer.extraArgs["service-account-issuer"]',
      /cannot be set here: every generation signs with the cluster's service-account issuer/,
    ],
  ];

  test.each(rows)("%s is refused, naming the field and the fix", (_, definition, field, words) => {
    const problems = definitionProblems(definition);
    const problem = problems.find((p) => p.field === field);
    expect({ field: problem?.field, problems }).toMatchObject({ field });
    expect(problem!.message).toMatch(words);
  });

  test("a long namespace and name get a unique 64-character role name", () => {
    const long = { namespace: "n".repeat(40), name: "a".repeat(60), policyArns: EXPORTER.policyArns };
    const synth = new IdentityStack(new App(), {
      cluster: withAccounts([long, { ...long, name: "a".repeat(59) + "b" }]),
      issuingGenerations: ["a"],
    });
    const names = Object.values((JSON.parse(Testing.synth(synth)) as TerraformJson).resource.aws_iam_role).map((r) => r.name as string);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^demo-sa-n{40}-a{6}-[0-9a-f]{8}$/);
  });
});
