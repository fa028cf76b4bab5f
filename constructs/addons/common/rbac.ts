// Owns the RBAC shape every addon with cluster-wide reads repeats: a ClusterRole and the ClusterRoleBinding that grants
// it to the addon's ServiceAccount.
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";

export interface ClusterRoleGrant {
  /** Name of the ClusterRole and of its binding. */
  readonly roleName: string;
  readonly labels: Record<string, string>;
  readonly rules: k8s.PolicyRule[];
  /** The ServiceAccount the role is granted to. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

/** Adds the ClusterRole (`cluster-role`) and its binding to the ServiceAccount (`cluster-role-binding`) under `scope`. */
export function grantClusterRole(scope: Construct, grant: ClusterRoleGrant): void {
  const metadata = { name: grant.roleName, labels: grant.labels };
  new k8s.KubeClusterRole(scope, "cluster-role", { metadata, rules: grant.rules });
  new k8s.KubeClusterRoleBinding(scope, "cluster-role-binding", {
    metadata,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: grant.roleName },
    subjects: [{ kind: "ServiceAccount", name: grant.serviceAccount.name, namespace: grant.serviceAccount.namespace }],
  });
}
