// Owns the generation's bootstrap SSM parameters, pre-created by Terraform with a placeholder value so that they belong
// to the generation's state: `terraform destroy` of a generation removes them, and a generation deployed again under
// the same id starts from placeholders, never from an earlier deploy's token or key. The nodes overwrite the values
// (PutParameter Overwrite=true, files/bin/bootstrap-lib.sh); Terraform ignores the value from then on.
import { Construct } from "constructs";
import { SsmParameter } from "../platform/aws";

/** The value every bootstrap parameter has until a node publishes the real one (the scripts treat it as "absent"). */
export const UNPUBLISHED = "unpublished";

/** Names (below the generation's SSM prefix) of the parameters the nodes exchange; the node-side contract. */
export const BOOTSTRAP_PARAMETERS = {
  /** The worker/controller bootstrap token (SecureString, generation key). Workers may read it. */
  joinToken: "join/token",
  /** When the published token expires, RFC 3339 UTC (String). Controllers only. */
  joinTokenExpiry: "join/token-expiry",
  /** kubeadm's discovery hash of the cluster CA, `sha256:<hex>` (String). Workers may read it. */
  joinCaCertHash: "join/ca-cert-hash",
  /** The key that decrypts the uploaded control-plane certificates (SecureString, generation key). Controllers only. */
  controlPlaneCertificateKey: "control-plane/certificate-key",
  /**
   * The kube-apiserver Secrets encryption key (32 random bytes, base64; SecureString, generation key). Made once by the
   * node that runs `kubeadm init`, read by every joining control-plane node. Controllers only.
   */
  controlPlaneSecretsEncryptionKey: "control-plane/secrets-encryption-key",
} as const;

/** The bootstrap parameters that hold secrets: SecureString, encrypted with the generation's key. */
export const SECURE_BOOTSTRAP_PARAMETERS: readonly string[] = [
  BOOTSTRAP_PARAMETERS.joinToken,
  BOOTSTRAP_PARAMETERS.controlPlaneCertificateKey,
  BOOTSTRAP_PARAMETERS.controlPlaneSecretsEncryptionKey,
];

export interface BootstrapParametersProps {
  /** The generation's SSM prefix, e.g. `/immutable-clusters/prod/a` (no trailing slash). */
  readonly ssmPrefix: string;
  /** The KMS key (id, ARN or alias) that encrypts the SecureString parameters: the generation's bootstrap key. */
  readonly kmsKeyId: string;
  /** The generation's full name, e.g. `prod-a`, for the descriptions. */
  readonly generationName: string;
  /**
   * Tags of every parameter.
   * @default - no tags
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The bootstrap parameters of one generation, with placeholder values the nodes overwrite. */
export class BootstrapParameters extends Construct {
  /** Full parameter names by their role in the contract. */
  readonly names: { readonly [K in keyof typeof BOOTSTRAP_PARAMETERS]: string };
  /** The parameter resources, for dependencies (nodes must not boot before the parameters exist). */
  readonly parameters: SsmParameter[];

  constructor(scope: Construct, id: string, props: BootstrapParametersProps) {
    super(scope, id);
    const prefix = props.ssmPrefix.replace(/\/+$/, "");
    const secure = new Set<string>(SECURE_BOOTSTRAP_PARAMETERS);
    const names = {} as Record<keyof typeof BOOTSTRAP_PARAMETERS, string>;
    this.parameters = [];
    for (const [role, suffix] of Object.entries(BOOTSTRAP_PARAMETERS) as Array<[keyof typeof BOOTSTRAP_PARAMETERS, string]>) {
      const name = `${prefix}/${suffix}`;
      names[role] = name;
      this.parameters.push(
        new SsmParameter(this, suffix.replace(/\//g, "-"), {
          name,
          // SecureString with a customer key: aws_ssm_parameter `type` and `key_id`
          // (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ssm_parameter).
          type: secure.has(suffix) ? "SecureString" : "String",
          ...(secure.has(suffix) ? { keyId: props.kmsKeyId } : {}),
          value: UNPUBLISHED,
          description: `Bootstrap ${suffix} of ${props.generationName}: placeholder "${UNPUBLISHED}" until a node publishes it`,
          // The nodes own the value once they publish it; Terraform must not put the placeholder back on the next apply
          // (lifecycle ignore_changes: https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle).
          lifecycle: { ignoreChanges: ["value"] },
          tags: { ...(props.tags ?? {}) },
        }),
      );
    }
    this.names = names;
  }
}
