// Unit tests of the fleet lock: fingerprints, the file format (parse errors naming the field, stable serialization), the
// `immutable-clusters lock` round trip (record, refresh, remove) and the cdktf app's guard modes that review relies on.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockGeneration } from "../apps/commands/lock";
import { clusters as examples } from "../clusters";
import {
  EMPTY_LOCK,
  fingerprintGeneration,
  LIBRARY_VERSION,
  LOCK_FILE,
  parseFleetLock,
  serializeFleetLock,
  withGeneration,
  type FrozenGenerationRecord,
  type GuardViolation,
} from "../constructs";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const REPO = join(__dirname, "..");
/** tsx from this repo (npx would look for it in the temporary folder). */
const TSX = join(REPO, "node_modules", ".bin", "tsx");
/**
 * The cdktf app runs compiled (scripts/run-compiled.mjs), as `npm run synth` and cdktf.json run it: a quarter of tsx's
 * CPU per start (tsx transpiles every module with source maps), and test/synth-paths.test.ts proves both paths write the
 * same files. The CLI's `lock` stays on tsx: it loads the definitions through tsx's API (apps/commands/target.ts), which
 * under scripts/run-compiled.mjs hung (no CPU for minutes, its esbuild children exited).
 */
const compiledSynth = (): string[] => [join(REPO, "scripts", "run-compiled.mjs"), join(REPO, "apps", "synth.ts")];
const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0 })] });

describe("fingerprints", () => {
  test("record the versions, a hash per node role and one of the addon manifests", () => {
    const fingerprint = fingerprintGeneration(cluster, "a");
    expect(fingerprint.kubernetesVersion).toBe("1.31.0");
    expect(fingerprint.flatcarImage).toBe("Flatcar-stable-4152.2.3-hvm");
    expect(Object.keys(fingerprint.nodeConfigs).sort()).toEqual(["controller", "worker-general"]);
    for (const hash of [...Object.values(fingerprint.nodeConfigs), fingerprint.addons]) expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprintGeneration(cluster, "a")).toEqual(fingerprint);
  });

  test("an unknown generation is an error naming the ones that exist", () => {
    expect(() => fingerprintGeneration(cluster, "z")).toThrow(/no generation "z"; use one of "a", "b"/);
  });
});

describe("the lock file", () => {
  const lock = withGeneration(
    withGeneration(EMPTY_LOCK, "demo", "b", fingerprintGeneration(cluster, "b")),
    "demo",
    "a",
    fingerprintGeneration(cluster, "a"),
  );

  test("serializes with sorted keys and parses back to the same lock", () => {
    const text = serializeFleetLock(lock);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    expect(parseFleetLock(text)).toEqual(lock);
    expect(serializeFleetLock(parseFleetLock(text))).toBe(text);
  });

  test.each([
    ["not JSON", "{", /not valid JSON/],
    ["another version", JSON.stringify({ version: 3, clusters: {} }), /version: must be 1 or 2/],
    [
      "a malformed hash",
      JSON.stringify({
        version: 1,
        clusters: {
          demo: { a: { kubernetesVersion: "1.31.0", flatcarImage: "x", nodeConfigs: { controller: "abc" }, addons: "sha256:00" } },
        },
      }),
      /clusters\.demo\.a\.nodeConfigs\.controller: must be "sha256:" followed by 64 hex digits/,
    ],
  ])("refuses %s, naming the file and the field", (_, text, message) => {
    expect(() => parseFleetLock(text)).toThrow(message);
    expect(() => parseFleetLock(text)).toThrow(new RegExp(LOCK_FILE.replace(/\./g, "\\.")));
  });
});

describe("immutable-clusters lock", () => {
  test("records, refreshes and removes a generation", () => {
    const root = mkdtempSync(join(tmpdir(), "lock-"));
    const file = join(root, LOCK_FILE);
    expect(lockGeneration("demo/a", { root, clusters: [cluster] })).toMatch(
      /^recorded and froze demo\/a in clusters\/generations\.lock\.json \(Kubernetes 1\.31\.0/,
    );
    expect(parseFleetLock(readFileSync(file, "utf8")).clusters.demo.a).toMatchObject({
      kubernetesVersion: "1.31.0",
      flatcarImage: "Flatcar-stable-4152.2.3-hvm",
      libraryVersion: LIBRARY_VERSION,
    });

    const scaled = {
      ...cluster,
      generations: [
        { ...cluster.generations[0], workerPools: [...cluster.generations[0].workerPools, { name: "batch" }] },
        cluster.generations[1],
      ],
    };
    expect(lockGeneration("demo/a", { root, clusters: [scaled] })).toMatch(/^refreshed demo\/a/);
    const refreshed = parseFleetLock(readFileSync(file, "utf8")).clusters.demo.a as FrozenGenerationRecord;
    expect(Object.keys(refreshed.artifacts).filter((p) => p.startsWith("ignition/"))).toEqual([
      "ignition/controller.ign",
      "ignition/worker-batch.ign",
      "ignition/worker-general.ign",
    ]);

    lockGeneration("demo/b", { root, clusters: [cluster] });
    expect(lockGeneration("demo/a", { root, remove: true })).toMatch(/^removed demo\/a/);
    expect(Object.keys(parseFleetLock(readFileSync(file, "utf8")).clusters.demo)).toEqual(["b"]);
    lockGeneration("demo/b", { root, remove: true });
    expect(parseFleetLock(readFileSync(file, "utf8"))).toEqual(EMPTY_LOCK);
    expect(lockGeneration("demo/b", { root, remove: true })).toMatch(/not in clusters\/generations\.lock\.json; nothing to remove/);
  });

  test.each([
    ["prod-a", /"prod-a" is not <cluster>\/<generation>; write it like "prod\/b"/],
    ["nope/a", /no cluster named "nope" in the definitions; use one of "demo"/],
    ["demo/z", /no generation "z"/],
  ])("refuses %s with a fix", (target, message) => {
    const root = mkdtempSync(join(tmpdir(), "lock-"));
    expect(() => lockGeneration(target, { root, clusters: [cluster] })).toThrow(message);
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });

  test("the CLI loads the repo's TypeScript definitions and writes the lock", () => {
    const root = mkdtempSync(join(tmpdir(), "lock-cli-"));
    mkdirSync(join(root, "clusters"));
    writeFileSync(join(root, "clusters", "index.ts"), `export const clusters = [${JSON.stringify(cluster)}] as const;\n`);
    const run = spawnSync(TSX, [join(REPO, "apps", "cli.ts"), "lock", "demo/a"], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/recorded and froze demo\/a/);
    expect(parseFleetLock(readFileSync(join(root, LOCK_FILE), "utf8")).clusters.demo.a).toHaveProperty("artifacts");
    expect(existsSync(join(root, "clusters", "deployed", "demo-a", "ignition", "controller.ign"))).toBe(true);
  });
});

describe("the cdktf app and the lock", () => {
  /** Runs apps/synth.ts with `cwd` as the repo root it reads the lock from; output goes to cwd. */
  const synth = (cwd: string, env: Record<string, string>) =>
    spawnSync(process.execPath, compiledSynth(), {
      cwd,
      encoding: "utf8",
      env: { ...process.env, CDKTF_OUTDIR: join(cwd, "cdktf.out"), DIST_DIR: join(cwd, "dist"), ...env },
    });
  /** A repo whose lock says prod/a was deployed with Kubernetes 1.30.9. */
  const tampered = () => {
    const root = mkdtempSync(join(tmpdir(), "guard-"));
    const prod = examples.find((c) => c.name === "prod")!;
    const fingerprint = { ...fingerprintGeneration(prod, "a"), kubernetesVersion: "1.30.9" };
    mkdirSync(join(root, "clusters"));
    writeFileSync(join(root, LOCK_FILE), serializeFleetLock(withGeneration(EMPTY_LOCK, "prod", "a", fingerprint)));
    return root;
  };

  test("refuses to synthesize a change to a locked generation", () => {
    const root = tampered();
    const run = synth(root, {});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/prod\/a generations\[0\]\.kubernetesVersion: Kubernetes version changed from 1\.30\.9 to 1\.31\.0/);
    expect(existsSync(join(root, "cdktf.out", "stacks", "prod-a", "cdk.tf.json"))).toBe(false);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  test("IMMUTABLE_CLUSTERS_GUARD=report synthesizes and lists the violations in <outdir>/guard-violations.json", () => {
    const root = tampered();
    const run = synth(root, { IMMUTABLE_CLUSTERS_GUARD: "report" });
    // Only the local-state warnings the examples earn (they set no stateBackend); no error, no stack trace.
    expect(
      run.stderr.split("\n").filter((l) => l !== "" && !/^warning: stack \S+ keeps its Terraform state in a local file/.test(l)),
    ).toEqual([]);
    expect(run.status).toBe(0);
    const violations = JSON.parse(readFileSync(join(root, "cdktf.out", "guard-violations.json"), "utf8")) as GuardViolation[];
    expect(violations).toEqual([
      expect.objectContaining({
        cluster: "prod",
        generation: "a",
        field: "generations[0].kubernetesVersion",
        before: "1.30.9",
        after: "1.31.0",
      }),
    ]);
    expect(existsSync(join(root, "cdktf.out", "stacks", "prod-a", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(root, "dist", "prod-a"))).toBe(true);
  });
});
