// Owns `<cluster>-identity`, the stack of a logical cluster's workload identity, which outlives every generation: the
// service-account issuer (public discovery bucket, cluster KMS key, IAM OIDC provider) and one IAM role per
// `serviceAccounts` entry. Deploy it before a generation of node contract 3 or later: its key policy names the
// controllers of exactly those generations, and their nodes publish the JWKS into its bucket (docs/workload-identity.md).
import { Construct } from "constructs";
import { DeployingAccount } from "../cluster/deploying-account";
import { ServiceAccountIssuerResources } from "../cluster/service-account-issuer-resources";
import { WorkloadRole } from "../cluster/workload-role";
import { serviceAccountIssuer, type ServiceAccountIssuer } from "../definition/service-account-issuer";
import { IDENTITY_STACK_SUFFIX } from "../definition/service-accounts";
import type { ClusterDefinition } from "../definition/types";
import { parsedDefinition } from "../definition/parsed-definitions";
import { AwsProvider } from "../platform/aws";
import { ResolveOnceStack } from "../platform/resolve-once-stack";
import { TerraformOutput } from "../platform/terraform";
import { configureStateBackend } from "./state-backend";

/** `<cluster>-identity`: the name of a cluster's identity stack. */
export function identityStackName(clusterName: string): string {
  return `${clusterName}-${IDENTITY_STACK_SUFFIX}`;
}

export interface IdentityStackProps {
  readonly cluster: ClusterDefinition;
  /**
   * The generations whose control plane signs with the cluster issuer (node contract 3 and later): their controller
   * roles may create and read the signing key. Frozen generations of older contracts keep their own issuer.
   */
  readonly issuingGenerations: readonly string[];
}

/** The cluster-wide issuer and workload roles. */
export class IdentityStack extends ResolveOnceStack {
  readonly issuer: ServiceAccountIssuer;
  readonly resources: ServiceAccountIssuerResources;
  /** One role per service account, keyed `<namespace>/<name>`, in definition order. */
  readonly roles: ReadonlyMap<string, WorkloadRole>;

  constructor(scope: Construct, props: IdentityStackProps) {
    const cluster = parsedDefinition(props.cluster);
    const name = identityStackName(cluster.name);
    super(scope, name);
    new AwsProvider(this, "aws", { region: cluster.region });
    configureStateBackend(this, name, cluster);
    this.issuer = serviceAccountIssuer(cluster);
    const tags = { ...(cluster.tags ?? {}), "immutable-clusters/cluster": cluster.name };
    const account = new DeployingAccount(this, "account");
    this.resources = new ServiceAccountIssuerResources(this, "issuer", {
      issuer: this.issuer,
      keyPolicy: {
        region: cluster.region,
        accountId: account.accountId,
        deployerArn: account.deployerArn,
        breakGlassAdminRoleArn: cluster.keyAdministratorRoleArn,
        controllerRoleArns: props.issuingGenerations.map((id) => `arn:aws:iam::${account.accountId}:role/${cluster.name}-${id}-controller`),
      },
      tags,
    });
    const roles = new Map<string, WorkloadRole>();
    for (const serviceAccount of cluster.serviceAccounts ?? []) {
      const key = `${serviceAccount.namespace}/${serviceAccount.name}`;
      roles.set(
        key,
        new WorkloadRole(this, `service-account-${serviceAccount.namespace}-${serviceAccount.name}`, {
          issuer: this.issuer,
          providerArn: this.resources.providerArn,
          serviceAccount,
          tags,
        }),
      );
    }
    this.roles = roles;
    new TerraformOutput(this, "issuer_url", { value: this.issuer.url, description: "Service-account issuer of every generation" });
    new TerraformOutput(this, "oidc_provider_arn", { value: this.resources.providerArn, description: "IAM OIDC provider of the issuer" });
    new TerraformOutput(this, "workload_role_arns", {
      value: Object.fromEntries([...roles].map(([key, role]) => [key, role.roleArn])),
      description: "IAM role ARN of each service account (namespace/name)",
    });
  }
}
