// Owns the settings of the cloud-controller addon (AWS cloud controller manager): the typed interface a definition
// writes under `addons.cloudController`, its zod schema, and the image matching each Kubernetes minor version.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";
import { kubernetesMinor } from "../../ignition/kubernetes-releases";

/** Settings of the cloud-controller addon, under `addons.cloudController` of a generation. */
export interface CloudControllerSettings {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * The cloud controller manager image. Its minor version should match the cluster's, or be one older; never newer
   * (the Kubernetes version skew policy, see CLOUD_CONTROLLER_IMAGES).
   * @default the release of the generation's Kubernetes minor (see CLOUD_CONTROLLER_IMAGES); required for other minors
   */
  readonly image?: string;
  /** @default { requests: { cpu: "200m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } } */
  readonly resources?: ContainerResources;
}

/**
 * registry.k8s.io/provider-aws/cloud-controller-manager releases by Kubernetes minor, pinned by tag and digest. The
 * digests are the ones registry.k8s.io promoted for each tag: the `cloud-controller-manager` dmap of
 * kubernetes/k8s.io/blob/0137eda2cba1d3894c93aa4bd4363eacc2ed7287/registry.k8s.io/images/k8s-staging-provider-aws/images.yaml
 * (1.33-1.35: the newest patch there; 1.31 and 1.32 are unchanged, so their generations render the same bytes).
 * A minor may run the release of the minor before it when its own has no citable digest: the version skew policy says
 * "`kube-controller-manager`, `kube-scheduler`, and `cloud-controller-manager` must not be newer than the
 * `kube-apiserver` instances they communicate with. They are expected to match the `kube-apiserver` minor version, but
 * may be up to one minor version older (to allow live upgrades)" (kubernetes/website
 * content/en/releases/version-skew-policy.md at 01bc09751ea95187842d07b12453df0eba104622). Every row is of its minor
 * today; test/kubernetes-versions.test.ts holds each to that rule.
 */
export const CLOUD_CONTROLLER_IMAGES: Readonly<Record<string, string>> = {
  "1.31":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.31.8@sha256:f846203ea9e0f510176b08c1c0406ffec03498c610d66442953b7823ca99622f",
  "1.32":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.32.5@sha256:542aa2b272f931fc5b0bf260866eea1135aee33ba6b84bfa4564adda35bf1732",
  "1.33":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.33.4@sha256:b54bc094711e9d7ace6c9bab3d6f02a598e7570ac1fedd6341940e1de79ea476",
  "1.34":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.34.3@sha256:ab45cec4a1ee68a556d09a362746db8fd66b258101aefcf0542f51e960248810",
  "1.35":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.35.2@sha256:5a5d4e5942ad078a184c12bf5435f8226ccb157ee15e9e1f87c183a4bf4b8f1a",
};

/** Validates `addons.cloudController` and fills in every default it can (the image depends on the generation). */
export const cloudControllerSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.optional(),
    resources: resourcesSchema({ requests: { cpu: "200m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } }),
  })
  .strict()
  .prefault({});

/** cloud-controller settings with every default applied. */
export type ResolvedCloudControllerSettings = z.output<typeof cloudControllerSettingsSchema>;

/** The image for a generation: the setting, else the release of its Kubernetes minor; throws naming the field otherwise. */
export function cloudControllerImage(settings: ResolvedCloudControllerSettings, kubernetesVersion: string): string {
  if (settings.image) return settings.image;
  const minor = kubernetesMinor(kubernetesVersion);
  const image = CLOUD_CONTROLLER_IMAGES[minor];
  if (!image) {
    throw new Error(
      `addons.cloudController.image: no default AWS cloud controller manager image for Kubernetes ${minor} ` +
        `(known: ${Object.keys(CLOUD_CONTROLLER_IMAGES).join(", ")}); set it to the matching registry.k8s.io/provider-aws/cloud-controller-manager release`,
    );
  }
  return image;
}
