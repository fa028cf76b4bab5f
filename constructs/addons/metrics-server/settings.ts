// Owns the settings of the metrics-server addon (the resource metrics API behind HorizontalPodAutoscalers and
// `kubectl top`): the typed interface a definition writes under `addons.metricsServer`, and its zod schema.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Settings of the metrics-server addon, under `addons.metricsServer` of a generation. */
export interface MetricsServerSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "registry.k8s.io/metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf0…" */
  readonly image?: string;
  /** @default 2 (with anti-affinity and a PodDisruptionBudget, as upstream's high-availability overlay) */
  readonly replicas?: number;
  /** How often metrics are scraped from the kubelets. @default "15s" */
  readonly metricResolution?: string;
  /**
   * Skip verifying the kubelets' serving certificates. Leave false when kubelets have certificates signed by the cluster
   * CA (KubeletConfiguration `serverTLSBootstrap: true` and their `kubernetes.io/kubelet-serving` CSRs approved).
   * @default false
   */
  readonly insecureKubeletTls?: boolean;
  /**
   * Ship an approver of kubelet serving-certificate requests that approves only this generation's nodes (EC2 names,
   * VPC addresses). Needed with the default `insecureKubeletTls: false`, unless another approver runs.
   * @default true
   */
  readonly approveKubeletServingCertificates?: boolean;
  /** @default "ghcr.io/postfinance/kubelet-csr-approver:v1.2.14" */
  readonly approverImage?: string;
  /** @default { requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: "1", memory: "500Mi" } } */
  readonly resources?: ContainerResources;
}

export const METRICS_SERVER_IMAGE =
  "registry.k8s.io/metrics-server/metrics-server:v0.7.2@sha256:ffcb2bf004d6aa0a17d90e0247cf94f2865c8901dcab4427034c341951c239f9";

/** Validates `addons.metricsServer` and fills in every default. */
export const metricsServerSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.default(METRICS_SERVER_IMAGE),
    replicas: z.number().int().min(1).max(10).default(2),
    metricResolution: z
      .string()
      .regex(/^[0-9]+s$/, { error: 'must be a number of seconds such as "15s"' })
      .default("15s"),
    insecureKubeletTls: z.boolean().default(false),
    approveKubeletServingCertificates: z.boolean().default(true),
    // By tag only: no digest published by upstream could be cited (its release notes and registry pages list none that our search tools reach), so it stays pinned by exact tag.
    approverImage: pinnedImageSchema.default("ghcr.io/postfinance/kubelet-csr-approver:v1.2.14"),
    resources: resourcesSchema({ requests: { cpu: "100m", memory: "200Mi" }, limits: { cpu: "1", memory: "500Mi" } }),
  })
  .strict()
  .prefault({});

/** metrics-server settings with every default applied. */
export type ResolvedMetricsServerSettings = z.output<typeof metricsServerSettingsSchema>;
