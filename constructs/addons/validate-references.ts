// Owns the cross-object checks of a generation's addon objects: unique kind/namespace/name, namespaces that exist,
// Service selectors that match a pod template, ServiceAccounts that exist, and bindings whose roles exist.

/** A synthesized Kubernetes object, as plain data. */
export type KubeObject = Readonly<Record<string, unknown>>;

/** One cross-object problem: the object it concerns and what is wrong. */
export interface ReferenceProblem {
  readonly object: KubeObject;
  readonly message: string;
}

/** Namespaces every cluster has before any addon is applied. */
export const BUILT_IN_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * ClusterRoles the API server bootstraps (kube-apiserver's RBAC bootstrap policy): bindings may name them without
 * creating them. Kept explicit and short: only those an addon can sensibly bind.
 */
export const BUILT_IN_CLUSTER_ROLES: readonly string[] = [
  "cluster-admin",
  "admin",
  "edit",
  "view",
  "system:auth-delegator",
  "system:monitoring",
  "system:public-info-viewer",
  "system:discovery",
  "system:basic-user",
];

/** Namespaced Roles the API server bootstraps, as `namespace/name`. */
export const BUILT_IN_ROLES: readonly string[] = ["kube-system/extension-apiserver-authentication-reader"];

/** Cluster-scoped kinds (every other kind the addons use is namespaced). */
const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "StorageClass",
  "IngressClass",
  "APIService",
  "CustomResourceDefinition",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "PersistentVolume",
  // Custom resources the gateway addon ships (their CRDs declare `scope: Cluster`).
  "GatewayClass",
  "CiliumClusterwideNetworkPolicy",
]);

/** Service accounts every namespace has (created by the service account controller). */
const IMPLICIT_SERVICE_ACCOUNTS = new Set(["default"]);

type Labels = Readonly<Record<string, string>>;
interface PodTemplate {
  readonly owner: KubeObject;
  readonly namespace: string;
  readonly labels: Labels;
  readonly serviceAccountName: string;
}

const metadataOf = (o: KubeObject) => (o.metadata ?? {}) as { name?: string; namespace?: string; labels?: Labels };
const specOf = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;

/** Whether objects of this kind live in a namespace. */
export function isNamespaced(kind: unknown): boolean {
  return !CLUSTER_SCOPED_KINDS.has(String(kind));
}

/** `Kind namespace/name` or `Kind name`: how problems name an object. */
export function objectRef(o: KubeObject): string {
  const { name, namespace } = metadataOf(o);
  return `${String(o.kind)} ${namespace ? `${namespace}/` : ""}${name ?? "(no name)"}`;
}

/** The pod template of a workload object (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, Pod). */
export function podTemplateOf(o: KubeObject): { metadata?: { labels?: Labels }; spec?: Record<string, unknown> } | undefined {
  const spec = specOf(o);
  switch (o.kind) {
    case "Pod":
      return { metadata: metadataOf(o), spec };
    case "Deployment":
    case "DaemonSet":
    case "StatefulSet":
    case "ReplicaSet":
    case "Job":
      return spec.template as ReturnType<typeof podTemplateOf>;
    case "CronJob":
      return ((spec.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec?.template ?? undefined) as ReturnType<
        typeof podTemplateOf
      >;
    default:
      return undefined;
  }
}

function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template = podTemplateOf(owner);
    if (!template) return [];
    const namespace = metadataOf(owner).namespace ?? "default";
    const serviceAccountName = (template.spec?.serviceAccountName as string | undefined) ?? "default";
    return [{ owner, namespace, labels: template.metadata?.labels ?? {}, serviceAccountName }];
  });
}

/** No two objects share kind, namespace and name (they would overwrite each other on apply). */
export function duplicateProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const seen = new Set<string>();
  const problems: ReferenceProblem[] = [];
  for (const o of objects) {
    const key = objectRef(o);
    if (seen.has(key))
      problems.push({ object: o, message: "is defined more than once (same kind, namespace and name); rename one of them" });
    seen.add(key);
  }
  return problems;
}

/** Every namespaced object has a namespace that exists; cluster-scoped objects have none. */
export function namespaceProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const namespaces = new Set([...BUILT_IN_NAMESPACES, ...objects.filter((o) => o.kind === "Namespace").map((o) => metadataOf(o).name)]);
  return objects.flatMap((o) => {
    const { namespace } = metadataOf(o);
    if (!isNamespaced(o.kind)) {
      return namespace ? [{ object: o, message: `is cluster-scoped but sets metadata.namespace "${namespace}"; remove it` }] : [];
    }
    if (!namespace)
      return [{ object: o, message: "has no metadata.namespace; set it explicitly (apply must not depend on the kubeconfig context)" }];
    return namespaces.has(namespace)
      ? []
      : [{ object: o, message: `is in namespace "${namespace}", which no manifest creates and is not built in; add the Namespace` }];
  });
}

/** Every Service with a selector selects at least one pod template in its namespace. */
export function serviceSelectorProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const templates = podTemplates(objects);
  return objects
    .filter((o) => o.kind === "Service")
    .flatMap((service) => {
      const selector = specOf(service).selector as Labels | undefined;
      if (!selector || Object.keys(selector).length === 0) return [];
      const namespace = metadataOf(service).namespace ?? "default";
      const matches = templates.some((t) => t.namespace === namespace && Object.entries(selector).every(([k, v]) => t.labels[k] === v));
      return matches
        ? []
        : [
            {
              object: service,
              message: `selector ${JSON.stringify(selector)} matches no pod template in namespace "${namespace}"; fix the selector or the pod labels`,
            },
          ];
    });
}

/** Every ServiceAccount a pod template names exists in the workload's namespace. */
export function serviceAccountProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const accounts = new Set(
    objects.filter((o) => o.kind === "ServiceAccount").map((o) => `${metadataOf(o).namespace}/${metadataOf(o).name}`),
  );
  return podTemplates(objects).flatMap((t) =>
    IMPLICIT_SERVICE_ACCOUNTS.has(t.serviceAccountName) || accounts.has(`${t.namespace}/${t.serviceAccountName}`)
      ? []
      : [
          {
            object: t.owner,
            message: `names serviceAccountName "${t.serviceAccountName}", which does not exist in namespace "${t.namespace}"; add the ServiceAccount`,
          },
        ],
  );
}

/** Every RoleBinding/ClusterRoleBinding names a role that exists (in the manifests or built into the API server). */
export function roleBindingProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const clusterRoles = new Set([
    ...BUILT_IN_CLUSTER_ROLES,
    ...objects.filter((o) => o.kind === "ClusterRole").map((o) => metadataOf(o).name),
  ]);
  const roles = new Set([
    ...BUILT_IN_ROLES,
    ...objects.filter((o) => o.kind === "Role").map((o) => `${metadataOf(o).namespace}/${metadataOf(o).name}`),
  ]);
  return objects
    .filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")
    .flatMap((binding) => {
      const roleRef = (binding.roleRef ?? {}) as { kind?: string; name?: string };
      if (roleRef.kind === "ClusterRole") {
        return clusterRoles.has(roleRef.name)
          ? []
          : [
              {
                object: binding,
                message: `roleRef names ClusterRole "${roleRef.name}", which no manifest creates and is not built in; add it or fix the name`,
              },
            ];
      }
      if (roleRef.kind === "Role" && binding.kind === "RoleBinding") {
        const key = `${metadataOf(binding).namespace}/${roleRef.name}`;
        return roles.has(key)
          ? []
          : [
              {
                object: binding,
                message: `roleRef names Role "${key}", which no manifest creates and is not built in; add it or fix the name`,
              },
            ];
      }
      return [
        {
          object: binding,
          message: `roleRef kind "${roleRef.kind}" is not allowed here (a ${binding.kind} binds a ${binding.kind === "RoleBinding" ? "Role or ClusterRole" : "ClusterRole"})`,
        },
      ];
    });
}

/** Every ServiceAccount a binding grants to exists (a grant to a missing account is a typo that silently grants nothing). */
export function bindingSubjectProblems(objects: readonly KubeObject[]): ReferenceProblem[] {
  const accounts = new Set(
    objects.filter((o) => o.kind === "ServiceAccount").map((o) => `${metadataOf(o).namespace}/${metadataOf(o).name}`),
  );
  return objects
    .filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")
    .flatMap((binding) =>
      ((binding.subjects ?? []) as { kind?: string; name?: string; namespace?: string }[])
        .filter((s) => s.kind === "ServiceAccount")
        .map((s) => `${s.namespace ?? metadataOf(binding).namespace}/${s.name}`)
        .filter((key) => !accounts.has(key))
        .map((key) => ({
          object: binding,
          message: `grants to ServiceAccount "${key}", which no manifest creates; add it or fix the subject`,
        })),
    );
}

/** Every cross-object check, in a stable order. */
export const REFERENCE_CHECKS = [
  duplicateProblems,
  namespaceProblems,
  serviceSelectorProblems,
  serviceAccountProblems,
  roleBindingProblems,
  bindingSubjectProblems,
] as const;
