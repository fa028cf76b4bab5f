// Owns materializing and synthesizing a revision of a definitions repository: resolves refs (default base = merge base
// with origin/main, else main), checks a ref out with `git worktree add --detach` into a temporary folder (the working
// tree is used in place) or reads only its lock from git (lockOnlyCheckout), links the repo's node_modules there,
// type-checks the app's program with the project's own tsconfig (with TypeScript 7's native compiler when the repository
// has it; incrementally, its state cached in node_modules/.cache/immutable-clusters/), and runs the project's cdktf app
// (cdktf.json "app") with CDKTF_OUTDIR, DIST_DIR, IMMUTABLE_CLUSTERS_GUARD=report and (to guard with the base revision's
// lock) IMMUTABLE_CLUSTERS_LOCK_FILE.
// Worktrees are always removed again.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { typeScriptCompiler } from "./typescript-compiler";

/** A revision ready to synthesize. */
export interface MaterializedRevision {
  /** The ref as given, or `working tree`. */
  readonly ref: string;
  /** The commit it resolved to (absent for the working tree). */
  readonly commit?: string;
  /** The folder holding cdktf.json of this revision. */
  readonly appDir: string;
  /** Removes the worktree (no-op for the working tree); safe to call twice. */
  readonly cleanup: () => void;
}

/** `ref` that stands for the uncommitted working tree. */
export const WORKING_TREE = "working tree";

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The top folder of the git repository containing `dir`; throws naming the folder when it is not in one. */
export function gitRoot(dir: string): string {
  try {
    return git(dir, ["rev-parse", "--show-toplevel"]);
  } catch {
    throw new Error(`review: ${dir} is not inside a git repository; pass --repo <dir> of your definitions repository`);
  }
}

/** The commit a ref names; throws naming the ref. */
export function resolveCommit(dir: string, ref: string): string {
  try {
    return git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new Error(`review: "${ref}" is not a commit in ${dir}; fetch it (git fetch origin) or pass another --base/--head`);
  }
}

/**
 * The default base: the merge base of HEAD and origin/main, else `main`, with a label for the report; throws saying to
 * pass --base when neither exists.
 */
export function defaultBase(dir: string): { readonly ref: string; readonly label: string } {
  try {
    return { ref: git(dir, ["merge-base", "HEAD", "origin/main"]), label: "merge base of HEAD and origin/main" };
  } catch {
    try {
      resolveCommit(dir, "main");
      return { ref: "main", label: "main" };
    } catch {
      throw new Error("review: neither origin/main nor main exists; pass --base <ref> (e.g. --base origin/master)");
    }
  }
}

/**
 * A committed revision's fleet lock without checking the revision out: the lock file (`LOCK_FILE`, relative to the app
 * folder) of `commit` written to `<tmp>/<label>/<app folder>/<lockFile>`, where a checkout would have put it, through
 * git's checkout filters (`git cat-file --filters`, so its bytes are the checkout's). Returns that app folder; the lock
 * file is absent when the commit has none. For a base whose synth is cached (apps/review/synth-cache.ts) this is all
 * the review reads of it.
 */
export function lockOnlyCheckout(repoDir: string, commit: string, tmp: string, label: string, lockFile: string): string {
  const root = gitRoot(repoDir);
  const rel = relative(root, resolve(repoDir));
  const appDir = join(tmp, label, rel);
  mkdirSync(dirname(join(appDir, lockFile)), { recursive: true });
  const path = [rel, lockFile].filter((p) => p !== "").join("/");
  let text: Buffer | undefined;
  try {
    text = execFileSync("git", ["cat-file", "--filters", `${commit}:${path}`], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    text = undefined; // the commit has no lock yet
  }
  if (text !== undefined) writeFileSync(join(appDir, lockFile), text);
  return appDir;
}

/**
 * Checks `ref` out into `<tmp>/<label>` (or uses `repoDir` itself for the working tree, ref undefined) and links
 * `repoDir/node_modules` into it.
 */
export function materialize(repoDir: string, ref: string | undefined, tmp: string, label: string): MaterializedRevision {
  const root = gitRoot(repoDir);
  if (ref === undefined) return { ref: WORKING_TREE, appDir: resolve(repoDir), cleanup: () => undefined };
  const commit = resolveCommit(repoDir, ref);
  const worktree = join(tmp, label);
  git(root, ["worktree", "add", "--detach", "--quiet", worktree, commit]);
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    try {
      git(root, ["worktree", "remove", "--force", worktree]);
    } catch {
      rmSync(worktree, { recursive: true, force: true });
      try {
        git(root, ["worktree", "prune"]);
      } catch {
        // the folder is gone; a stale entry is pruned by git later
      }
    }
  };
  try {
    const appDir = join(worktree, relative(root, resolve(repoDir)));
    const modules = join(resolve(repoDir), "node_modules");
    if (existsSync(modules) && !existsSync(join(appDir, "node_modules"))) symlinkSync(modules, join(appDir, "node_modules"), "dir");
    return { ref, commit, appDir, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** The app command of cdktf.json in `appDir`, with a leading `npx <bin>` run straight from node_modules/.bin when present. */
export function appCommand(appDir: string): string {
  const file = join(appDir, "cdktf.json");
  if (!existsSync(file))
    throw new Error(`review: no cdktf.json in ${appDir}; run the review from (or --repo) the folder holding cdktf.json`);
  const app = (JSON.parse(readFileSync(file, "utf8")) as { app?: unknown }).app;
  if (typeof app !== "string" || app.trim() === "") throw new Error(`review: cdktf.json in ${appDir} has no "app" command`);
  const npx = /^npx\s+(?:--yes\s+|-y\s+)?([^\s@]+)(\s.*)?$/.exec(app.trim());
  if (npx && existsSync(join(appDir, "node_modules", ".bin", npx[1])))
    return `${JSON.stringify(join(appDir, "node_modules", ".bin", npx[1]))}${npx[2] ?? ""}`;
  return app;
}

/** How a tool run ended: its exit code (null when it could not start) and its combined output. */
export interface ToolRun {
  readonly command: string;
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ToolRun> {
  const shown = [command, ...args].join(" ");
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", (error) => resolvePromise({ command: shown, code: null, output: `could not run ${shown}: ${error.message}` }));
    child.on("close", (code) => resolvePromise({ command: shown, code, output }));
  });
}

/**
 * Runs the cdktf app of `appDir` writing to `outdir` and `distDir`; with `lockFile`, the app guards with that lock
 * (IMMUTABLE_CLUSTERS_LOCK_FILE, read by apps/synth.ts) instead of its own clusters/generations.lock.json.
 */
export function synthesize(appDir: string, outdir: string, distDir: string, lockFile?: string): Promise<ToolRun> {
  const command = appCommand(appDir);
  mkdirSync(outdir, { recursive: true });
  return run("sh", ["-c", command], appDir, {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    DIST_DIR: distDir,
    IMMUTABLE_CLUSTERS_GUARD: "report",
    ...(lockFile ? { IMMUTABLE_CLUSTERS_LOCK_FILE: lockFile } : {}),
    PATH: `${join(appDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  }).then((r) => ({ ...r, command }));
}

/** The TypeScript entry file of the cdktf app command (`npx tsx apps/synth.ts` → `<appDir>/apps/synth.ts`), if it names one. */
export function appEntry(appDir: string): string | undefined {
  const file = /(?:^|\s)([^\s"']+\.(?:ts|mts|cts))(?:\s|$)/.exec(appCommand(appDir))?.[1];
  return file && existsSync(resolve(appDir, file)) ? resolve(appDir, file) : undefined;
}

/** Type-check states kept per lineage (base commit); the least recently written go first beyond this. */
export const TYPE_CHECK_LINEAGES = 4;

/** Removes the per-lineage states of `label` beyond TYPE_CHECK_LINEAGES, least recently written first. */
function pruneLineages(cacheDir: string, label: string): void {
  try {
    const pattern = new RegExp(`^review-${label}-[0-9a-f]{16}\\.tsbuildinfo$`);
    readdirSync(cacheDir)
      .filter((name) => pattern.test(name))
      .map((name) => ({ name, written: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.written - a.written)
      .slice(TYPE_CHECK_LINEAGES)
      .forEach(({ name }) => rmSync(join(cacheDir, name), { force: true }));
  } catch {
    // another review pruned at the same time
  }
}

/** Where a repository keeps the review's type-check state between runs (tools' usual cache folder). */
function typeCheckCacheDir(appDir: string): string | undefined {
  const modules = join(appDir, "node_modules");
  return existsSync(modules) ? join(modules, ".cache", "immutable-clusters") : undefined;
}

/**
 * Type-checks the program the cdktf app runs (its entry file and everything it imports: the definitions) with the
 * project's own tsconfig.json, through a temporary config in `tmp` that extends it (nothing is written into the
 * repository's files). Undefined when there is nothing to check: no tsconfig.json or no TypeScript entry file.
 *
 * Incremental: tsc keeps what it learned in a .tsbuildinfo, cached in node_modules/.cache/immutable-clusters/, and next
 * time type-checks only the files whose content changed and the files that depend on them
 * (https://www.typescriptlang.org/tsconfig/#incremental, #tsBuildInfoFile). tsc records every path relative to the
 * .tsbuildinfo and compares its own path among the options, so each run writes `review-<label>.tsbuildinfo` in
 * `<tmp>/tsc-<label>/`: the checkout (`<tmp>/<label>`) and node_modules are then at the same relative paths in every
 * review (temporary folders are made at one depth), and a cached state is reused although the folder's name changes.
 * The run's file is renamed over the cached one when tsc is done, so reviews running at once never read half a file.
 *
 * With `lineage` (the review passes its base commit), the state is also kept per lineage
 * (`review-<label>-<hash>.tsbuildinfo`, the last TYPE_CHECK_LINEAGES used) and a run starts from its lineage's state when
 * there is one, else from the last state of any lineage: pull requests against the same base then start from each
 * other's state although reviews against other bases (another branch, an older main) ran in between, which would make
 * tsc check most files again.
 */
export function typeCheck(appDir: string, tmp: string, label: string, lineage?: string): Promise<ToolRun> | undefined {
  const tsconfig = join(appDir, "tsconfig.json");
  const entry = appEntry(appDir);
  if (!existsSync(tsconfig) || !entry) return undefined;
  const compiler = typeScriptCompiler(appDir);
  if (!compiler)
    return Promise.resolve({ command: "tsc", code: null, output: `typescript is not installed in ${appDir}/node_modules; run npm ci` });
  const cacheDir = typeCheckCacheDir(appDir);
  const cached = cacheDir && join(cacheDir, `review-${label}.tsbuildinfo`);
  const ofLineage =
    cacheDir && lineage !== undefined
      ? join(cacheDir, `review-${label}-${createHash("sha256").update(lineage).digest("hex").slice(0, 16)}.tsbuildinfo`)
      : undefined;
  const thisRun = join(tmp, `tsc-${label}`, `review-${label}.tsbuildinfo`);
  mkdirSync(join(tmp, `tsc-${label}`), { recursive: true });
  const start = [ofLineage, cached].find((file) => file !== undefined && existsSync(file));
  if (start) copyFileSync(start, thisRun);
  const config = join(tmp, `tsconfig.${label}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: tsconfig,
      // typeRoots: the temporary config lives outside the project, where `types` would not be found.
      compilerOptions: {
        noEmit: true,
        composite: false,
        typeRoots: [join(appDir, "node_modules", "@types")],
        incremental: true,
        tsBuildInfoFile: thisRun,
      },
      files: [entry],
      include: [],
    }),
  );
  return run(compiler.command, [...compiler.args, "-p", config, "--pretty", "false"], appDir, process.env).then((result) => {
    if (cacheDir && existsSync(thisRun))
      for (const file of [ofLineage, cached])
        if (file)
          try {
            mkdirSync(dirname(file), { recursive: true });
            // Through a file beside the cache, so the rename stays on one file system.
            const next = `${file}.${process.pid}.${basename(tmp)}`;
            copyFileSync(thisRun, next);
            renameSync(next, file);
          } catch {
            // a read-only node_modules: the next review checks everything again
          }
    if (cacheDir && ofLineage) pruneLineages(cacheDir, label);
    return result;
  });
}
