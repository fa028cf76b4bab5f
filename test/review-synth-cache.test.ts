// The review's cache of synth outputs (apps/review/synth-cache.ts): keyed by everything that decides a committed
// revision's synth, stored whole or not at all, only for synths that succeeded, and bounded.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedSynth, keepSynth, storeSynth, SYNTH_CACHE_ENTRIES, synthCacheDir, synthCacheKey } from "../apps/review/synth-cache";

let repo: string;
let first: string;
let second: string;
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: repo, encoding: "utf8" }).trim();

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "synth-cache-"));
  mkdirSync(join(repo, "node_modules"));
  writeFileSync(join(repo, ".gitignore"), "node_modules/\n");
  writeFileSync(join(repo, "node_modules", ".package-lock.json"), '{"packages":{"a":"1"}}');
  writeFileSync(join(repo, "definition.ts"), "export const size = 3;\n");
  git("init", "--quiet");
  git("add", "-A");
  git("commit", "--quiet", "-m", "one");
  first = git("rev-parse", "HEAD");
  writeFileSync(join(repo, "definition.ts"), "export const size = 4;\n");
  git("commit", "--quiet", "-am", "two");
  second = git("rev-parse", "HEAD");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

/** A synth's output folders with one file each. */
function output(text: string): { outdir: string; dist: string } {
  const dir = mkdtempSync(join(tmpdir(), "synth-out-"));
  mkdirSync(join(dir, "cdktf.out", "stacks", "a"), { recursive: true });
  mkdirSync(join(dir, "dist", "a"), { recursive: true });
  writeFileSync(join(dir, "cdktf.out", "stacks", "a", "cdk.tf.json"), text);
  writeFileSync(join(dir, "dist", "a", "x.yaml"), text);
  return { outdir: join(dir, "cdktf.out"), dist: join(dir, "dist") };
}

describe("synthCacheKey", () => {
  it("is the same for the same tree and inputs, and differs when the tree, the lock, the packages or a variable differ", () => {
    const key = synthCacheKey(repo, first, undefined, {});
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(synthCacheKey(repo, first, undefined, {})).toBe(key);
    // The commit is keyed by its tree: another commit of the same tree has the same key.
    git("commit", "--quiet", "--allow-empty", "-m", "same tree");
    expect(synthCacheKey(repo, git("rev-parse", "HEAD"), undefined, {})).toBe(synthCacheKey(repo, second, undefined, {}));
    expect(synthCacheKey(repo, second, undefined, {})).not.toBe(key);
    const lock = join(repo, "lock.json");
    writeFileSync(lock, '{"version":2}');
    expect(synthCacheKey(repo, first, lock, {})).not.toBe(key);
    expect(synthCacheKey(repo, first, undefined, { IMMUTABLE_CLUSTERS_GUARD_EXTRA: "x" })).not.toBe(key);
    // What the review sets itself, and unrelated variables, are not part of the key.
    expect(synthCacheKey(repo, first, undefined, { CDKTF_OUTDIR: "/tmp/x", HOME: "/root" })).toBe(key);
    // The review's phase timing switch (apps/review/phase-times.ts) does not decide the synth either.
    expect(synthCacheKey(repo, first, undefined, { IMMUTABLE_CLUSTERS_REVIEW_TIMES: "1" })).toBe(key);
    const installed = join(repo, "node_modules", ".package-lock.json");
    const packages = readFileSync(installed);
    writeFileSync(installed, '{"packages":{"a":"2"}}');
    expect(synthCacheKey(repo, first, undefined, {})).not.toBe(key);
    writeFileSync(installed, packages);
  });

  it("is undefined for the working tree (no commit) and outside a repository", () => {
    expect(synthCacheKey(repo, undefined)).toBeUndefined();
    expect(synthCacheKey(tmpdir(), "HEAD")).toBeUndefined();
  });
});

describe("storeSynth and cachedSynth", () => {
  const ok = { command: "app", code: 0, output: "notice\n" };

  it("keeps a successful synth and gives back its files and run", () => {
    const key = synthCacheKey(repo, first, undefined, {});
    expect(cachedSynth(repo, key)).toBeUndefined();
    const made = output('{"one":1}');
    storeSynth(repo, key, made.outdir, made.dist, ok);
    const hit = cachedSynth(repo, key);
    expect(hit?.run).toEqual(ok);
    expect(readFileSync(join(hit!.outdir, "stacks", "a", "cdk.tf.json"), "utf8")).toBe('{"one":1}');
    expect(readFileSync(join(hit!.dist, "a", "x.yaml"), "utf8")).toBe('{"one":1}');
    // A second store of the same key keeps the first entry.
    const other = output('{"other":1}');
    storeSynth(repo, key, other.outdir, other.dist, ok);
    expect(readFileSync(join(cachedSynth(repo, key)!.outdir, "stacks", "a", "cdk.tf.json"), "utf8")).toBe('{"one":1}');
  });

  it("keeps nothing for a failed synth or without a key", () => {
    const key = synthCacheKey(repo, second, undefined, {});
    const made = output("{}");
    storeSynth(repo, key, made.outdir, made.dist, { command: "app", code: 1, output: "refused" });
    expect(cachedSynth(repo, key)).toBeUndefined();
    storeSynth(repo, undefined, made.outdir, made.dist, ok);
    expect(cachedSynth(repo, undefined)).toBeUndefined();
  });

  it("keepSynth moves a fresh synth into the cache and says where it is now; otherwise it leaves the folders", () => {
    const key = synthCacheKey(repo, first, undefined, { IMMUTABLE_CLUSTERS_KEEP: "1" });
    const made = output('{"kept":1}');
    const kept = keepSynth(repo, key, made.outdir, made.dist, ok);
    expect(kept.outdir).toBe(join(synthCacheDir(repo)!, key!, "cdktf.out"));
    expect(kept.dist).toBe(join(synthCacheDir(repo)!, key!, "dist"));
    // Moved, not copied: the synth's own folders are gone, the entry is complete.
    expect(existsSync(made.outdir) || existsSync(made.dist)).toBe(false);
    expect(readFileSync(join(kept.outdir, "stacks", "a", "cdk.tf.json"), "utf8")).toBe('{"kept":1}');
    expect(readFileSync(join(kept.dist, "a", "x.yaml"), "utf8")).toBe('{"kept":1}');
    expect(cachedSynth(repo, key)).toEqual({ ...kept, run: ok });
    // The same key again (another review stored it first), a failed synth, no key: nothing moves.
    for (const [k, run] of [
      [key, ok],
      [synthCacheKey(repo, second, undefined, { IMMUTABLE_CLUSTERS_KEEP: "1" }), { command: "app", code: 1, output: "refused" }],
      [undefined, ok],
    ] as const) {
      const other = output('{"other":1}');
      expect(keepSynth(repo, k, other.outdir, other.dist, run)).toEqual(other);
      expect(readFileSync(join(other.outdir, "stacks", "a", "cdk.tf.json"), "utf8")).toBe('{"other":1}');
    }
    expect(readFileSync(join(cachedSynth(repo, key)!.outdir, "stacks", "a", "cdk.tf.json"), "utf8")).toBe('{"kept":1}');
    expect(cachedSynth(repo, synthCacheKey(repo, second, undefined, { IMMUTABLE_CLUSTERS_KEEP: "1" }))).toBeUndefined();
  });

  it(`keeps at most ${SYNTH_CACHE_ENTRIES} entries`, () => {
    const made = output("{}");
    for (let i = 0; i < SYNTH_CACHE_ENTRIES + 3; i++)
      storeSynth(repo, synthCacheKey(repo, first, undefined, { IMMUTABLE_CLUSTERS_RUN: String(i) }), made.outdir, made.dist, ok);
    expect(readdirSync(synthCacheDir(repo)!).filter((name) => /^[0-9a-f]{64}$/.test(name))).toHaveLength(SYNTH_CACHE_ENTRIES);
  });
});
