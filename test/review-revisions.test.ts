// End-to-end tests of `immutable-clusters review`: a temporary git repository made of this repository's committed example
// app (clusters/, apps/, constructs/, cdktf.json, ...), a base commit, then revisions that resize a pool, shift weight,
// add a generation with a newer Kubernetes, change an addon setting and change a pool's node config; each review's
// JSON and the key lines of its Markdown are asserted.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPriceTable } from "../apps/review/price-table";
import { renderMarkdown } from "../apps/review/markdown";
import type { ReviewReport } from "../apps/review/report";
import { runReview } from "../apps/review/review";
import { compiledCli } from "./support/review-repo";

const ROOT = join(__dirname, "..");
const COPIED = ["clusters", "apps", "constructs", "templates", "scripts", "cdktf.json", "package.json", "tsconfig.json"];

let repo: string;
let baseCommit: string;

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=review-test", "-c", "user.email=review-test@example.invalid", ...args], {
    cwd: repo,
    encoding: "utf8",
  }).trim();

/** Replaces `from` by `to` in a file of the temp repo (the first occurrence unless `all`); fails when `from` is absent. */
function edit(file: string, from: string, to: string, all = false): void {
  const path = join(repo, file);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`test setup: ${file} does not contain ${JSON.stringify(from)}`);
  writeFileSync(path, all ? text.split(from).join(to) : text.replace(from, to));
}

/** Puts every file of the temp repo back to the base commit. */
function resetToBase(): void {
  git("checkout", "--quiet", "--force", baseCommit, "--", ".");
  git("clean", "--quiet", "-fd", "--", "clusters");
}

const stack = (report: ReviewReport, name: string) => {
  const found = report.stacks.find((s) => s.name === name);
  if (!found) throw new Error(`no stack ${name} in the report: ${report.stacks.map((s) => s.name).join(", ")}`);
  return found;
};

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "review-repo-"));
  // The committed state of this repository (the working tree may hold other people's unfinished edits).
  const archive = execFileSync(
    "git",
    [
      "archive",
      "--format=tar",
      "HEAD",
      ...COPIED.filter((p) => spawnSync("git", ["cat-file", "-e", `HEAD:${p}`], { cwd: ROOT }).status === 0),
    ],
    {
      cwd: ROOT,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync("tar", ["-x", "-C", repo], { input: archive });
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
  writeFileSync(join(repo, ".gitignore"), "node_modules\ncdktf.out\ndist\n");
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  baseCommit = git("rev-parse", "HEAD");
});

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("review of the working tree against main", () => {
  let report: ReviewReport;
  let markdown: string;

  beforeAll(async () => {
    resetToBase();
    // (1) pool general of prod/a from 3 to 5 instances; (4) traffic from 75/25 to 50/50.
    edit("clusters/prod.ts", "maxSize: 12, desiredCapacity: 3 }", "maxSize: 12, desiredCapacity: 5 }");
    edit("clusters/prod.ts", "weight: 75", "weight: 50");
    edit("clusters/prod.ts", "weight: 25", "weight: 50");
    const result = await runReview({ repo, format: "json" });
    report = result.report;
    expect(JSON.parse(result.output)).toEqual(JSON.parse(JSON.stringify(report)));
    markdown = renderMarkdown(report);
  });

  it("defaults to main as base and the working tree as head", () => {
    expect(report.base).toEqual({ ref: "main", commit: baseCommit });
    expect(report.head).toEqual({ ref: "working tree" });
    expect(report.summary).toMatchObject({ stacksAdded: 0, stacksRemoved: 0, stacksChanged: 2, liveReplacedOrDestroyed: 0 });
    expect(report.stacks.filter((s) => s.status === "changed").map((s) => s.name)).toEqual(["prod-a", "prod-traffic"]);
    expect(report.verdict.exitCode).toBe(0);
  });

  it("(1) a resized pool: the ASG changes in place and the cost delta is two instances", () => {
    const a = stack(report, "prod-a");
    expect(a.resources).toHaveLength(1);
    expect(a.resources[0]).toMatchObject({
      type: "aws_autoscaling_group",
      action: "update",
      constructPath: "prod-a/cluster/pool-general/group",
      attributes: [{ path: "desired_capacity", kind: "changed", before: "3", after: "5" }],
      risk: { level: "scale", live: false },
    });
    const prices = loadPriceTable("eu-west-1");
    expect([prices.ec2OnDemandHourly["m6i.xlarge"], prices.ebsPerGiBMonth.gp3]).toEqual([0.214, 0.088]);
    // m6i.xlarge at $0.214/h (skypilot-catalog@001367d2) plus a 30 GiB gp3 root volume at $0.088/GB-month (AWS, 2021-05-13).
    const perInstance = 0.214 * 730 + 30 * 0.088;
    expect(a.cost.delta).toBeCloseTo(2 * perInstance, 1);
    expect(report.summary.monthlyCostDelta).toBeCloseTo(2 * perInstance, 1);
    expect(a.cost.lines[0].notes.join(" ")).toMatch(/first type m6i.xlarge/);
    expect(markdown).toMatch(/\| `prod-a` \(changed\) \| 0 \| 1 \| 0 \| 0 \| \+\$\d+\.\d\d \|/);
    expect(markdown).toContain("  - `desired_capacity`: `3` → `5`");
  });

  it("(4) a weight shift: both weighted records change, marked as traffic, and the generations are touched", () => {
    const traffic = stack(report, "prod-traffic");
    expect(traffic.resources.map((r) => [r.type, r.action, r.risk?.level])).toEqual([
      ["aws_route53_record", "update", "traffic"],
      ["aws_route53_record", "update", "traffic"],
    ]);
    expect(traffic.resources[0].attributes).toEqual([
      { path: "weighted_routing_policy.weight", kind: "changed", before: "75", after: "50" },
    ]);
    expect(report.generations).toEqual([
      { cluster: "prod", generation: "a", stack: "prod-a", how: "changed", weight: { before: 75, after: 50 } },
      { cluster: "prod", generation: "b", stack: "prod-b", how: "traffic", weight: { before: 25, after: 50 } },
    ]);
    expect(markdown).toContain("traffic weight 75 → 50 for prod-a");
    expect(markdown).toContain("**Generations touched:** `prod-a` (changed, weight 75 → 50), `prod-b` (traffic, weight 25 → 50)");
    expect(report.mermaid).toContain('-->|"weight 25 → 50"|');
  });
});

describe("review of a commit that adds a generation and changes an addon", () => {
  let report: ReviewReport;
  let markdown: string;

  beforeAll(async () => {
    resetToBase();
    // (2) generation c of prod with a newer Kubernetes, no traffic yet; (3) staging's CoreDNS replica bounds.
    edit(
      "clusters/prod.ts",
      "\n  ],\n};",
      `
    {
      id: "c",
      kubernetesVersion: "1.32.8",
      flatcar: { channel: "stable", version: "4230.2.1" },
      weight: 0,
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [{ name: "general", instanceTypes: ["m6i.xlarge"], minSize: 3, maxSize: 12, desiredCapacity: 3 }],
    },
  ],
};`,
    );
    // staging/a is frozen (the guard would refuse): the addon change goes to staging/b, the generation beside it.
    const staging = readFileSync(join(repo, "clusters/staging.ts"), "utf8");
    const b = staging.indexOf('id: "b"');
    writeFileSync(
      join(repo, "clusters/staging.ts"),
      staging.slice(0, b) + staging.slice(b).replace("replicas: { min: 2, max: 4 }", "replicas: { min: 3, max: 4 }"),
    );
    git("commit", "--quiet", "-am", "prod/c on Kubernetes 1.32.8; staging/b CoreDNS at least 3 replicas");
    const head = git("rev-parse", "HEAD");
    const result = await runReview({ repo, base: baseCommit, head });
    report = result.report;
    markdown = result.output;
    git("reset", "--quiet", "--hard", baseCommit);
  });

  it("(2) the new generation stack is added and shown in the summary, the picture and the cost", () => {
    const c = stack(report, "prod-c");
    expect(c).toMatchObject({ status: "added", kind: "generation", cluster: "prod", generation: "c" });
    expect(c.counts.added).toBeGreaterThan(20);
    expect(c.counts.liveReplacedOrDestroyed).toBe(0);
    expect(c.cost.delta).toBeGreaterThan(0);
    expect(report.summary.stacksAdded).toBe(1);
    expect(report.generations).toContainEqual({ cluster: "prod", generation: "c", stack: "prod-c", how: "added", weight: { after: 0 } });
    expect(
      stack(report, "prod-traffic")
        .resources.filter((r) => r.action === "create")
        .map((r) => r.type),
    ).toContain("aws_route53_record");
    expect(report.verdict.exitCode).toBe(0);
    expect(markdown).toMatch(/\| `prod-c` \(added\) \| \d+ \| 0 \| 0 \| 0 \| \+\$[\d,]+\.\d\d \|/);
    expect(report.mermaid).toContain('subgraph n_prod_c["prod-c (added)');
    expect(report.mermaid).toContain("control plane: 3 × m6i.large");
    expect(worktrees()).toEqual([repo]);
  });

  it("(3) the addon setting shows as a Kubernetes object field change", () => {
    const staging = stack(report, "staging-b");
    expect(staging.status).toBe("changed");
    expect(staging.kubernetes.length).toBeGreaterThan(0);
    for (const k of staging.kubernetes) expect(k.status).toBe("changed");
    const fields = staging.kubernetes.flatMap((k) => k.fields.map((f) => `${k.key} ${f.path}`));
    expect(fields.join("\n")).toMatch(/coredns/i);
    // The node bucket object changes with it; nothing live is replaced.
    expect(staging.resources.map((r) => `${r.type} ${r.action}`)).toContain("aws_s3_object update");
    expect(staging.counts.liveReplacedOrDestroyed).toBe(0);
    // The Markdown shows it, unless the added generation's full decoded node configs filled the comment: then the
    // section is named among those left out (the JSON report above always has it).
    const first = staging.kubernetes[0];
    if (!markdown.includes(`- \`~ ${first.key}\` changed`))
      expect(markdown).toMatch(/left out to stay under GitHub's comment size: .*staging-b/);
  });
});

describe("the CLI on a node-config change to a deployed generation", () => {
  let status: number | null;
  let stderr: string;
  let markdown: string;
  let report: ReviewReport;

  beforeAll(() => {
    resetToBase();
    // staging/a counts as deployed (frozen in the examples' fleet lock, which the review reads from the base); staging/b
    // is not. (5) The same pool label goes on both: refused on a, and on b it changes the kubeadm join config inside the
    // pool's Ignition (a frozen generation's Ignition never changes).
    edit(
      "clusters/staging.ts",
      "rootVolume: { sizeGiB: 40 },",
      'rootVolume: { sizeGiB: 40 },\n          labels: { "example.com/tier": "web" },',
      true,
    );
    const out = join(mkdtempSync(join(tmpdir(), "review-out-")), "review.json");
    // The CLI compiled, as `npm run synth` runs the app (test/support/review-repo.ts says why not tsx).
    const run = spawnSync(process.execPath, [...compiledCli(repo), "review", "--format", "json", "--out", out], {
      cwd: repo,
      encoding: "utf8",
    });
    status = run.status;
    stderr = run.stderr;
    report = JSON.parse(readFileSync(out, "utf8")) as ReviewReport;
    markdown = renderMarkdown(report);
    git("reset", "--quiet", "--hard", baseCommit);
    resetToBase();
  });

  it("exits 3 and lists the guard violation", () => {
    expect(stderr).toMatch(/exit 3: the immutability guard refuses/);
    expect(status).toBe(3);
    expect(report.guard).toMatchObject({ lockPresent: true, reported: true });
    expect(report.guard.violations).toEqual([
      expect.objectContaining({ cluster: "staging", generation: "a", field: "generations[0].workerPools[0].labels" }),
    ]);
    expect(report.verdict).toMatchObject({ exitCode: 3 });
    expect(markdown).toContain("**Immutability guard:** ⛔ 1 change(s) to deployed generations refused:");
  });

  it("(5) shows the decoded Ignition file diff, not base64", () => {
    expect(stack(report, "staging-a").ignition).toEqual([]);
    const ignition = stack(report, "staging-b").ignition;
    const spot = ignition.find((c) => c.config === "s3:ignition/worker-spot.ign");
    expect(spot?.status).toBe("changed");
    const changedFiles = spot!.entries.filter((e) => e.kind === "file").map((e) => e.name);
    expect(changedFiles.some((f) => /kubeadm/.test(f))).toBe(true);
    const line = markdown.split("\n").find((l) => l.startsWith("+") && l.includes("example.com/tier=web"));
    expect(line).toBeDefined();
    expect(markdown).toContain("#### Ignition (decoded)");
    expect(markdown).toContain("```diff");
    // The launch template's user data points at the new config (its hash), a new version but no replacement.
    const templates = stack(report, "staging-b").resources.filter((r) => r.type === "aws_launch_template");
    expect(templates).toEqual([expect.objectContaining({ action: "update", risk: expect.objectContaining({ level: "rollout" }) })]);
  });
});

describe("errors", () => {
  it("a ref that does not exist fails naming it; a head that does not synthesize fails with its problems; no worktree is left", async () => {
    resetToBase();
    const badRef = await runReview({ repo, base: "no-such-ref" });
    expect(badRef.exitCode).toBe(1);
    expect(badRef.report.errors).toEqual([
      expect.objectContaining({ revision: "base", stage: "checkout", summary: expect.stringMatching(/"no-such-ref" is not a commit/) }),
    ]);
    edit("clusters/staging.ts", 'name: "staging"', 'name: "Staging_Bad"');
    const bad = await runReview({ repo });
    expect(bad.exitCode).toBe(1);
    expect(bad.report.errors).toEqual([
      expect.objectContaining({
        revision: "head",
        stage: "synth",
        problems: expect.arrayContaining([expect.objectContaining({ field: "Staging_Bad: name" })]),
      }),
    ]);
    expect(worktrees()).toEqual([repo]);
    resetToBase();
  });
});

/** The paths of the repo's worktrees: review must leave only the main one. */
function worktrees(): string[] {
  return git("worktree", "list", "--porcelain")
    .split("\n")
    .filter((l) => l.startsWith("worktree "))
    .map((l) => l.slice("worktree ".length));
}
