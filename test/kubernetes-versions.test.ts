// Every Kubernetes version nodes can boot (SUPPORTED_KUBERNETES_VERSIONS) synthesizes end to end: a sample cluster on
// that version downloads its own node-binaries tarball pinned by the upstream SHA-512, runs kubeadm with that version,
// gives containerd the pause image kubeadm of that minor expects, ships the CoreDNS and Cilium of that minor and a cloud
// controller manager of that minor or one older (as the version skew policy allows), and its Ignition passes
// ignition-validate. The expectations are written out per version, so adding a version
// to kubernetes-releases.ts without deciding its images fails here.
import { parseAllDocuments } from "yaml";
import { resolveGeneration } from "../constructs";
import { CLOUD_CONTROLLER_IMAGES } from "../constructs/addons/cloud-controller/settings";
import { CILIUM_RELEASES } from "../constructs/addons/cni/settings";
import { COREDNS_IMAGES } from "../constructs/addons/coredns/settings";
import { renderAddonManifests, type ManifestFile } from "../constructs/addons/render";
import { definitionProblems } from "../constructs/definition/validate";
import { PAUSE_IMAGE } from "../constructs/ignition/kubeadm-config";
import {
  KUBERNETES_NODE_BINARIES,
  kubernetesMinor,
  SUPPORTED_KUBERNETES_VERSIONS,
  type NodeArch,
} from "../constructs/ignition/kubernetes-releases";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { findKubernetesObject, synthCluster, type KubernetesObject } from "../constructs/testing";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { ignitionValidateEach } from "./support/ignition-validate-batch";
import { fileText, type ParsedIgnition } from "./support/ignition";

/** What each supported version must boot with (tags checked here; digests come from the tables' cited sources). */
const EXPECTED: Record<string, { pause: string; cloudController: string; coredns: string; cilium: string }> = {
  "1.31.0": { pause: "3.10", cloudController: "v1.31.8", coredns: "v1.11.3", cilium: "v1.17.18" },
  "1.32.8": { pause: "3.10", cloudController: "v1.32.5", coredns: "v1.11.3", cilium: "v1.17.18" },
  "1.33.5": { pause: "3.10", cloudController: "v1.33.4", coredns: "v1.12.0", cilium: "v1.19.8" },
  "1.34.7": { pause: "3.10.1", cloudController: "v1.34.3", coredns: "v1.12.1", cilium: "v1.19.8" },
  "1.35.4": { pause: "3.10.1", cloudController: "v1.35.2", coredns: "v1.12.4", cilium: "v1.19.8" },
};

/** The e2e-tested Kubernetes minors of each Cilium minor we ship (compatibility.rst, sources in cni/settings.ts). */
const CILIUM_TESTED_ON: Record<string, string[]> = {
  "1.17": ["1.29", "1.30", "1.31", "1.32"],
  "1.19": ["1.32", "1.33", "1.34", "1.35"],
};

const DOWNLOAD = "/opt/immutable-clusters/downloads/kubernetes-node.tar.gz";
const ARM = { flatcar: { channel: "stable" as const, version: "4152.2.3", arch: "arm64" as const } };
const ARM_NODES = {
  controlPlane: { count: 3 as const, instanceType: "m7g.large" },
  workerPools: [{ name: "general", instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4 }],
};

function downloadOf(config: ParsedIgnition) {
  return config.storage!.files!.find((f) => f.path === DOWNLOAD)!.contents;
}

/**
 * The manifest files with only their DaemonSet and Deployment documents (a top-level `kind:` line; documents are
 * separated by `---` lines), so the objects these tests look up are found without parsing the CRDs (several hundred
 * KB of YAML on gateway generations) once per lookup.
 */
function workloadManifests(files: readonly ManifestFile[]): ManifestFile[] {
  return files.map((file) => ({
    name: file.name,
    yaml: file.yaml
      .split(/^---$/m)
      .filter((doc) => /^kind: (DaemonSet|Deployment)$/m.test(doc))
      .join("---"),
  }));
}

/** The minor number of an image tagged `v1.<minor>.<patch>`. */
function tagMinor(image: string): number {
  const minor = /:v1\.(\d+)\.\d+@/.exec(image)?.[1];
  if (minor === undefined) throw new Error(`${image} is not tagged v1.<minor>.<patch>@<digest>`);
  return Number(minor);
}

/**
 * The Kubernetes version skew policy's rule for the cloud controller manager: "must not be newer than the kube-apiserver
 * instances they communicate with. They are expected to match the kube-apiserver minor version, but may be up to one
 * minor version older" (kubernetes/website content/en/releases/version-skew-policy.md at 01bc0975, "kube-controller-manager,
 * kube-scheduler, and cloud-controller-manager").
 */
function withinCloudControllerSkew(clusterMinor: string, image: string): boolean {
  const skew = Number(clusterMinor.split(".")[1]) - tagMinor(image);
  return skew === 0 || skew === 1;
}

function containerImage(o: KubernetesObject): string {
  return (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image;
}

test("the expectations cover exactly the supported versions, one patch per minor", () => {
  expect(Object.keys(EXPECTED)).toEqual([...SUPPORTED_KUBERNETES_VERSIONS]);
  expect(new Set(SUPPORTED_KUBERNETES_VERSIONS.map(kubernetesMinor)).size).toBe(SUPPORTED_KUBERNETES_VERSIONS.length);
});

test("every pinned node-binary hash is a SHA-512 (128 hex digits) and no two are alike", () => {
  const hashes = Object.values(KUBERNETES_NODE_BINARIES).flatMap((byArch) => Object.values(byArch));
  for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{128}$/);
  expect(new Set(hashes).size).toBe(hashes.length);
});

test("the per-minor image tables have a row for every supported minor", () => {
  for (const minor of SUPPORTED_KUBERNETES_VERSIONS.map(kubernetesMinor)) {
    expect(PAUSE_IMAGE[minor]).toBeDefined();
    expect(CLOUD_CONTROLLER_IMAGES[minor]).toMatch(
      /^registry\.k8s\.io\/provider-aws\/cloud-controller-manager:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/,
    );
    expect(COREDNS_IMAGES[minor]).toMatch(/^registry\.k8s\.io\/coredns\/coredns:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(CILIUM_RELEASES[minor].image).toMatch(/^quay\.io\/cilium\/cilium:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(CILIUM_RELEASES[minor].operatorImage).toMatch(/^quay\.io\/cilium\/operator-generic:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  }
});

test("every minor's cloud controller manager is of that minor or exactly one older, never newer (version skew policy)", () => {
  for (const minor of SUPPORTED_KUBERNETES_VERSIONS.map(kubernetesMinor)) {
    expect({
      minor,
      image: CLOUD_CONTROLLER_IMAGES[minor],
      withinSkew: withinCloudControllerSkew(minor, CLOUD_CONTROLLER_IMAGES[minor]),
    }).toEqual({
      minor,
      image: CLOUD_CONTROLLER_IMAGES[minor],
      withinSkew: true,
    });
  }
  // The rule itself: a newer release, or one two minors older, is outside it.
  const digest = `@sha256:${"0".repeat(64)}`;
  expect(withinCloudControllerSkew("1.36", `registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.1${digest}`)).toBe(true);
  expect(withinCloudControllerSkew("1.36", `registry.k8s.io/provider-aws/cloud-controller-manager:v1.35.2${digest}`)).toBe(true);
  expect(withinCloudControllerSkew("1.35", `registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.1${digest}`)).toBe(false);
  expect(withinCloudControllerSkew("1.36", `registry.k8s.io/provider-aws/cloud-controller-manager:v1.34.3${digest}`)).toBe(false);
});

test("every minor runs a Cilium release upstream e2e-tests on it, agent and operator of the same release", () => {
  for (const minor of SUPPORTED_KUBERNETES_VERSIONS.map(kubernetesMinor)) {
    const { image, operatorImage } = CILIUM_RELEASES[minor];
    const tag = image.split(":")[1].split("@")[0];
    expect(operatorImage.split(":")[1].split("@")[0]).toBe(tag);
    expect({ minor, testedOn: CILIUM_TESTED_ON[kubernetesMinor(tag.slice(1))] }).toEqual({
      minor,
      testedOn: expect.arrayContaining([minor]),
    });
  }
});

/**
 * One cluster with a generation per supported version (ids a, b, c, ... in version order; a takes the traffic), synthesized
 * once for all the per-version tests: each generation renders from its own version alone, and one synth costs less than
 * one per version (the cluster's traffic and identity stacks, and cdktf's app, are made once).
 */
const GENERATION_IDS = "abcdefghijklmnopqrstuvwxyz";
const everyVersion = sampleCluster({
  generations: SUPPORTED_KUBERNETES_VERSIONS.map((kubernetesVersion, i) =>
    sampleGeneration({ id: GENERATION_IDS[i], kubernetesVersion, weight: i === 0 ? 100 : 0 }),
  ),
});
let everyVersionSynth: ReturnType<typeof synthCluster> | undefined;
const synthesizedEveryVersion = () => (everyVersionSynth ??= synthCluster(everyVersion));

/** The node config files each version's generation is checked with ignition-validate for. */
const VALIDATED_FILES = ["controller.ign", "worker-general.ign"];
let validatorVerdicts: Map<string, { status: number | null; output: string }> | undefined;
/**
 * ignition-validate's verdict on a generation's node config file; every generation's files are validated on the first
 * call, in one child process (ignitionValidateEach), instead of a child of this worker per file.
 */
function validatorVerdict(id: string, file: string): { status: number | null; output: string } {
  if (validatorVerdicts === undefined) {
    const out = synthesizedEveryVersion();
    const keys = SUPPORTED_KUBERNETES_VERSIONS.flatMap((_, i) => VALIDATED_FILES.map((f) => [`demo-${GENERATION_IDS[i]}`, f]));
    const verdicts = ignitionValidateEach(keys.map(([generation, f]) => JSON.stringify(out.ignition[generation][f])));
    validatorVerdicts = new Map(keys.map(([generation, f], i) => [`${generation} ${f}`, verdicts[i]]));
  }
  return validatorVerdicts.get(`demo-${id} ${file}`)!;
}

test("the cluster with a generation per version is valid", () => {
  expect(definitionProblems(everyVersion)).toEqual([]);
});

describe.each(SUPPORTED_KUBERNETES_VERSIONS.map((v, i) => [v, GENERATION_IDS[i]]))("Kubernetes %s", (version, id) => {
  const expected = EXPECTED[version];
  const minor = kubernetesMinor(version);
  const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: version })] });
  let ignition: Record<string, ParsedIgnition>;
  /** This version's generation's synthesized addon manifests, their DaemonSets and Deployments (workloadManifests). */
  let workloads: ManifestFile[];

  beforeAll(() => {
    const out = synthesizedEveryVersion();
    ignition = out.ignition[`demo-${id}`] as Record<string, ParsedIgnition>;
    workloads = workloadManifests(out.manifests[`demo-${id}`]);
  });

  test("the definition is valid", () => {
    expect(definitionProblems(cluster)).toEqual([]);
  });

  test.each([["controller.ign"], ["worker-general.ign"]])(
    "%s downloads kubernetes-node-linux-amd64.tar.gz of this version pinned by its SHA-512",
    (file) => {
      expect(downloadOf(ignition[file])).toEqual({
        source: `https://dl.k8s.io/v${version}/kubernetes-node-linux-amd64.tar.gz`,
        verification: { hash: `sha512-${KUBERNETES_NODE_BINARIES[version].amd64}` },
      });
    },
  );

  test("arm64 nodes download the arm64 tarball of this version pinned by its SHA-512", () => {
    const armCluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: version, ...ARM, ...ARM_NODES })] });
    expect(definitionProblems(armCluster)).toEqual([]);
    const gen = resolveGeneration(armCluster, armCluster.generations[0]);
    const config = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
    const arch: NodeArch = "arm64";
    expect(downloadOf(config)).toEqual({
      source: `https://dl.k8s.io/v${version}/kubernetes-node-linux-arm64.tar.gz`,
      verification: { hash: `sha512-${KUBERNETES_NODE_BINARIES[version][arch]}` },
    });
  });

  test("kubeadm initializes this version, with no flag the newer releases removed", () => {
    const init = fileText(ignition["controller.ign"], "/etc/immutable-clusters/kubeadm/init.yaml");
    const docs = Object.fromEntries(parseAllDocuments(init).map((d) => [d.toJSON().kind, d.toJSON()]));
    expect(docs.ClusterConfiguration).toMatchObject({ apiVersion: "kubeadm.k8s.io/v1beta4", kubernetesVersion: `v${version}` });
    expect(fileText(ignition["controller.ign"], "/etc/immutable-clusters/cluster.env")).toContain(`KUBERNETES_VERSION=v${version}\n`);
    // Removed upstream: kube-apiserver --cloud-provider/--cloud-config (1.33), kubelet --cloud-config and
    // --register-schedulable (1.34), kubelet --pod-infra-container-image (1.35).
    const apiServerFlags = (docs.ClusterConfiguration.apiServer.extraArgs as { name: string }[]).map((a) => a.name);
    expect(apiServerFlags).not.toEqual(expect.arrayContaining(["cloud-provider"]));
    expect(apiServerFlags).not.toEqual(expect.arrayContaining(["cloud-config"]));
    for (const file of ["controller.ign", "worker-general.ign"]) {
      const kubeadm = Object.values(ignition[file].storage!.files!)
        .filter((f) => f.path.startsWith("/etc/immutable-clusters/kubeadm/"))
        .map((f) => fileText(ignition[file], f.path))
        .join("\n");
      expect(kubeadm).not.toMatch(/cloud-config|register-schedulable|pod-infra-container-image/);
    }
  });

  test(`containerd's sandbox image is the pause ${expected.pause} kubeadm ${minor} expects`, () => {
    for (const file of ["controller.ign", "worker-general.ign"]) {
      expect(fileText(ignition[file], "/etc/containerd/config.toml")).toContain(
        `sandbox_image = "registry.k8s.io/pause:${expected.pause}"\n`,
      );
    }
    expect(PAUSE_IMAGE[minor]).toBe(`registry.k8s.io/pause:${expected.pause}`);
  });

  test(`the cloud controller manager is release ${expected.cloudController}, pinned by digest`, () => {
    const image = containerImage(findKubernetesObject(workloads, "DaemonSet", "aws-cloud-controller-manager", "kube-system"));
    expect(image).toBe(CLOUD_CONTROLLER_IMAGES[minor]);
    expect(image).toMatch(
      new RegExp(`^registry\\.k8s\\.io/provider-aws/cloud-controller-manager:${expected.cloudController}@sha256:[0-9a-f]{64}$`),
    );
  });

  test(`CoreDNS is ${expected.coredns}, the one kubeadm ${minor} installs`, () => {
    const image = containerImage(findKubernetesObject(workloads, "Deployment", "coredns", "kube-system"));
    expect(image).toMatch(new RegExp(`^registry\\.k8s\\.io/coredns/coredns:${expected.coredns}@sha256:[0-9a-f]{64}$`));
  });

  test(`Cilium is ${expected.cilium} (agent and operator), pinned by digest`, () => {
    const agent = findKubernetesObject(workloads, "DaemonSet", "cilium", "kube-system");
    const operator = findKubernetesObject(workloads, "Deployment", "cilium-operator", "kube-system");
    expect(containerImage(agent)).toBe(CILIUM_RELEASES[minor].image);
    expect(containerImage(agent)).toMatch(new RegExp(`^quay\\.io/cilium/cilium:${expected.cilium}@sha256:[0-9a-f]{64}$`));
    expect(containerImage(operator)).toBe(CILIUM_RELEASES[minor].operatorImage);
    expect(containerImage(operator)).toMatch(new RegExp(`^quay\\.io/cilium/operator-generic:${expected.cilium}@sha256:[0-9a-f]{64}$`));
  });

  test.each(VALIDATED_FILES.map((file) => [file]))("%s passes ignition-validate with no warnings", (file) => {
    expect(validatorVerdict(id, file)).toEqual({ status: 0, output: "" });
  });
});

describe("a minor without table rows", () => {
  test("is refused at validation, naming every supported version", () => {
    const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.36.1" })] });
    const problem = definitionProblems(cluster).find((p) => p.field === "generations[0].kubernetesVersion");
    expect(problem?.message).toContain(`use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`);
    for (const version of ["1.33.5", "1.34.7", "1.35.4"]) expect(problem?.message).toContain(version);
  });

  test("gets no Cilium by default: the error names the setting and the known minors", () => {
    const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.36.1" })] });
    expect(() => renderAddonManifests(resolveGeneration(cluster, cluster.generations[0]))).toThrow(
      /addons\.cni\.image: no default Cilium release for Kubernetes 1\.36 \(known: 1\.31, 1\.32, 1\.33, 1\.34, 1\.35\)/,
    );
  });

  test("gets no CoreDNS image by default: the error names the setting and the known minors", () => {
    const cni = { image: CILIUM_RELEASES["1.35"].image, operatorImage: CILIUM_RELEASES["1.35"].operatorImage };
    const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.36.1", addons: { cni } })] });
    expect(() => renderAddonManifests(resolveGeneration(cluster, cluster.generations[0]))).toThrow(
      /addons\.coredns\.image: no default CoreDNS image for Kubernetes 1\.36 \(known: 1\.31, 1\.32, 1\.33, 1\.34, 1\.35\)/,
    );
  });

  test("a set CoreDNS image is used as given on any version", () => {
    const image = "registry.k8s.io/coredns/coredns:v1.12.4";
    const cluster = sampleCluster({ generations: [sampleGeneration({ addons: { coredns: { image } } })] });
    const files = workloadManifests(renderAddonManifests(resolveGeneration(cluster, cluster.generations[0])));
    expect(containerImage(findKubernetesObject(files, "Deployment", "coredns", "kube-system"))).toBe(image);
  });
});
