// Owns the settings of the cluster-autoscaler addon (kubernetes/autoscaler cluster-autoscaler on the AWS provider,
// scaling the generation's autoscaled worker pools): the typed interface a definition writes under
// `addons.clusterAutoscaler`, its zod schema, and the release matching each Kubernetes minor.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";
import { kubernetesMinor } from "../../ignition/kubernetes-releases";

/** Settings of the cluster-autoscaler addon, under `addons.clusterAutoscaler` of a generation. */
export interface ClusterAutoscalerSettings {
  /**
   * Run the autoscaler when at least one worker pool sets `autoscale`; with no autoscaled pool it is never shipped.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The cluster-autoscaler image.
   * @default the release of the generation's Kubernetes minor (see CLUSTER_AUTOSCALER_RELEASES); required for other minors
   */
  readonly image?: string;
  /** @default { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "1", memory: "600Mi" } } */
  readonly resources?: ContainerResources;
}

/** One cluster-autoscaler release, pinned by tag and digest. */
export interface ClusterAutoscalerRelease {
  readonly image: string;
  /**
   * Whether this release always handles Dynamic Resource Allocation objects, so it must read `resource.k8s.io`:
   * `--enable-dynamic-resource-allocation` defaults to false up to 1.34 and is locked to true from 1.35
   * (kubernetes/autoscaler cluster-autoscaler/config/flags/flags.go at tags cluster-autoscaler-1.34.5, cb2123ed, and
   * cluster-autoscaler-1.35.2, 2d425888).
   */
  readonly handlesDra: boolean;
}

/**
 * The cluster-autoscaler of each Kubernetes minor: upstream releases one minor per Kubernetes minor and supports only
 * that pairing (kubernetes/autoscaler cluster-autoscaler/README.md at b6e1991f, "Releases": "We recommend using
 * Cluster Autoscaler with the Kubernetes control plane version for which it was meant"). The image is the multi-arch
 * manifest list `registry.k8s.io/autoscaling/cluster-autoscaler`, pinned by the digest registry.k8s.io promoted:
 *   1.31 v1.31.3, 1.32 v1.32.2: the newest patches of those minors whose digests we can cite, from the
 *     `cluster-autoscaler` dmap of kubernetes/k8s.io
 *     blob/fe84f3f631bc82638db79709f06eadd75b5116c2/registry.k8s.io/images/k8s-staging-autoscaling/images.yaml
 *   1.33 v1.33.6, 1.34 v1.34.5, 1.35 v1.35.2: the `gcrane digest` of each staged image quoted in kubernetes/k8s.io
 *     pull request #9760 ("Add cluster-autoscaler releases: 1.33.6, 1.34.5, 1.35.2, 1.36.1", merged 2026-07-22),
 *     which promoted exactly those digests (https://github.com/kubernetes/k8s.io/pull/9760)
 */
export const CLUSTER_AUTOSCALER_RELEASES: Readonly<Record<string, ClusterAutoscalerRelease>> = {
  "1.31": {
    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.3@sha256:b5ac5d93d0e43c6f4f14b0a3994ff905ed169aa0d614d7af702eca0a254cb8a8",
    handlesDra: false,
  },
  "1.32": {
    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.2@sha256:c627d8d159a8cd6705a2612afd8a9ffc499e2fc37bad3525364427439b9224c0",
    handlesDra: false,
  },
  "1.33": {
    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6@sha256:7b44e0f075b2c8f9952e339b6c396cd4d1c3831c24c0fe092a3e708c45e6ec51",
    handlesDra: false,
  },
  "1.34": {
    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5@sha256:5c3a56440ffc76eac79e7d7e840153c1fbe7b6e02d415e76a45ba2e0ef99a266",
    handlesDra: false,
  },
  "1.35": {
    image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2@sha256:aac369dc283927a623deb1af54696efcc722ae79255aa07788422e495bab887d",
    handlesDra: true,
  },
};

/** Validates `addons.clusterAutoscaler` and fills in every default it can (the image depends on the generation). */
export const clusterAutoscalerSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.optional(),
    // Memory as upstream's example manifests set it, request = limit (cluster-autoscaler/cloudprovider/aws/examples/
    // cluster-autoscaler-autodiscover.yaml at 71612d68: 100m / 600Mi); the CPU limit is above the request so the
    // scheduling simulation of a large scale-up is not throttled.
    resources: resourcesSchema({ requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "1", memory: "600Mi" } }),
  })
  .strict()
  .prefault({});

/** cluster-autoscaler settings with every default applied. */
export type ResolvedClusterAutoscalerSettings = z.output<typeof clusterAutoscalerSettingsSchema>;

/**
 * The release a generation runs: the `image` setting (read as handling DRA when its tag is 1.35 or later), else the
 * release of its Kubernetes minor; throws naming the field otherwise.
 */
export function clusterAutoscalerRelease(settings: ResolvedClusterAutoscalerSettings, kubernetesVersion: string): ClusterAutoscalerRelease {
  if (settings.image) {
    const minor = /:v1\.(\d+)\./.exec(settings.image)?.[1];
    return { image: settings.image, handlesDra: minor !== undefined && Number(minor) >= 35 };
  }
  const minor = kubernetesMinor(kubernetesVersion);
  const release = CLUSTER_AUTOSCALER_RELEASES[minor];
  if (!release) {
    throw new Error(
      `addons.clusterAutoscaler.image: no default cluster-autoscaler for Kubernetes ${minor} (known: ${Object.keys(CLUSTER_AUTOSCALER_RELEASES).join(", ")}); ` +
        "set it to the registry.k8s.io/autoscaling/cluster-autoscaler release of that minor, or add the minor to CLUSTER_AUTOSCALER_RELEASES",
    );
  }
  return release;
}
