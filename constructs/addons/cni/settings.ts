// Owns the settings of the cni addon (Cilium in VXLAN tunnel mode with NetworkPolicy enforcement, kube-proxy kept):
// the typed interface a definition writes under `addons.cni`, with documented defaults, and its zod schema.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Settings of the cni addon, under `addons.cni` of a generation. */
export interface CniSettings {
  /** Turning the CNI off leaves nodes NotReady until you install your own. @default true */
  readonly enabled?: boolean;
  /** @default "quay.io/cilium/cilium:v1.17.18@sha256:2f2c611d…" */
  readonly image?: string;
  /** @default "quay.io/cilium/operator-generic:v1.17.18@sha256:ec68d574…" */
  readonly operatorImage?: string;
  /** @default 2 (on different nodes) */
  readonly operatorReplicas?: number;
  /** Prefix length of each node's slice of the pod CIDR (cluster-pool IPAM). @default 24 (254 pods per node) */
  readonly nodeMaskSize?: number;
  /**
   * Cilium's policy enforcement mode: "default" enforces NetworkPolicies on the pods they select (Kubernetes
   * semantics), "always" denies everything not allowed, "never" disables enforcement.
   * @default "default"
   */
  readonly policyEnforcement?: "default" | "always" | "never";
  /** @default { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } } */
  readonly resources?: ContainerResources;
  /** @default { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } } */
  readonly operatorResources?: ContainerResources;
}

export const CILIUM_IMAGE = "quay.io/cilium/cilium:v1.17.18@sha256:2f2c611db8de2f9c4846ee80fa3371617218dcd0cce42cf0d7d40b4d06458a23";
export const CILIUM_OPERATOR_IMAGE =
  "quay.io/cilium/operator-generic:v1.17.18@sha256:ec68d574d2288f2d8cb0ae50778c1a0b08a6165cfcb6ba5bc5595d99ed3f7bda";

/** Validates `addons.cni` and fills in every default. */
export const cniSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.default(CILIUM_IMAGE),
    operatorImage: pinnedImageSchema.default(CILIUM_OPERATOR_IMAGE),
    operatorReplicas: z.number().int().min(1).max(5).default(2),
    nodeMaskSize: z.number().int().min(16, { error: "must be from 16 to 28" }).max(28, { error: "must be from 16 to 28" }).default(24),
    policyEnforcement: z.enum(["default", "always", "never"]).default("default"),
    resources: resourcesSchema({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } }),
    operatorResources: resourcesSchema({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } }),
  })
  .strict()
  .prefault({});

/** cni settings with every default applied. */
export type ResolvedCniSettings = z.output<typeof cniSettingsSchema>;
