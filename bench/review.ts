// Benchmark of `immutable-clusters review` on a one-line change, paired: this revision's review beside the review as it
// was at the baseline commit (834097f, when issue 17 was filed), each reviewing the same one-line change to the example
// clusters of its own revision. The baseline lives in a git worktree under .bench/ with its own `npm ci` and build
// (made on first use, reused after); each run reviews a throwaway clone with one extra commit. Each pair reviews a new
// head (the pool's maxSize drawn at random), so the head is never one the review has synthesized before (its synth
// cache, apps/review/synth-cache.ts); the base is the same commit in every pair, as main is for every pull request.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measure, type Measurement } from "./measure";

/** The commit whose review time issue 17's goal is measured against (`issues show 17`: filed at this commit). */
export const REVIEW_BASELINE_COMMIT = "834097f";

/**
 * The one-line change every review row reviews: generation a's general pool of the example prod cluster scales to
 * `maxSize` nodes (a field the guard lets a deployed generation change). The line reads the same at the baseline and now.
 */
const CHANGED_LINE = {
  from: '{ name: "general", instanceTypes: ["m6i.xlarge", "m5.xlarge"], minSize: 3, maxSize: 12, desiredCapacity: 3 }',
  to: (maxSize: number) =>
    `{ name: "general", instanceTypes: ["m6i.xlarge", "m5.xlarge"], minSize: 3, maxSize: ${maxSize}, desiredCapacity: 3 }`,
};

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", ...args], { cwd, stdio: "pipe" });

/** A revision to review with: its repository folder (with node_modules) and its built CLI. */
export interface ReviewSubject {
  /** Repository folder whose commit is reviewed; its node_modules is linked into the clone. */
  readonly dir: string;
  /** The compiled CLI (apps/cli.js) to run the review with. */
  readonly cli: string;
  /** The commit to review (a clone of `dir` checks it out). */
  readonly commit: string;
}

/** The baseline worktree at REVIEW_BASELINE_COMMIT under `benchDir`, installed (`npm ci`) and built on first use. */
export function prepareBaseline(root: string, benchDir: string): ReviewSubject {
  const dir = join(benchDir, `review-${REVIEW_BASELINE_COMMIT}`);
  if (!existsSync(join(dir, "package.json"))) {
    console.log(`making the review baseline: git worktree at ${REVIEW_BASELINE_COMMIT} in ${dir}, npm ci, npm run build ...`);
    rmSync(dir, { recursive: true, force: true });
    git(root, "worktree", "prune");
    git(root, "worktree", "add", "--detach", dir, REVIEW_BASELINE_COMMIT);
  }
  if (!existsSync(join(dir, "node_modules", ".package-lock.json")))
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "ignore" });
  const cli = join(dir, "lib", "apps", "cli.js");
  if (!existsSync(cli)) execFileSync("npm", ["run", "build"], { cwd: dir, stdio: "ignore" });
  return { dir, cli, commit: git(dir, "rev-parse", "HEAD").toString().trim() };
}

/** One review of the one-line change (to `maxSize`) on `subject`'s examples, in a fresh clone; throws when the review fails. */
export function reviewOnce(subject: ReviewSubject, maxSize = 16): Measurement {
  const clone = mkdtempSync(join(tmpdir(), "bench-review-"));
  try {
    git(tmpdir(), "clone", "--quiet", "--local", "--no-checkout", subject.dir, clone);
    git(clone, "checkout", "--quiet", "--detach", subject.commit);
    symlinkSync(join(subject.dir, "node_modules"), join(clone, "node_modules"), "dir");
    const prod = join(clone, "clusters", "prod.ts");
    const text = readFileSync(prod, "utf8");
    if (!text.includes(CHANGED_LINE.from)) throw new Error(`${subject.commit}: clusters/prod.ts has no line ${CHANGED_LINE.from}`);
    writeFileSync(prod, text.replace(CHANGED_LINE.from, CHANGED_LINE.to(maxSize)));
    git(clone, "commit", "--quiet", "-am", `bench: scale prod/a general pool to ${maxSize}`);
    const m = measure(process.execPath, [subject.cli, "review", "--base", "HEAD~1", "--head", "HEAD"], { cwd: clone, allowFailure: true });
    // Exit 0 (no refusal) is the only acceptable verdict for this change; anything else means the review did not run.
    if (!/maxSize|max_size|general/.test(m.stdout))
      throw new Error(`the review did not report the change:\n${m.stdout.slice(0, 2000)}\n${m.stderr.slice(0, 2000)}`);
    return m;
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

/** Reviews with `now` and `baseline` alternately, `runs` pairs, and returns the median (by wall time) of each. */
export function pairedReviews(now: ReviewSubject, baseline: ReviewSubject, runs: number): { now: Measurement; baseline: Measurement } {
  const a: Measurement[] = [];
  const b: Measurement[] = [];
  for (let i = 0; i < runs; i++) {
    // 13-99: above the pool's minSize and its old maxSize 12, so the change is always one line and always a change.
    const maxSize = 13 + Math.floor(Math.random() * 87);
    b.push(reviewOnce(baseline, maxSize));
    a.push(reviewOnce(now, maxSize));
  }
  const median = (list: Measurement[]) => [...list].sort((x, y) => x.seconds - y.seconds)[Math.floor(list.length / 2)];
  return { now: median(a), baseline: median(b) };
}
