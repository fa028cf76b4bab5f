// Owns the names of a logical cluster's service-account issuer, shared by all its generations (node contract 3 and
// later): the public S3 bucket that serves the OIDC discovery document and the JWKS at a stable URL, the issuer URL the
// API servers sign tokens with, the SecureString SSM parameter that keeps the signing key (created by the first
// control-plane node that finds none) and the cluster KMS key that encrypts it. Derived once here so the identity stack,
// the generation stacks, the node configs and the tests agree. docs/workload-identity.md explains the design.
import type { ClusterDefinition } from "./types";
import { shortHash } from "./resolve";

/** The audience of tokens exchanged with AWS STS: EKS's default client id (aws/amazon-eks-pod-identity-webhook SELF_HOSTED_SETUP.md, "Audiences"). */
export const STS_AUDIENCE = "sts.amazonaws.com";
/** Object keys of the two public documents (the OIDC discovery path and the JWKS name kOps and the webhook's self-hosted guide use). */
export const DISCOVERY_DOCUMENT_KEY = ".well-known/openid-configuration";
export const JWKS_KEY = "keys.json";

/** A cluster's service-account issuer, by name. */
export interface ServiceAccountIssuer {
  readonly clusterName: string;
  readonly region: string;
  /** The public issuer bucket, e.g. `prod-sa-issuer-1a2b3c4d`. */
  readonly bucketName: string;
  /** `https://<bucket>.s3.<region>.amazonaws.com`: the `iss` of every token of every generation of the cluster. */
  readonly url: string;
  /** The URL without `https://`: IAM's condition key prefix (`<host>:sub`, `<host>:aud`). */
  readonly host: string;
  /** `<url>/keys.json`, kube-apiserver's `--service-account-jwks-uri`. */
  readonly jwksUri: string;
  /** `/immutable-clusters-identity/<cluster>/service-account-signing-key`: the SecureString the nodes create once. */
  readonly signingKeyParameter: string;
  /** `alias/immutable-clusters/<cluster>/service-account-issuer`: the cluster key that encrypts the parameter. */
  readonly kmsAlias: string;
}

/**
 * The issuer of `cluster`. The bucket name is globally unique per region, VPC and cluster (like the node buckets),
 * and fixed for the cluster's life: its URL is in every workload role's trust policy.
 */
export function serviceAccountIssuer(cluster: Pick<ClusterDefinition, "name" | "region" | "network">): ServiceAccountIssuer {
  const bucketName = `${cluster.name}-sa-issuer-${shortHash(cluster.region, cluster.network.vpcId, cluster.name, "service-account-issuer")}`;
  // The bucket's virtual-hosted-style regional URL (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html):
  // HTTPS with a certificate of a public CA, which IAM needs of an OIDC provider to fetch the JWKS
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
  const host = `${bucketName}.s3.${cluster.region}.amazonaws.com`;
  const url = `https://${host}`;
  return {
    clusterName: cluster.name,
    region: cluster.region,
    bucketName,
    url,
    host,
    jwksUri: `${url}/${JWKS_KEY}`,
    // Outside /immutable-clusters/<cluster>/<gen>/, which each generation's nodes may write (node contract 1).
    signingKeyParameter: `/immutable-clusters-identity/${cluster.name}/service-account-signing-key`,
    kmsAlias: `alias/immutable-clusters/${cluster.name}/service-account-issuer`,
  };
}

/** The parameter's ARN (its name starts with "/", so none after "parameter"). */
export function signingKeyParameterArn(issuer: ServiceAccountIssuer, accountId: string): string {
  return `arn:aws:ssm:${issuer.region}:${accountId}:parameter${issuer.signingKeyParameter}`;
}

/**
 * The OIDC discovery document, with the fields and values kOps publishes to its S3 discovery store
 * (kubernetes/kops pkg/model/issuerdiscovery.go buildDiscoveryJSON, commit 0be79b25b74e5bec3ddd0907918605b39600e1dd)
 * and aws/amazon-eks-pod-identity-webhook SELF_HOSTED_SETUP.md writes; RS256 because kubeadm's sa.key is RSA (the
 * default encryptionAlgorithm, RSA-2048). Public: no secret in it.
 */
export function discoveryDocument(issuer: ServiceAccountIssuer): string {
  return (
    JSON.stringify(
      {
        issuer: issuer.url,
        jwks_uri: issuer.jwksUri,
        authorization_endpoint: "urn:kubernetes:programmatic_authorization",
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        claims_supported: ["sub", "iss"],
      },
      null,
      2,
    ) + "\n"
  );
}
