// label-ingress-nodes.sh run against a fake kubectl that keeps Node labels in a file: only nodes of an ingress pool that
// registered immutable-clusters.io/ingress=true get node-restriction.kubernetes.io/ingress=true, a node of another pool
// that claims ingress does not (and loses the label if it had it), an unreachable API server fails the run; and the
// control-plane config wires the script's timer with this generation's ingress pools, which ingress-nginx selects on.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IngressNginxChart } from "../constructs/addons/ingress-nginx/chart";
import { ingressNginxSettingsSchema } from "../constructs/addons/ingress-nginx/settings";
import { resolveGeneration } from "../constructs/definition/resolve";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { Testing } from "cdk8s";
import { fileText, unit, type ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const SCRIPT = join(__dirname, "../constructs/ignition/files/bin/label-ingress-nodes.sh");
const FAKE_BIN = join(__dirname, "support/cis");
const LABEL = "node-restriction.kubernetes.io/ingress";

interface FakeNode {
  name: string;
  labels: Record<string, string>;
}

function run(nodes: FakeNode[], env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), "label-ingress-"));
  const state = join(root, "nodes.json");
  const log = join(root, "kubectl.log");
  writeFileSync(state, JSON.stringify(nodes));
  writeFileSync(log, "");
  mkdirSync(join(root, "etc/kubernetes"), { recursive: true });
  writeFileSync(join(root, "etc/kubernetes/admin.conf"), "apiVersion: v1\nkind: Config\n");
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, IC_ROOT: root, FAKE_NODES: state, FAKE_LOG: log, INGRESS_POOLS: "edge public", ...env },
  });
  const after = JSON.parse(readFileSync(state, "utf8")) as FakeNode[];
  const calls = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
  return {
    status: result.status,
    stderr: result.stderr,
    labels: Object.fromEntries(after.map((n) => [n.name, n.labels[LABEL]])),
    calls,
    root,
  };
}

const node = (name: string, labels: Record<string, string>): FakeNode => ({ name, labels });

describe("label-ingress-nodes.sh", () => {
  const cluster = [
    node("cp-1", { "node-role.kubernetes.io/control-plane": "" }),
    node("edge-1", { "immutable-clusters.io/pool": "edge", "immutable-clusters.io/ingress": "true" }),
    node("public-1", { "immutable-clusters.io/pool": "public", "immutable-clusters.io/ingress": "true" }),
    // A worker of a non-ingress pool whose kubelet claims ingress (kubelets may set immutable-clusters.io/* on themselves).
    node("batch-1", { "immutable-clusters.io/pool": "batch", "immutable-clusters.io/ingress": "true" }),
    node("batch-2", { "immutable-clusters.io/pool": "batch" }),
  ];

  test("labels exactly the nodes of ingress pools that registered as ingress", () => {
    const { status, labels } = run(cluster);
    expect(status).toBe(0);
    expect(labels).toEqual({ "cp-1": undefined, "edge-1": "true", "public-1": "true", "batch-1": undefined, "batch-2": undefined });
  });

  test("takes the label off nodes that should not carry it, and fixes a wrong value", () => {
    const { status, labels } = run([
      node("edge-1", { "immutable-clusters.io/pool": "edge", "immutable-clusters.io/ingress": "true", [LABEL]: "false" }),
      node("batch-1", { "immutable-clusters.io/pool": "batch", "immutable-clusters.io/ingress": "true", [LABEL]: "true" }),
      node("edge-2", { "immutable-clusters.io/pool": "edge", [LABEL]: "true" }),
    ]);
    expect(status).toBe(0);
    expect(labels).toEqual({ "edge-1": "true", "batch-1": undefined, "edge-2": undefined });
  });

  test("is idempotent: a second run changes nothing", () => {
    const first = run(cluster);
    const nodes = JSON.parse(readFileSync(join(first.root, "nodes.json"), "utf8")) as FakeNode[];
    const second = run(nodes);
    expect(second.status).toBe(0);
    expect(second.labels).toEqual(first.labels);
  });

  test("every kubectl call uses admin.conf and a request timeout", () => {
    const { calls, root } = run(cluster);
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call).toContain(`${root}/etc/kubernetes/admin.conf`);
      expect(call.some((a) => /^--request-timeout=\d+s$/.test(a))).toBe(true);
    }
  });

  test("an unreachable API server fails the run (the timer retries) and changes nothing", () => {
    const { status, stderr, labels } = run(cluster, { FAKE_API_DOWN: "1" });
    expect(status).toBe(1);
    expect(stderr).toMatch(/Unable to connect to the server/);
    expect(Object.values(labels).every((v) => v === undefined)).toBe(true);
  });

  test("without admin.conf it fails with the reason instead of calling kubectl", () => {
    const root = mkdtempSync(join(tmpdir(), "label-ingress-"));
    const result = spawnSync("bash", [SCRIPT], { encoding: "utf8", env: { PATH: process.env.PATH, IC_ROOT: root, INGRESS_POOLS: "edge" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/admin\.conf is not readable yet/);
  });

  test("with no ingress pool it does nothing and succeeds", () => {
    const { status, calls } = run(cluster, { INGRESS_POOLS: "" });
    expect(status).toBe(0);
    expect(calls).toHaveLength(0);
  });
});

describe("wiring", () => {
  const def = sampleCluster({
    generations: [
      sampleGeneration({
        kubernetesVersion: "1.35.4",
        workerPools: [
          { name: "edge", ingress: true },
          { name: "batch", ingress: false },
          { name: "public", ingress: true },
        ],
      }),
    ],
  });
  const gen = resolveGeneration(def, def.generations[0]);

  test("control-plane nodes run the labeler's timer with the generation's ingress pools; workers do not", () => {
    const controller = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
    expect(fileText(controller, "/etc/immutable-clusters/ingress-pools.env")).toMatch(/^INGRESS_POOLS=edge public$/m);
    expect(unit(controller, "label-ingress-nodes.timer").enabled).toBe(true);
    expect(unit(controller, "label-ingress-nodes.service").contents).toMatch(
      /^EnvironmentFile=\/etc\/immutable-clusters\/ingress-pools.env$/m,
    );
    const worker = JSON.parse(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] })) as ParsedIgnition;
    expect(worker.systemd?.units.map((u) => u.name)).not.toContain("label-ingress-nodes.timer");
  });

  test("ingress-nginx is placed by the label kubelets cannot set on themselves", () => {
    const objects = Testing.synth(
      new IngressNginxChart(Testing.app(), "ingress", { generation: gen, settings: ingressNginxSettingsSchema.parse({}) }),
    ) as Array<{ kind: string; spec?: { template?: { spec?: { nodeSelector?: Record<string, string> } } } }>;
    const ds = objects.find((o) => o.kind === "DaemonSet")!;
    expect(ds.spec!.template!.spec!.nodeSelector).toEqual({ [LABEL]: "true", "kubernetes.io/os": "linux" });
  });
});
