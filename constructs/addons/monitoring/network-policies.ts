// Owns the monitoring namespace's NetworkPolicies: no ingress by default; Prometheus only from Grafana (its data
// source), kube-state-metrics only from Prometheus. Grafana gets no allow at all: people reach it with
// `kubectl port-forward`, which the kubelet connects inside the pod and no NetworkPolicy sees. node-exporter runs on the
// host network, which NetworkPolicies do not select (docs/addons.md, "NetworkPolicies").
import type { Construct } from "constructs";
import { allowIngress, denyAllIngress } from "../network-policy";
import { GRAFANA, KUBE_STATE_METRICS, MONITORING_NAMESPACE, PROMETHEUS } from "./names";
import { componentSelector } from "./workload-defaults";

const LABELS = { "app.kubernetes.io/part-of": "monitoring", "app.kubernetes.io/managed-by": "immutable-clusters" };

/** The Prometheus pods, as a peer other namespaces' policies can allow (e.g. to scrape their metrics ports). */
export const PROMETHEUS_PEER = { namespace: MONITORING_NAMESPACE, podLabels: componentSelector(PROMETHEUS.name) } as const;

export function addMonitoringNetworkPolicies(scope: Construct, grafanaEnabled: boolean): void {
  denyAllIngress(scope, MONITORING_NAMESPACE, LABELS);
  if (grafanaEnabled) {
    allowIngress(scope, "prometheus-from-grafana", {
      namespace: MONITORING_NAMESPACE,
      labels: LABELS,
      podLabels: componentSelector(PROMETHEUS.name),
      ports: [PROMETHEUS.port],
      from: [{ namespace: MONITORING_NAMESPACE, podLabels: componentSelector(GRAFANA.name) }],
    });
  }
  allowIngress(scope, "kube-state-metrics-from-prometheus", {
    namespace: MONITORING_NAMESPACE,
    labels: LABELS,
    podLabels: componentSelector(KUBE_STATE_METRICS.name),
    ports: [KUBE_STATE_METRICS.port, KUBE_STATE_METRICS.telemetryPort],
    from: [PROMETHEUS_PEER],
  });
}
