// Tests of autoscaled worker pools (issue 16 item 2): the `autoscale` field (accepted, refused with the field and the
// fix), the Auto Scaling group tags cluster-autoscaler discovers and builds scale-from-zero templates from, the group
// bounds, and the cluster-autoscaler addon (shipped only with an autoscaled pool, the release of each Kubernetes minor,
// its flags, placement, security context, RBAC), brought up in the bring-up model on every supported version.
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { autoscalerGroupTags, templateEphemeralStorageMiB, templateLabels } from "../constructs/addons/cluster-autoscaler/asg-tags";
import {
  CLUSTER_AUTOSCALER_RELEASES,
  clusterAutoscalerRelease,
  clusterAutoscalerSettingsSchema,
} from "../constructs/addons/cluster-autoscaler/settings";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition, GenerationDefinition, WorkerPoolDefinition } from "../constructs/definition/types";
import { definitionProblems } from "../constructs/definition/validate";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { kubernetesMinor, SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import type { KubernetesObject } from "../constructs/testing/manifests";
import { checkedAddonFiles, checkedAddonObjects } from "./support/addon-objects";
import { modelNodes, nodeConfigFacts, simulateBringUp } from "./support/bring-up-model";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters } from "./support/synth";

const GENERAL: WorkerPoolDefinition = { name: "general", instanceTypes: ["m6i.large"], autoscale: { min: 2, max: 6 } };
const BATCH: WorkerPoolDefinition = {
  name: "batch",
  instanceTypes: ["c6i.2xlarge"],
  autoscale: { min: 0, max: 20 },
  labels: { "example.com/workload": "batch" },
  taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }],
  rootVolume: { sizeGiB: 100 },
};
const FIXED: WorkerPoolDefinition = { name: "fixed", instanceTypes: ["m6i.large"], minSize: 1, maxSize: 3 };

function cluster(pools: WorkerPoolDefinition[], extra: Partial<GenerationDefinition> = {}): ClusterDefinition {
  return sampleCluster({ generations: [sampleGeneration({ workerPools: pools, ...extra })] });
}
const problems = (def: ClusterDefinition) => definitionProblems(def).map((p) => `${p.field}: ${p.message}`);
const pools = (...list: WorkerPoolDefinition[]) => cluster(list);

describe("the autoscale field of a worker pool", () => {
  test("accepted: bounds that replace minSize/maxSize, scale to zero on a pool that is not an ingress pool", () => {
    expect(problems(pools(GENERAL, BATCH, FIXED))).toEqual([]);
    expect(problems(pools({ ...GENERAL, desiredCapacity: 4 }))).toEqual([]);
  });

  test.each<[string, WorkerPoolDefinition[], string]>([
    [
      "min above max",
      [{ ...GENERAL, autoscale: { min: 7, max: 6 } }],
      "generations[0].workerPools[0].autoscale.min: autoscale.min 7 is greater than autoscale.max 6; lower min or raise max",
    ],
    [
      "minSize beside autoscale",
      [{ ...GENERAL, minSize: 1 }],
      "generations[0].workerPools[0].minSize: the pool is autoscaled: autoscale.min replaces minSize; remove minSize",
    ],
    [
      "maxSize beside autoscale",
      [{ ...GENERAL, maxSize: 9 }],
      "generations[0].workerPools[0].maxSize: the pool is autoscaled: autoscale.max replaces maxSize; remove maxSize",
    ],
    [
      "desiredCapacity outside the bounds",
      [{ ...GENERAL, desiredCapacity: 9 }],
      "generations[0].workerPools[0].desiredCapacity: desiredCapacity 9 is outside autoscale.min..autoscale.max (2..6); pick a value in that range or leave it out (it starts at min)",
    ],
    [
      "an ingress pool that may scale to zero",
      [{ ...GENERAL, autoscale: { min: 0, max: 6 } }],
      "generations[0].workerPools[0].autoscale.min: an ingress pool must keep a node for the ingress load balancer (the autoscaler would remove its last one: DaemonSet pods do not hold a node); set autoscale.min to 1 or more",
    ],
    [
      "two taints with one key (a node template holds one per key)",
      [GENERAL, { ...BATCH, taints: [...BATCH.taints!, { key: "example.com/batch", effect: "NoExecute" }] }],
      'generations[0].workerPools[1].taints[1]: taint key "example.com/batch" is used twice; an autoscaled pool\'s node template holds one taint per key, so keep one',
    ],
    [
      "a spot base above autoscale.max",
      [{ ...GENERAL, spot: { onDemandBaseCapacity: 8 } }],
      "generations[0].workerPools[0].spot.onDemandBaseCapacity: onDemandBaseCapacity 8 exceeds autoscale.max 6; lower it or raise autoscale.max",
    ],
  ])("refused: %s", (_label, list, problem) => {
    expect(problems(pools(...list))).toEqual([problem]);
  });

  test("refused: a label key whose node-template tag exceeds AWS's 128 characters, naming the label", () => {
    const key = `${"a".repeat(20)}.example.com/${"k".repeat(63)}`; // 95 characters: a valid label key, a 142-character tag key
    const [problem] = problems(pools(GENERAL, { ...BATCH, labels: { [key]: "x" } }));
    expect(problem).toMatch(/^generations\[0\]\.workerPools\[1\]\.labels\["a+\.example\.com\/k+"\]: as the autoscaler's node-template tag/);
    expect(problem).toMatch(/AWS allows 128; use a label key of at most 82 characters$/);
    expect(problems(pools(GENERAL, { ...BATCH, labels: { [`e.com/${"k".repeat(63)}`]: "x" } }))).toEqual([]);
  });

  test("refused: more tags than AWS allows on the group, naming autoscale", () => {
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`example.com/l${i}`, "x"]));
    expect(problems(pools(GENERAL, { ...BATCH, labels }))).toEqual([
      expect.stringMatching(
        /^generations\[0\]\.workerPools\[1\]\.autoscale: the pool's Auto Scaling group would carry 52 tags \(46 for the autoscaler/,
      ),
    ]);
  });

  test("refused with the field: bounds that are not whole non-negative numbers", () => {
    expect(problems(pools({ ...GENERAL, autoscale: { min: -1, max: 3 } }))).toEqual([
      "generations[0].workerPools[0].autoscale.min: must be at least 0",
    ]);
    expect(problems(pools({ ...GENERAL, autoscale: { min: 0, max: 0 } }))).toEqual([
      "generations[0].workerPools[0].autoscale.max: must be at least 1",
    ]);
    expect(problems(pools({ ...GENERAL, autoscale: { min: 1 } as never }))).toHaveLength(1);
    expect(problems(pools({ ...GENERAL, autoscale: { min: 1, max: 3, step: 2 } as never }))[0]).toMatch(/autoscale/);
  });
});

describe("the Auto Scaling groups", () => {
  // Synthesized as the cdktf app does (constructs/fleet/fleet-app.ts synthFleet), inside withCheapCaptures: cdktf's
  // per-token creation stacks, never written out, are not collected and formatted. The Terraform JSON is the same.
  const synthesized = withCheapCaptures(() => synthClusters([pools(GENERAL, BATCH, FIXED)]));
  const groups = Object.values(resourcesOf(synthesized.json("demo-a"), "aws_autoscaling_group"));
  const group = (name: string) => groups.find((g) => g.name === name)!;
  type Tag = { key: string; value: string; propagate_at_launch: boolean };
  const tags = (name: string) => Object.fromEntries((group(name).tag as Tag[]).map((t) => [t.key, t.value]));
  const propagated = (name: string) => (group(name).tag as Tag[]).filter((t) => t.propagate_at_launch).map((t) => t.key);

  test("an autoscaled pool's bounds are its autoscale bounds; it starts at min; Terraform leaves its desired capacity alone", () => {
    expect(group("demo-a-batch")).toMatchObject({
      min_size: 0,
      max_size: 20,
      desired_capacity: 0,
      lifecycle: { ignore_changes: ["desired_capacity"] },
    });
    expect(group("demo-a-general")).toMatchObject({ min_size: 2, max_size: 6, desired_capacity: 2 });
    expect(group("demo-a-fixed")).toMatchObject({ min_size: 1, max_size: 3, desired_capacity: 1 });
    expect(group("demo-a-fixed").lifecycle).toBeUndefined();
    expect(group("demo-a-controllers").lifecycle).toBeUndefined();
  });

  test("an autoscaled pool carries the discovery tags and its node template: labels (with the pool's), taints, ephemeral storage", () => {
    expect(tags("demo-a-batch")).toMatchObject({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/demo-a": "owned",
      "k8s.io/cluster-autoscaler/node-template/label/example.com/workload": "batch",
      "k8s.io/cluster-autoscaler/node-template/label/immutable-clusters.io/pool": "batch",
      "k8s.io/cluster-autoscaler/node-template/taint/example.com/batch": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage": `${templateEphemeralStorageMiB(100)}Mi`,
    });
    // The ingress pool's template has the labels its nodes get: the kubelet's and the control plane's ingress label.
    expect(tags("demo-a-general")).toMatchObject({
      "k8s.io/cluster-autoscaler/node-template/label/immutable-clusters.io/pool": "general",
      "k8s.io/cluster-autoscaler/node-template/label/immutable-clusters.io/ingress": "true",
      "k8s.io/cluster-autoscaler/node-template/label/node-restriction.kubernetes.io/ingress": "true",
    });
    // The tags describe the group, not its instances.
    expect(propagated("demo-a-batch").filter((k) => k.startsWith("k8s.io/cluster-autoscaler/"))).toEqual([]);
    expect(propagated("demo-a-batch")).toEqual(expect.arrayContaining(["Name", "immutable-clusters/pool"]));
  });

  test("a pool without autoscale and the control plane carry no autoscaler tag (never discovered, never scaled)", () => {
    for (const name of ["demo-a-fixed", "demo-a-controllers"])
      expect({ name, keys: Object.keys(tags(name)).filter((k) => k.startsWith("k8s.io/cluster-autoscaler")) }).toEqual({ name, keys: [] });
  });

  test("the node template matches what the node configs register (labels from the kubelet's --node-labels, taints from kubeadm)", () => {
    const def = pools(GENERAL, BATCH);
    const resolved = resolveGeneration(def, def.generations[0]);
    const batch = resolved.workerPools[1];
    const facts = nodeConfigFacts({
      "controller.ign": JSON.parse(renderNodeIgnition(resolved, { kind: "controller" })),
      "worker-batch.ign": JSON.parse(renderNodeIgnition(resolved, { kind: "worker", pool: batch })),
    });
    const role = facts.roles.get("batch")!;
    // The kubelet's own labels: kubernetes.io/os is linux on every node; kubernetes.io/arch is the node's and is its own tag.
    const { "kubernetes.io/os": _os, "kubernetes.io/arch": arch, ...kubeletLabels } = role.labels;
    expect(templateLabels(batch)).toEqual(kubeletLabels);
    expect(autoscalerGroupTags("demo-a", batch)["k8s.io/cluster-autoscaler/node-template/label/kubernetes.io/arch"]).toBe(arch);
    const taintTags = Object.entries(autoscalerGroupTags("demo-a", batch)).filter(([k]) => k.includes("/node-template/taint/"));
    expect(taintTags).toEqual(
      role.permanentTaints.map((t) => [`k8s.io/cluster-autoscaler/node-template/taint/${t.key}`, `${t.value ?? ""}:${t.effect}`]),
    );
  });

  test("ephemeral storage: the ROOT partition of a Flatcar disk less the kubelet's 10% eviction threshold, never more", () => {
    // 30 GiB - 6.06 GiB of other partitions (12718080 blocks of 512 bytes) - 1 GiB margin = 22.94 GiB; 90% = 21137 MiB.
    expect(templateEphemeralStorageMiB(30)).toBe(21137);
    expect(templateEphemeralStorageMiB(8)).toBe(862);
    expect(templateEphemeralStorageMiB(100)).toBeGreaterThan(templateEphemeralStorageMiB(30));
  });
});

const AUTOSCALER_FILE = "45-cluster-autoscaler.yaml";
/**
 * The addon files of a definition's first generation with the objects their YAML carries (support/addon-objects.ts:
 * synthesized and checked, the YAML neither written nor parsed), rendered once per distinct definition in this file
 * (several tests read the same one-pool cluster; rendering is deterministic, test/addons-core.test.ts). Each caller gets
 * its own copies of the autoscaler file's objects.
 */
const renderedFiles = new Map<string, ReturnType<typeof checkedAddonFiles>>();
function manifests(def: ClusterDefinition): { files: string[]; objects: KubernetesObject[] } {
  const key = JSON.stringify(def);
  const files = renderedFiles.get(key) ?? checkedAddonFiles(resolveGeneration(def, def.generations[0]));
  renderedFiles.set(key, files);
  return {
    files: files.map((f) => f.file),
    objects: structuredClone(files.filter((f) => f.file === AUTOSCALER_FILE).flatMap((f) => f.objects)) as unknown as KubernetesObject[],
  };
}
const deploymentOf = (objects: KubernetesObject[]) => objects.find((o) => o.kind === "Deployment")!;
type Pod = {
  hostNetwork: boolean;
  dnsPolicy: string;
  nodeSelector: Record<string, string>;
  tolerations: object[];
  securityContext: Record<string, unknown>;
  containers: Array<{ image: string; command: string[]; env: object[]; securityContext: Record<string, unknown>; resources: object }>;
};
const podOf = (objects: KubernetesObject[]) => (deploymentOf(objects).spec as { template: { spec: Pod } }).template.spec;

describe("the cluster-autoscaler addon", () => {
  test("is shipped only when a pool is autoscaled, and not when turned off", () => {
    expect(manifests(pools(FIXED)).files).not.toContain(AUTOSCALER_FILE);
    expect(manifests(pools(GENERAL, FIXED)).files).toContain(AUTOSCALER_FILE);
    expect(manifests(cluster([GENERAL], { addons: { clusterAutoscaler: { enabled: false } } })).files).not.toContain(AUTOSCALER_FILE);
  });

  test.each(SUPPORTED_KUBERNETES_VERSIONS.map((v) => [v]))(
    "Kubernetes %s runs the autoscaler of its minor, pinned by digest",
    (version) => {
      const { objects } = manifests(cluster([GENERAL], { kubernetesVersion: version }));
      const image = podOf(objects).containers[0].image;
      expect(image).toBe(CLUSTER_AUTOSCALER_RELEASES[kubernetesMinor(version)].image);
      expect(image).toMatch(
        new RegExp(
          `^registry\\.k8s\\.io/autoscaling/cluster-autoscaler:v${kubernetesMinor(version).replace(".", "\\.")}\\.\\d+@sha256:[0-9a-f]{64}$`,
        ),
      );
      // resource.k8s.io is read only by a release that always handles DRA (1.35 on).
      const role = objects.find((o) => o.kind === "ClusterRole")! as unknown as { rules: Array<{ apiGroups: string[] }> };
      expect(role.rules.some((r) => r.apiGroups.includes("resource.k8s.io"))).toBe(kubernetesMinor(version) === "1.35");
    },
  );

  test("a minor without a release is refused naming the field; a set image is used as given", () => {
    const settings = clusterAutoscalerSettingsSchema.parse({});
    expect(() => clusterAutoscalerRelease(settings, "1.30.0")).toThrow(
      /^addons\.clusterAutoscaler\.image: no default cluster-autoscaler for Kubernetes 1\.30 \(known: 1\.31, 1\.32, 1\.33, 1\.34, 1\.35\); set it/,
    );
    const image = `registry.example.com/ca:v1.36.1@sha256:${"a".repeat(64)}`;
    expect(clusterAutoscalerRelease({ ...settings, image }, "1.30.0")).toEqual({ image, handlesDra: true });
  });

  test("discovers exactly this generation's autoscaled groups, on AWS, in its region", () => {
    const pod = podOf(manifests(pools(GENERAL)).objects);
    expect(pod.containers[0].command).toEqual(
      expect.arrayContaining([
        "--cloud-provider=aws",
        "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/demo-a",
        "--expander=least-waste",
      ]),
    );
    expect(pod.containers[0].command.some((a) => a.startsWith("--nodes="))).toBe(false);
    expect(pod.containers[0].env).toEqual([{ name: "AWS_REGION", value: "eu-west-1" }]);
  });

  test("runs on the control plane in the host network (node role credentials), resolving through the node", () => {
    const pod = podOf(manifests(pools(GENERAL)).objects);
    expect(pod).toMatchObject({ hostNetwork: true, dnsPolicy: "Default", nodeSelector: { "node-role.kubernetes.io/control-plane": "" } });
    expect(pod.tolerations).toContainEqual({ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" });
  });

  test("its container meets Pod Security 'restricted' and states its resources", () => {
    const pod = podOf(manifests(pools(GENERAL)).objects);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect((pod as unknown as { volumes?: unknown[] }).volumes).toBeUndefined(); // no hostPath (the image carries CA certificates)
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "1", memory: "600Mi" } });
  });

  test("RBAC: its own ServiceAccount; writes only its lease, status ConfigMap, evictions and node updates", () => {
    const { objects } = manifests(pools(GENERAL));
    const role = objects.find((o) => o.kind === "Role")! as unknown as { rules: Array<{ resourceNames?: string[]; verbs: string[] }> };
    expect(role.rules.filter((r) => r.verbs.includes("update")).map((r) => r.resourceNames)).toEqual([
      ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"],
    ]);
    const clusterRole = objects.find((o) => o.kind === "ClusterRole")! as unknown as {
      rules: Array<{ apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }>;
    };
    const writes = clusterRole.rules.filter((r) => r.verbs.some((v) => ["create", "update", "patch", "delete"].includes(v)));
    expect(
      writes.map((r) => `${r.apiGroups[0] || "core"}/${r.resources.join(",")}${r.resourceNames ? `[${r.resourceNames}]` : ""}:${r.verbs}`),
    ).toEqual([
      "core/events,endpoints:create,patch",
      "core/pods/eviction:create",
      "core/pods/status:update",
      "core/endpoints[cluster-autoscaler]:get,update",
      "core/nodes:watch,list,get,update",
      "batch/jobs:get,list,watch,patch",
      "coordination.k8s.io/leases:create",
      "coordination.k8s.io/leases[cluster-autoscaler]:get,update",
    ]);
    expect(clusterRole.rules.flatMap((r) => r.apiGroups)).not.toContain("extensions");
    expect(clusterRole.rules.flatMap((r) => r.resources)).not.toContain("secrets");
  });
});

describe("bring-up with autoscaled pools, on every supported Kubernetes version", () => {
  test.each(SUPPORTED_KUBERNETES_VERSIONS.map((v) => [v]))("Kubernetes %s: cluster-autoscaler and every other pod run", (version) => {
    const def = cluster([GENERAL, BATCH, FIXED], { kubernetesVersion: version });
    const resolved = resolveGeneration(def, def.generations[0]);
    const ignition: Record<string, unknown> = { "controller.ign": JSON.parse(renderNodeIgnition(resolved, { kind: "controller" })) };
    for (const pool of resolved.workerPools)
      ignition[`worker-${pool.name}.ign`] = JSON.parse(renderNodeIgnition(resolved, { kind: "worker", pool }));
    const facts = nodeConfigFacts(ignition);
    const objects = checkedAddonObjects(resolved);
    // The batch pool at zero nodes: nothing the cluster needs may wait for a pool the autoscaler has not grown yet.
    const result = simulateBringUp({ objects, nodes: modelNodes(facts, { general: 2, fixed: 1 }), clusterDns: facts.clusterDns });
    expect(result.blocked).toEqual([]);
    const autoscaler = result.pods.filter((p) => p.workload.name === "cluster-autoscaler");
    expect(autoscaler.map((p) => ({ running: p.running, onControlPlane: p.node?.startsWith("controller-") }))).toEqual([
      { running: true, onControlPlane: true },
    ]);
  });
});
