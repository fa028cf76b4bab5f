// Owns the monitoring addon's manifests: the `monitoring` namespace (Pod Security `restricted`) with Prometheus,
// kube-state-metrics and (optionally) Grafana, node-exporter in a `privileged` namespace of its own, and the
// NetworkPolicies that keep Prometheus and Grafana reachable only from where they must be; each a file of its own.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { Grafana } from "./grafana";
import { KubeStateMetrics } from "./kube-state-metrics";
import { MONITORING_NAMESPACE, NODE_EXPORTER_NAMESPACE } from "./names";
import { addMonitoringNetworkPolicies } from "./network-policies";
import { NodeExporter } from "./node-exporter";
import { Prometheus } from "./prometheus";
import type { ResolvedMonitoringSettings } from "./settings";

export interface MonitoringChartProps {
  /** The generation being monitored. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.monitoring` (every default filled in by monitoringSettingsSchema). */
  readonly settings: ResolvedMonitoringSettings;
}

export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const namespaceLabels = (name: string, level: "restricted" | "privileged") => ({
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/managed-by": "immutable-clusters",
      "pod-security.kubernetes.io/enforce": level,
      "pod-security.kubernetes.io/audit": level,
      "pod-security.kubernetes.io/warn": level,
    });
    // Prometheus, Grafana and kube-state-metrics run as non-root with no privilege: the restricted profile.
    new k8s.KubeNamespace(this, "namespace", {
      metadata: { name: MONITORING_NAMESPACE, labels: namespaceLabels(MONITORING_NAMESPACE, "restricted") },
    });
    // node-exporter needs the host network, PID namespace and hostPath mounts: privileged, in a namespace of its own.
    new k8s.KubeNamespace(this, "node-exporter-namespace", {
      metadata: { name: NODE_EXPORTER_NAMESPACE, labels: namespaceLabels(NODE_EXPORTER_NAMESPACE, "privileged") },
    });
    new Prometheus(this, "prometheus", { clusterName: generation.fullName, settings: settings.prometheus });
    new NodeExporter(this, "node-exporter", { settings: settings.nodeExporter });
    new KubeStateMetrics(this, "kube-state-metrics", { settings: settings.kubeStateMetrics });
    if (settings.grafana.enabled)
      new Grafana(this, "grafana", { settings: settings.grafana, scrapeInterval: settings.prometheus.scrapeInterval });
    addMonitoringNetworkPolicies(this, settings.grafana.enabled);
  }
}
