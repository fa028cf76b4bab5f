// Owns the generation's KMS key (and alias) that encrypts the bootstrap SecureString parameters and node configs.
import { Construct } from "constructs";
import { KmsAlias, KmsKey } from "../platform/aws";

export interface BootstrapKeyProps {
  /** Alias name, e.g. `alias/immutable-clusters/prod-a`. */
  readonly alias: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A customer-managed KMS key with rotation on, named by a stable alias. */
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
      tags: { ...props.tags },
    });
    new KmsAlias(this, "alias", { name: props.alias, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.alias = props.alias;
  }
}
