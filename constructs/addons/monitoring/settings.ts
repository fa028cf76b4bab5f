// Owns the settings of the monitoring addon (Prometheus, node-exporter, kube-state-metrics, Grafana): the typed
// interface a definition writes under `addons.monitoring`, with documented defaults, and the zod schema that fills them in.
import { z } from "zod";
import { type ContainerResources, pinnedImageSchema, quantitySchema, resourcesSchema } from "./workload-defaults";

/** Where Prometheus keeps its TSDB. */
export interface PrometheusStorage {
  /**
   * StorageClass of a PersistentVolumeClaim for the TSDB. Without it the TSDB lives in an `emptyDir` on the node and is
   * lost whenever the pod moves: fine for a generation's short life behind dashboards, not for long-term history.
   * @default undefined (emptyDir)
   */
  readonly storageClass?: string;
  /** Size of the claim, and the `sizeLimit` of the emptyDir. @default "20Gi" */
  readonly size?: string;
}

export interface PrometheusSettings {
  /** @default "quay.io/prometheus/prometheus:v3.4.0" */
  readonly image?: string;
  /** How long samples are kept (`--storage.tsdb.retention.time`). @default "15d" */
  readonly retention?: string;
  /** @default "30s" */
  readonly scrapeInterval?: string;
  /** @default { size: "20Gi" } (emptyDir) */
  readonly storage?: PrometheusStorage;
  /** @default { requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } } */
  readonly resources?: ContainerResources;
}

export interface NodeExporterSettings {
  /** @default "quay.io/prometheus/node-exporter:v1.9.1" */
  readonly image?: string;
  /** @default { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } } */
  readonly resources?: ContainerResources;
}

export interface KubeStateMetricsSettings {
  /** @default "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0@sha256:db384bf4…" */
  readonly image?: string;
  /** @default { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } */
  readonly resources?: ContainerResources;
}

/**
 * How people sign in to Grafana. No password ever appears in the manifests:
 * - `anonymous-viewer`: anyone who reaches Grafana sees the dashboards read-only; the login form and the initial admin
 *   user are disabled.
 * - `admin-secret`: the admin credentials come from an existing Secret in the `monitoring` namespace that the operator
 *   creates (e.g. `kubectl -n monitoring create secret generic grafana-admin --from-literal=admin-user=admin
 *   --from-literal=admin-password=...`) before or after the addons are applied.
 */
export type GrafanaAuth =
  | { readonly mode: "anonymous-viewer" }
  | {
      readonly mode: "admin-secret";
      /** @default "grafana-admin" */
      readonly secretName?: string;
      /** @default "admin-user" */
      readonly userKey?: string;
      /** @default "admin-password" */
      readonly passwordKey?: string;
    };

export interface GrafanaSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "docker.io/grafana/grafana:11.6.1" */
  readonly image?: string;
  /** @default { mode: "anonymous-viewer" } */
  readonly auth?: GrafanaAuth;
  /** @default { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } */
  readonly resources?: ContainerResources;
}

/** Settings of the monitoring addon, under `addons.monitoring` of a generation. */
export interface MonitoringSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** @default see PrometheusSettings */
  readonly prometheus?: PrometheusSettings;
  /** @default see NodeExporterSettings */
  readonly nodeExporter?: NodeExporterSettings;
  /** @default see KubeStateMetricsSettings */
  readonly kubeStateMetrics?: KubeStateMetricsSettings;
  /** @default see GrafanaSettings */
  readonly grafana?: GrafanaSettings;
}

const durationSchema = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, { error: 'must be a Prometheus duration such as "30s" or "15d"' });
const dnsName = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, { error: "must be a DNS-safe Kubernetes name" });

/** Validates `addons.monitoring` and fills in every default. */
export const monitoringSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    prometheus: z
      .object({
        // By tag only: no digest published by upstream could be cited (its release notes and registry pages list none that our search tools reach), so it stays pinned by exact tag.
        image: pinnedImageSchema.default("quay.io/prometheus/prometheus:v3.4.0"),
        retention: durationSchema.default("15d"),
        scrapeInterval: durationSchema.default("30s"),
        storage: z
          .object({ storageClass: dnsName.optional(), size: quantitySchema.default("20Gi") })
          .strict()
          .prefault({}),
        resources: resourcesSchema({ requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } }),
      })
      .strict()
      .prefault({}),
    nodeExporter: z
      .object({
        // By tag only: no digest published by upstream could be cited (its release notes and registry pages list none that our search tools reach), so it stays pinned by exact tag.
        image: pinnedImageSchema.default("quay.io/prometheus/node-exporter:v1.9.1"),
        resources: resourcesSchema({ requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } }),
      })
      .strict()
      .prefault({}),
    kubeStateMetrics: z
      .object({
        // The digest registry.k8s.io promoted for v2.15.0: the `kube-state-metrics` dmap of
        // kubernetes/k8s.io/blob/d7bd31108ded441313a66c085b7db945dbea4c4d/registry.k8s.io/images/k8s-staging-kube-state-metrics/images.yaml
        image: pinnedImageSchema.default(
          "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0@sha256:db384bf43222b066c378e77027a675d4cd9911107adba46c2922b3a55e10d6fb",
        ),
        resources: resourcesSchema({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
      })
      .strict()
      .prefault({}),
    grafana: z
      .object({
        enabled: z.boolean().default(true),
        // By tag only: no digest published by upstream could be cited (its release notes and registry pages list none that our search tools reach), so it stays pinned by exact tag.
        image: pinnedImageSchema.default("docker.io/grafana/grafana:11.6.1"),
        auth: z
          .discriminatedUnion("mode", [
            z.object({ mode: z.literal("anonymous-viewer") }).strict(),
            z
              .object({
                mode: z.literal("admin-secret"),
                secretName: dnsName.default("grafana-admin"),
                userKey: z.string().min(1).default("admin-user"),
                passwordKey: z.string().min(1).default("admin-password"),
              })
              .strict(),
          ])
          .default({ mode: "anonymous-viewer" }),
        resources: resourcesSchema({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Monitoring settings with every default applied. */
export type ResolvedMonitoringSettings = z.output<typeof monitoringSettingsSchema>;
