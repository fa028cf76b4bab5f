// Owns the logging addon's manifests: the `logging` namespace and fluent-bit as a DaemonSet on every node (its
// ConfigMap, ServiceAccount, read-only RBAC on pods and namespaces, metrics Service), buffering on the node's disk.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import { grantClusterRole } from "../common/rbac";
import { PROMETHEUS_PEER } from "../monitoring/network-policies";
import { allowIngress, denyAllIngress } from "../network-policy";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { componentLabels, componentSelector, httpProbe, imageTag, toResourceRequirements } from "../monitoring/workload-defaults";
import { FLUENT_BIT_ENV, FLUENT_BIT_HTTP_PORT, FLUENT_BIT_PATHS, renderFluentBitConfig } from "./fluent-bit-config";
import type { ResolvedLoggingSettings } from "./settings";

export interface LoggingChartProps {
  /** The generation whose nodes ship their logs. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.logging` (every default filled in by loggingSettingsSchema). */
  readonly settings: ResolvedLoggingSettings;
}

/** The namespace all logging objects live in. */
export const LOGGING_NAMESPACE = "logging";
const NAME = "fluent-bit";

/** fluent-bit as a node-level log shipper; one pod per node, on every node whatever its taints. */
export class LoggingChart extends Chart {
  constructor(scope: Construct, id: string, props: LoggingChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const labels = componentLabels(NAME, "logging", imageTag(settings.image));
    const meta = (name: string) => ({ name, namespace: LOGGING_NAMESPACE, labels });

    new k8s.KubeNamespace(this, "namespace", {
      metadata: { name: LOGGING_NAMESPACE, labels: { ...labels, "app.kubernetes.io/name": LOGGING_NAMESPACE, ...podSecurityLabels() } },
    });
    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta(NAME), automountServiceAccountToken: false });
    grantClusterRole(this, {
      roleName: NAME,
      labels,
      rules: [{ apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] }],
      serviceAccount: { name: NAME, namespace: LOGGING_NAMESPACE },
    });
    new k8s.KubeConfigMap(this, "config", {
      metadata: meta(NAME),
      data: { "fluent-bit.conf": renderFluentBitConfig(settings, { clusterName: generation.fullName, region: generation.region }) },
    });
    new k8s.KubeService(this, "service", {
      metadata: meta(NAME),
      spec: {
        type: "ClusterIP",
        selector: componentSelector(NAME),
        ports: [{ name: "http", port: FLUENT_BIT_HTTP_PORT, targetPort: k8s.IntOrString.fromString("http"), protocol: "TCP" }],
      },
    });
    this.addDaemonSet(settings, labels);
    // No ingress but Prometheus scraping the metrics port (with the host network, as for CloudWatch, the policy selects nothing).
    denyAllIngress(this, LOGGING_NAMESPACE, labels);
    allowIngress(this, "fluent-bit-from-prometheus", {
      namespace: LOGGING_NAMESPACE,
      labels,
      podLabels: componentSelector(NAME),
      ports: [FLUENT_BIT_HTTP_PORT],
      from: [PROMETHEUS_PEER],
    });
  }

  private addDaemonSet(settings: ResolvedLoggingSettings, labels: Record<string, string>): void {
    // CloudWatch (and OpenSearch with AWS auth) sign with the node role: IMDSv2's hop limit of 1 only answers the host network.
    const usesNodeIdentity = settings.output.type === "cloudwatch" || (settings.output.type === "opensearch" && settings.output.awsAuth);
    const env: k8s.EnvVar[] = [{ name: FLUENT_BIT_ENV.nodeName, valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }];
    const out = settings.output;
    if ((out.type === "elasticsearch" || out.type === "opensearch") && out.credentialsSecret) {
      const secret = out.credentialsSecret;
      env.push(
        { name: FLUENT_BIT_ENV.searchUser, valueFrom: { secretKeyRef: { name: secret.name, key: secret.usernameKey } } },
        { name: FLUENT_BIT_ENV.searchPassword, valueFrom: { secretKeyRef: { name: secret.name, key: secret.passwordKey } } },
      );
    }
    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: { name: NAME, namespace: LOGGING_NAMESPACE, labels },
      spec: {
        selector: { matchLabels: componentSelector(NAME) },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString("10%") } },
        template: {
          metadata: {
            labels,
            annotations: {
              "prometheus.io/scrape": "true",
              "prometheus.io/port": String(FLUENT_BIT_HTTP_PORT),
              "prometheus.io/path": "/api/v2/metrics/prometheus",
            },
          },
          spec: {
            serviceAccountName: NAME,
            // The kubernetes filter reads pod metadata from the API server with this token.
            automountServiceAccountToken: true,
            priorityClassName: "system-node-critical",
            tolerations: [{ operator: "Exists" }],
            hostNetwork: usesNodeIdentity,
            dnsPolicy: usesNodeIdentity ? "ClusterFirstWithHostNet" : "ClusterFirst",
            terminationGracePeriodSeconds: 30,
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                command: ["/fluent-bit/bin/fluent-bit"],
                args: ["--config", `${FLUENT_BIT_PATHS.config}/fluent-bit.conf`],
                env,
                ports: [{ name: "http", containerPort: FLUENT_BIT_HTTP_PORT, protocol: "TCP" }],
                resources: toResourceRequirements(settings.resources),
                livenessProbe: httpProbe("/api/v1/health", "http", { initialDelaySeconds: 10, periodSeconds: 30, failureThreshold: 3 }),
                readinessProbe: httpProbe("/", "http", { initialDelaySeconds: 5, periodSeconds: 10 }),
                // Root only to read the root-owned pod logs under /var/log/pods and write its state directory on the node;
                // no capabilities, no privilege escalation, read-only image filesystem.
                securityContext: {
                  runAsUser: 0,
                  runAsGroup: 0,
                  runAsNonRoot: false,
                  privileged: false,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [
                  { name: "config", mountPath: FLUENT_BIT_PATHS.config, readOnly: true },
                  { name: "varlog", mountPath: FLUENT_BIT_PATHS.logs, readOnly: true },
                  { name: "state", mountPath: FLUENT_BIT_PATHS.state },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: NAME } },
              { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
              { name: "state", hostPath: { path: "/var/lib/fluent-bit", type: "DirectoryOrCreate" } },
            ],
          },
        },
      },
    });
  }
}

/** fluent-bit needs hostPath volumes and (with CloudWatch) the host network: the namespace is `privileged`. */
function podSecurityLabels(): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": "privileged",
    "pod-security.kubernetes.io/audit": "privileged",
    "pod-security.kubernetes.io/warn": "privileged",
  };
}
