// Owns the stable names and ports of the monitoring addon's components, so the Prometheus scrape configs, the Grafana
// data source and the Services that they point at cannot drift apart.

/** The namespace all monitoring objects live in, except node-exporter. */
export const MONITORING_NAMESPACE = "monitoring";
/** node-exporter's own namespace: it needs the `privileged` Pod Security level, which the rest of monitoring does not. */
export const NODE_EXPORTER_NAMESPACE = "node-exporter";

export const PROMETHEUS = { name: "prometheus", port: 9090, portName: "web" } as const;
export const NODE_EXPORTER = { name: "node-exporter", port: 9100, portName: "metrics" } as const;
export const KUBE_STATE_METRICS = { name: "kube-state-metrics", port: 8080, portName: "http-metrics", telemetryPort: 8081 } as const;
export const GRAFANA = { name: "grafana", port: 3000, portName: "http" } as const;

/** In-cluster URL of a Service in the monitoring namespace. */
export function serviceUrl(component: { readonly name: string; readonly port: number }): string {
  return `http://${component.name}.${MONITORING_NAMESPACE}.svc:${component.port}`;
}
