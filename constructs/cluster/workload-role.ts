// Owns the IAM role of one Kubernetes service account (IAM roles for service accounts): trusted by the cluster's OIDC
// provider for exactly that service account's tokens (service-account-issuer-policies.ts workloadTrustPolicy), with the
// managed policies and the inline policy its definition names.
import { Construct } from "constructs";
import type { ServiceAccountIssuer } from "../definition/service-account-issuer";
import { workloadRoleName, type ServiceAccountDefinition } from "../definition/service-accounts";
import { IamRole, IamRolePolicy, IamRolePolicyAttachment } from "../platform/aws";
import { workloadTrustPolicy } from "./service-account-issuer-policies";

export interface WorkloadRoleProps {
  readonly issuer: ServiceAccountIssuer;
  /** The cluster's OIDC provider ARN. */
  readonly providerArn: string;
  readonly serviceAccount: ServiceAccountDefinition;
  readonly tags: Readonly<Record<string, string>>;
}

/** One workload role. */
export class WorkloadRole extends Construct {
  readonly roleName: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: WorkloadRoleProps) {
    super(scope, id);
    const { serviceAccount: account } = props;
    this.roleName = workloadRoleName(props.issuer.clusterName, account);
    const role = new IamRole(this, "role", {
      name: this.roleName,
      description: `Service account ${account.namespace}/${account.name} of Kubernetes cluster ${props.issuer.clusterName} (every generation)`,
      assumeRolePolicy: JSON.stringify(workloadTrustPolicy(props.issuer, props.providerArn, account.namespace, account.name)),
      tags: { ...props.tags, "immutable-clusters/service-account": `${account.namespace}.${account.name}` },
    });
    (account.policyArns ?? []).forEach((policyArn, i) => new IamRolePolicyAttachment(this, `managed-${i}`, { role: role.name, policyArn }));
    if (account.policy)
      new IamRolePolicy(this, "inline", {
        name: `${this.roleName}-inline`.slice(0, 128),
        role: role.name,
        policy: JSON.stringify(account.policy),
      });
    this.roleArn = role.arn;
  }
}
