// Owns the AWS resources of a logical cluster's service-account issuer, shared by its generations: the public issuer
// bucket (only the discovery document and the JWKS readable by anyone; SSE-S3, since STS reads them anonymously and an
// SSE-KMS object cannot be read without KMS rights), the discovery document, the cluster KMS key that encrypts the
// signing-key parameter the nodes create, and the IAM OIDC provider. Terraform never creates or reads the signing key:
// a managed parameter's value would be in its state (docs/workload-identity.md).
import { Construct } from "constructs";
import { discoveryDocument, DISCOVERY_DOCUMENT_KEY, STS_AUDIENCE, type ServiceAccountIssuer } from "../definition/service-account-issuer";
import {
  IamOpenidConnectProvider,
  KmsAlias,
  KmsKey,
  S3Bucket,
  S3BucketOwnershipControls,
  S3BucketPolicy,
  S3BucketPublicAccessBlock,
  S3BucketServerSideEncryptionConfigurationA,
  S3Object,
} from "../platform/aws";
import { issuerBucketPolicy, issuerKeyPolicy, type IssuerKeyPolicyScope } from "./service-account-issuer-policies";

export interface ServiceAccountIssuerResourcesProps {
  readonly issuer: ServiceAccountIssuer;
  /** Who administers the cluster key and which controller roles may use it. */
  readonly keyPolicy: IssuerKeyPolicyScope;
  readonly tags: Readonly<Record<string, string>>;
}

/** The issuer bucket, its discovery document, the cluster key and the OIDC provider. */
export class ServiceAccountIssuerResources extends Construct {
  /** The OIDC provider's ARN, the Federated principal of every workload role. */
  readonly providerArn: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: ServiceAccountIssuerResourcesProps) {
    super(scope, id);
    const { issuer } = props;
    // force_destroy: the JWKS the nodes wrote is no Terraform object; destroying the identity stack (the cluster's end) removes it.
    const bucket = new S3Bucket(this, "bucket", { bucket: issuer.bucketName, forceDestroy: true, tags: { ...props.tags } });
    // Public only through the bucket policy: ACLs stay blocked and ignored, object ownership enforced (no ACLs at all);
    // the policy may be public (block_public_policy and restrict_public_buckets off), as
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html describes.
    // The bucket's `id` read once: cdktf 0.21.0 makes a new token per read of an attribute (lib/terraform-resource.ts
    // getStringAttribute), all resolving to the same reference (issue 17).
    const bucketId = bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket: bucketId,
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    const ownership = new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const policy = new S3BucketPolicy(this, "public-documents", {
      bucket: bucketId,
      policy: JSON.stringify(issuerBucketPolicy(issuer)),
      dependsOn: [publicAccess],
    });
    new S3Object(this, "discovery-document", {
      bucket: bucketId,
      key: DISCOVERY_DOCUMENT_KEY,
      content: discoveryDocument(issuer),
      contentType: "application/json",
      dependsOn: [publicAccess, ownership, encryption, policy],
    });
    const key = new KmsKey(this, "key", {
      description: `Service-account signing key parameter of Kubernetes cluster ${issuer.clusterName} (all generations)`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: JSON.stringify(issuerKeyPolicy(props.keyPolicy)),
      tags: { ...props.tags },
    });
    new KmsAlias(this, "key-alias", { name: issuer.kmsAlias, targetKeyId: key.keyId });
    // No thumbprint: thumbprint_list is optional in hashicorp/aws 5.100.0 (the generated binding's `thumbprintList?`), and
    // "Amazon Web Services secures communication with OIDC identity providers (IdPs) using our library of trusted root
    // certificate authorities (CAs) to verify the JSON Web Key Set (JWKS) endpoint's TLS certificate" (IAM API reference,
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html); S3's is such a certificate.
    const provider = new IamOpenidConnectProvider(this, "provider", {
      url: issuer.url,
      clientIdList: [STS_AUDIENCE],
      tags: { ...props.tags },
    });
    this.providerArn = provider.arn;
    this.keyArn = key.arn;
  }
}
