// Owns the monitoring addon's manifests: the `monitoring` namespace with Prometheus, node-exporter,
// kube-state-metrics and (optionally) Grafana, each a construct of its own file.
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { Grafana } from "./grafana";
import { KubeStateMetrics } from "./kube-state-metrics";
import { MONITORING_NAMESPACE } from "./names";
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
    new k8s.KubeNamespace(this, "namespace", {
      metadata: {
        name: MONITORING_NAMESPACE,
        labels: {
          "app.kubernetes.io/name": MONITORING_NAMESPACE,
          "app.kubernetes.io/managed-by": "immutable-clusters",
          // node-exporter needs the host network, PID namespace and hostPath mounts.
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/audit": "privileged",
          "pod-security.kubernetes.io/warn": "privileged",
        },
      },
    });
    new Prometheus(this, "prometheus", { clusterName: generation.fullName, settings: settings.prometheus });
    new NodeExporter(this, "node-exporter", { settings: settings.nodeExporter });
    new KubeStateMetrics(this, "kube-state-metrics", { settings: settings.kubeStateMetrics });
    if (settings.grafana.enabled)
      new Grafana(this, "grafana", { settings: settings.grafana, scrapeInterval: settings.prometheus.scrapeInterval });
  }
}
