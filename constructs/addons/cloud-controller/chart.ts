// Owns the cloud-controller addon's manifests: the AWS cloud controller manager as a DaemonSet on the control-plane
// nodes (host network, node role credentials), its ServiceAccount and RBAC (upstream's superset-role variant).
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import {
  addonLabels,
  CONTROL_PLANE_NODE_SELECTOR,
  CONTROL_PLANE_TOLERATIONS,
  httpGetProbe,
  resources,
  restrictedSecurityContext,
} from "../common/workload";
import { cloudControllerImage, type ResolvedCloudControllerSettings } from "./settings";

export interface CloudControllerChartProps {
  /** The generation whose cluster name tags its AWS resources (`kubernetes.io/cluster/<fullName>`). */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.cloudController`. */
  readonly settings: ResolvedCloudControllerSettings;
}

const NAMESPACE = "kube-system";
const NAME = "aws-cloud-controller-manager";
const SERVICE_ACCOUNT = "cloud-controller-manager";
const CLUSTER_ROLE = "system:cloud-controller-manager";
/** cloud-controller-manager's default secure port (serves /healthz). */
const SECURE_PORT = 10258;

/** The command-line arguments of the cloud controller manager of a generation. */
export function cloudControllerArgs(generation: ResolvedGeneration): string[] {
  return [
    "--v=2",
    "--cloud-provider=aws",
    `--cluster-name=${generation.fullName}`,
    // Pod routing is Cilium's (VXLAN): no VPC route table entries per node.
    "--configure-cloud-routes=false",
    // One identity with the superset role instead of a token per controller.
    "--use-service-account-credentials=false",
    "--leader-elect=true",
    `--secure-port=${SECURE_PORT}`,
  ];
}

export class CloudControllerChart extends Chart {
  constructor(scope: Construct, id: string, props: CloudControllerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const image = cloudControllerImage(settings, generation.kubernetesVersion);
    const selector = { "k8s-app": NAME };
    const labels = addonLabels(NAME, "cloud-controller", image, selector);
    const rbac = "rbac.authorization.k8s.io";
    const subjects = [{ kind: "ServiceAccount", name: SERVICE_ACCOUNT, namespace: NAMESPACE }];

    new k8s.KubeServiceAccount(this, "service-account", {
      metadata: { name: SERVICE_ACCOUNT, namespace: NAMESPACE, labels },
      automountServiceAccountToken: true,
    });
    new k8s.KubeClusterRole(this, "cluster-role", {
      metadata: { name: CLUSTER_ROLE, labels },
      rules: [
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "patch", "update", "watch", "delete"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
        { apiGroups: [""], resources: ["services"], verbs: ["list", "patch", "update", "watch"] },
        { apiGroups: [""], resources: ["services/status"], verbs: ["patch", "update"] },
        { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] },
        { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "update", "watch"] },
        { apiGroups: [""], resources: ["endpoints"], verbs: ["create", "get", "list", "update", "watch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "list", "update", "watch"] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, "cluster-role-binding", {
      metadata: { name: CLUSTER_ROLE, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: CLUSTER_ROLE },
      subjects,
    });
    new k8s.KubeRoleBinding(this, "authentication-reader", {
      metadata: { name: "cloud-controller-manager:apiserver-authentication-reader", namespace: NAMESPACE, labels },
      roleRef: { apiGroup: rbac, kind: "Role", name: "extension-apiserver-authentication-reader" },
      subjects,
    });

    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-node-critical",
            serviceAccountName: SERVICE_ACCOUNT,
            automountServiceAccountToken: true,
            // The node role's credentials come from the instance metadata service, whose hop limit reaches only the host network.
            hostNetwork: true,
            dnsPolicy: "Default",
            nodeSelector: { ...CONTROL_PLANE_NODE_SELECTOR, "kubernetes.io/os": "linux" },
            tolerations: [
              ...CONTROL_PLANE_TOLERATIONS,
              { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
              { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image,
                imagePullPolicy: "IfNotPresent",
                args: cloudControllerArgs(generation),
                ports: [{ name: "https", containerPort: SECURE_PORT, protocol: "TCP" }],
                livenessProbe: httpGetProbe(
                  "/healthz",
                  SECURE_PORT,
                  { initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 3 },
                  { scheme: "HTTPS" },
                ),
                readinessProbe: httpGetProbe("/healthz", SECURE_PORT, { periodSeconds: 10, failureThreshold: 3 }, { scheme: "HTTPS" }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(65532),
              },
            ],
          },
        },
      },
    });
  }
}
