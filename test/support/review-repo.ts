// A temporary git repository for review scenarios: this repository's committed example app (clusters/, apps/,
// constructs/, cdktf.json, ...) as one base commit on branch main, node_modules linked, with helpers to edit files,
// commit, go back to the base and run the real `immutable-clusters review` command. The command runs as `npm run synth`
// runs the app: compiled, through the temp repo's own scripts/run-compiled.mjs (its bundle cache is in the linked
// node_modules, so it is shared with every other compiled run), not through tsx, which transpiles every module with
// source maps on each start (`--help`: 0.8-0.9 instead of 3.3-3.6 CPU s, measured side by side). No suite using this
// asserts on the tsx path; test/review-speed.test.ts, which does, runs its own.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReviewReport } from "../../apps/review/report";

const ROOT = join(__dirname, "..", "..");
const COPIED = ["clusters", "apps", "constructs", "templates", "scripts", "cdktf.json", "package.json", "tsconfig.json"];

export interface ReviewRepo {
  readonly dir: string;
  readonly baseCommit: string;
  git(...args: string[]): string;
  /** Replaces `from` by `to` in a file (the first occurrence); fails when `from` is absent. */
  edit(file: string, from: string, to: string): void;
  /** Puts every file back to the base commit (HEAD too) and removes untracked files under clusters/. */
  reset(): void;
  /**
   * Runs `node scripts/run-compiled.mjs apps/cli.ts review --format json --out <file> ...args`; the exit code, stderr and
   * the JSON report.
   */
  review(...args: string[]): { status: number | null; stderr: string; report: ReviewReport };
  remove(): void;
}

/** The arguments to node that run the temp repo's CLI compiled (scripts/run-compiled.mjs), as `npm run synth` runs the app. */
export function compiledCli(dir: string): string[] {
  return [join(dir, "scripts", "run-compiled.mjs"), "apps/cli.ts"];
}

export function createReviewRepo(): ReviewRepo {
  const dir = mkdtempSync(join(tmpdir(), "review-repo-"));
  const present = COPIED.filter((p) => spawnSync("git", ["cat-file", "-e", `HEAD:${p}`], { cwd: ROOT }).status === 0);
  // The committed state of this repository (the working tree may hold other people's unfinished edits).
  const archive = execFileSync("git", ["archive", "--format=tar", "HEAD", ...present], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, ".gitignore"), "node_modules\ncdktf.out\ndist\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=review-test", "-c", "user.email=review-test@example.invalid", ...args], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  const baseCommit = git("rev-parse", "HEAD");
  const out = mkdtempSync(join(tmpdir(), "review-out-"));
  return {
    dir,
    baseCommit,
    git,
    edit(file, from, to) {
      const path = join(dir, file);
      const text = readFileSync(path, "utf8");
      if (!text.includes(from)) throw new Error(`test setup: ${file} does not contain ${JSON.stringify(from)}`);
      writeFileSync(path, text.replace(from, to));
    },
    reset() {
      git("reset", "--quiet", "--hard", baseCommit);
      git("clean", "--quiet", "-fd", "--", "clusters");
    },
    review(...args) {
      const file = join(out, `review-${Date.now()}.json`);
      const run = spawnSync(process.execPath, [...compiledCli(dir), "review", "--format", "json", "--out", file, ...args], {
        cwd: dir,
        encoding: "utf8",
      });
      if (!existsSync(file)) throw new Error(`review wrote no report (exit ${run.status}):\n${run.stderr}${run.stdout}`);
      return { status: run.status, stderr: run.stderr, report: JSON.parse(readFileSync(file, "utf8")) as ReviewReport };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    },
  };
}
