// The node roles' IAM, KMS key and bucket policies, as synthesized into a generation's Terraform JSON, evaluated by an
// IAM policy simulator (@cloud-copilot/iam-simulate): each role gets the allows it needs (one row per reason) and is
// refused what would lead from a node or a pod on it to cluster-admin or to another generation or cluster.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubernetesCluster } from "../constructs/cluster/cluster";
import { AwsProvider } from "../constructs/platform/aws";
import { App, TerraformStack } from "../constructs/platform/terraform";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { synthClusters, type TerraformJson } from "./support/synth";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import {
  generationPolicies,
  simulate,
  simulateOtherPrincipal,
  type Decision,
  type GenerationPolicies,
  type SimulatedRequest,
} from "./support/iam-simulator";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const VPC = "vpc-0123456789abcdef0";
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/platform/terraform-deployer`;
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/kms-break-glass`;
const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
const KEY_A = keyArn("1111aaaa-11aa-11aa-11aa-111111111111");
const KEY_B = keyArn("2222bbbb-22bb-22bb-22bb-222222222222");

const definition = (overrides: Parameters<typeof sampleCluster>[0] = {}) =>
  sampleCluster({
    generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0, kubernetesVersion: "1.35.4" })],
    ...overrides,
  });

function policiesOf(doc: TerraformJson, key: string): GenerationPolicies {
  return generationPolicies(doc, { accountId: ACCOUNT, region: REGION, keyArn: key, deployerArn: DEPLOYER });
}
const bucketOf = (doc: TerraformJson) => Object.values(doc.resource.aws_s3_bucket)[0].bucket as string;

// Synthesized as the cdktf app does (constructs/fleet/fleet-app.ts synthFleet), inside withCheapCaptures: cdktf's
// per-token creation stacks, never written out, are not collected and formatted. The Terraform JSON is the same.
const synthesized = withCheapCaptures(() => synthClusters([definition()]));
const genA = policiesOf(synthesized.json("demo-a"), KEY_A);
const genB = policiesOf(synthesized.json("demo-b"), KEY_B);
const BUCKET_A = bucketOf(synthesized.json("demo-a"));
const BUCKET_B = bucketOf(synthesized.json("demo-b"));
const param = (gen: "a" | "b", suffix: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/immutable-clusters/demo/${gen}/${suffix}`;
const object = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const viaSsm = (parameterArn: string) => ({
  "kms:ViaService": `ssm.${REGION}.amazonaws.com`,
  "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
});
const viaS3 = (bucket: string) => ({
  "kms:ViaService": `s3.${REGION}.amazonaws.com`,
  "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucket}`,
});
const group = (name: string) =>
  `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/${name}`;
const securityGroup = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`;
const loadBalancer = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/svc-lb/0123456789abcdef`;
const targetGroup = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/svc-tg/0123456789abcdef`;
const vpcArn = (vpc: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${vpc}`;
const OURS = "kubernetes.io/cluster/demo-a";
const owned = (key = OURS) => ({ [`aws:ResourceTag/${key}`]: "owned" });

interface Row extends SimulatedRequest {
  readonly expect: Decision;
  readonly why: string;
}
const worker = "demo-a-worker";
const controller = "demo-a-controller";

async function check(rows: readonly Row[], target?: (row: Row) => GenerationPolicies) {
  const results = [];
  for (const row of rows) results.push({ why: row.why, decision: await simulate(genA, row, target?.(row) ?? genA) });
  expect(results).toEqual(rows.map((row) => ({ why: row.why, decision: row.expect })));
}

describe("worker role (and every host-network pod on a worker, e.g. fluent-bit)", () => {
  test("gets what a worker needs to boot and join, each for its reason", async () => {
    await check([
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "ignition/worker-general.ign"),
        expect: "Allowed",
        why: "reads its pool's Ignition config",
      },
      {
        role: worker,
        action: "kms:Decrypt",
        resource: KEY_A,
        context: viaS3(BUCKET_A),
        expect: "Allowed",
        why: "S3 decrypts the config for it",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "join/token"),
        expect: "Allowed",
        why: "reads the bootstrap token",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "join/ca-cert-hash"),
        expect: "Allowed",
        why: "reads the CA hash",
      },
      {
        role: worker,
        action: "autoscaling:SetInstanceHealth",
        resource: group("demo-a-general"),
        expect: "Allowed",
        why: "marks itself Unhealthy after failed bootstraps",
      },
    ]);
  });

  test("cannot reach the certificate key, the controllers' coordination objects or anything it does not need", async () => {
    await check([
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "control-plane/certificate-key"),
        expect: "ImplicitlyDenied",
        why: "the certificate key",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "control-plane/secrets-encryption-key"),
        expect: "ImplicitlyDenied",
        why: "the Secrets encryption key",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "control-plane/anything-added-later"),
        expect: "ImplicitlyDenied",
        why: "anything under control-plane/",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "join/token-expiry"),
        expect: "ImplicitlyDenied",
        why: "only token and CA hash, exactly",
      },
      {
        role: worker,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "join/token"),
        expect: "ImplicitlyDenied",
        why: "publishing a token",
      },
      {
        role: worker,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "control-plane/secrets-encryption-key"),
        expect: "ImplicitlyDenied",
        why: "planting a Secrets encryption key",
      },
      {
        role: worker,
        action: "kms:GenerateDataKey",
        resource: KEY_A,
        context: viaS3(BUCKET_A),
        expect: "ImplicitlyDenied",
        why: "S3 encrypting anything it writes",
      },
      { role: worker, action: "kms:Decrypt", resource: KEY_A, expect: "ImplicitlyDenied", why: "decrypting directly, not through S3" },
      {
        role: worker,
        action: "kms:Decrypt",
        resource: KEY_A,
        context: viaSsm(param("a", "join/token")),
        expect: "ImplicitlyDenied",
        why: "decrypting through SSM (contract 2 keeps nothing there)",
      },
      {
        role: worker,
        action: "ssm:GetParameter",
        resource: param("a", "join/token"),
        expect: "ImplicitlyDenied",
        why: "no SSM parameter access at all",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "state/election-lease"),
        expect: "ImplicitlyDenied",
        why: "reading the election lease",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "state/join-requests/i-0123456789abcdef0"),
        expect: "ImplicitlyDenied",
        why: "reading a join request",
      },
      {
        role: worker,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "state/join-requests/i-0123456789abcdef0"),
        expect: "ImplicitlyDenied",
        why: "asking for the control-plane certificates",
      },
      {
        role: worker,
        action: "s3:ListBucket",
        resource: `arn:aws:s3:::${BUCKET_A}`,
        context: { "s3:prefix": "state/" },
        expect: "ImplicitlyDenied",
        why: "listing coordination objects",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "ignition/controller.ign"),
        expect: "ImplicitlyDenied",
        why: "the controllers' config",
      },
      {
        role: worker,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "addons/manifests.yaml"),
        expect: "ImplicitlyDenied",
        why: "the addon manifests",
      },
      {
        role: worker,
        action: "autoscaling:SetInstanceHealth",
        resource: group("demo-b-general"),
        expect: "ImplicitlyDenied",
        why: "another generation's group",
      },
      {
        role: worker,
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: securityGroup,
        context: owned(),
        expect: "ImplicitlyDenied",
        why: "the cloud controller's rights",
      },
    ]);
  });

  test("cannot read another generation's objects, nor use its key", async () => {
    await check(
      [
        { role: worker, action: "s3:GetObject", resource: object(BUCKET_B, "join/token"), expect: "ImplicitlyDenied", why: "b's token" },
        {
          role: worker,
          action: "s3:GetObject",
          resource: object(BUCKET_B, "join/ca-cert-hash"),
          expect: "ImplicitlyDenied",
          why: "b's CA hash",
        },
        {
          role: worker,
          action: "s3:GetObject",
          resource: object(BUCKET_B, "ignition/worker-general.ign"),
          expect: "ImplicitlyDenied",
          why: "b's config",
        },

        {
          role: worker,
          action: "kms:Decrypt",
          resource: KEY_B,
          context: viaS3(BUCKET_B),
          expect: "ImplicitlyDenied",
          why: "b's key via S3",
        },
      ],
      () => genB,
    );
  });
});

describe("controller role", () => {
  test("gets the bootstrap material, coordination objects and its own groups", async () => {
    const rows: Row[] = [];
    for (const key of [
      "join/token",
      "join/token-expiry",
      "join/ca-cert-hash",
      "control-plane/certificate-key",
      "control-plane/secrets-encryption-key",
    ])
      for (const action of ["s3:GetObject", "s3:PutObject"])
        rows.push({ role: controller, action, resource: object(BUCKET_A, key), expect: "Allowed", why: `${action} ${key}` });
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"])
      rows.push({ role: controller, action, resource: KEY_A, context: viaS3(BUCKET_A), expect: "Allowed", why: `S3 ${action} for it` });
    for (const key of ["state/election-lease", "state/refresh-lock", "state/join-requests/i-0123456789abcdef0"])
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
        rows.push({ role: controller, action, resource: object(BUCKET_A, key), expect: "Allowed", why: `${action} ${key}` });
    rows.push(
      {
        role: controller,
        action: "s3:ListBucket",
        resource: `arn:aws:s3:::${BUCKET_A}`,
        context: { "s3:prefix": "state/join-requests/" },
        expect: "Allowed",
        why: "lists join requests",
      },
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "ignition/controller.ign"),
        expect: "Allowed",
        why: "its Ignition config",
      },
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "addons/manifests.yaml"),
        expect: "Allowed",
        why: "the addon manifests",
      },
      {
        role: controller,
        action: "autoscaling:SetInstanceHealth",
        resource: group("demo-a-controller"),
        expect: "Allowed",
        why: "marks itself Unhealthy",
      },
      {
        role: controller,
        action: "ec2:DescribeInstances",
        resource: "*",
        expect: "Allowed",
        why: "does a lease holder's instance still exist",
      },
    );
    await check(rows);
  });

  test("cannot list the bucket beyond state/, nor reach another generation", async () => {
    await check([
      {
        role: controller,
        action: "s3:ListBucket",
        resource: `arn:aws:s3:::${BUCKET_A}`,
        context: { "s3:prefix": "ignition/" },
        expect: "ImplicitlyDenied",
        why: "list outside state/",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "ignition/controller.ign"),
        expect: "ImplicitlyDenied",
        why: "overwrite a node config",
      },
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_B, "control-plane/certificate-key"),
        expect: "ImplicitlyDenied",
        why: "b's certificate key",
      },
      {
        role: controller,
        action: "s3:DeleteObject",
        resource: object(BUCKET_A, "control-plane/secrets-encryption-key"),
        expect: "ImplicitlyDenied",
        why: "deleting the Secrets encryption key (the generation's destroy removes it)",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "control-plane/other"),
        expect: "ImplicitlyDenied",
        why: "only the five bootstrap keys",
      },
      {
        role: controller,
        action: "ssm:GetParameter",
        resource: param("a", "control-plane/certificate-key"),
        expect: "ImplicitlyDenied",
        why: "no SSM parameter access (contract 2)",
      },
      {
        role: controller,
        action: "autoscaling:SetInstanceHealth",
        resource: group("demo-b-controller"),
        expect: "ImplicitlyDenied",
        why: "b's group",
      },
    ]);
    await check(
      [
        {
          role: controller,
          action: "kms:Decrypt",
          resource: KEY_B,
          context: viaS3(BUCKET_B),
          expect: "ImplicitlyDenied",
          why: "b's key",
        },
        {
          role: controller,
          action: "kms:GenerateDataKey",
          resource: KEY_B,
          context: viaS3(BUCKET_B),
          expect: "ImplicitlyDenied",
          why: "b's key for writing",
        },
        {
          role: controller,
          action: "s3:GetObject",
          resource: object(BUCKET_B, "state/election-lease"),
          expect: "ImplicitlyDenied",
          why: "b's lease",
        },
      ],
      () => genB,
    );
  });

  test("the cloud controller creates and manages only what carries this cluster's tag, in this VPC", async () => {
    await check([
      {
        role: controller,
        action: "ec2:CreateSecurityGroup",
        resource: securityGroup,
        context: { [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "Allowed",
        why: "creates a Service's group, tagged",
      },
      { role: controller, action: "ec2:CreateSecurityGroup", resource: vpcArn(VPC), expect: "Allowed", why: "in the cluster's VPC" },
      {
        role: controller,
        action: "ec2:CreateTags",
        resource: securityGroup,
        context: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "Allowed",
        why: "tags on create",
      },
      {
        role: controller,
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: securityGroup,
        context: { ...owned(), "ec2:Vpc": vpcArn(VPC) },
        expect: "Allowed",
        why: "opens its own group",
      },
      {
        role: controller,
        action: "ec2:DeleteSecurityGroup",
        resource: securityGroup,
        context: { ...owned(), "ec2:Vpc": vpcArn(VPC) },
        expect: "Allowed",
        why: "deletes its own group",
      },
      {
        role: controller,
        action: "elasticloadbalancing:CreateLoadBalancer",
        resource: loadBalancer,
        context: { [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "Allowed",
        why: "creates a Service's load balancer, tagged",
      },
      {
        role: controller,
        action: "elasticloadbalancing:AddTags",
        resource: loadBalancer,
        context: { "elasticloadbalancing:CreateAction": "CreateLoadBalancer", [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "Allowed",
        why: "tags on create",
      },
      {
        role: controller,
        action: "elasticloadbalancing:RegisterTargets",
        resource: targetGroup,
        context: owned(),
        expect: "Allowed",
        why: "registers nodes in its own target group",
      },
      {
        role: controller,
        action: "elasticloadbalancing:DeleteLoadBalancer",
        resource: loadBalancer,
        context: owned(),
        expect: "Allowed",
        why: "deletes its own load balancer",
      },
    ]);
  });

  test("the cloud controller cannot tag, open or delete a security group or load balancer it did not create", async () => {
    const OTHER = "kubernetes.io/cluster/prod-a";
    await check([
      {
        role: controller,
        action: "ec2:CreateSecurityGroup",
        resource: securityGroup,
        expect: "ImplicitlyDenied",
        why: "an untagged group",
      },
      {
        role: controller,
        action: "ec2:CreateSecurityGroup",
        resource: vpcArn("vpc-0fffffffffffffff0"),
        expect: "ImplicitlyDenied",
        why: "a group in another VPC",
      },
      {
        role: controller,
        action: "ec2:CreateTags",
        resource: securityGroup,
        context: { [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "ImplicitlyDenied",
        why: "claims an existing untagged group",
      },
      {
        role: controller,
        action: "ec2:CreateTags",
        resource: securityGroup,
        context: { ...owned(OTHER), [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "ImplicitlyDenied",
        why: "claims another cluster's group",
      },
      {
        role: controller,
        action: "ec2:CreateTags",
        resource: securityGroup,
        context: { ...owned(), [`aws:RequestTag/${OTHER}`]: "owned", "aws:TagKeys": [OTHER] },
        expect: "ImplicitlyDenied",
        why: "re-tags its own group for another cluster",
      },
      {
        role: controller,
        action: "ec2:DeleteTags",
        resource: securityGroup,
        context: { ...owned(), "aws:TagKeys": [OURS] },
        expect: "ImplicitlyDenied",
        why: "removes an ownership tag",
      },
      {
        role: controller,
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: securityGroup,
        context: { "ec2:Vpc": vpcArn(VPC) },
        expect: "ImplicitlyDenied",
        why: "opens an untagged group",
      },
      {
        role: controller,
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: securityGroup,
        context: { ...owned(OTHER), "ec2:Vpc": vpcArn(VPC) },
        expect: "ImplicitlyDenied",
        why: "opens another cluster's group",
      },
      {
        role: controller,
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: securityGroup,
        context: { ...owned(), "ec2:Vpc": vpcArn("vpc-0fffffffffffffff0") },
        expect: "ImplicitlyDenied",
        why: "opens a group in another VPC",
      },
      {
        role: controller,
        action: "ec2:DeleteSecurityGroup",
        resource: securityGroup,
        context: { ...owned(OTHER), "ec2:Vpc": vpcArn(VPC) },
        expect: "ImplicitlyDenied",
        why: "deletes another cluster's group",
      },
      {
        role: controller,
        action: "elasticloadbalancing:AddTags",
        resource: loadBalancer,
        context: { [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "ImplicitlyDenied",
        why: "claims an existing load balancer",
      },
      {
        role: controller,
        action: "elasticloadbalancing:AddTags",
        resource: loadBalancer,
        context: { ...owned(OTHER), [`aws:RequestTag/${OURS}`]: "owned", "aws:TagKeys": [OURS] },
        expect: "ImplicitlyDenied",
        why: "claims another cluster's load balancer",
      },
      {
        role: controller,
        action: "elasticloadbalancing:AddTags",
        resource: loadBalancer,
        context: { ...owned(), [`aws:RequestTag/${OTHER}`]: "owned", "aws:TagKeys": [OTHER] },
        expect: "ImplicitlyDenied",
        why: "re-tags its own load balancer",
      },
      {
        role: controller,
        action: "elasticloadbalancing:CreateLoadBalancer",
        resource: loadBalancer,
        expect: "ImplicitlyDenied",
        why: "an untagged load balancer",
      },
      {
        role: controller,
        action: "elasticloadbalancing:DeleteLoadBalancer",
        resource: loadBalancer,
        context: owned(OTHER),
        expect: "ImplicitlyDenied",
        why: "deletes another cluster's load balancer",
      },
      {
        role: controller,
        action: "elasticloadbalancing:RegisterTargets",
        resource: targetGroup,
        expect: "ImplicitlyDenied",
        why: "registers into an untagged target group",
      },
      {
        role: controller,
        action: "elasticloadbalancing:ModifyListener",
        resource: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/net/x/0123456789abcdef/0123456789abcdef`,
        expect: "ImplicitlyDenied",
        why: "changes an untagged listener",
      },
    ]);
  });
});

describe("generation key policy", () => {
  const other = `arn:aws:iam::${ACCOUNT}:role/Administrator`;

  test("no other principal of the account may use the key, even with an allow-everything IAM policy", async () => {
    for (const [action, context] of [
      ["kms:Decrypt", viaSsm(param("a", "control-plane/certificate-key"))],
      ["kms:Decrypt", {}],
      ["kms:Encrypt", {}],
      ["kms:GenerateDataKey", viaS3(BUCKET_A)],
      ["kms:CreateGrant", {}],
    ] as const)
      expect({
        action,
        decision: await simulateOtherPrincipal(genA, { principalArn: other, identityAllowsAll: true, action, resource: KEY_A, context }),
      }).toEqual({
        action,
        decision: "ImplicitlyDenied",
      });
  });

  test("without a break-glass role, the account's administrators (and the deployer) administer the key but cannot use it", async () => {
    for (const principalArn of [other, DEPLOYER])
      for (const action of [
        "kms:PutKeyPolicy",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:ScheduleKeyDeletion",
      ])
        expect({
          principalArn,
          action,
          decision: await simulateOtherPrincipal(genA, { principalArn, identityAllowsAll: true, action, resource: KEY_A }),
        }).toEqual({
          principalArn,
          action,
          decision: "Allowed",
        });
    expect(
      await simulateOtherPrincipal(genA, { principalArn: DEPLOYER, identityAllowsAll: true, action: "kms:Decrypt", resource: KEY_A }),
    ).toBe("ImplicitlyDenied");
    expect(
      await simulateOtherPrincipal(genA, { principalArn: other, identityAllowsAll: true, action: "kms:CreateGrant", resource: KEY_A }),
    ).toBe("ImplicitlyDenied");
  });

  test("with a break-glass role, only it and the deployer administer the key", async () => {
    const doc = withCheapCaptures(() => synthClusters([definition({ keyAdministratorRoleArn: BREAK_GLASS })])).json("demo-a");
    const policies = policiesOf(doc, KEY_A);
    const decide = (principalArn: string, action: string) =>
      simulateOtherPrincipal(policies, { principalArn, identityAllowsAll: true, action, resource: KEY_A });
    expect(await decide(BREAK_GLASS, "kms:PutKeyPolicy")).toBe("Allowed");
    expect(await decide(DEPLOYER, "kms:PutKeyPolicy")).toBe("Allowed");
    expect(await decide(DEPLOYER, "kms:GetKeyRotationStatus")).toBe("Allowed");
    expect(await decide(other, "kms:PutKeyPolicy")).toBe("ImplicitlyDenied");
    expect(await decide(other, "kms:DescribeKey")).toBe("ImplicitlyDenied");
    expect(await decide(BREAK_GLASS, "kms:Decrypt")).toBe("ImplicitlyDenied");
  });

  test("the deployer uses the key only through S3 and EC2 (node configs, AMI copy), never through SSM", async () => {
    const deployer = (action: string, context: Record<string, string>) =>
      simulateOtherPrincipal(genA, { principalArn: DEPLOYER, identityAllowsAll: true, action, resource: KEY_A, context });
    expect(await deployer("kms:Encrypt", viaSsm(param("a", "join/token")))).toBe("ImplicitlyDenied");
    expect(await deployer("kms:Decrypt", viaSsm(param("a", "join/token")))).toBe("ImplicitlyDenied");
    expect(await deployer("kms:GenerateDataKey", viaS3(BUCKET_A))).toBe("Allowed");
    expect(
      await deployer("kms:CreateGrant", { "kms:ViaService": `ec2.${REGION}.amazonaws.com`, "kms:GrantIsForAWSResource": "true" }),
    ).toBe("Allowed");
    expect(await deployer("kms:CreateGrant", {})).toBe("ImplicitlyDenied");
    expect(await deployer("kms:Decrypt", {})).toBe("ImplicitlyDenied");
  });

  test("EC2 Auto Scaling's service-linked role can launch instances with volumes encrypted by the key", async () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"])
      expect({
        action,
        decision: await simulateOtherPrincipal(genA, { principalArn: slr, identityAllowsAll: false, action, resource: KEY_A }),
      }).toEqual({
        action,
        decision: "Allowed",
      });
    expect(
      await simulateOtherPrincipal(genA, {
        principalArn: slr,
        identityAllowsAll: false,
        action: "kms:CreateGrant",
        resource: KEY_A,
        context: { "kms:GrantIsForAWSResource": "true" },
      }),
    ).toBe("Allowed");
    expect(
      await simulateOtherPrincipal(genA, {
        principalArn: slr,
        identityAllowsAll: false,
        action: "kms:CreateGrant",
        resource: KEY_A,
        context: { "kms:GrantIsForAWSResource": "false" },
      }),
    ).toBe("ImplicitlyDenied");
    expect(
      await simulateOtherPrincipal(genA, { principalArn: slr, identityAllowsAll: false, action: "kms:PutKeyPolicy", resource: KEY_A }),
    ).toBe("ImplicitlyDenied");
  });
});

describe("node contract 1 (a generation frozen with 0.1.0's node configs)", () => {
  // Its nodes keep their join material in SecureString parameters they create: the key policy keeps their SSM grants.
  const contract1 = withCheapCaptures(() => {
    const outdir = mkdtempSync(join(tmpdir(), "contract-1-"));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "demo-a");
    new AwsProvider(stack, "aws", { region: REGION });
    new KubernetesCluster(stack, "cluster", { cluster: definition(), generationId: "a", nodeContract: 1 });
    app.synth();
    return policiesOf(JSON.parse(readFileSync(join(outdir, "stacks", "demo-a", "cdk.tf.json"), "utf8")) as TerraformJson, KEY_A);
  });

  test("its nodes still decrypt their join parameters through SSM; contract 2 nodes cannot", async () => {
    const row = (role: string, action: string, suffix: string) => ({
      role,
      action,
      resource: KEY_A,
      context: viaSsm(param("a", suffix)),
    });
    expect(await simulate(contract1, row(controller, "kms:Encrypt", "join/token"))).toBe("Allowed");
    expect(await simulate(contract1, row(controller, "kms:Decrypt", "join/token"))).toBe("Allowed");
    expect(await simulate(contract1, row(worker, "kms:Decrypt", "join/token"))).toBe("Allowed");
    expect(await simulate(genA, row(controller, "kms:Decrypt", "join/token"))).toBe("ImplicitlyDenied");
    expect(await simulate(genA, row(worker, "kms:Decrypt", "join/token"))).toBe("ImplicitlyDenied");
  });
});

test("no policy of a generation keeps an account wildcard in an ARN", () => {
  const doc = synthesized.json("demo-a");
  const policies = [
    ...Object.values(doc.resource.aws_iam_role_policy ?? {}).map((p) => p.policy as string),
    ...Object.values(doc.resource.aws_kms_key).map((k) => k.policy as string),
  ];
  for (const policy of policies) expect(policy).not.toMatch(/arn:aws:[a-z0-9-]+:[a-z0-9-]*:\*:/);
});

describe("day-two jobs (policy layer, etcd snapshots): controllers only", () => {
  test("a controller reads the policy layer, reports to state/, uploads snapshots encrypted by the generation key", async () => {
    await check([
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "policy/manifests.yaml"),
        expect: "Allowed",
        why: "reads the policy layer",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "state/policy-applied.json"),
        expect: "Allowed",
        why: "reports what it applied",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "state/etcd-snapshot-lease"),
        expect: "Allowed",
        why: "takes the snapshot lease",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "snapshots/20250101T120000Z.db"),
        expect: "Allowed",
        why: "uploads a snapshot",
      },
      {
        role: controller,
        action: "kms:GenerateDataKey",
        resource: KEY_A,
        context: viaS3(BUCKET_A),
        expect: "Allowed",
        why: "S3 encrypts the snapshot with the generation key",
      },
    ]);
  });

  test("a controller cannot read, list or delete snapshots, nor write the policy layer; workers get none of it", async () => {
    const rows: Row[] = [
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "snapshots/x.db"),
        expect: "ImplicitlyDenied",
        why: "read a snapshot",
      },
      {
        role: controller,
        action: "s3:DeleteObject",
        resource: object(BUCKET_A, "snapshots/x.db"),
        expect: "ImplicitlyDenied",
        why: "delete a snapshot",
      },
      {
        role: controller,
        action: "s3:ListBucket",
        resource: `arn:aws:s3:::${BUCKET_A}`,
        context: { "s3:prefix": "snapshots/" },
        expect: "ImplicitlyDenied",
        why: "list snapshots",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "policy/manifests.yaml"),
        expect: "ImplicitlyDenied",
        why: "rewrite the policy layer (Terraform's)",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_B, "snapshots/x.db"),
        expect: "ImplicitlyDenied",
        why: "upload into another generation's bucket",
      },
    ];
    for (const [action, key] of [
      ["s3:GetObject", "policy/manifests.yaml"],
      ["s3:PutObject", "snapshots/x.db"],
      ["s3:GetObject", "snapshots/x.db"],
      ["s3:PutObject", "state/policy-applied.json"],
    ])
      rows.push({ role: worker, action, resource: object(BUCKET_A, key), expect: "ImplicitlyDenied", why: `worker ${action} ${key}` });
    await check(rows);
  });
});

describe("restore into a fresh generation: the identity backup and restore/ objects", () => {
  test("a controller writes the identity bundle encrypted by the generation key and reads restore/; workers get neither", async () => {
    const rows: Row[] = [
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "control-plane/identity/bundle.tar"),
        expect: "Allowed",
        why: "backs the cluster identity up",
      },
      {
        role: controller,
        action: "kms:GenerateDataKey",
        resource: KEY_A,
        context: viaS3(BUCKET_A),
        expect: "Allowed",
        why: "S3 encrypts the bundle with the generation key",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "state/identity-backup.json"),
        expect: "Allowed",
        why: "records the hash of the bundle it uploaded",
      },
      ...["restore/manifest.json", "restore/snapshot.db", "restore/identity.tar"].map(
        (key): Row => ({
          role: controller,
          action: "s3:GetObject",
          resource: object(BUCKET_A, key),
          expect: "Allowed",
          why: `reads ${key}`,
        }),
      ),
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_A, "control-plane/identity/bundle.tar"),
        expect: "ImplicitlyDenied",
        why: "a node never reads the bundle back (the restore command does, with an operator's credentials)",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_A, "restore/manifest.json"),
        expect: "ImplicitlyDenied",
        why: "a node never writes restore/ (the restore command does)",
      },
      {
        role: controller,
        action: "s3:GetObject",
        resource: object(BUCKET_B, "restore/snapshot.db"),
        expect: "ImplicitlyDenied",
        why: "another generation's restore/",
      },
      {
        role: controller,
        action: "s3:PutObject",
        resource: object(BUCKET_B, "control-plane/identity/bundle.tar"),
        expect: "ImplicitlyDenied",
        why: "another generation's identity backup",
      },
    ];
    for (const [action, key] of [
      ["s3:GetObject", "control-plane/identity/bundle.tar"],
      ["s3:PutObject", "control-plane/identity/bundle.tar"],
      ["s3:GetObject", "restore/identity.tar"],
      ["s3:GetObject", "restore/snapshot.db"],
      ["s3:GetObject", "restore/manifest.json"],
    ])
      rows.push({ role: worker, action, resource: object(BUCKET_A, key), expect: "ImplicitlyDenied", why: `worker ${action} ${key}` });
    await check(rows);
  });
});

describe("cluster-autoscaler (controller role, on the control plane)", () => {
  // Generation a autoscales `general` and `batch` and keeps `fixed` at its size; b autoscales its own `batch`.
  const autoscaled = (id: string, weight: number) =>
    sampleGeneration({
      id,
      weight,
      workerPools: [
        { name: "general", autoscale: { min: 1, max: 6 } },
        { name: "batch", autoscale: { min: 0, max: 20 } },
        { name: "fixed", minSize: 1, maxSize: 3 },
      ],
    });
  const scaled = withCheapCaptures(() => synthClusters([sampleCluster({ generations: [autoscaled("a", 100), autoscaled("b", 0)] })]));
  const policies = policiesOf(scaled.json("demo-a"), KEY_A);
  const tagged = (gen: string) => ({
    "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
    [`aws:ResourceTag/k8s.io/cluster-autoscaler/demo-${gen}`]: "owned",
  });
  const SCALE = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];
  const run = async (rows: readonly Row[], on: GenerationPolicies = policies) => {
    const results = [];
    for (const row of rows) results.push({ why: `${row.action} ${row.why}`, decision: await simulate(on, row) });
    expect(results).toEqual(rows.map((row) => ({ why: `${row.action} ${row.why}`, decision: row.expect })));
  };

  test("scales its own generation's autoscaled pools and reads what discovery and templates need", async () => {
    const rows: Row[] = SCALE.flatMap((action) =>
      ["demo-a-general", "demo-a-batch"].map((name) => ({
        role: controller,
        action,
        resource: group(name),
        context: tagged("a"),
        expect: "Allowed" as const,
        why: `own autoscaled pool ${name}`,
      })),
    );
    for (const action of [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
    ])
      rows.push({ role: controller, action, resource: "*", expect: "Allowed", why: "discovery and node templates (upstream's policy)" });
    await run(rows);
  });

  test("never scales the control plane, a pool without autoscale, another generation's or another cluster's groups", async () => {
    const rows: Row[] = SCALE.flatMap((action) => [
      {
        role: controller,
        action,
        resource: group("demo-a-controllers"),
        context: {},
        expect: "ImplicitlyDenied" as const,
        why: "the control plane (no discovery tag)",
      },
      {
        role: controller,
        action,
        resource: group("demo-a-fixed"),
        context: {},
        expect: "ImplicitlyDenied" as const,
        why: "a pool without autoscale (untagged)",
      },
      {
        role: controller,
        action,
        resource: group("demo-b-batch"),
        context: tagged("b"),
        expect: "ImplicitlyDenied" as const,
        why: "generation b's pool",
      },
      {
        role: controller,
        action,
        resource: group("demo-b-batch"),
        context: tagged("a"),
        expect: "ImplicitlyDenied" as const,
        why: "a group outside the generation's names, even tagged for it",
      },
      {
        role: controller,
        action,
        resource: group("other-a-batch"),
        context: tagged("a"),
        expect: "ImplicitlyDenied" as const,
        why: "another cluster's group",
      },
      {
        role: controller,
        action,
        resource: group("demo-a-batch"),
        context: { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true" },
        expect: "ImplicitlyDenied" as const,
        why: "a group of ours tagged for discovery by any cluster but not this one",
      },
      {
        role: worker,
        action,
        resource: group("demo-a-batch"),
        context: tagged("a"),
        expect: "ImplicitlyDenied" as const,
        why: "a worker (the autoscaler runs on the control plane)",
      },
    ]);
    rows.push({
      role: controller,
      action: "autoscaling:CreateOrUpdateTags",
      resource: group("demo-a-fixed"),
      expect: "ImplicitlyDenied",
      why: "no node can tag a group into the autoscaler's reach",
    });
    await run(rows);
  });

  test("a generation without an autoscaled pool grants none of it", async () => {
    await run(
      SCALE.map((action) => ({
        role: controller,
        action,
        resource: group("demo-a-general"),
        context: tagged("a"),
        expect: "ImplicitlyDenied" as const,
        why: "no autoscaler runs",
      })),
      genA,
    );
    await run(
      [{ role: controller, action: "ec2:DescribeInstanceTypes", resource: "*", expect: "ImplicitlyDenied", why: "no autoscaler runs" }],
      genA,
    );
  });
});

describe("the cluster CA parameter (publish-ca.sh, ca-certificate-parameter.ts)", () => {
  test("controllers may overwrite exactly their generation's <ssm prefix>/ca-certificate; workers and others may not", async () => {
    await check([
      {
        role: controller,
        action: "ssm:PutParameter",
        resource: param("a", "ca-certificate"),
        expect: "Allowed",
        why: "publish-ca.sh publishes /etc/kubernetes/pki/ca.crt",
      },
      {
        role: worker,
        action: "ssm:PutParameter",
        resource: param("a", "ca-certificate"),
        expect: "ImplicitlyDenied",
        why: "a worker could replace the CA operators trust",
      },
      {
        role: controller,
        action: "ssm:PutParameter",
        resource: param("b", "ca-certificate"),
        expect: "ImplicitlyDenied",
        why: "another generation's CA",
      },
      {
        role: controller,
        action: "ssm:PutParameter",
        resource: param("a", "ca-certificate-2"),
        expect: "ImplicitlyDenied",
        why: "no other parameter under the prefix",
      },
      {
        role: controller,
        action: "ssm:DeleteParameter",
        resource: param("a", "ca-certificate"),
        expect: "ImplicitlyDenied",
        why: "publishing needs no delete",
      },
    ]);
  });
});
