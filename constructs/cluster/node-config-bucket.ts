// Owns the generation's private S3 bucket for node configs (Ignition) and addon manifests: encrypted with the
// generation's key, versioned, public access blocked, TLS-only, and emptied on destroy (a generation is disposable).
// The bucket's `id` is read once: cdktf 0.21.0 makes a new token on every read of a resource attribute
// (lib/terraform-resource.ts getStringAttribute), each resolving to the same `${aws_s3_bucket.<id>.id}` (issue 17).
import { Construct } from "constructs";
import {
  S3Bucket,
  S3BucketLifecycleConfiguration,
  S3BucketOwnershipControls,
  S3BucketPolicy,
  S3BucketPublicAccessBlock,
  S3BucketServerSideEncryptionConfigurationA,
  S3BucketVersioningA,
  S3Object,
} from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";
import { dependsOnTokens } from "./depends-on-tokens";
import { NODE_CONTRACT } from "./node-contract";
import { nodeBucketObjectContent, nodeBucketObjectForm, type NodeBucketObjectForm, type Utf8Text } from "./node-bucket-object-content";

export interface NodeConfigBucketProps {
  readonly bucketName: string;
  /** KMS key that encrypts every object. */
  readonly kmsKeyArn: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * How the objects carry their text in the Terraform JSON (node-bucket-object-content.ts): a frozen generation keeps
   * the form of its node contract, so its deployed objects plan no change.
   * @default nodeBucketObjectForm(NODE_CONTRACT) (`content_base64`)
   */
  readonly objectForm?: NodeBucketObjectForm;
}

/** The bucket nodes read their configuration from at boot. */
export class NodeConfigBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  private readonly bucket: S3Bucket;
  /** The bucket's `id` token, read once (see the header): every resource of the bucket references it. */
  private readonly bucketId: string;
  private readonly ready: ITerraformDependable[];
  private readonly objectForm: NodeBucketObjectForm;

  constructor(scope: Construct, id: string, props: NodeConfigBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: true, tags: { ...props.tags } });
    this.bucketName = props.bucketName;
    this.objectForm = props.objectForm ?? nodeBucketObjectForm(NODE_CONTRACT);
    this.bucketArn = this.bucket.arn;
    this.bucketId = this.bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket: this.bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucketId,
      versioningConfiguration: { status: "Enabled" },
    });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }],
    });
    const policy = new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucketId,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${props.bucketName}`, `arn:aws:s3:::${props.bucketName}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
      dependsOn: [publicAccess],
    });
    this.ready = [publicAccess, ownership, versioning, encryption, policy];
  }

  /**
   * Deletes the objects under `prefix` `days` after they were written (etcd snapshots), and their noncurrent versions
   * (the bucket is versioned) a day after they became noncurrent, so a retention really removes the data.
   * aws_s3_bucket_lifecycle_configuration: https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/s3_bucket_lifecycle_configuration
   * (one per bucket; it needs versioning configured first on a versioned bucket).
   */
  expireObjects(prefix: string, days: number): S3BucketLifecycleConfiguration {
    const lifecycle = new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucketId,
      rule: [
        {
          id: `expire-${prefix.replace(/\/$/, "")}`,
          status: "Enabled",
          filter: [{ prefix }],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    // After versioning and the rest of the bucket's setup; the same tokens for every resource (depends-on-tokens.ts).
    lifecycle.dependsOn = dependsOnTokens(this.ready);
    return lifecycle;
  }

  /** ARN pattern of the objects under a key prefix, for IAM policies. */
  objectsArn(keyPattern: string): string {
    return `arn:aws:s3:::${this.bucketName}/${keyPattern}`;
  }

  /**
   * Stores a text object (written after the bucket's encryption and versioning are in place); `content` may carry the
   * text's UTF-8 bytes when the caller encoded them for another use too (a node config's pointer hash).
   */
  addObject(id: string, key: string, content: string | Utf8Text, contentType: string): S3Object {
    const object = new S3Object(this, id, {
      bucket: this.bucketId,
      key,
      // `content_base64`, or `content` escaped for Terraform's template syntax (node-bucket-object-content.ts).
      ...nodeBucketObjectContent(content, this.objectForm),
      contentType,
    });
    // Written after the bucket's encryption and versioning; the same tokens for every object (depends-on-tokens.ts).
    object.dependsOn = dependsOnTokens(this.ready);
    return object;
  }
}
