// Owns the key policy of a generation's KMS key: who may administer it and who may use it for what. Nothing is granted
// to every principal of the account: each use is named by the exact principal ARN, the AWS service it goes through
// and (where the service sets one) the encryption context. docs/security.md gives the reason of every statement.
import { NODE_CONTRACT } from "./node-contract";

/** What the key policy is built from. */
export interface BootstrapKeyPolicyScope {
  readonly region: string;
  /** The account that owns the key (the caller-identity data source in a stack, a literal in tests). */
  readonly accountId: string;
  /**
   * The IAM principal that runs Terraform for this stack (the issuer of its session: a role or user ARN). It keeps
   * key administration, or the next plan could not even read the key, and AWS refuses a policy that would lock the
   * caller out (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key).
   */
  readonly deployerArn: string;
  /**
   * A role that administers the key in an emergency, instead of the account root.
   * @default undefined (the account root administers the key: any principal whose IAM policy allows kms administration)
   */
  readonly breakGlassAdminRoleArn?: string;
  /** Role ARN of the control-plane nodes. */
  readonly controllerRoleArn: string;
  /** Role ARN of the workers. */
  readonly workerRoleArn: string;
  /** The generation's SSM prefix, e.g. `/immutable-clusters/prod/a` (node contract 1 keeps its join material there). */
  readonly ssmPrefix: string;
  /** The generation's node bucket. */
  readonly bucketName: string;
  /**
   * The node contract of the generation's node configs (node-contract.ts). Contract 1 nodes keep their join material in
   * SecureString parameters encrypted with this key, so their roles keep using it through SSM; contract 2 nodes publish
   * it as objects of the node bucket and use the key only through S3.
   * @default NODE_CONTRACT
   */
  readonly nodeContract?: number;
}

/** One key policy statement. */
export interface KeyPolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal: { readonly AWS: string | readonly string[] } | "*";
  readonly Action: readonly string[];
  readonly Resource: "*";
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/**
 * Key administration without use, spelled out: AWS's default administrator statement
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-administrators)
 * uses `kms:Create*`, which also matches kms:CreateGrant, a way to hand oneself decryption; this list leaves it out.
 * Terraform's aws_kms_key reads DescribeKey, GetKeyPolicy, GetKeyRotationStatus and ListResourceTags on every plan
 * (hashicorp/terraform-provider-aws internal/service/kms/key.go findKeyInfo, at 00a35305).
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/**
 * What EC2 Auto Scaling's service-linked role needs to launch instances with volumes encrypted by a customer key:
 * "Required AWS KMS key policy for use with encrypted volumes",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export const AUTO_SCALING_VOLUME_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
] as const;

/** The service-linked role EC2 Auto Scaling launches instances with (same page as above). */
export const autoScalingServiceRoleArn = (accountId: string) =>
  `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

/** The key policy document of a generation key. */
export function bootstrapKeyPolicy(scope: BootstrapKeyPolicyScope): { Version: "2012-10-17"; Statement: KeyPolicyStatement[] } {
  const account = { AWS: `arn:aws:iam::${scope.accountId}:root` };
  // "The account, restricted to one principal ARN": the named principal also needs its own IAM policy to allow the
  // call, and KMS does not require the principal to exist when the policy is set (a role ARN as Principal must).
  const only = (...arns: string[]) => ({ ArnEquals: { "aws:PrincipalArn": arns.length === 1 ? arns[0] : arns } });
  const via = (service: "ssm" | "s3" | "ec2") => `${service}.${scope.region}.amazonaws.com`;
  const nodesUseSsm = (scope.nodeContract ?? NODE_CONTRACT) === 1;
  const parameterArn = (suffix: string) => `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${scope.ssmPrefix}/${suffix}`;
  const bucketArn = `arn:aws:s3:::${scope.bucketName}`;

  const administration: KeyPolicyStatement = scope.breakGlassAdminRoleArn
    ? {
        Sid: "NamedAdministratorsManageKey",
        Effect: "Allow",
        Principal: account,
        Action: [...KEY_ADMINISTRATION_ACTIONS],
        Resource: "*",
        Condition: only(scope.deployerArn, scope.breakGlassAdminRoleArn),
      }
    : {
        Sid: "AccountAdministratorsManageKey",
        Effect: "Allow",
        Principal: account,
        Action: [...KEY_ADMINISTRATION_ACTIONS],
        Resource: "*",
      };

  return {
    Version: "2012-10-17",
    Statement: [
      administration,
      ...(scope.breakGlassAdminRoleArn
        ? []
        : [
            {
              // Explicit even though the account statement covers it, so that it stays when a break-glass role is set.
              Sid: "DeployerManagesKey",
              Effect: "Allow" as const,
              Principal: account,
              Action: [...KEY_ADMINISTRATION_ACTIONS],
              Resource: "*" as const,
              Condition: only(scope.deployerArn),
            },
          ]),
      {
        // Terraform uploads the node configs to the bucket and copies the Flatcar AMI with encrypted snapshots: each only
        // through that service. Not through SSM: no parameter Terraform manages is encrypted with this key (the nodes'
        // material is in the bucket; the ingress parameter is a plain String). The same grant lets the deployer run
        // `immutable-clusters restore` (apps/commands/restore.ts): S3 decrypts the old generation's snapshot and identity
        // bundle and encrypts their copies in the new generation's restore/ with its key. No other principal may: another
        // operator needs a statement added by a key administrator (the deployer, or breakGlassAdminRoleArn), with
        // kms:PutKeyPolicy (docs/operations.md, "Restore into a fresh generation").
        Sid: "DeployerUsesKeyThroughServices",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: { ...only(scope.deployerArn), StringEquals: { "kms:ViaService": [via("s3"), via("ec2")] } },
      },
      {
        Sid: "DeployerGrantsForEncryptedSnapshots",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:CreateGrant"],
        Resource: "*",
        Condition: {
          ...only(scope.deployerArn),
          StringEquals: { "kms:ViaService": via("ec2") },
          Bool: { "kms:GrantIsForAWSResource": "true" },
        },
      },
      ...(nodesUseSsm
        ? [
            {
              // Node contract 1 only: its nodes' SecureString join parameters (SSM puts the parameter ARN in the
              // encryption context: https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html).
              Sid: "ControllersUseKeyForBootstrapParameters",
              Effect: "Allow" as const,
              Principal: account,
              Action: ["kms:Encrypt", "kms:Decrypt"],
              Resource: "*" as const,
              Condition: {
                ...only(scope.controllerRoleArn),
                StringEquals: { "kms:ViaService": via("ssm") },
                StringLike: { "kms:EncryptionContext:PARAMETER_ARN": [parameterArn("join/*"), parameterArn("control-plane/*")] },
              },
            },
            {
              Sid: "WorkersDecryptJoinToken",
              Effect: "Allow" as const,
              Principal: account,
              Action: ["kms:Decrypt"],
              Resource: "*" as const,
              Condition: {
                ...only(scope.workerRoleArn),
                StringEquals: { "kms:ViaService": via("ssm"), "kms:EncryptionContext:PARAMETER_ARN": parameterArn("join/token") },
              },
            },
          ]
        : []),
      {
        // Both roles read their configs, and workers the join token and CA hash, controllers also the control-plane
        // secrets: S3 decrypts for them. With the bucket's S3 Bucket Key the encryption context is the bucket ARN for
        // every object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html), so which objects a role
        // reads is decided by its s3:GetObject resources (node-policies.ts), not here.
        Sid: "NodesDecryptNodeBucket",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:Decrypt"],
        Resource: "*",
        Condition: {
          ...only(scope.controllerRoleArn, scope.workerRoleArn),
          StringEquals: { "kms:ViaService": via("s3") },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
        },
      },
      {
        // Controllers write the bootstrap objects (join/*, control-plane/*) and the coordination objects (state/*).
        Sid: "ControllersWriteNodeBucketObjects",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:GenerateDataKey"],
        Resource: "*",
        Condition: {
          ...only(scope.controllerRoleArn),
          StringEquals: { "kms:ViaService": via("s3"), "kms:EncryptionContext:aws:s3:arn": bucketArn },
        },
      },
      {
        // Principal "*" narrowed to the exact service-linked role ARN: AWS refuses a key policy naming a role that does
        // not exist yet, and this role only appears with the account's first autoscaling group.
        Sid: "AutoScalingUsesKeyForVolumes",
        Effect: "Allow",
        Principal: "*",
        Action: [...AUTO_SCALING_VOLUME_ACTIONS],
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalArn": autoScalingServiceRoleArn(scope.accountId) } },
      },
      {
        Sid: "AutoScalingGrantsForVolumes",
        Effect: "Allow",
        Principal: "*",
        Action: ["kms:CreateGrant"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:PrincipalArn": autoScalingServiceRoleArn(scope.accountId) },
          Bool: { "kms:GrantIsForAWSResource": "true" },
        },
      },
    ],
  };
}
