// Owns the generation's KMS key (and alias) that encrypts the bootstrap SecureString parameters, node configs and node
// root volumes, with its explicit key policy (constructs/cluster/bootstrap-key-policy.ts).
import { Construct } from "constructs";
import { KmsAlias, KmsKey } from "../platform/aws";
import { bootstrapKeyPolicy, type BootstrapKeyPolicyScope } from "./bootstrap-key-policy";

export interface BootstrapKeyProps {
  /** Alias name, e.g. `alias/immutable-clusters/prod-a`. */
  readonly alias: string;
  readonly description: string;
  /** Who administers and who uses the key, and through which services. */
  readonly policy: BootstrapKeyPolicyScope;
  readonly tags: Readonly<Record<string, string>>;
}

/** A customer-managed KMS key with rotation on, named by a stable alias, usable only as its key policy says. */
export class BootstrapKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  readonly alias: string;

  constructor(scope: Construct, id: string, props: BootstrapKeyProps) {
    super(scope, id);
    const key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      // The key policy replaces AWS's default one, which gives the account root kms:* (every principal whose IAM
      // policy allows it): https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
      policy: JSON.stringify(bootstrapKeyPolicy(props.policy)),
      tags: { ...props.tags },
    });
    // `keyId` read once: cdktf 0.21.0 makes a new token per read of an attribute (lib/terraform-resource.ts
    // getStringAttribute), all resolving to the same reference (issue 17).
    this.keyId = key.keyId;
    new KmsAlias(this, "alias", { name: props.alias, targetKeyId: this.keyId });
    this.keyArn = key.arn;
    this.alias = props.alias;
  }
}
