// Owns the Prometheus server of the monitoring addon: ServiceAccount and read-only discovery RBAC, the scrape
// configuration, a single-replica StatefulSet (emptyDir or a PersistentVolumeClaim for the TSDB) and its Service.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { grantClusterRole } from "../common/rbac";
import { MONITORING_NAMESPACE, PROMETHEUS } from "./names";
import { renderPrometheusConfig } from "./prometheus-config";
import type { ResolvedMonitoringSettings } from "./settings";
import {
  componentLabels,
  componentSelector,
  httpProbe,
  imageTag,
  toResourceRequirements,
  unprivilegedContainerSecurity,
} from "./workload-defaults";

export interface PrometheusProps {
  /** The Kubernetes cluster name, added to every series as the `cluster` label. */
  readonly clusterName: string;
  /** Resolved `addons.monitoring.prometheus`. */
  readonly settings: ResolvedMonitoringSettings["prometheus"];
}

const NOBODY = 65534;

export class Prometheus extends Construct {
  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const { settings } = props;
    const name = PROMETHEUS.name;
    const labels = componentLabels(name, "monitoring", imageTag(settings.image));
    const meta = { name, namespace: MONITORING_NAMESPACE, labels };

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: false });
    grantClusterRole(this, {
      roleName: name,
      labels,
      rules: [
        { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        { nonResourceUrLs: ["/metrics"], verbs: ["get"] },
      ],
      serviceAccount: { name: name, namespace: MONITORING_NAMESPACE },
    });
    new k8s.KubeConfigMap(this, "config", {
      metadata: meta,
      data: { "prometheus.yml": renderPrometheusConfig({ clusterName: props.clusterName, scrapeInterval: settings.scrapeInterval }) },
    });
    new k8s.KubeService(this, "service", {
      metadata: meta,
      spec: {
        type: "ClusterIP",
        selector: componentSelector(name),
        ports: [
          {
            name: PROMETHEUS.portName,
            port: PROMETHEUS.port,
            targetPort: k8s.IntOrString.fromString(PROMETHEUS.portName),
            protocol: "TCP",
          },
        ],
      },
    });

    const persistent = settings.storage.storageClass !== undefined;
    new k8s.KubeStatefulSet(this, "stateful-set", {
      metadata: meta,
      spec: {
        serviceName: name,
        replicas: 1,
        podManagementPolicy: "OrderedReady",
        selector: { matchLabels: componentSelector(name) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // Kubernetes service discovery and the API server / kubelet scrapes authenticate with this token.
            automountServiceAccountToken: true,
            priorityClassName: "system-cluster-critical",
            terminationGracePeriodSeconds: 300,
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: {
              runAsUser: NOBODY,
              runAsGroup: NOBODY,
              runAsNonRoot: true,
              fsGroup: NOBODY,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                args: [
                  "--config.file=/etc/prometheus/prometheus.yml",
                  "--storage.tsdb.path=/prometheus",
                  `--storage.tsdb.retention.time=${settings.retention}`,
                  `--web.listen-address=:${PROMETHEUS.port}`,
                ],
                ports: [{ name: PROMETHEUS.portName, containerPort: PROMETHEUS.port, protocol: "TCP" }],
                resources: toResourceRequirements(settings.resources),
                // Replaying the WAL after a restart can take minutes: the startup probe gives it 10.
                startupProbe: httpProbe("/-/ready", PROMETHEUS.portName, {
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  failureThreshold: 60,
                }),
                readinessProbe: httpProbe("/-/ready", PROMETHEUS.portName, { initialDelaySeconds: 0, periodSeconds: 10 }),
                livenessProbe: httpProbe("/-/healthy", PROMETHEUS.portName, {
                  initialDelaySeconds: 0,
                  periodSeconds: 15,
                  failureThreshold: 4,
                }),
                securityContext: unprivilegedContainerSecurity(NOBODY),
                volumeMounts: [
                  { name: "config", mountPath: "/etc/prometheus", readOnly: true },
                  { name: "data", mountPath: "/prometheus" },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name } },
              // Without a StorageClass the TSDB lives on the node and is lost when the pod moves.
              ...(persistent ? [] : [{ name: "data", emptyDir: { sizeLimit: k8s.Quantity.fromString(settings.storage.size) } }]),
            ],
          },
        },
        volumeClaimTemplates: persistent
          ? [
              {
                metadata: { name: "data", labels: componentSelector(name) },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  storageClassName: settings.storage.storageClass,
                  resources: { requests: { storage: k8s.Quantity.fromString(settings.storage.size) } },
                },
              },
            ]
          : undefined,
      },
    });
  }
}
