// Owns Prometheus' scrape configuration: the API servers, every kubelet and its cAdvisor, node-exporter,
// kube-state-metrics, Prometheus itself and any pod annotated `prometheus.io/scrape: "true"`.
import { fillYamlTemplate, yamlDocument, yamlTemplate, type YamlTemplate } from "../yaml-document";
import { KUBE_STATE_METRICS, MONITORING_NAMESPACE, NODE_EXPORTER, NODE_EXPORTER_NAMESPACE, PROMETHEUS } from "./names";

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const inClusterTls = { ca_file: `${SA_DIR}/ca.crt` };
const saToken = { credentials_file: `${SA_DIR}/token` };

/** A kubelet endpoint scraped directly on port 10250 with Prometheus' ServiceAccount token (RBAC `nodes/metrics`). */
function kubeletJob(jobName: string, metricsPath: string) {
  return {
    job_name: jobName,
    scheme: "https",
    metrics_path: metricsPath,
    // Kubelets serve a certificate signed by the cluster CA (serverTLSBootstrap, approved by the metrics-server addon's
    // kubelet-serving-approver), so the ServiceAccount's ca.crt verifies it; the node address scraped is in its SANs.
    tls_config: inClusterTls,
    authorization: saToken,
    kubernetes_sd_configs: [{ role: "node" }],
    relabel_configs: [
      { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" },
      { source_labels: ["__meta_kubernetes_node_name"], target_label: "node" },
    ],
  };
}

/** Endpoints of one Service in `namespace`, on one named port. */
function serviceEndpointsJob(jobName: string, namespace: string, service: string, portName: string, extra: Record<string, unknown> = {}) {
  return {
    job_name: jobName,
    ...extra,
    kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: [namespace] } }],
    relabel_configs: [
      {
        source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
        action: "keep",
        regex: `${service};${portName}`,
      },
      { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
    ],
  };
}

/** The scrape configuration as a plain object, in a fixed order. */
export function prometheusConfig(props: { clusterName: string; scrapeInterval: string }) {
  return {
    global: {
      scrape_interval: props.scrapeInterval,
      scrape_timeout: "10s",
      evaluation_interval: props.scrapeInterval,
      external_labels: { cluster: props.clusterName },
    },
    scrape_configs: [
      {
        job_name: "kubernetes-apiservers",
        scheme: "https",
        tls_config: inClusterTls,
        authorization: saToken,
        kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: ["default"] } }],
        relabel_configs: [
          {
            source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
            action: "keep",
            regex: "default;kubernetes;https",
          },
        ],
      },
      kubeletJob("kubernetes-kubelet", "/metrics"),
      kubeletJob("kubernetes-cadvisor", "/metrics/cadvisor"),
      serviceEndpointsJob("node-exporter", NODE_EXPORTER_NAMESPACE, NODE_EXPORTER.name, NODE_EXPORTER.portName),
      // kube-state-metrics reports other objects' namespaces and pods: keep its labels rather than the target's.
      serviceEndpointsJob("kube-state-metrics", MONITORING_NAMESPACE, KUBE_STATE_METRICS.name, KUBE_STATE_METRICS.portName, {
        honor_labels: true,
      }),
      { job_name: "prometheus", static_configs: [{ targets: [`localhost:${PROMETHEUS.port}`] }] },
      {
        job_name: "kubernetes-pods",
        kubernetes_sd_configs: [{ role: "pod" }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
          { source_labels: ["__meta_kubernetes_pod_phase"], action: "drop", regex: "Pending|Succeeded|Failed" },
          {
            source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
            action: "replace",
            target_label: "__metrics_path__",
            regex: "(.+)",
          },
          {
            source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
            action: "replace",
            regex: "([^:]+)(?::\\d+)?;(\\d+)",
            replacement: "$1:$2",
            target_label: "__address__",
          },
          { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
          { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
          { source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "node" },
        ],
      },
    ],
  };
}

/**
 * `prometheus.yml` of a generation. Every generation's differs from its cluster's others only in the cluster name, a
 * whole value (`external_labels.cluster`): from the second file of a scrape interval on, it is the document of that
 * interval's config written once with a marker for the name, the name's scalar written in (yaml-document.ts
 * yamlTemplate). The template is used only when the marker is that one value and nothing else, and when it gives the
 * first file of the interval, written whole, byte for byte (test/yaml-document.test.ts compares the files of many
 * names, hard ones among them, with yamlDocument's).
 */
export function renderPrometheusConfig(props: { clusterName: string; scrapeInterval: string }): string {
  const seen = configTemplates.get(props.scrapeInterval);
  if (seen === undefined) {
    const text = yamlDocument(prometheusConfig(props));
    if (configTemplates.size >= 100) configTemplates.clear();
    configTemplates.set(props.scrapeInterval, { first: { clusterName: props.clusterName, text } });
    return text;
  }
  if (seen.template === undefined) seen.template = configTemplate(props.scrapeInterval, seen.first);
  return (seen.template && fillYamlTemplate(seen.template, [props.clusterName])) ?? yamlDocument(prometheusConfig(props));
}

/** By scrape interval: the first file written (to check the template with) and the template once made (null: none). */
const configTemplates = new Map<string, { first: { clusterName: string; text: string }; template?: YamlTemplate | null }>();

const CLUSTER_NAME_MARKER = "\uE000prometheus-cluster-name\uE001";

function configTemplate(scrapeInterval: string, first: { clusterName: string; text: string }): YamlTemplate | null {
  const template = yamlTemplate(
    prometheusConfig({ clusterName: CLUSTER_NAME_MARKER, scrapeInterval }),
    new Map([[CLUSTER_NAME_MARKER, 0]]),
  );
  if (template === undefined || template.holes.length !== 1 || template.parts.some((p) => p.includes(CLUSTER_NAME_MARKER))) return null;
  return fillYamlTemplate(template, [first.clusterName]) === first.text ? template : null;
}
