// Owns every IAM document of a cluster's service-account issuer (docs/workload-identity.md): the issuer bucket's policy
// (anyone may read exactly the discovery document and the JWKS, nothing else, over TLS only), the cluster key's policy
// (the controller roles of the cluster's issuing generations may use it through SSM only), the controllers' own
// statements (node contract 3: create or read the signing-key parameter, publish the JWKS) and a workload role's trust
// policy (a web-identity token of one service account, for STS). Kept together so the names they share cannot drift.
import {
  DISCOVERY_DOCUMENT_KEY,
  JWKS_KEY,
  STS_AUDIENCE,
  signingKeyParameterArn,
  type ServiceAccountIssuer,
} from "../definition/service-account-issuer";
import type { KeyPolicyStatement } from "./bootstrap-key-policy";
import { KEY_ADMINISTRATION_ACTIONS } from "./bootstrap-key-policy";
import type { PolicyStatement } from "./node-identity";

/** The KMS actions SSM performs with the caller's identity for a SecureString: Encrypt on PutParameter, Decrypt on GetParameter. */
const SSM_SECURE_STRING_ACTIONS = ["kms:Encrypt", "kms:Decrypt"] as const;

/**
 * The issuer bucket's policy. Public read of exactly the two documents STS fetches (the OIDC discovery document and the
 * JWKS it points to, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html); no list,
 * no other key; every request over TLS (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).
 */
export function issuerBucketPolicy(issuer: ServiceAccountIssuer): object {
  const bucket = `arn:aws:s3:::${issuer.bucketName}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublicIssuerDocuments",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: [`${bucket}/${DISCOVERY_DOCUMENT_KEY}`, `${bucket}/${JWKS_KEY}`],
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket, `${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** What the cluster key's policy is built from. */
export interface IssuerKeyPolicyScope {
  readonly region: string;
  readonly accountId: string;
  /** The principal running Terraform (keeps administration; see bootstrap-key-policy.ts). */
  readonly deployerArn: string;
  /** The break-glass key administrator instead of the account root. @default undefined */
  readonly breakGlassAdminRoleArn?: string;
  /** Role ARNs of the controllers that may create and read the signing key: those of the issuing generations. */
  readonly controllerRoleArns: readonly string[];
}

/**
 * The cluster key's policy: administration as for a generation key (no use), and use through SSM only by the listed
 * controller roles (the account root as principal restricted to those exact ARNs, so each also needs its own IAM
 * statement, issuerControllerStatements). Workers, workload roles and other clusters' controllers are not listed.
 * SSM calls KMS Encrypt (PutParameter) and Decrypt (GetParameter) as the caller for a standard SecureString
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html).
 */
export function issuerKeyPolicy(scope: IssuerKeyPolicyScope): { Version: "2012-10-17"; Statement: KeyPolicyStatement[] } {
  const account = { AWS: `arn:aws:iam::${scope.accountId}:root` };
  const administrators = scope.breakGlassAdminRoleArn ? [scope.deployerArn, scope.breakGlassAdminRoleArn] : undefined;
  const statements: KeyPolicyStatement[] = [
    {
      Sid: administrators ? "NamedAdministratorsManageKey" : "AccountAdministratorsManageKey",
      Effect: "Allow",
      Principal: account,
      Action: [...KEY_ADMINISTRATION_ACTIONS],
      Resource: "*",
      ...(administrators ? { Condition: { ArnEquals: { "aws:PrincipalArn": administrators } } } : {}),
    },
  ];
  if (scope.controllerRoleArns.length > 0)
    statements.push({
      Sid: "IssuingControllersUseKeyThroughSsm",
      Effect: "Allow",
      Principal: account,
      Action: [...SSM_SECURE_STRING_ACTIONS],
      Resource: "*",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": [...scope.controllerRoleArns] },
        StringEquals: { "kms:ViaService": `ssm.${scope.region}.amazonaws.com` },
      },
    });
  return { Version: "2012-10-17", Statement: statements };
}

/** Where a generation's controllers reach the cluster's issuer (node contract 3). */
export interface IssuerControllerScope {
  readonly region: string;
  readonly accountId: string;
  readonly issuer: ServiceAccountIssuer;
}

/**
 * Node contract 3 controllers: create the signing-key parameter if absent (PutParameter without Overwrite, a
 * conditional create) and read it; use the cluster key through SSM (the key is found by its alias:
 * kms:ResourceAliases, https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases);
 * read and write the JWKS object (a read-merge-write, so keys of the other generations stay published). Nothing else
 * of the bucket: the discovery document is Terraform's.
 */
export function issuerControllerStatements(scope: IssuerControllerScope): PolicyStatement[] {
  return [
    {
      Sid: "ServiceAccountSigningKey",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:PutParameter"],
      Resource: [signingKeyParameterArn(scope.issuer, scope.accountId)],
    },
    {
      Sid: "ServiceAccountSigningKeyEncryption",
      Effect: "Allow",
      Action: [...SSM_SECURE_STRING_ACTIONS],
      Resource: [`arn:aws:kms:${scope.region}:${scope.accountId}:key/*`],
      Condition: {
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": [scope.issuer.kmsAlias] },
        StringEquals: { "kms:ViaService": `ssm.${scope.region}.amazonaws.com` },
      },
    },
    {
      Sid: "PublishServiceAccountJwks",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [`arn:aws:s3:::${scope.issuer.bucketName}/${JWKS_KEY}`],
    },
  ];
}

/** The OIDC provider's ARN in an account: `arn:aws:iam::<account>:oidc-provider/<issuer host>`. */
export function oidcProviderArn(issuer: ServiceAccountIssuer, accountId: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${issuer.host}`;
}

/**
 * A workload role's trust policy: AssumeRoleWithWebIdentity by a token of the cluster's issuer whose `sub` is exactly
 * this service account and whose `aud` is STS's, the conditions EKS documents for IRSA
 * (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html; condition keys `<issuer
 * host>:sub` and `:aud`, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 * Every generation signs with the same issuer, so the policy holds for all of them.
 */
export function workloadTrustPolicy(issuer: ServiceAccountIssuer, providerArn: string, namespace: string, name: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer.host}:sub`]: `system:serviceaccount:${namespace}:${name}`,
            [`${issuer.host}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ],
  };
}
