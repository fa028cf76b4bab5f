// Owns the settings of the pod identity webhook addon (aws/amazon-eks-pod-identity-webhook: injects AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE and the projected service-account token into pods whose ServiceAccount carries
// `eks.amazonaws.com/role-arn`): the typed interface a definition writes under `addons.podIdentityWebhook`, its zod
// schema and the pinned image.
import { z } from "zod";
import { type ContainerResources, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Settings of the pod identity webhook addon, under `addons.podIdentityWebhook` of a generation. */
export interface PodIdentityWebhookSettings {
  /**
   * Run the webhook, so pods of a ServiceAccount annotated `eks.amazonaws.com/role-arn` get their AWS credentials
   * environment injected (docs/workload-identity.md). Opt-in: it needs the cluster's service-account issuer (node
   * contract 3) and roles in `serviceAccounts`.
   * @default false
   */
  readonly enabled?: boolean;
  /** The webhook image, pinned by digest. @default POD_IDENTITY_WEBHOOK_IMAGE */
  readonly image?: string;
  /** @default { requests: { cpu: "25m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } */
  readonly resources?: ContainerResources;
}

/**
 * amazon-eks-pod-identity-webhook v0.6.17, the multi-arch manifest list on public.ecr.aws pinned by digest, as
 * sivchari/fjord pins it (internal/cluster/irsa.go at fb2f6f6d77f5d4275ad4ac68f12b25d5eba125b8,
 * DefaultPodIdentityWebhookImage: "v0.6.17's multi-arch manifest list, resolved via `docker buildx imagetools inspect
 * public.ecr.aws/eks/amazon-eks-pod-identity-webhook:v0.6.17`"). The tag is kept beside the digest for readers;
 * the digest decides what runs.
 */
export const POD_IDENTITY_WEBHOOK_IMAGE =
  "public.ecr.aws/eks/amazon-eks-pod-identity-webhook:v0.6.17@sha256:3071570e8e8cba6d5aff01e86d52bc91025a0578782aa9cd2b681480845b0a50";

/** Validates `addons.podIdentityWebhook` and fills in every default. */
export const podIdentityWebhookSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    image: pinnedImageSchema.default(POD_IDENTITY_WEBHOOK_IMAGE),
    // A small admission webhook (one informer on ServiceAccounts, a JSON patch per pod); upstream's manifests set no
    // resources (deploy/deployment-base.yaml at b19c295a), so these are ours: enough for a few thousand
    // ServiceAccounts in its cache, limited so a leak cannot starve the control plane.
    resources: resourcesSchema({ requests: { cpu: "25m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } }),
  })
  .strict()
  .prefault({});

/** Pod identity webhook settings with every default applied. */
export type ResolvedPodIdentityWebhookSettings = z.output<typeof podIdentityWebhookSettingsSchema>;
