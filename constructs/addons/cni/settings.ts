// Owns the settings of the cni addon (Cilium in VXLAN tunnel mode with NetworkPolicy enforcement, kube-proxy kept):
// the typed interface a definition writes under `addons.cni`, with documented defaults, its zod schema, and the Cilium
// release each Kubernetes minor runs.
import { z } from "zod";
import { type ContainerResources, enabledSchema, imageTag, pinnedImageSchema, resourcesSchema } from "../common/workload";
import { kubernetesMinor } from "../../ignition/kubernetes-releases";

/** Settings of the cni addon, under `addons.cni` of a generation. */
export interface CniSettings {
  /** Turning the CNI off leaves nodes NotReady until you install your own. @default true */
  readonly enabled?: boolean;
  /**
   * The Cilium agent image; its tag (`vX.Y.Z`) also picks the manifests (see CILIUM_RELEASES).
   * @default the Cilium release of the generation's Kubernetes minor (see CILIUM_RELEASES); required for other minors
   */
  readonly image?: string;
  /**
   * The operator image, of the same Cilium release as `image`.
   * @default the Cilium release of the generation's Kubernetes minor (see CILIUM_RELEASES); required for other minors
   */
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

/** The agent and operator images of one Cilium release, pinned by tag and digest. */
export interface CiliumImages {
  readonly image: string;
  readonly operatorImage: string;
}

// v1.17.18: the digests of its image list (unchanged since the addon was written).
const CILIUM_1_17: CiliumImages = {
  image: "quay.io/cilium/cilium:v1.17.18@sha256:2f2c611db8de2f9c4846ee80fa3371617218dcd0cce42cf0d7d40b4d06458a23",
  operatorImage: "quay.io/cilium/operator-generic:v1.17.18@sha256:ec68d574d2288f2d8cb0ae50778c1a0b08a6165cfcb6ba5bc5595d99ed3f7bda",
};
// v1.19.8: the "Docker Manifests" list of the release notes, https://github.com/cilium/cilium/releases/tag/v1.19.8
// (published 2026-09-16; the newest 1.19 patch found), entries "cilium" and "operator-generic", copied verbatim.
const CILIUM_1_19: CiliumImages = {
  image: "quay.io/cilium/cilium:v1.19.8@sha256:e9f7ee1f2f3a41e44339612e3b6b88170bdde7679c9c9461f287bb27702a8ecf",
  operatorImage: "quay.io/cilium/operator-generic:v1.19.8@sha256:786ec9bb1a9344435e3e3f994bc4ed3a4a85afa6a314e98681af241f8be79833",
};

/**
 * The Cilium release each Kubernetes minor runs: one whose minor upstream e2e-tests on that Kubernetes minor, per the
 * table of Documentation/network/kubernetes/compatibility.rst in cilium/cilium at the release:
 *   Cilium 1.17: Kubernetes 1.29-1.32 (v1.17 branch). 1.31 and 1.32 stay on 1.17.18, so their generations render the
 *         same bytes as before.
 *   Cilium 1.18: Kubernetes 1.30-1.33 (https://raw.githubusercontent.com/cilium/cilium/v1.18.14/Documentation/network/kubernetes/compatibility.rst).
 *   Cilium 1.19: Kubernetes 1.32-1.35 (the file at v1.19.3, as copied at
 *         https://contextqmd.com/libraries/cilium/versions/1.19.3/pages/Documentation/network/kubernetes/compatibility;
 *         1.35 came with cilium/cilium#44516 "docs: Bump k8s compat version", released in v1.19.2). The one Cilium
 *         minor that lists all of 1.33, 1.34 and 1.35, so those minors share one release and one set of manifests.
 *   Cilium 1.20 is not used: its table could not be read here, and 1.19 already covers every supported newer minor.
 * The manifests follow the upstream Helm chart of the agent image's Cilium minor: the 1.17.18 chart before 1.19, the
 * 1.19 chart from 1.19 on (the `minor >= 19` branches of agent.ts, operator.ts, rbac.ts and cilium-config.ts). The 1.19
 * chart was read from cilium-1.19.6.tgz of cilium/charts (commit 3934d0b79ba94eabe279d415eed9dea27a931cf2, "Add cilium
 * v1.19.6@9a8982433e18019e290b8199c0c4ad24f66befe8"); the v1.19.7 and v1.19.8 release notes list no change to the
 * agent, operator, RBAC or cilium-config templates these settings use.
 */
export const CILIUM_RELEASES: Readonly<Record<string, CiliumImages>> = {
  "1.31": CILIUM_1_17,
  "1.32": CILIUM_1_17,
  "1.33": CILIUM_1_19,
  "1.34": CILIUM_1_19,
  "1.35": CILIUM_1_19,
};

/** Validates `addons.cni` and fills in every default it can (the images depend on the generation). */
export const cniSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.optional(),
    operatorImage: pinnedImageSchema.optional(),
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

/** The Cilium a generation runs: its images, and the Cilium minor (17 for v1.17.x) whose chart its manifests follow. */
export interface CiliumRelease extends CiliumImages {
  readonly minor: number;
}

/**
 * The Cilium release of a generation: the settings' images, else the release of its Kubernetes minor. Throws naming the
 * field when the minor has no release and no image is set, or when the agent image's tag names no Cilium version.
 */
export function ciliumRelease(settings: ResolvedCniSettings, kubernetesVersion: string): CiliumRelease {
  const minor = kubernetesMinor(kubernetesVersion);
  const defaults = CILIUM_RELEASES[minor];
  const image = settings.image ?? defaults?.image;
  const operatorImage = settings.operatorImage ?? defaults?.operatorImage;
  if (!image || !operatorImage) {
    const field = image ? "operatorImage" : "image";
    throw new Error(
      `addons.cni.${field}: no default Cilium release for Kubernetes ${minor} (known: ${Object.keys(CILIUM_RELEASES).join(", ")}); ` +
        "set addons.cni.image and addons.cni.operatorImage to a Cilium release that upstream e2e-tests on that minor, or add the minor to CILIUM_RELEASES",
    );
  }
  const version = /^v?1\.(\d+)\./.exec(imageTag(image));
  if (!version) {
    throw new Error(
      `addons.cni.image "${image}": its tag must name the Cilium release (e.g. v1.19.8): the manifests follow that release's Helm chart`,
    );
  }
  return { image, operatorImage, minor: Number(version[1]) };
}
