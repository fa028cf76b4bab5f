// Unit tests of the immutability guard: which changes to a generation recorded in the fleet lock are refused (Kubernetes
// version, Flatcar image, node bootstrap, addons) and which stay allowed (scaling, instance types, new pools, weights,
// generations not deployed yet), and how addClusters enforces or only reports them, for locks of hashes (version 1) and
// frozen generations (version 2, compared on their definitions).
import type { ClusterDefinition, GenerationDefinition } from "../constructs";
import {
  addClusters,
  EMPTY_LOCK,
  fingerprintGeneration,
  ImmutabilityError,
  immutabilityViolations,
  withGeneration,
  type FleetLock,
} from "../constructs";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { App } from "../constructs/platform/terraform";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const deployed = sampleCluster({
  generations: [
    sampleGeneration({ id: "a", weight: 100 }),
    sampleGeneration({ id: "b", kubernetesVersion: "1.32.8", flatcar: { channel: "stable", version: "4230.2.1" }, weight: 0 }),
  ],
});
/**
 * addClusters as the cdktf app calls it (constructs/fleet/fleet-app.ts synthFleet): inside withCheapCaptures, so
 * cdktf's per-token creation stacks, which nothing here reads, are not collected and formatted for every token of
 * every stack built (most of this suite's CPU before). Errors keep their stacks and messages.
 */
const add = (...args: Parameters<typeof addClusters>) => withCheapCaptures(() => addClusters(...args));

/** Only generation `a` is deployed. */
const lock: FleetLock = withGeneration(EMPTY_LOCK, "demo", "a", fingerprintGeneration(deployed, "a"));

/** The deployed cluster with generation `id` changed. */
function changed(change: (g: GenerationDefinition) => GenerationDefinition, id = "a"): ClusterDefinition {
  return { ...deployed, generations: deployed.generations.map((g) => (g.id === id ? change(g) : g)) };
}

describe("refused: in-place changes to a deployed generation", () => {
  test.each<[string, (g: GenerationDefinition) => GenerationDefinition, string, RegExp]>([
    [
      "Kubernetes version",
      (g) => ({ ...g, kubernetesVersion: "1.32.8" }),
      "generations[0].kubernetesVersion",
      /Kubernetes version changed from 1\.31\.0 to 1\.32\.8/,
    ],
    [
      "Flatcar version",
      (g) => ({ ...g, flatcar: { ...g.flatcar, version: "4152.2.4" } }),
      "generations[0].flatcar",
      /Flatcar-stable-4152\.2\.3-hvm to Flatcar-stable-4152\.2\.4-hvm/,
    ],
    [
      "node bootstrap (a pool's labels)",
      (g) => ({ ...g, workerPools: [{ ...g.workerPools[0], labels: { "example.com/team": "payments" } }] }),
      "generations[0].workerPools[0]",
      /node bootstrap \(Ignition\) of pool "general" changed/,
    ],
    ["addons", (g) => ({ ...g, addons: { monitoring: { enabled: false } } }), "generations[0].addons", /addon manifests changed/],
  ])("%s", (_, change, field, message) => {
    const violations = immutabilityViolations([changed(change)], lock);
    const violation = violations.find((v) => v.field === field);
    expect(violation).toBeDefined();
    expect(violation).toMatchObject({ cluster: "demo", generation: "a" });
    expect(violation!.before).not.toBe(violation!.after);
    expect(violation!.message).toMatch(message);
    expect(violation!.message).toMatch(/deployed generations are immutable: create a new generation \(e\.g\. "c"\) with the change/);
  });

  test("addClusters throws before synthesizing anything, listing every refused change", () => {
    const app = new App({ outdir: "unused" });
    const definition = changed((g) => ({ ...g, kubernetesVersion: "1.32.8", flatcar: { ...g.flatcar, version: "4152.2.4" } }));
    expect(() => add(app, [definition], { lock })).toThrow(ImmutabilityError);
    try {
      add(new App({ outdir: "unused" }), [definition], { lock });
    } catch (error) {
      expect((error as Error).message).toMatch(/nothing was synthesized/);
      expect((error as Error).message).toMatch(/demo\/a generations\[0\]\.kubernetesVersion: /);
      expect((error as Error).message).toMatch(/demo\/a generations\[0\]\.flatcar: /);
    }
    expect(app.node.children).toHaveLength(0);
  });

  test("report mode synthesizes anyway; the violations stay listable", () => {
    const definition = changed((g) => ({ ...g, kubernetesVersion: "1.32.8" }));
    const stacks = add(new App({ outdir: "unused" }), [definition], { lock, guard: "report" });
    expect(stacks[0].generations.map((s) => s.node.id)).toEqual(["demo-a", "demo-b"]);
    expect(immutabilityViolations([definition], lock).map((v) => v.field)).toContain("generations[0].kubernetesVersion");
  });
});

describe("allowed: what may change on a deployed generation, and anything on one not deployed", () => {
  test.each<[string, ClusterDefinition]>([
    ["nothing changed", deployed],
    ["pool scaling", changed((g) => ({ ...g, workerPools: [{ ...g.workerPools[0], minSize: 3, maxSize: 9, desiredCapacity: 5 }] }))],
    [
      "pool instance types (launch template only, same bootstrap)",
      changed((g) => ({ ...g, workerPools: [{ ...g.workerPools[0], instanceTypes: ["m7i.large"] }] })),
    ],
    [
      "a new pool (recorded by the next lock)",
      changed((g) => ({ ...g, workerPools: [...g.workerPools, { name: "batch", minSize: 0, maxSize: 5 }] })),
    ],
    [
      "a weight shift and retiring",
      {
        ...deployed,
        generations: [
          { ...deployed.generations[0], weight: 0, state: "retiring" },
          { ...deployed.generations[1], weight: 100 },
        ],
      },
    ],
    [
      "any change to a generation not in the lock",
      changed((g) => ({ ...g, kubernetesVersion: "1.31.0", addons: { monitoring: { enabled: false } } }), "b"),
    ],
    ["a cluster not in the lock", { ...changed((g) => ({ ...g, kubernetesVersion: "1.32.8" })), name: "other" }],
  ])("%s", (_, definition) => {
    expect(immutabilityViolations([definition], lock)).toEqual([]);
    expect(() => add(new App({ outdir: "unused" }), [definition], { lock })).not.toThrow();
  });

  test("without a lock nothing counts as deployed", () => {
    expect(() => add(new App({ outdir: "unused" }), [changed((g) => ({ ...g, kubernetesVersion: "1.32.8" }))])).not.toThrow();
  });
});

describe("a frozen generation (lock version 2): the guard compares definitions", () => {
  const { freezeGeneration } = require("../constructs/fleet/frozen-artifacts") as typeof import("../constructs/fleet/frozen-artifacts");
  const frozenLock: FleetLock = withGeneration(EMPTY_LOCK, "demo", "a", freezeGeneration(deployed, "a").record);

  test.each<[string, ClusterDefinition, string, RegExp]>([
    [
      "Kubernetes version",
      changed((g) => ({ ...g, kubernetesVersion: "1.32.8" })),
      "generations[0].kubernetesVersion",
      /Kubernetes version changed from 1\.31\.0 to 1\.32\.8/,
    ],
    [
      "Flatcar version",
      changed((g) => ({ ...g, flatcar: { ...g.flatcar, version: "4152.2.4" } })),
      "generations[0].flatcar.version",
      /Flatcar image version changed from 4152\.2\.3 to 4152\.2\.4/,
    ],
    [
      "a pool's labels",
      changed((g) => ({ ...g, workerPools: [{ ...g.workerPools[0], labels: { "example.com/team": "payments" } }] })),
      "generations[0].workerPools[0].labels",
      /workerPools\[0\]\.labels changed from \(unset\) to \{"example\.com\/team":"payments"\}/,
    ],
    [
      "an addon",
      changed((g) => ({ ...g, addons: { monitoring: { enabled: false } } })),
      "generations[0].addons",
      /addons changed from \(unset\)/,
    ],
    [
      "the control-plane count",
      changed((g) => ({ ...g, controlPlane: { ...g.controlPlane, count: 5 } })),
      "generations[0].controlPlane.count",
      /from 3 to 5/,
    ],
    [
      "the VPC CIDR",
      { ...deployed, network: { ...deployed.network, vpcCidr: "10.1.0.0/16" } },
      "network.vpcCidr",
      /from 10\.0\.0\.0\/16 to 10\.1\.0\.0\/16/,
    ],
  ])("refuses %s, naming the field", (_, definition, field, message) => {
    const violations = immutabilityViolations([definition], frozenLock);
    expect(violations.map((v) => v.field)).toEqual([field]);
    expect(violations[0].message).toMatch(message);
    expect(violations[0].message).toMatch(/deployed generations are immutable: create a new generation/);
  });

  test.each<[string, ClusterDefinition]>([
    ["nothing changed", deployed],
    [
      "pool scaling and instance types",
      changed((g) => ({ ...g, workerPools: [{ ...g.workerPools[0], maxSize: 9, instanceTypes: ["m7i.large"] }] })),
    ],
    ["a new pool", changed((g) => ({ ...g, workerPools: [...g.workerPools, { name: "batch", minSize: 0, maxSize: 5 }] }))],
    ["the control-plane instance type", changed((g) => ({ ...g, controlPlane: { ...g.controlPlane, instanceType: "m7i.large" } }))],
    [
      "weights, tags and admin ranges",
      { ...changed((g) => ({ ...g, weight: 40 })), tags: { team: "x" }, network: { ...deployed.network, adminCidrs: [] } },
    ],
  ])("allows %s", (_, definition) => {
    expect(immutabilityViolations([definition], frozenLock)).toEqual([]);
  });
});

describe("an autoscaled pool of a frozen generation: its bounds are Auto Scaling group settings, whether it is autoscaled is not", () => {
  const { freezeGeneration } = require("../constructs/fleet/frozen-artifacts") as typeof import("../constructs/fleet/frozen-artifacts");
  const withAutoscale = (autoscale: { min: number; max: number } | undefined): ClusterDefinition =>
    changed((g) => ({
      ...g,
      workerPools: [{ name: "general", instanceTypes: ["m6i.large"], ...(autoscale ? { autoscale } : { minSize: 2, maxSize: 4 }) }],
    }));
  const frozen = withAutoscale({ min: 2, max: 6 });
  const autoscaledLock: FleetLock = withGeneration(EMPTY_LOCK, "demo", "a", freezeGeneration(frozen, "a").record);

  test("allows new autoscale bounds", () => {
    expect(immutabilityViolations([withAutoscale({ min: 1, max: 12 })], autoscaledLock)).toEqual([]);
  });

  test("refuses turning autoscaling off (the frozen manifests run cluster-autoscaler), and on, naming the field", () => {
    const off = immutabilityViolations([withAutoscale(undefined)], autoscaledLock);
    expect(off.map((v) => v.field)).toEqual(["generations[0].workerPools[0].autoscale"]);
    expect(off[0].message).toMatch(/deployed generations are immutable: create a new generation/);
    const plainLock = withGeneration(EMPTY_LOCK, "demo", "a", freezeGeneration(withAutoscale(undefined), "a").record);
    expect(immutabilityViolations([frozen], plainLock).map((v) => v.field)).toEqual(["generations[0].workerPools[0].autoscale"]);
  });
});
