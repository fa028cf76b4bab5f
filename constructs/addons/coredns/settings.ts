// Owns the settings of the coredns addon (CoreDNS as the cluster DNS, scaled by cluster-proportional-autoscaler): the
// typed interface a definition writes under `addons.coredns`, with documented defaults, and its zod schema.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Linear scaling of CoreDNS replicas with the cluster's size (cluster-proportional-autoscaler's `linear` mode). */
export interface CoreDnsAutoscalerSettings {
  /** One replica per this many CPU cores in the cluster. @default 256 */
  readonly coresPerReplica?: number;
  /** One replica per this many nodes. @default 16 */
  readonly nodesPerReplica?: number;
  /** Never fewer than 2 replicas once the cluster has more than one node. @default true */
  readonly preventSinglePointFailure?: boolean;
  /** Count cordoned nodes too. @default true */
  readonly includeUnschedulableNodes?: boolean;
  /** @default "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0" */
  readonly image?: string;
  /** @default { requests: { cpu: "20m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } } */
  readonly resources?: ContainerResources;
}

/** Settings of the coredns addon, under `addons.coredns` of a generation. */
export interface CoreDnsSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "registry.k8s.io/coredns/coredns:v1.11.3" (the CoreDNS of kubeadm 1.31 and 1.32) */
  readonly image?: string;
  /** Bounds of the replica count the autoscaler keeps; `min` is also the initial count. @default { min: 2, max: 10 } */
  readonly replicas?: { readonly min?: number; readonly max?: number };
  /** @default the linear defaults above */
  readonly autoscaler?: CoreDnsAutoscalerSettings;
  /** Seconds CoreDNS caches answers (`cache` plugin). @default 30 */
  readonly cacheSeconds?: number;
  /** Upstream resolvers for names outside the cluster (`forward` plugin). @default ["/etc/resolv.conf"] (the VPC resolver) */
  readonly upstreams?: readonly string[];
  /** @default { requests: { cpu: "100m", memory: "70Mi" }, limits: { cpu: "1", memory: "170Mi" } } */
  readonly resources?: ContainerResources;
}

const upstreamSchema = z.string().regex(/^(\/[A-Za-z0-9/._-]+|[0-9]{1,3}(\.[0-9]{1,3}){3}(:[0-9]{1,5})?|tls:\/\/[0-9.]+(:[0-9]{1,5})?)$/, {
  error: 'must be a resolv.conf path such as "/etc/resolv.conf" or an IPv4 address such as "10.0.0.2"',
});

/** Validates `addons.coredns` and fills in every default. */
export const coreDnsSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.default("registry.k8s.io/coredns/coredns:v1.11.3"),
    replicas: z
      .object({
        min: z.number().int().min(1, { error: "must be at least 1 (the cluster has no DNS otherwise)" }).default(2),
        max: z.number().int().min(1).max(100).default(10),
      })
      .strict()
      .prefault({})
      .superRefine((r, ctx) => {
        if (r.min > r.max)
          ctx.addIssue({ code: "custom", path: ["min"], message: `must not exceed replicas.max (${r.max}); raise max or lower min` });
      }),
    autoscaler: z
      .object({
        coresPerReplica: z.number().positive().default(256),
        nodesPerReplica: z.number().positive().default(16),
        preventSinglePointFailure: z.boolean().default(true),
        includeUnschedulableNodes: z.boolean().default(true),
        image: pinnedImageSchema.default("registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0"),
        resources: resourcesSchema({ requests: { cpu: "20m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } }),
      })
      .strict()
      .prefault({}),
    cacheSeconds: z.number().int().min(0).max(3600).default(30),
    upstreams: z.array(upstreamSchema).min(1, { error: "needs at least one upstream resolver" }).default(["/etc/resolv.conf"]),
    resources: resourcesSchema({ requests: { cpu: "100m", memory: "70Mi" }, limits: { cpu: "1", memory: "170Mi" } }),
  })
  .strict()
  .prefault({});

/** CoreDNS settings with every default applied. */
export type ResolvedCoreDnsSettings = z.output<typeof coreDnsSettingsSchema>;
