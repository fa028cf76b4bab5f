// Owns the settings of the coredns addon (CoreDNS as the cluster DNS, scaled by cluster-proportional-autoscaler): the
// typed interface a definition writes under `addons.coredns`, with documented defaults, its zod schema, and the CoreDNS
// image matching each Kubernetes minor version.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";
import { kubernetesMinor } from "../../ignition/kubernetes-releases";

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
  /** @default "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0@sha256:8f3b4e4b…" */
  readonly image?: string;
  /** @default { requests: { cpu: "20m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } } */
  readonly resources?: ContainerResources;
}

/** Settings of the coredns addon, under `addons.coredns` of a generation. */
export interface CoreDnsSettings {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * The CoreDNS image.
   * @default the CoreDNS kubeadm of the generation's Kubernetes minor installs (see COREDNS_IMAGES); required for other minors
   */
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

/**
 * The CoreDNS that kubeadm of each Kubernetes minor installs (kubeadm's constants.CoreDNSVersion), so a generation runs
 * the DNS its Kubernetes release was tested with. Sources, the release notes of kubernetes/kubernetes:
 *   1.31, 1.32: v1.11.3, CoreDNSVersion of kubeadm's constants on the 1.32 line,
 *         blob/00886ac01fec1c8432967e8bb597828f46a9ba8b/cmd/kubeadm/app/constants/constants.go
 *   1.33: "Kubernetes tools now install CoreDNS `v1.12.0`" (#128926), v1.33.0 notes,
 *         blob/2e94b405ac89f322d58dba55dae5e52a18f59778/CHANGELOG/CHANGELOG-1.33.md#other-cleanup-or-flake-3
 *   1.34: "Upgraded CoreDNS to v1.12.1" (#131151), v1.34.0 notes,
 *         blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.34.md#other-cleanup-or-flake-3
 *   1.35: "Upgraded CoreDNS to v1.12.4" (#133968, after v1.12.3 in #132288), v1.35.0 notes,
 *         blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.35.md#other-cleanup-or-flake-2
 * Pinned by tag and by the digest registry.k8s.io promoted for that tag: the `coredns` dmap of
 * kubernetes/k8s.io/blob/9a1bd547b6a93ef57e6c6f7940b2299e9ee76ee0/registry.k8s.io/images/k8s-staging-coredns/images.yaml
 */
export const COREDNS_IMAGES: Readonly<Record<string, string>> = {
  "1.31": "registry.k8s.io/coredns/coredns:v1.11.3@sha256:9caabbf6238b189a65d0d6e6ac138de60d6a1c419e5a341fbbb7c78382559c6e",
  "1.32": "registry.k8s.io/coredns/coredns:v1.11.3@sha256:9caabbf6238b189a65d0d6e6ac138de60d6a1c419e5a341fbbb7c78382559c6e",
  "1.33": "registry.k8s.io/coredns/coredns:v1.12.0@sha256:40384aa1f5ea6bfdc77997d243aec73da05f27aed0c5e9d65bfa98933c519d97",
  "1.34": "registry.k8s.io/coredns/coredns:v1.12.1@sha256:e8c262566636e6bc340ece6473b0eed193cad045384401529721ddbe6463d31c",
  "1.35": "registry.k8s.io/coredns/coredns:v1.12.4@sha256:986f04c2e15e147d00bdd51e8c51bcef3644b13ff806be7d2ff1b261d6dfbae1",
};

/** Validates `addons.coredns` and fills in every default it can (the image depends on the generation). */
export const coreDnsSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.optional(),
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
        // The digest registry.k8s.io promoted for v1.9.0: the `cluster-proportional-autoscaler` dmap of
        // kubernetes/k8s.io/blob/0b6dcb3a42646fb77541d7c1031d59aeabcb4b12/registry.k8s.io/images/k8s-staging-cpa/images.yaml
        image: pinnedImageSchema.default(
          "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0@sha256:8f3b4e4beb62a9a5ad1ff96712129996e614d1fe7c57739c9816545ecea6f8b6",
        ),
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

/** The CoreDNS image for a generation: the setting, else kubeadm's CoreDNS of its minor; throws naming the field otherwise. */
export function coreDnsImage(settings: ResolvedCoreDnsSettings, kubernetesVersion: string): string {
  if (settings.image) return settings.image;
  const minor = kubernetesMinor(kubernetesVersion);
  const image = COREDNS_IMAGES[minor];
  if (!image) {
    throw new Error(
      `addons.coredns.image: no default CoreDNS image for Kubernetes ${minor} (known: ${Object.keys(COREDNS_IMAGES).join(", ")}); ` +
        "set it to the registry.k8s.io/coredns/coredns release kubeadm of that minor installs, or add the minor to COREDNS_IMAGES",
    );
  }
  return image;
}
