// Owns the SSM parameter in which a generation publishes its cluster CA certificate for kubeconfigs
// (`<ssm prefix>/ca-certificate`, a plain String): Terraform creates it with a placeholder, the control-plane nodes
// overwrite it with /etc/kubernetes/pki/ca.crt (constructs/ignition/files/bin/publish-ca.sh) and Terraform ignores the
// value from then on. A CA certificate is public information, so Terraform state holding it is harmless; the operator
// reading it needs ssm:GetParameter on this one ARN (docs/operations.md). Its name and the controllers' one write
// permission live here too, so the three cannot drift apart.
import { Construct } from "constructs";
import { SsmParameter } from "../platform/aws";
import type { PolicyStatement } from "./node-identity";

/** The parameter's value until a control-plane node published the CA (never a PEM, so readers can tell). */
export const CA_CERTIFICATE_PLACEHOLDER = "pending: published by the first control-plane node after kubeadm init";

/** `<ssm prefix>/ca-certificate`, e.g. `/immutable-clusters/prod/b/ca-certificate`. */
export function caCertificateParameterName(ssmPrefix: string): string {
  return `${ssmPrefix}/ca-certificate`;
}

/** Where the parameter is, for ARNs. */
export interface CaCertificateParameterScope {
  readonly region: string;
  readonly accountId: string;
  readonly ssmPrefix: string;
}

/** The parameter's ARN (the name starts with "/", so no "/" after "parameter"). */
export function caCertificateParameterArn(scope: CaCertificateParameterScope): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${caCertificateParameterName(scope.ssmPrefix)}`;
}

/**
 * Control-plane nodes only: overwrite exactly this parameter (ssm_put in aws-api.sh sends PutParameter with
 * Overwrite=true; https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html). No read, no
 * delete: the script keeps a local hash of what it published, and the parameter goes with the stack.
 */
export function caPublishingStatement(scope: CaCertificateParameterScope): PolicyStatement {
  return { Sid: "PublishClusterCa", Effect: "Allow", Action: ["ssm:PutParameter"], Resource: [caCertificateParameterArn(scope)] };
}

export interface CaCertificateParameterProps {
  /** The generation's SSM prefix, e.g. `/immutable-clusters/prod/b`. */
  readonly ssmPrefix: string;
  /** The generation's full name, for the description. */
  readonly clusterFullName: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The pre-created `<ssm prefix>/ca-certificate` parameter (see the file header). */
export class CaCertificateParameter extends Construct {
  /** The parameter's name. */
  public readonly parameterName: string;

  constructor(scope: Construct, id: string, props: CaCertificateParameterProps) {
    super(scope, id);
    this.parameterName = caCertificateParameterName(props.ssmPrefix);
    new SsmParameter(this, "parameter", {
      name: this.parameterName,
      type: "String",
      // Standard tier: up to 4 KB (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html);
      // a kubeadm CA certificate (RSA 2048 or ECDSA P-256, PEM) is about 1.1 KB.
      tier: "Standard",
      description: `Cluster CA certificate (PEM) of ${props.clusterFullName}, published by its control-plane nodes; read by immutable-clusters kubeconfig`,
      value: CA_CERTIFICATE_PLACEHOLDER,
      tags: { ...props.tags },
      // The nodes own the value once published; a plan must never put the placeholder back.
      lifecycle: { ignoreChanges: ["value"] },
    });
  }
}
