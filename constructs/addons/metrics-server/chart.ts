// Owns the metrics-server addon's manifests, after upstream's components.yaml (high-availability overlay): RBAC incl.
// the aggregated reader role, the Deployment (secure port, InternalIP to kubelets), its Service, PDB and the APIService,
// plus the approver of the kubelets' serving certificates it verifies.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import { addonLabels, httpGetProbe, resources, restrictedSecurityContext } from "../common/workload";
import type { ResolvedGeneration } from "../../definition/resolve";
import { KubeletServingApprover } from "./kubelet-serving-approver";
import type { ResolvedMetricsServerSettings } from "./settings";

export interface MetricsServerChartProps {
  /** The generation whose nodes' serving certificates the approver accepts. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.metricsServer`. */
  readonly settings: ResolvedMetricsServerSettings;
}

const NAMESPACE = "kube-system";
const NAME = "metrics-server";
const SECURE_PORT = 10250;

export class MetricsServerChart extends Chart {
  constructor(scope: Construct, id: string, props: MetricsServerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const selector = { "k8s-app": NAME };
    const labels = addonLabels(NAME, NAME, settings.image, selector);
    const meta = { name: NAME, namespace: NAMESPACE, labels };
    const rbac = "rbac.authorization.k8s.io";

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: true });
    new k8s.KubeClusterRole(this, "aggregated-reader", {
      metadata: {
        name: "system:aggregated-metrics-reader",
        labels: {
          ...labels,
          "rbac.authorization.k8s.io/aggregate-to-view": "true",
          "rbac.authorization.k8s.io/aggregate-to-edit": "true",
          "rbac.authorization.k8s.io/aggregate-to-admin": "true",
        },
      },
      rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
    });
    new k8s.KubeClusterRole(this, "cluster-role", {
      metadata: { name: "system:metrics-server", labels },
      rules: [
        { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "auth-reader", {
      metadata: { name: "metrics-server-auth-reader", namespace: NAMESPACE, labels },
      roleRef: { apiGroup: rbac, kind: "Role", name: "extension-apiserver-authentication-reader" },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
    });
    new k8s.KubeClusterRoleBinding(this, "auth-delegator", {
      metadata: { name: "metrics-server:system:auth-delegator", labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
    });
    new k8s.KubeClusterRoleBinding(this, "cluster-role-binding", {
      metadata: { name: "system:metrics-server", labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: "system:metrics-server" },
      subjects: [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }],
    });

    const args = [
      "--cert-dir=/tmp",
      `--secure-port=${SECURE_PORT}`,
      "--kubelet-preferred-address-types=InternalIP",
      "--kubelet-use-node-status-port",
      `--metric-resolution=${settings.metricResolution}`,
      settings.insecureKubeletTls
        ? "--kubelet-insecure-tls"
        : "--kubelet-certificate-authority=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
    ];
    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        replicas: settings.replicas,
        revisionHistoryLimit: 3,
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
        },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            nodeSelector: { "kubernetes.io/os": "linux" },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" } },
                ],
              },
            },
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                args,
                ports: [{ name: "https", containerPort: SECURE_PORT, protocol: "TCP" }],
                readinessProbe: httpGetProbe(
                  "/readyz",
                  "https",
                  { initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 },
                  { scheme: "HTTPS" },
                ),
                livenessProbe: httpGetProbe("/livez", "https", { periodSeconds: 10, failureThreshold: 3 }, { scheme: "HTTPS" }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(1000),
                volumeMounts: [{ name: "tmp-dir", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp-dir", emptyDir: { sizeLimit: k8s.Quantity.fromString("16Mi") } }],
          },
        },
      },
    });
    new k8s.KubeService(this, "service", {
      metadata: meta,
      spec: {
        type: "ClusterIP",
        selector,
        ports: [{ name: "https", port: 443, targetPort: k8s.IntOrString.fromString("https"), protocol: "TCP" }],
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: meta,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
    new k8s.KubeApiService(this, "api-service", {
      metadata: { name: "v1beta1.metrics.k8s.io", labels },
      spec: {
        service: { name: NAME, namespace: NAMESPACE, port: 443 },
        group: "metrics.k8s.io",
        version: "v1beta1",
        // metrics-server serves a self-signed certificate it generates in --cert-dir, as upstream ships it.
        insecureSkipTlsVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    if (settings.approveKubeletServingCertificates) {
      new KubeletServingApprover(this, "kubelet-serving-approver", { generation, namespace: NAMESPACE, image: settings.approverImage });
    }
  }
}
