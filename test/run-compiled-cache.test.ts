// scripts/run-compiled.mjs prunes its own cache (IMMUTABLE_CLUSTERS_RUN_COMPILED_CACHE points it at a folder of our
// choosing): bundles of another FORMAT once unused for a day, its own FORMAT's bundles beyond the four most recently
// used, transpiled files not used for a week, temporary files of writes that died; a file a run uses is marked used
// (its mtime, at most once a day); the prune runs when a bundle is made and otherwise at most once a day. A copy of the
// script in a scratch repository runs a probe that imports no package, so each run takes a fraction of a second.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const work = mkdtempSync(join(tmpdir(), "run-compiled-cache-"));
const repo = join(work, "repo");
const cache = join(work, "cache");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hex = (seed: string, length: number) => seed.repeat(length).slice(0, length);
/** Writes `path` (relative to the cache) last modified `age` ms ago. */
function plant(path: string, age: number): void {
  const file = join(cache, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, "planted");
  const when = new Date(Date.now() - age);
  utimesSync(file, when, when);
}
const age = (path: string) => Date.now() - statSync(join(cache, path)).mtimeMs;
const setAge = (path: string, ms: number) => {
  const when = new Date(Date.now() - ms);
  utimesSync(join(cache, path), when, when);
};
const top = () => readdirSync(cache).sort();
const transpiledFiles = () =>
  readdirSync(join(cache, "files")).flatMap((dir) => readdirSync(join(cache, "files", dir)).map((f) => `files/${dir}/${f}`));
const run = () =>
  execFileSync(process.execPath, ["scripts/run-compiled.mjs", "apps/probe.ts"], {
    cwd: repo,
    env: { ...process.env, IMMUTABLE_CLUSTERS_RUN_COMPILED_CACHE: cache },
    encoding: "utf8",
  });

beforeAll(() => {
  mkdirSync(join(repo, "scripts"), { recursive: true });
  mkdirSync(join(repo, "apps"), { recursive: true });
  mkdirSync(join(repo, "node_modules"), { recursive: true });
  copyFileSync(join(ROOT, "scripts", "run-compiled.mjs"), join(repo, "scripts", "run-compiled.mjs"));
  for (const name of ["esbuild", "@esbuild"]) symlinkSync(join(ROOT, "node_modules", name), join(repo, "node_modules", name), "dir");
  writeFileSync(join(repo, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs" } }));
  writeFileSync(join(repo, "apps", "probe.ts"), 'const probe: string = "probe ran";\nconsole.log(probe);\n');
});

test("a run prunes other FORMATs' bundles, its own beyond the last four used, and files unused for a week", () => {
  const v8 = ".v8-11.3.244.8-node.38";
  // Another FORMAT's bundles: the whole-program bundles of an older script, and the unnamed `packages-<key>.js`.
  plant(`apps_synth_ts-${hex("1", 32)}.js`, 3 * DAY);
  plant(`apps_synth_ts-${hex("1", 32)}.js${v8}`, 3 * DAY);
  plant(`packages-${hex("2", 32)}.js`, 2 * DAY);
  // ... one of them used within the day (a review's worktree of an older commit): kept with its code cache.
  plant(`bench_apps_synth-one-generation_ts-${hex("3", 32)}.js`, HOUR);
  plant(`bench_apps_synth-one-generation_ts-${hex("3", 32)}.js${v8}`, HOUR);
  // This FORMAT's bundles, used 1 to 5 hours ago, and a code cache whose bundle is gone.
  for (const n of [1, 2, 3, 4, 5]) {
    plant(`packages-run-compiled-2-${hex(`a${n}`, 32)}.js`, n * HOUR);
    plant(`packages-run-compiled-2-${hex(`a${n}`, 32)}.js${v8}`, n * HOUR);
  }
  plant(`packages-run-compiled-2-${hex("b", 32)}.js${v8}`, HOUR);
  // Transpiled files used 8 and 6 days ago; temporary files of a write that died 2 hours ago and of one under way.
  plant(`files/ab/${hex("ab", 64)}.js`, 8 * DAY);
  plant(`files/cd/${hex("cd", 64)}.js`, 6 * DAY);
  plant(`packages-run-compiled-2-${hex("c", 32)}.js.1234.tmp`, 2 * HOUR);
  plant(`packages-run-compiled-2-${hex("d", 32)}.js.5678.tmp`, 0);
  // A name the cache never writes.
  plant("notes.txt", 30 * DAY);

  expect(run()).toBe("probe ran\n");

  const planted = [1, 2, 3, 4, 5].map((n) => `packages-run-compiled-2-${hex(`a${n}`, 32)}.js`);
  const own = top().filter((n) => /^packages-run-compiled-2-[0-9a-f]{32}\.js$/.test(n) && !planted.includes(n));
  expect(own).toHaveLength(1); // the probe's bundle, made by this run
  expect(top()).toEqual(
    [
      `bench_apps_synth-one-generation_ts-${hex("3", 32)}.js`,
      `bench_apps_synth-one-generation_ts-${hex("3", 32)}.js${v8}`,
      "files",
      "notes.txt",
      ...own,
      ...top().filter((n) => n.startsWith(`${own[0]}.v8-`)),
      ...[1, 2, 3].flatMap((n) => [
        `packages-run-compiled-2-${hex(`a${n}`, 32)}.js`,
        `packages-run-compiled-2-${hex(`a${n}`, 32)}.js${v8}`,
      ]),
      `packages-run-compiled-2-${hex("d", 32)}.js.5678.tmp`,
      "pruned",
    ].sort(),
  );
  const files = transpiledFiles();
  expect(files).toContain(`files/cd/${hex("cd", 64)}.js`);
  expect(files).not.toContain(`files/ab/${hex("ab", 64)}.js`);
  expect(files).toHaveLength(2); // and the probe's
});

test("a file a run uses is marked used; without a new bundle the prune waits a day", () => {
  const probe = transpiledFiles().find((f) => readFileSync(join(cache, f), "utf8").includes("probe ran"))!;
  expect(probe).toBeDefined();
  setAge(probe, 3 * DAY);
  plant(`files/ef/${hex("ef", 64)}.js`, 8 * DAY);
  setAge("pruned", HOUR);
  expect(run()).toBe("probe ran\n");
  expect(age(probe)).toBeLessThan(HOUR); // used: marked now
  expect(transpiledFiles()).toContain(`files/ef/${hex("ef", 64)}.js`); // pruned an hour ago: not yet again
  setAge("pruned", 2 * DAY);
  expect(run()).toBe("probe ran\n");
  expect(transpiledFiles()).not.toContain(`files/ef/${hex("ef", 64)}.js`);
  expect(transpiledFiles()).toContain(probe);
  expect(age("pruned")).toBeLessThan(HOUR);
});
