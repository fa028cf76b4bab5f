// Scenarios of issue 14 through the real command (`tsx apps/cli.ts review --format json`) on a temporary git
// repository of the committed examples: each asserts the report's JSON facts and the exit code. Four reviews (two
// synths and a type check each) cover the nine items: a lock bypass is refused (1); an unlocked generation serving
// traffic is an error with --strict (2); type errors and invalid definitions fail the review inside the report (3, 4);
// rollout notes (5); counts without data sources and cost ranges (6); destroy severity and the apply plan (7); the
// detailed exit code (8); verification hashes and added node configs in full (9).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReviewReport } from "../apps/review/report";
import { renderMarkdown } from "../apps/review/markdown";
import { createReviewRepo, type ReviewRepo } from "./support/review-repo";

let repo: ReviewRepo;
const LOCK = "clusters/generations.lock.json";

beforeAll(() => {
  repo = createReviewRepo();
});
afterAll(() => repo?.remove());

const stack = (report: ReviewReport, name: string) => {
  const found = report.stacks.find((s) => s.name === name);
  if (!found) throw new Error(`no stack ${name}: ${report.stacks.map((s) => s.name).join(", ")} ${JSON.stringify(report.errors)}`);
  return found;
};

/** Removes `<cluster>.<generation>` from the temp repo's lock file. */
function unlock(cluster: string, generation: string): void {
  const path = join(repo.dir, LOCK);
  const lock = JSON.parse(readFileSync(path, "utf8")) as { clusters: Record<string, Record<string, unknown>> };
  if (!lock.clusters[cluster]?.[generation]) throw new Error(`test setup: ${cluster}/${generation} is not in the lock`);
  delete lock.clusters[cluster][generation];
  if (Object.keys(lock.clusters[cluster]).length === 0) delete lock.clusters[cluster];
  writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
}

/** The text of prod.ts from generation `b` on, edited by `change`, so an edit cannot hit generation a. */
function editProdB(change: (tail: string) => string): void {
  const path = join(repo.dir, "clusters/prod.ts");
  const text = readFileSync(path, "utf8");
  const at = text.indexOf('id: "b"');
  if (at < 0) throw new Error("test setup: no generation b in clusters/prod.ts");
  const tail = change(text.slice(at));
  if (tail === text.slice(at)) throw new Error("test setup: the edit of generation b changed nothing");
  writeFileSync(path, text.slice(0, at) + tail);
}

describe("(1) a lock bypass: prod/a's Kubernetes version changes and prod/a leaves the lock in the same commit", () => {
  let run: ReturnType<ReviewRepo["review"]>;
  beforeAll(() => {
    repo.reset();
    repo.edit("clusters/prod.ts", 'kubernetesVersion: "1.31.0"', 'kubernetesVersion: "1.32.8"');
    unlock("prod", "a");
    repo.git("commit", "--quiet", "-am", "prod/a on 1.32.8, and out of the lock");
    run = repo.review("--base", repo.baseCommit, "--head", "HEAD");
  });

  it("is refused with exit 3: the removal is a refused lock change and the base lock still guards prod/a", () => {
    expect(run.report.errors).toEqual([]);
    expect(run.status).toBe(3);
    expect(run.report.verdict.exitCode).toBe(3);
    expect(run.report.guard.lockChanges).toEqual([
      expect.objectContaining({ cluster: "prod", generation: "a", change: "removed", allowed: false }),
    ]);
    expect(run.report.guard.baseLock).toBe(true);
    // Synthesized against the base lock, head's change to prod/a is a guard violation too.
    expect(run.report.guard.violations.filter((v) => v.cluster === "prod" && v.generation === "a").length).toBeGreaterThan(0);
    expect(renderMarkdown(run.report)).toContain("⛔ **refused** `prod/a` removed");
  });
});

describe("(2, 5, 6, 9) in-place changes to prod/b, serving 25% of traffic without a base lock entry, reviewed with --strict", () => {
  let run: ReturnType<ReviewRepo["review"]>;
  beforeAll(() => {
    repo.reset();
    editProdB((t) =>
      t
        .replace(
          '{ name: "general", instanceTypes: ["m6i.xlarge", "m5.xlarge"]',
          '{ name: "general", instanceTypes: ["m6i.2xlarge", "m5.2xlarge"]',
        )
        .replace("pods: 100 }", "pods: 120 }")
        .replace("autoCreateGroup: true", "autoCreateGroup: false")
        .replace(
          "      workerPools: [\n",
          '      workerPools: [\n        { name: "burst", instanceTypes: ["c6i.2xlarge"], minSize: 0, maxSize: 20 },\n',
        ),
    );
    // The examples lock prod/b; a base that serves it 25% without a lock entry (the state issue 14 found).
    const edited = readFileSync(join(repo.dir, "clusters/prod.ts"), "utf8");
    repo.git("checkout", "--quiet", "--", "clusters/prod.ts");
    unlock("prod", "b");
    repo.git("commit", "--quiet", "-am", "prod/b out of the lock");
    writeFileSync(join(repo.dir, "clusters/prod.ts"), edited);
    run = repo.review("--strict");
  });

  it("(2) the unguarded live generation is an error with --strict: exit 3", () => {
    expect(run.report.errors).toEqual([]);
    expect(run.report.guard.unguarded).toEqual([expect.objectContaining({ cluster: "prod", generation: "b", weight: 25, level: "error" })]);
    expect(run.report.guard.violations).toEqual([]);
    expect(run.status).toBe(3);
  });

  it("(5) says when each change takes effect: instance types and node configs on new instances, addons never", () => {
    const notes = run.report.rollout.filter((r) => r.stack === "prod-b");
    expect(notes).toContainEqual(
      expect.objectContaining({
        takesEffect: "new-instances",
        note: expect.stringMatching(/m6i\.xlarge.*→.*m6i\.2xlarge.*new instances only/),
      }),
    );
    expect(notes).toContainEqual(expect.objectContaining({ subject: "node config worker-burst (added)", takesEffect: "new-instances" }));
    // An immutable addon (logging) is applied once, at init; the tenant quota is in the policy layer, reconciled in place.
    expect(notes).toContainEqual(
      expect.objectContaining({
        takesEffect: "not-applied",
        note: expect.stringContaining("not applied to running generation prod/b; create a new generation"),
      }),
    );
    expect(notes).toContainEqual(
      expect.objectContaining({
        subject: "policy-layer objects (1)",
        takesEffect: "now",
        note: expect.stringMatching(/^reconciled in place/),
      }),
    );
    const general = stack(run.report, "prod-b").cost.lines.find((l) => l.key === "asg:prod-b-general");
    expect(general?.notes.join(" ")).toMatch(/running instances stay m6i\.xlarge until replaced/);
  });

  it("(issue 10) prod/a, frozen by 0.1.0 and rendered differently today, is reported as frozen, behind the library", () => {
    expect(run.report.rollout.filter((r) => r.stack === "prod-a")).toContainEqual(
      expect.objectContaining({
        subject: "frozen artifacts",
        takesEffect: "frozen",
        note: expect.stringMatching(
          /^frozen with 0\.1\.0, behind the library: .*node config ignition\/controller\.ign.*create a new generation/,
        ),
      }),
    );
  });

  it("(6) the 0..20 pool costs $0 at desired size and its range shows the max", () => {
    const burst = stack(run.report, "prod-b").cost.lines.find((l) => l.key === "asg:prod-b-burst");
    expect(burst).toMatchObject({ before: 0, after: 0, range: { before: { min: 0, max: 0 }, after: { min: 0 } } });
    // c6i.2xlarge in the shipped eu-west-1 table × 730 h × 20 instances (the pool's root volumes on top).
    expect(burst!.range!.after.max).toBeGreaterThan(20 * 730 * 0.3);
    expect(run.report.summary.monthlyCostRange.max).toBeGreaterThan(run.report.summary.monthlyCostRange.min);
  });

  it("(9) the added node config is shown in full, decoded, with the binaries' SHA-512 verification hashes", () => {
    const burst = stack(run.report, "prod-b").ignition.find((c) => c.config === "s3:ignition/worker-burst.ign");
    expect(burst?.status).toBe("added");
    expect(burst!.entries.length).toBeGreaterThan(5);
    expect(burst!.entries.every((e) => e.diff !== "")).toBe(true);
    expect(burst!.entries.map((e) => e.diff).join("\n")).toMatch(/verified by sha512-[0-9a-f]{128}/);
  });
});

describe("(6, 7, 8) retiring prod/a: removed from definitions and lock, prod/b takes all traffic, prod/c is added", () => {
  let run: ReturnType<ReviewRepo["review"]>;
  beforeAll(() => {
    repo.reset();
    const path = join(repo.dir, "clusters/prod.ts");
    const text = readFileSync(path, "utf8");
    const a = text.indexOf('    {\n      id: "a"');
    const b = text.indexOf('    {\n      id: "b"');
    if (a < 0 || b < a) throw new Error("test setup: generations a and b not found in clusters/prod.ts");
    const c = text.slice(b, text.lastIndexOf("  ],\n};")).replace('id: "b"', 'id: "c"').replace("weight: 25", "weight: 0");
    writeFileSync(path, text.slice(0, a) + text.slice(b).replace("weight: 25", "weight: 100").replace("  ],\n};", `${c}  ],\n};`));
    unlock("prod", "a");
    repo.git("commit", "--quiet", "-am", "retire prod/a, add prod/c");
    run = repo.review("--base", repo.baseCommit, "--head", "HEAD", "--allow-destroy", "--detailed-exitcode");
  });

  it("(8) acceptable changes exit 4 with --detailed-exitcode", () => {
    expect(run.report.errors).toEqual([]);
    expect(run.status).toBe(4);
    expect(run.report.verdict.exitCode).toBe(4);
  });

  it("(7) destroying prod/a is marked as serving traffic; the lock removal together with the definition is allowed", () => {
    expect(run.report.generations).toContainEqual(
      expect.objectContaining({ stack: "prod-a", how: "removed", severity: "serving-traffic" }),
    );
    expect(run.report.guard.lockChanges).toEqual([
      expect.objectContaining({ cluster: "prod", generation: "a", change: "removed", allowed: true }),
    ]);
  });

  it("(7) the apply plan: new generation, its lock, traffic, then the destroy from the base revision", () => {
    expect(run.report.applyPlan.map((s) => `${s.from}: ${s.command}`)).toEqual([
      // prod/c is a new contract-3 generation: the identity stack's key policy must name its controllers first.
      "head: npx cdktf deploy prod-identity",
      "head: npx cdktf deploy prod-c",
      "head: npx immutable-clusters lock prod/c",
      "head: npx cdktf deploy prod-traffic",
      "base: npx cdktf destroy prod-a",
    ]);
    expect(run.report.applyPlan[4].why).toMatch(/does not destroy it[\s\S]*SERVES TRAFFIC/);
  });

  it("(6) counts leave data sources out, as terraform plan does", () => {
    const c = stack(run.report, "prod-c");
    const data = c.resources.filter((r) => r.address.startsWith("data."));
    expect(data.length).toBeGreaterThan(0);
    expect(c.counts.added).toBe(c.resources.length - data.length);
  });
});

describe("(3, 4) a head with a type error and an invalid definition", () => {
  let run: ReturnType<ReviewRepo["review"]>;
  beforeAll(() => {
    repo.reset();
    writeFileSync(
      join(repo.dir, "clusters/staging.ts"),
      readFileSync(join(repo.dir, "clusters/staging.ts"), "utf8") + '\nexport const notANumber: number = "s";\n',
    );
    repo.edit("clusters/prod.ts", "maxSize: 12, desiredCapacity: 3 }", "maxSize: 2, desiredCapacity: 3 }");
    run = repo.review();
  });

  it("fails with exit 1 and the report (written) carries each problem: the type error's file and the definition field", () => {
    expect(run.status).toBe(1);
    expect(run.report.verdict.exitCode).toBe(1);
    const types = run.report.errors.find((e) => e.stage === "typecheck");
    expect(types).toMatchObject({ revision: "head" });
    expect(types!.problems).toContainEqual(
      expect.objectContaining({ file: "clusters/staging.ts", message: expect.stringMatching(/^TS2322/) }),
    );
    const synth = run.report.errors.find((e) => e.stage === "synth");
    expect(synth).toMatchObject({ revision: "head" });
    expect(synth!.problems).toContainEqual(
      expect.objectContaining({ field: expect.stringMatching(/^prod: generations\[0\]\.workerPools\[0\]\./) }),
    );
    const fields = synth!.problems.map((p) => `${p.field} ${p.message}`);
    expect(new Set(fields).size).toBe(fields.length);
    const text = JSON.stringify(run.report.errors);
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toContain(repo.dir);
    expect(text).not.toContain("immutable-clusters-review-");
    expect(renderMarkdown(run.report)).toContain("**Could not review:**");
  });
});
