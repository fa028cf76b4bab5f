// Owns the settings of the cloud-controller addon (AWS cloud controller manager): the typed interface a definition
// writes under `addons.cloudController`, its zod schema, and the image matching each Kubernetes minor version.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Settings of the cloud-controller addon, under `addons.cloudController` of a generation. */
export interface CloudControllerSettings {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * The cloud controller manager image. Its minor version should match the cluster's.
   * @default the release of the generation's Kubernetes minor (see CLOUD_CONTROLLER_IMAGES); required for other minors
   */
  readonly image?: string;
  /** @default { requests: { cpu: "200m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } } */
  readonly resources?: ContainerResources;
}

/** registry.k8s.io/provider-aws/cloud-controller-manager releases by Kubernetes minor, pinned by tag and digest. */
export const CLOUD_CONTROLLER_IMAGES: Readonly<Record<string, string>> = {
  "1.31":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.31.8@sha256:f846203ea9e0f510176b08c1c0406ffec03498c610d66442953b7823ca99622f",
  "1.32":
    "registry.k8s.io/provider-aws/cloud-controller-manager:v1.32.5@sha256:542aa2b272f931fc5b0bf260866eea1135aee33ba6b84bfa4564adda35bf1732",
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
  const minor = kubernetesVersion.split(".").slice(0, 2).join(".");
  const image = CLOUD_CONTROLLER_IMAGES[minor];
  if (!image) {
    throw new Error(
      `addons.cloudController.image: no default AWS cloud controller manager image for Kubernetes ${minor} ` +
        `(known: ${Object.keys(CLOUD_CONTROLLER_IMAGES).join(", ")}); set it to the matching registry.k8s.io/provider-aws/cloud-controller-manager release`,
    );
  }
  return image;
}
