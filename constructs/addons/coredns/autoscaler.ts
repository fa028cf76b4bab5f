// Owns cluster-proportional-autoscaler for CoreDNS: its ServiceAccount, least-privilege RBAC, the `linear` parameters
// ConfigMap and the Deployment that resizes the coredns Deployment as nodes and cores come and go.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { grantClusterRole } from "../common/rbac";
import { addonLabels, resources, restrictedSecurityContext } from "../common/workload";
import type { ResolvedCoreDnsSettings } from "./settings";

export interface CoreDnsAutoscalerProps {
  readonly namespace: string;
  /** Name of the Deployment to scale. */
  readonly target: string;
  readonly settings: ResolvedCoreDnsSettings;
}

/** Name of the autoscaler's objects (and of its parameters ConfigMap). */
export const AUTOSCALER_NAME = "coredns-autoscaler";

/** The `linear` parameters as cluster-proportional-autoscaler reads them (a JSON string). */
export function linearParams(settings: ResolvedCoreDnsSettings): string {
  const a = settings.autoscaler;
  return JSON.stringify({
    coresPerReplica: a.coresPerReplica,
    nodesPerReplica: a.nodesPerReplica,
    min: settings.replicas.min,
    max: settings.replicas.max,
    preventSinglePointFailure: a.preventSinglePointFailure,
    includeUnschedulableNodes: a.includeUnschedulableNodes,
  });
}

export class CoreDnsAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: CoreDnsAutoscalerProps) {
    super(scope, id);
    const { namespace, target, settings } = props;
    const labels = addonLabels(AUTOSCALER_NAME, "coredns", settings.autoscaler.image, { "k8s-app": AUTOSCALER_NAME });
    const selector = { "k8s-app": AUTOSCALER_NAME };
    const meta = { name: AUTOSCALER_NAME, namespace, labels };

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: true });
    grantClusterRole(this, {
      roleName: `immutable-clusters:${AUTOSCALER_NAME}`,
      labels,
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] }],
      serviceAccount: { name: AUTOSCALER_NAME, namespace: namespace },
    });
    // Namespaced rights only: read its parameters, scale the one Deployment.
    new k8s.KubeRole(this, "role", {
      metadata: meta,
      rules: [
        { apiGroups: [""], resources: ["configmaps"], resourceNames: [AUTOSCALER_NAME], verbs: ["get", "update"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
        { apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: [target], verbs: ["get", "update"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "role-binding", {
      metadata: meta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: AUTOSCALER_NAME },
      subjects: [{ kind: "ServiceAccount", name: AUTOSCALER_NAME, namespace }],
    });
    new k8s.KubeConfigMap(this, "params", { metadata: meta, data: { linear: linearParams(settings) } });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: AUTOSCALER_NAME,
            automountServiceAccountToken: true,
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65534,
              runAsGroup: 65534,
              fsGroup: 65534,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "autoscaler",
                image: settings.autoscaler.image,
                imagePullPolicy: "IfNotPresent",
                // No health endpoint exists in cluster-proportional-autoscaler: instead of a probe it exits after
                // consecutive failed polls (--max-sync-failures) and the kubelet restarts it.
                command: [
                  "/cluster-proportional-autoscaler",
                  `--namespace=${namespace}`,
                  `--configmap=${AUTOSCALER_NAME}`,
                  `--target=deployment/${target}`,
                  `--default-params={"linear":${linearParams(settings)}}`,
                  "--max-sync-failures=3",
                  "--logtostderr=true",
                  "--v=2",
                ],
                resources: resources(settings.autoscaler.resources),
                securityContext: restrictedSecurityContext(65534),
              },
            ],
          },
        },
      },
    });
  }
}
