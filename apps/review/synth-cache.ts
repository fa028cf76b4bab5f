// Owns the review's cache of synth outputs: what a committed revision synthesized (cdktf.out/ and dist/), kept in
// node_modules/.cache/immutable-clusters/review-synth/ under a key of everything that decides it, so the next review of
// the same revision (the base every pull request against main shares; a re-run) loads it instead of synthesizing again.
// The key hashes the commit's tree (every file of the revision: definitions, lock, frozen artifacts, app code), the app
// folder's place in it, node_modules/.package-lock.json (the installed packages, the library among them), node's
// version, the lock file the synth is guarded with and the IMMUTABLE_CLUSTERS_* and CDKTF_* variables it would see.
// Synth output names no folder of the machine (test/determinism.test.ts), so it does not depend on where it was made.
// Only synths that succeeded are kept; the working tree (uncommitted files) is never cached.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { ToolRun } from "./revision";

/** Bumped when what an entry holds changes, so older entries are not read. */
const FORMAT = "review-synth-1";
/** Entries kept; the least recently used are removed beyond this (each is a revision's output, a few MB). */
export const SYNTH_CACHE_ENTRIES = 8;
/**
 * Variables that do not decide a synth (not part of the key): those the review sets itself for every synth, and the
 * review's own phase timing switch (apps/review/phase-times.ts), which the app never reads.
 */
const SET_BY_REVIEW = new Set([
  "CDKTF_OUTDIR",
  "IMMUTABLE_CLUSTERS_GUARD",
  "IMMUTABLE_CLUSTERS_LOCK_FILE",
  "IMMUTABLE_CLUSTERS_REVIEW_TIMES",
]);

/** A cached synth: its output folders and the run that made them. */
export interface CachedSynth {
  readonly outdir: string;
  readonly dist: string;
  readonly run: ToolRun;
}

/** The cache folder of `appDir` (in its node_modules, shared by every checkout that links it); undefined without one. */
export function synthCacheDir(appDir: string): string | undefined {
  const modules = join(appDir, "node_modules");
  return existsSync(modules) ? join(modules, ".cache", "immutable-clusters", "review-synth") : undefined;
}

/**
 * The key of a synth of `commit` in `appDir` (a checkout of it) guarded with `lockFile`; undefined when the revision
 * cannot be keyed (no commit, no git tree).
 */
export function synthCacheKey(
  appDir: string,
  commit: string | undefined,
  lockFile?: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!commit) return undefined;
  let tree: string;
  let top: string;
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: appDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    tree = git("rev-parse", `${commit}^{tree}`);
    top = git("rev-parse", "--show-toplevel");
  } catch {
    return undefined;
  }
  const hash = createHash("sha256").update(`${FORMAT}\0${tree}\0${relative(top, appDir)}\0${process.versions.node}\0`);
  const installed = join(appDir, "node_modules", ".package-lock.json");
  hash.update(existsSync(installed) ? readFileSync(installed) : "no node_modules/.package-lock.json").update("\0");
  hash.update(lockFile && existsSync(lockFile) ? readFileSync(lockFile) : "no lock").update("\0");
  for (const name of Object.keys(env).sort())
    if (/^(IMMUTABLE_CLUSTERS_|CDKTF_)/.test(name) && !SET_BY_REVIEW.has(name)) hash.update(`${name}=${env[name]}\0`);
  return hash.digest("hex");
}

/** The cached synth under `key`, if a complete one is there (its use marks it recently used). */
export function cachedSynth(appDir: string, key: string | undefined): CachedSynth | undefined {
  const dir = key && synthCacheDir(appDir);
  if (!dir || !key) return undefined;
  const entry = join(dir, key);
  const runFile = join(entry, "run.json");
  if (!existsSync(runFile)) return undefined;
  try {
    const run = JSON.parse(readFileSync(runFile, "utf8")) as ToolRun;
    const now = new Date();
    utimesSync(entry, now, now);
    return { outdir: join(entry, "cdktf.out"), dist: join(entry, "dist"), run };
  } catch {
    return undefined;
  }
}

/**
 * Keeps a successful synth's `outdir` and `dist` under `key`: copied into a folder beside the entry and renamed into
 * place, so a review reading the cache never sees half an entry; another review storing the same key first wins.
 * Failures to write (a read-only node_modules) leave the cache as it was.
 */
export function storeSynth(appDir: string, key: string | undefined, outdir: string, dist: string, run: ToolRun): void {
  const dir = key && synthCacheDir(appDir);
  if (!dir || !key || run.code !== 0) return;
  const entry = join(dir, key);
  const temp = `${entry}.${process.pid}.tmp`;
  try {
    if (existsSync(entry)) return;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    cpSync(outdir, join(temp, "cdktf.out"), { recursive: true });
    if (existsSync(dist)) cpSync(dist, join(temp, "dist"), { recursive: true });
    writeFileSync(join(temp, "run.json"), JSON.stringify(run));
    renameSync(temp, entry);
    prune(dir);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Keeps a successful synth like {@link storeSynth}, but moves `outdir` and `dist` into the entry (one rename each, on
 * the same file system) instead of copying them, and returns where they are now: the entry's folders when they were
 * moved, else the folders given (no key, a failed synth, an entry already there, another file system, a read-only
 * node_modules: then nothing is moved and {@link storeSynth} copies where it can). For a synth the review has just
 * made and reads once, which a copy would only double.
 */
export function keepSynth(
  appDir: string,
  key: string | undefined,
  outdir: string,
  dist: string,
  run: ToolRun,
): { readonly outdir: string; readonly dist: string } {
  const dir = key && synthCacheDir(appDir);
  if (!dir || !key || run.code !== 0) return { outdir, dist };
  const entry = join(dir, key);
  const temp = `${entry}.${process.pid}.tmp`;
  try {
    if (existsSync(entry)) return { outdir, dist };
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    renameSync(outdir, join(temp, "cdktf.out"));
    if (existsSync(dist)) renameSync(dist, join(temp, "dist"));
    writeFileSync(join(temp, "run.json"), JSON.stringify(run));
    renameSync(temp, entry);
  } catch {
    // Put back what was moved (another file system fails on the first rename, before anything moved), then copy.
    if (!existsSync(outdir) && existsSync(join(temp, "cdktf.out"))) renameSync(join(temp, "cdktf.out"), outdir);
    if (!existsSync(dist) && existsSync(join(temp, "dist"))) renameSync(join(temp, "dist"), dist);
    rmSync(temp, { recursive: true, force: true });
    storeSynth(appDir, key, outdir, dist, run);
    return { outdir, dist };
  }
  try {
    prune(dir);
  } catch {
    // another review pruned at the same time
  }
  return { outdir: join(entry, "cdktf.out"), dist: join(entry, "dist") };
}

/** Removes the least recently used entries beyond SYNTH_CACHE_ENTRIES (and leftovers of interrupted stores). */
function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .map((name) => ({ name, used: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { name } of entries.slice(SYNTH_CACHE_ENTRIES)) rmSync(join(dir, name), { recursive: true, force: true });
  const hour = 60 * 60 * 1000;
  for (const name of readdirSync(dir))
    if (name.endsWith(".tmp") && Date.now() - statSync(join(dir, name)).mtimeMs > hour)
      rmSync(join(dir, name), { recursive: true, force: true });
}
