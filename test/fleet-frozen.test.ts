// Frozen generations (issue 10): a library upgrade with a locked generation present synthesizes cleanly, uploads that
// generation's frozen node configs and manifests byte for byte, renders the unlocked generation with the new library,
// and says the frozen one is behind the library; frozen files are checked against the lock; `lock` freezes, refreshes,
// migrates version 1 entries only when the library renders what was deployed, and removes the frozen folder.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockGeneration } from "../apps/commands/lock";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import {
  EMPTY_LOCK,
  fingerprintGeneration,
  frozenDirectory,
  LIBRARY_VERSION,
  LOCK_FILE,
  parseFleetLock,
  serializeFleetLock,
  withGeneration,
  type FleetStatus,
  type FrozenGenerationRecord,
} from "../constructs";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0 })] });
/** What the fixture's "upgraded library" adds to the bootstrap script. */
const UPGRADE_MARK = "# upgraded-library: retries the bootstrap";

/** A definitions repo whose generation `a` was locked (frozen) by the library as it is. */
function repoWithFrozenA(): string {
  const root = mkdtempSync(join(tmpdir(), "frozen-"));
  expect(lockGeneration("demo/a", { root, clusters: [cluster] })).toMatch(/^recorded and froze demo\/a/);
  return root;
}

/** Loads the library through a fresh module registry in which the bootstrap script carries UPGRADE_MARK. */
function upgradedLibrary(): typeof import("../constructs") {
  let lib: typeof import("../constructs") | undefined;
  jest.isolateModules(() => {
    jest.doMock("../constructs/ignition/templates", () => {
      const real = jest.requireActual<typeof import("../constructs/ignition/templates")>("../constructs/ignition/templates");
      return {
        ...real,
        nodeFile: (relative: string) => real.nodeFile(relative) + (relative === "bin/node-bootstrap.sh" ? `${UPGRADE_MARK}\n` : ""),
      };
    });
    lib = require("../constructs") as typeof import("../constructs");
  });
  jest.dontMock("../constructs/ignition/templates");
  return lib!;
}

/** The S3 objects a synthesized generation stack uploads, by key: `content` with Terraform's escapes undone, or `content_base64` decoded. */
function uploads(outdir: string, stack: string): Map<string, string> {
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as {
    resource: { aws_s3_object: Record<string, { key: string; content?: string; content_base64?: string }> };
  };
  return new Map(Object.values(json.resource.aws_s3_object).map((o) => [o.key, storedObjectText(o)!]));
}

test("the library version constant is package.json's", () => {
  expect(LIBRARY_VERSION).toBe((JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version);
});

describe("a library upgrade with a frozen generation", () => {
  const root = repoWithFrozenA();
  const frozenDir = join(root, frozenDirectory("demo", "a"));
  const outdir = join(root, "cdktf.out");
  const notices: string[] = [];
  const lib = upgradedLibrary();
  const { stacks, status } = lib.synthFleet([cluster], { root, outdir, env: {}, notify: (line) => notices.push(line) });

  const original = require("../constructs") as typeof import("../constructs");
  const genB = stacks[0].generations[1].cluster.generation;

  test("the fixture really changes the rendering (the test would prove nothing otherwise)", () => {
    expect(lib.renderNodeIgnition(genB, { kind: "controller" })).not.toBe(original.renderNodeIgnition(genB, { kind: "controller" }));
  });

  test("the frozen generation uploads its frozen node configs and manifests byte for byte", () => {
    const a = uploads(outdir, "demo-a");
    for (const name of readdirSync(join(frozenDir, "ignition")))
      expect(a.get(`ignition/${name}`)).toBe(JSON.stringify(JSON.parse(readFileSync(join(frozenDir, "ignition", name), "utf8"))));
    const manifests = readdirSync(join(frozenDir, "addons"))
      .sort()
      .map((name) => readFileSync(join(frozenDir, "addons", name), "utf8").trimEnd());
    expect(a.get("addons/manifests.yaml")).toBe(manifests.join("\n---\n") + "\n");
    const genA = stacks[0].generations[0].cluster.generation;
    expect(a.get("ignition/controller.ign")).not.toBe(lib.renderNodeIgnition(genA, { kind: "controller" }));
  });

  test("the unlocked generation picks the change up", () => {
    const uploaded = uploads(outdir, "demo-b").get("ignition/controller.ign");
    expect(uploaded).toBe(lib.renderNodeIgnition(genB, { kind: "controller" }));
    expect(uploaded).not.toBe(original.renderNodeIgnition(genB, { kind: "controller" }));
  });

  test("synth and fleet-status.json say the frozen generation is behind the library, once", () => {
    const a = status.generations.find((g) => g.generation === "a")!;
    expect(a).toMatchObject({ locked: true, frozenWith: LIBRARY_VERSION, stack: "demo-a" });
    expect(a.behindLibrary).toEqual(["node config ignition/controller.ign", "node config ignition/worker-general.ign"]);
    expect(status.generations.find((g) => g.generation === "b")).toMatchObject({ locked: false, frozenWith: null, behindLibrary: [] });
    // Besides the local-state warnings the sample cluster earns (it sets no stateBackend), one notice for demo/a.
    const frozenNotices = notices.filter((line) => !line.startsWith("warning: stack ") && !line.includes("past upstream support"));
    expect(frozenNotices).toHaveLength(1);
    // Both generations run 1.31 (past upstream support): only the one not deployed yet, demo/b, is told so.
    expect(notices.filter((line) => line.includes("past upstream support"))).toEqual([
      expect.stringMatching(/^demo\/b: generations\[\]\.kubernetesVersion 1\.31\.0 is past upstream support/),
    ]);
    expect(frozenNotices[0]).toMatch(
      /^demo\/a is frozen as rendered by immutable-clusters .*node config ignition\/controller\.ign.*create a new generation/,
    );
    const written = JSON.parse(readFileSync(join(outdir, "fleet-status.json"), "utf8")) as FleetStatus;
    expect(written.generations.map((g) => [g.generation, g.behindLibrary.length > 0])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  test("without the upgrade nothing is behind and nothing is said", () => {
    const quiet: string[] = [];
    const same = require("../constructs").synthFleet([cluster], {
      root,
      outdir: join(root, "cdktf.same"),
      env: {},
      notify: (line: string) => quiet.push(line),
    }) as { status: FleetStatus };
    expect(same.status.generations.every((g) => g.behindLibrary.length === 0)).toBe(true);
    expect(quiet.filter((line) => !line.startsWith("warning: stack ") && !line.includes("past upstream support"))).toEqual([]);
  });
});

describe("frozen files are what the lock records", () => {
  const { synthFleet } = require("../constructs") as typeof import("../constructs");

  test.each([
    [
      "an edited file",
      (dir: string) => writeFileSync(join(dir, "addons", "20-coredns.yaml"), "# edited\n"),
      /addons\/20-coredns\.yaml: differs from/,
    ],
    [
      "a missing file",
      (dir: string) => writeFileSync(join(dir, "ignition", "controller.ign.bak"), "{}"),
      /controller\.ign\.bak: not recorded/,
    ],
  ])("%s is refused before anything is synthesized", (_, damage, message) => {
    const root = repoWithFrozenA();
    damage(join(root, frozenDirectory("demo", "a")));
    const outdir = join(root, "out");
    expect(() => synthFleet([cluster], { root, outdir, env: {} })).toThrow(message);
    expect(existsSync(join(outdir, "stacks"))).toBe(false);
  });

  test("a lock naming a frozen generation whose folder is gone is refused with the fix", () => {
    const root = repoWithFrozenA();
    require("node:fs").rmSync(join(root, frozenDirectory("demo", "a")), { recursive: true });
    expect(() => synthFleet([cluster], { root, outdir: join(root, "out"), env: {} })).toThrow(
      /ignition\/controller\.ign: missing; restore it from git/,
    );
  });
});

describe("immutable-clusters lock and frozen folders", () => {
  test("records and freezes, refreshes a new pool without touching frozen files, removes both", () => {
    const root = repoWithFrozenA();
    const dir = join(root, frozenDirectory("demo", "a"));
    const entry = parseFleetLock(readFileSync(join(root, LOCK_FILE), "utf8")).clusters.demo.a as FrozenGenerationRecord;
    expect(Object.keys(entry.artifacts).filter((p) => p.startsWith("ignition/"))).toEqual([
      "ignition/controller.ign",
      "ignition/worker-general.ign",
    ]);
    expect(entry.libraryVersion).toBe(LIBRARY_VERSION);
    const controller = readFileSync(join(dir, "ignition", "controller.ign"), "utf8");

    const grown = {
      ...cluster,
      generations: [
        { ...cluster.generations[0], workerPools: [...cluster.generations[0].workerPools, { name: "batch" }] },
        cluster.generations[1],
      ],
    };
    expect(lockGeneration("demo/a", { root, clusters: [grown] })).toMatch(/^refreshed demo\/a/);
    expect(readFileSync(join(dir, "ignition", "controller.ign"), "utf8")).toBe(controller);
    expect(existsSync(join(dir, "ignition", "worker-batch.ign"))).toBe(true);

    expect(lockGeneration("demo/a", { root, remove: true })).toMatch(/^removed demo\/a/);
    expect(existsSync(dir)).toBe(false);
    expect(parseFleetLock(readFileSync(join(root, LOCK_FILE), "utf8"))).toEqual(EMPTY_LOCK);
  });

  test("a list with a broken entry is refused with its position, not a TypeError", () => {
    const root = mkdtempSync(join(tmpdir(), "frozen-bad-"));
    let thrown: unknown;
    try {
      lockGeneration("demo/a", { root, clusters: [cluster, null as unknown as typeof cluster] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/definitions\[1\]/);
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });

  test("refuses to record a definition that changes the deployed generation in place", () => {
    const root = repoWithFrozenA();
    const bumped = { ...cluster, generations: [{ ...cluster.generations[0], kubernetesVersion: "1.32.8" }, cluster.generations[1]] };
    expect(() => lockGeneration("demo/a", { root, clusters: [bumped] })).toThrow(
      /changes it in place; the lock cannot record that:\n {2}- generations\[0\]\.kubernetesVersion: Kubernetes version changed from 1\.31\.0 to 1\.32\.8/,
    );
  });

  test("a version 1 entry is frozen when the library renders what it recorded, and refused when it does not", () => {
    const root = mkdtempSync(join(tmpdir(), "frozen-v1-"));
    mkdirSync(join(root, "clusters"));
    const v1 = { version: 1, clusters: { demo: { a: fingerprintGeneration(cluster, "a") } } };
    writeFileSync(join(root, LOCK_FILE), JSON.stringify(v1));
    expect(lockGeneration("demo/a", { root, clusters: [cluster] })).toMatch(/^froze demo\/a/);
    expect(parseFleetLock(readFileSync(join(root, LOCK_FILE), "utf8")).clusters.demo.a).toHaveProperty("artifacts");

    const stale = { ...fingerprintGeneration(cluster, "a"), addons: `sha256:${"0".repeat(64)}` };
    writeFileSync(join(root, LOCK_FILE), serializeFleetLock(withGeneration(EMPTY_LOCK, "demo", "a", stale)));
    expect(() => lockGeneration("demo/a", { root, clusters: [cluster] })).toThrow(
      /recorded by hashes only \(lock version 1\) and immutable-clusters .* renders its addon manifests differently.*npx immutable-clusters@<that version> lock demo\/a/,
    );
  });
});

describe("a frozen generation keeps the node contract its configs were built for", () => {
  const { synthFleet } = require("../constructs") as typeof import("../constructs");
  /** A repo with demo/a frozen, its lock entry claiming node contract `contract`. */
  const repoWithContract = (contract: number) => {
    const root = repoWithFrozenA();
    const file = join(root, LOCK_FILE);
    const lock = parseFleetLock(readFileSync(file, "utf8"));
    const entry = { ...(lock.clusters.demo.a as FrozenGenerationRecord), nodeContract: contract };
    writeFileSync(file, serializeFleetLock(withGeneration(lock, "demo", "a", entry)));
    return root;
  };
  const resources = (outdir: string, stack: string) =>
    (
      JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      }
    ).resource;

  test("contract 1 (0.1.0's scripts) keeps 0.1.0's node permissions; contract 2 exchanges bootstrap material in the bucket, no parameter", () => {
    const root = repoWithContract(1);
    const outdir = join(root, "out");
    synthFleet([cluster], { root, outdir, env: {}, notify: () => undefined });
    const a = resources(outdir, "demo-a");
    const b = resources(outdir, "demo-b");
    const parameterNames = (r: ReturnType<typeof resources>) => Object.values(r.aws_ssm_parameter ?? {}).map((p) => p.name as string);
    // Neither contract has Terraform create a bootstrap secret parameter (contract 1's nodes create theirs); contract 2
    // gets only the public CA certificate parameter its controllers publish for kubeconfigs.
    expect(parameterNames(a).filter((n) => n.startsWith("/immutable-clusters/"))).toEqual([]);
    expect(parameterNames(b).filter((n) => n.startsWith("/immutable-clusters/"))).toEqual(["/immutable-clusters/demo/b/ca-certificate"]);
    const policies = (r: ReturnType<typeof resources>) => JSON.stringify(r.aws_iam_role_policy ?? {});
    // 0.1.0's election parameter is what contract 1 controllers create; contract 2 has none.
    expect(policies(a)).toContain("/immutable-clusters/demo/a/election/leader");
    expect(policies(b)).not.toContain("election/leader");
    // Contract 2 workers read exactly the join token and CA hash objects of their bucket, nothing under control-plane/.
    const bucket = String(Object.values(b.aws_s3_bucket)[0].bucket);
    const worker = Object.values(b.aws_iam_role_policy).find((p) => String(p.name).includes("worker"))!;
    const statements = (JSON.parse(String(worker.policy)) as { Statement: Array<{ Action: string[]; Resource: string | string[] }> })
      .Statement;
    const gets = statements.filter((s) => s.Action.includes("s3:GetObject")).flatMap((s) => ([] as string[]).concat(s.Resource));
    expect(gets).toEqual(expect.arrayContaining([`arn:aws:s3:::${bucket}/join/token`, `arn:aws:s3:::${bucket}/join/ca-cert-hash`]));
    expect(gets.filter((r) => r.includes("control-plane/") || r.includes("/state/") || r.endsWith("/*"))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain("ssm:");
  });

  test("a contract this library cannot build is refused, naming it and the fix", () => {
    const root = repoWithContract(99);
    expect(() => synthFleet([cluster], { root, outdir: join(root, "out"), env: {}, notify: () => undefined })).toThrow(
      /nodeContract: demo-a was frozen with node contract 99, which this library version cannot build; use the library version that froze it/,
    );
  });
});
