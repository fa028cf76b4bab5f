// Tests of mixed-architecture generations: a pool's architecture is the one its instance types share (the control
// plane's, its instance type's), so one generation runs an amd64 control plane beside Graviton (arm64) workers: one
// encrypted AMI copy per architecture, launch templates on their architecture's copy, node configs downloading that
// architecture's pinned binaries, the autoscaler's node template naming the architecture, and every addon image that
// can land on a node recorded for that node's architecture (or kept off it with a required node affinity).
import { KubernetesCluster, type ClusterDefinition } from "../constructs";
import { IAM_AUTHENTICATOR_IMAGE } from "../constructs/addons/access/settings";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { architecturePlacement, IMAGE_ARCHITECTURES, imageArchitectures } from "../constructs/addons/image-architectures";
import { definitionProblems, validateDefinition } from "../constructs/definition/validate";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { KUBERNETES_NODE_BINARIES, SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import { nodeConfigKey, renderNodeIgnition } from "../constructs/ignition/node-config";
import { App, TerraformStack } from "../constructs/platform/terraform";
import { AwsProvider } from "../constructs/platform/aws";
import { staging } from "../clusters/staging";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters, type TerraformJson } from "./support/synth";

const mixed: ClusterDefinition = sampleCluster({
  generations: [
    sampleGeneration({
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: true },
        { name: "graviton", instanceTypes: ["m7g.large", "c7g.large"], autoscale: { min: 0, max: 4 } },
      ],
      addons: { logging: { enabled: true }, monitoring: { enabled: true, grafana: { enabled: true } } },
    }),
  ],
});

const resolved = (def: ClusterDefinition, index = 0): ResolvedGeneration => {
  const valid = validateDefinition(def);
  return resolveGeneration(valid, valid.generations[index]);
};

describe("architecture of pools and control plane", () => {
  test("each pool's follows its instance types, the control plane's its type; flatcar.arch is not needed", () => {
    const gen = resolved(mixed);
    expect(gen.controlPlane.arch).toBe("amd64");
    expect(gen.workerPools.map((p) => [p.name, p.arch])).toEqual([
      ["general", "amd64"],
      ["graviton", "arm64"],
    ]);
    expect(gen.architectures).toEqual(["amd64", "arm64"]);
    // The lock's flatcarImage (the control plane's image) is what it was for a single-architecture generation.
    expect(gen.flatcar.imageName).toBe("Flatcar-stable-4152.2.3-hvm");
  });

  test("an arm64 control plane beside amd64 workers resolves too, with its image named -arm64", () => {
    const def = sampleCluster({ generations: [sampleGeneration({ controlPlane: { count: 1, instanceType: "c7g.large" } })] });
    const gen = resolved(def);
    expect([gen.controlPlane.arch, gen.workerPools[0].arch, gen.flatcar.imageName]).toEqual([
      "arm64",
      "amd64",
      "Flatcar-stable-4152.2.3-arm64-hvm",
    ]);
  });

  test("flatcar.arch (deprecated) still binds every node: a Graviton pool beside it is refused, naming the pool's field", () => {
    const def = {
      ...mixed,
      generations: [{ ...mixed.generations[0], flatcar: { ...mixed.generations[0].flatcar, arch: "amd64" as const } }],
    };
    expect(definitionProblems(def)).toEqual([
      {
        field: "generations[0].workerPools[1].instanceTypes[0]",
        message: expect.stringMatching(
          /"m7g\.large" is an arm64 \(Graviton\) type but the generation boots Flatcar amd64.*remove flatcar\.arch/,
        ),
      },
      {
        field: "generations[0].workerPools[1].instanceTypes[1]",
        message: expect.stringMatching(/"c7g\.large" is an arm64 \(Graviton\) type/),
      },
    ]);
  });

  test("every supported Kubernetes version has both architectures' node binaries pinned (SHA-512, 128 hex digits)", () => {
    for (const version of SUPPORTED_KUBERNETES_VERSIONS)
      for (const arch of ["amd64", "arm64"] as const)
        expect({ version, arch, sha512: KUBERNETES_NODE_BINARIES[version][arch] }).toEqual({
          version,
          arch,
          sha512: expect.stringMatching(/^[0-9a-f]{128}$/),
        });
  });
});

describe("synthesized Terraform of a mixed generation", () => {
  const result = synthClusters([mixed]);
  const doc: TerraformJson = result.json("demo-a");
  const copies = resourcesOf(doc, "aws_ami_copy");
  const templates = Object.values(resourcesOf(doc, "aws_launch_template"));
  const copyFor = (imageName: string) => Object.entries(copies).find(([, c]) => c.name === `demo-a-${imageName}`)![0];
  const templateNamed = (name: string) => templates.find((t) => t.name === name)!;

  test("one encrypted AMI copy per architecture, each from a lookup filtered on that architecture", () => {
    expect(
      Object.values(copies)
        .map((c) => [c.name, c.encrypted])
        .sort(),
    ).toEqual([
      ["demo-a-Flatcar-stable-4152.2.3-arm64-hvm", true],
      ["demo-a-Flatcar-stable-4152.2.3-hvm", true],
    ]);
    const lookups = Object.values(doc.data!.aws_ami_ids) as Array<{ filter: Array<{ name: string; values: string[] }> }>;
    // The control plane's lookup comes first in the JSON: the review reads a generation's Flatcar image from the first.
    expect(lookups[0].filter.find((f) => f.name === "name")!.values).toEqual(["Flatcar-stable-4152.2.3-hvm"]);
    expect(
      lookups
        .map((l) => [l.filter.find((f) => f.name === "name")!.values, l.filter.find((f) => f.name === "architecture")!.values])
        .sort((x, y) => String(x).localeCompare(String(y))),
    ).toEqual([
      [["Flatcar-stable-4152.2.3-arm64-hvm"], ["arm64"]],
      [["Flatcar-stable-4152.2.3-hvm"], ["x86_64"]],
    ]);
  });

  test("the arm64 pool's launch template boots the arm64 copy; the control plane and the amd64 pool the amd64 one", () => {
    const amd64 = `\${aws_ami_copy.${copyFor("Flatcar-stable-4152.2.3-hvm")}.id}`;
    const arm64 = `\${aws_ami_copy.${copyFor("Flatcar-stable-4152.2.3-arm64-hvm")}.id}`;
    expect(templateNamed("demo-a-worker-graviton").image_id).toBe(arm64);
    expect(templateNamed("demo-a-worker-general").image_id).toBe(amd64);
    expect(templateNamed("demo-a-controller").image_id).toBe(amd64);
  });

  test("the arm64 pool's node config downloads the arm64 binaries with their pinned SHA-512; the others amd64", () => {
    const configs = result.stacks[0].generations[0].cluster.nodeConfigs;
    const download = (key: string) =>
      (
        JSON.parse(configs.get(key)!) as { storage: { files: Array<{ path: string; contents: { source: string; verification: object } }> } }
      ).storage.files.find((f) => f.path === "/opt/immutable-clusters/downloads/kubernetes-node.tar.gz")!.contents;
    expect(download("ignition/worker-graviton.ign")).toEqual({
      source: "https://dl.k8s.io/v1.31.0/kubernetes-node-linux-arm64.tar.gz",
      verification: { hash: `sha512-${KUBERNETES_NODE_BINARIES["1.31.0"].arm64}` },
    });
    for (const key of ["ignition/worker-general.ign", "ignition/controller.ign"])
      expect(download(key).source).toBe("https://dl.k8s.io/v1.31.0/kubernetes-node-linux-amd64.tar.gz");
  });

  test("the autoscaled arm64 pool's node template says kubernetes.io/arch=arm64 (scale from zero picks the right pool)", () => {
    const group = Object.values(resourcesOf(doc, "aws_autoscaling_group")).find((g) => g.name === "demo-a-graviton") as {
      tag: Array<{ key: string; value: string; propagate_at_launch: boolean }>;
    };
    expect(group.tag.find((t) => t.key === "k8s.io/cluster-autoscaler/node-template/label/kubernetes.io/arch")).toEqual({
      key: "k8s.io/cluster-autoscaler/node-template/label/kubernetes.io/arch",
      value: "arm64",
      propagate_at_launch: false,
    });
  });
});

describe("addon images on the architectures they can land on", () => {
  const gen = resolved(mixed);
  const objects = synthesizeAddonObjects(gen).flatMap((f) => f.objects);

  test("every image that can land on a node of architecture X is recorded as available for X", () => {
    const unrecorded = objects.flatMap((o) => {
      const placement = architecturePlacement(gen, o);
      return (placement?.missing ?? []).map(
        ({ image, arch }) => `${String(o.kind)} ${(o.metadata as { name: string }).name}: ${image} on ${arch}`,
      );
    });
    expect(unrecorded).toEqual([]);
  });

  test("DaemonSets on every node (Cilium agent, fluent-bit, node-exporter) are multi-arch and get no architecture affinity", () => {
    for (const name of ["cilium", "fluent-bit", "node-exporter"]) {
      const ds = objects.find((o) => o.kind === "DaemonSet" && (o.metadata as { name: string }).name === name)!;
      const placement = architecturePlacement(gen, ds)!;
      expect({ name, landsOn: placement.landsOn, runsOn: placement.imagesRunOn }).toEqual({
        name,
        landsOn: ["amd64", "arm64"],
        runsOn: ["amd64", "arm64"],
      });
      expect(JSON.stringify(ds)).not.toContain("kubernetes.io/arch");
    }
  });

  test("a workload whose image is not proven multi-arch (Grafana) requires kubernetes.io/arch In [amd64]", () => {
    const grafana = objects.find((o) => o.kind === "Deployment" && (o.metadata as { name: string }).name === "grafana")!;
    const affinity = (grafana.spec as { template: { spec: { affinity: { nodeAffinity: unknown } } } }).template.spec.affinity.nodeAffinity;
    expect(affinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }],
      },
    });
    expect(IMAGE_ARCHITECTURES["docker.io/grafana/grafana:11.6.1"].source).toMatch(/no upstream build configuration/);
  });

  test("a single-architecture generation renders no architecture affinity at all (nothing changes for it)", () => {
    const amd64Only = resolved(
      sampleCluster({ generations: [sampleGeneration({ addons: { monitoring: { enabled: true, grafana: { enabled: true } } } })] }),
    );
    const rendered = JSON.stringify(synthesizeAddonObjects(amd64Only));
    expect(rendered).not.toContain("kubernetes.io/arch");
  });

  test("a DaemonSet image not recorded for arm64 on an arm64 pool is refused, naming the addon, the image and the fix", () => {
    const def = {
      ...mixed,
      generations: [
        {
          ...mixed.generations[0],
          addons: { ...mixed.generations[0].addons, logging: { enabled: true, image: "cr.fluentbit.io/fluent/fluent-bit:3.2.9" } },
        },
      ],
    };
    expect(() => synthesizeAddonObjects(resolved(def))).toThrow(
      /demo-a: addons\.logging: DaemonSet logging\/fluent-bit must run on every node it selects, including arm64 nodes, but its image cr\.fluentbit\.io\/fluent\/fluent-bit:3\.2\.9 is not recorded as available for arm64; set an image recorded for arm64/,
    );
  });

  test("all-Graviton workers beside an amd64 control plane: default addons run there; Grafana (not proven arm64) is refused by name", () => {
    const graviton = (addons: Record<string, unknown>) =>
      resolved(
        sampleCluster({
          generations: [
            sampleGeneration({
              kubernetesVersion: "1.35.4",
              workerPools: [{ name: "general", instanceTypes: ["m7g.large"], minSize: 2, maxSize: 4 }],
              // ingressNginx off: on 1.33+ any addons block is otherwise refused by the gateway rule (validate.ts).
              addons: { ingressNginx: { enabled: false }, ...addons },
            }),
          ],
        }),
      );
    const rendered = synthesizeAddonObjects(graviton({ monitoring: { grafana: { enabled: false } } })).flatMap((f) => f.objects);
    const coredns = rendered.filter(
      (o) => o.kind === "Deployment" && ["coredns", "coredns-autoscaler"].includes((o.metadata as { name: string }).name),
    );
    expect(coredns.map((o) => architecturePlacement(graviton({ monitoring: { grafana: { enabled: false } } }), o)!.missing)).toEqual([
      [],
      [],
    ]);
    expect(() => synthesizeAddonObjects(graviton({}))).toThrow(
      /addons\.monitoring: Deployment monitoring\/grafana can only be scheduled on arm64 nodes, but its image docker\.io\/grafana\/grafana:11\.6\.1 is not recorded as available for arm64/,
    );
  });

  test("every image reference the library pins is recorded, on every supported Kubernetes version", () => {
    const unrecorded = new Set<string>();
    for (const version of SUPPORTED_KUBERNETES_VERSIONS) {
      const gen = resolved(
        sampleCluster({
          generations: [
            sampleGeneration({
              kubernetesVersion: version,
              workerPools: [{ name: "general", instanceTypes: ["m6i.large"], autoscale: { min: 1, max: 3 } }],
              addons: {
                ingressNginx: { enabled: version < "1.33" },
                metricsServer: { approveKubeletServingCertificates: true },
                logging: { enabled: true },
              },
            }),
          ],
        }),
      );
      for (const object of synthesizeAddonObjects(gen).flatMap((f) => f.objects))
        for (const image of JSON.stringify(object).match(/"image":"[^"]+"/g) ?? [])
          if (!Object.hasOwn(IMAGE_ARCHITECTURES, image.slice(9, -1))) unrecorded.add(image.slice(9, -1));
    }
    expect([...unrecorded]).toEqual([]);
    expect(IMAGE_ARCHITECTURES[IAM_AUTHENTICATOR_IMAGE].architectures).toEqual(["amd64"]);
  });

  test("an image reference not recorded is taken as amd64 only; each record names its evidence", () => {
    expect(imageArchitectures("example.com/team/app:v1")).toEqual(["amd64"]);
    for (const [image, record] of Object.entries(IMAGE_ARCHITECTURES)) {
      expect({ image, source: record.source.length > 40 }).toEqual({ image, source: true });
      expect(record.architectures).toContain("amd64");
    }
  });
});

describe("the examples", () => {
  test("staging/b (unlocked) runs a Graviton pool beside its amd64 control plane and pool; staging/a stays amd64 only", () => {
    const a = resolveGeneration(staging, staging.generations[0]);
    const b = resolveGeneration(staging, staging.generations[1]);
    expect(a.architectures).toEqual(["amd64"]);
    expect(b.architectures).toEqual(["amd64", "arm64"]);
    expect(b.workerPools.find((p) => p.arch === "arm64")!.instanceTypes).toEqual(["m7g.large", "c7g.large"]);
  });
});

describe("frozen node configs keep their architecture", () => {
  test("a pool whose frozen config runs amd64 nodes cannot move to Graviton types in place", () => {
    const amd64 = sampleCluster({ generations: [sampleGeneration({ workerPools: [{ name: "general", instanceTypes: ["m6i.large"] }] })] });
    const frozen = renderNodeIgnition(resolved(amd64), { kind: "worker", pool: resolved(amd64).workerPools[0] });
    const moved = sampleCluster({ generations: [sampleGeneration({ workerPools: [{ name: "general", instanceTypes: ["m7g.large"] }] })] });
    const app = new App({ outdir: "unused" });
    const stack = new TerraformStack(app, "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const key = nodeConfigKey({ kind: "worker", pool: resolved(moved).workerPools[0] });
    expect(
      () => new KubernetesCluster(stack, "c", { cluster: moved, generationId: "a", frozenNodeConfigs: new Map([[key, frozen]]) }),
    ).toThrow(
      /demo-a: generations\[0\]\.workerPools\[0\]\.instanceTypes: "m7g\.large" is arm64 but the frozen node config ignition\/worker-general\.ign runs amd64 nodes; .*use amd64 instance types here, or create a new generation/,
    );
  });
});
