// Tests that every container image of every rendered addon manifest is pinned by digest (`<name>@sha256:<64 hex>` or
// `<name>:<tag>@sha256:<64 hex>`), for every supported Kubernetes version and every example generation, with every
// optional workload on; the images upstream publishes no citable digest for are listed below, each with its reason.
import { resolveGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition, GenerationDefinition } from "../constructs/definition/types";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import type { KubernetesObject } from "../constructs/testing/manifests";
import { clusters } from "../clusters";
import { checkedAddonObjects } from "./support/addon-objects";

/** `registry/path[:tag]@sha256:<64 lowercase hex>`: the only form the kubelet resolves to exactly one image. */
const PINNED_BY_DIGEST = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?@sha256:[0-9a-f]{64}$/;

/**
 * Images that stay pinned by exact tag only, by repository, each with the reason. A digest is added only when it can be
 * cited from upstream (release notes, a promoted-images manifest such as kubernetes/k8s.io's images.yaml, a project's
 * published digests); for these, none could be.
 */
const TAG_ONLY_EXCEPTIONS: Readonly<Record<string, string>> = {
  "quay.io/prometheus/prometheus": "Prometheus's release notes publish no image digest; none could be cited",
  "quay.io/prometheus/node-exporter": "node-exporter's release notes publish no image digest; none could be cited",
  "docker.io/grafana/grafana": "Grafana's release notes publish no image digest; none could be cited",
  "cr.fluentbit.io/fluent/fluent-bit": "fluent-bit's release notes publish no image digest; none could be cited",
  "ghcr.io/postfinance/kubelet-csr-approver": "kubelet-csr-approver's release notes publish no image digest; none could be cited",
};

/** The repository of an image reference: without digest and tag (a registry port is not a tag). */
function repository(image: string): string {
  const withoutDigest = image.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

type PodSpec = { containers?: Array<{ name: string; image: string }>; initContainers?: Array<{ name: string; image: string }> };

/** Every container and init container image of a pod-bearing object (Pod, workloads, Job, CronJob), with where it is. */
function imagesOf(object: KubernetesObject): Array<{ where: string; image: string }> {
  const spec = object.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  const podSpec: PodSpec | undefined =
    object.kind === "Pod" ? (spec as PodSpec) : object.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
  const containers = [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])];
  return containers.map((c) => ({
    where: `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name} ${c.name}`,
    image: c.image,
  }));
}

/** The images that are neither pinned by digest nor a listed exception pinned by tag. */
function unpinned(images: ReadonlyArray<{ where: string; image: string }>): string[] {
  return images
    .filter(({ image }) => !PINNED_BY_DIGEST.test(image) && !(repository(image) in TAG_ONLY_EXCEPTIONS && /:[^/@]+$/.test(image)))
    .map(({ where, image }) => `${where}: ${image}`);
}

/** Every optional workload on, so that no image hides behind a default that is off. */
function withEverything(generation: GenerationDefinition): GenerationDefinition {
  return {
    ...generation,
    // An autoscaled pool ships cluster-autoscaler.
    workerPools: generation.workerPools.map((p, i) =>
      i === 0 ? { ...p, minSize: undefined, maxSize: undefined, autoscale: { min: 1, max: 3 } } : p,
    ),
    addons: {
      ...generation.addons,
      metricsServer: { ...generation.addons?.metricsServer, enabled: true, approveKubeletServingCertificates: true },
      monitoring: {
        ...generation.addons?.monitoring,
        enabled: true,
        grafana: { ...generation.addons?.monitoring?.grafana, enabled: true },
      },
      logging: { ...generation.addons?.logging, enabled: true },
    },
  };
}

/**
 * The images of a generation's rendered addons, rendered once per distinct definition in this file: the exception test
 * reads the first example again, and the first example cluster's own version is also one of the supported versions
 * (rendering the same definition again gives the same manifests; test/addons-core.test.ts checks rendering is
 * deterministic). Callers only read the list.
 */
const imagesByDefinition = new Map<string, ReadonlyArray<{ where: string; image: string }>>();
function renderedImages(cluster: ClusterDefinition, generation: GenerationDefinition) {
  const definition = { ...cluster, generations: cluster.generations.map((g) => (g.id === generation.id ? generation : g)) };
  const key = JSON.stringify([definition, generation]);
  let images = imagesByDefinition.get(key);
  if (!images) {
    // The objects the rendered YAML manifests carry, without writing and parsing the YAML (support/addon-objects.ts).
    images = checkedAddonObjects(resolveGeneration(definition, generation)).flatMap(imagesOf);
    imagesByDefinition.set(key, images);
  }
  return images;
}

// The images that vary are the per-minor tables (Cilium, CoreDNS, cloud controller): each supported version once, on the
// first example generation; and every example generation on its own version (its own addon settings).
const [firstCluster] = clusters;
const examples = [
  ...SUPPORTED_KUBERNETES_VERSIONS.map((version) => ({
    label: `${firstCluster.name}/${firstCluster.generations[0].id} on Kubernetes ${version}`,
    cluster: firstCluster,
    generation: withEverything({ ...firstCluster.generations[0], kubernetesVersion: version }),
  })),
  ...clusters.flatMap((cluster) =>
    cluster.generations.map((generation) => ({
      label: `${cluster.name}/${generation.id} as defined (Kubernetes ${generation.kubernetesVersion})`,
      cluster,
      generation: withEverything(generation),
    })),
  ),
];

describe("every addon image is pinned by digest", () => {
  test.each(examples.map((e) => [e.label, e] as const))("%s", (_label, example) => {
    const images = renderedImages(example.cluster, example.generation);
    expect(images.length).toBeGreaterThan(0);
    expect(unpinned(images)).toEqual([]);
  });

  test("each exception is still rendered and still pinned by exact tag (a stale exception is removed)", () => {
    const first = examples[0];
    const images = renderedImages(first.cluster, first.generation).map((i) => i.image);
    for (const exception of Object.keys(TAG_ONLY_EXCEPTIONS)) {
      const used = images.filter((image) => repository(image) === exception);
      expect({ exception, used: used.length > 0 }).toEqual({ exception, used: true });
      // Once upstream's digest is added, the exception must go: a digest-pinned image needs none.
      expect({ exception, byDigest: used.filter((image) => PINNED_BY_DIGEST.test(image)) }).toEqual({ exception, byDigest: [] });
    }
  });

  test("the check refuses a tag-only image, a digest of the wrong length and an untagged name", () => {
    const at = (image: string) => [{ where: "Deployment x/y c", image }];
    expect(unpinned(at("registry.k8s.io/coredns/coredns:v1.12.4"))).toHaveLength(1);
    expect(unpinned(at(`registry.k8s.io/coredns/coredns:v1.12.4@sha256:${"a".repeat(63)}`))).toHaveLength(1);
    expect(unpinned(at("registry.k8s.io/coredns/coredns"))).toHaveLength(1);
    expect(unpinned(at("docker.io/grafana/grafana"))).toHaveLength(1);
    expect(unpinned(at(`registry.k8s.io/coredns/coredns@sha256:${"a".repeat(64)}`))).toEqual([]);
    expect(unpinned(at(`localhost:5000/team/app:v1@sha256:${"0".repeat(64)}`))).toEqual([]);
    expect(unpinned(at("docker.io/grafana/grafana:11.6.1"))).toEqual([]);
  });
});
