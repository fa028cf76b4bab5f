// Owns the comparison of a frozen generation with what this library renders for it today (GenerationStack.behindLibrary,
// the "frozen, behind the library" notice and fleet-status.json), and its cross-process cache. Rendering a generation's
// node configs and addon manifests only to compare them was about half the CPU of a synth of the examples (issue 17);
// the result depends only on the library's own files, the installed packages, node, the parts of the generation's
// resolved definition that rendering reads (renderingInputs: not its weight, state, pool sizes or the cluster's other
// generations), its node contract and the frozen files, so it is kept in
// node_modules/.cache/immutable-clusters/frozen-comparison/ (the cache root of scripts/run-compiled.mjs and
// apps/review/synth-cache.ts, cleared by `npm run clean`) under a hash of all of them, and computed once per change.
// Entries are written through a temporary file and a rename, bounded in number, and a failed rendering is never kept.
// IMMUTABLE_CLUSTERS_FROZEN_COMPARISON_CACHE=off turns the cache off (docs/generations.md).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ResolvedGeneration } from "../definition/resolve";
import { LIBRARY_VERSION } from "../library-version";
import { artifactFiles, renderedArtifactFiles, type FrozenArtifacts } from "./frozen-artifacts";

/** Set to `off` to compute every comparison (the cache is neither read nor written). */
export const FROZEN_COMPARISON_CACHE_ENV = "IMMUTABLE_CLUSTERS_FROZEN_COMPARISON_CACHE";
/** Bumped when what an entry holds or how the key is made changes, so older entries are not read. */
const FORMAT = "frozen-comparison-2";
/** Entries kept (each a few hundred bytes); the least recently used go first beyond this. */
export const FROZEN_COMPARISON_ENTRIES = 256;

// jest passes `jest` to every module it loads; a module loaded that way can be mocked in process (test/fleet-frozen.test.ts
// changes the node scripts with jest.doMock), which no hash of the library's files can see. So under jest's module
// registry the cache is off unless a caller passes one; child processes (npm run synth from a test) use it as usual.
declare const jest: unknown;

/** Where and how comparisons are cached; undefined fields take the defaults below. */
export interface FrozenComparisonCache {
  /** Folder of the entries. @default node_modules/.cache/immutable-clusters/frozen-comparison/ beside the library's install */
  readonly dir: string;
  /** Hash of everything besides the generation that the rendering depends on. @default libraryInputsHash() */
  readonly libraryHash: string;
}

/** The library's folder (constructs/ when run from source, lib/constructs/ compiled, inside node_modules when installed). */
const LIBRARY_ROOT = join(__dirname, "..");

/** The nearest folder at or above `from` holding node_modules/.package-lock.json (what npm installed); undefined without one. */
function installRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", ".package-lock.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every file under `dir`, by path relative to it (`/`-separated), sorted. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .sort();
}

/**
 * Hash of the library's own files under `libraryRoot` (code, the node scripts and unit files, vendored JSON and YAML:
 * everything rendering can read, by path and content), its version, node's version and `installed`
 * (node_modules/.package-lock.json: the packages rendering imports, cdk8s and yaml among them).
 */
export function libraryInputsHash(libraryRoot = LIBRARY_ROOT, installed?: string): string {
  const hash = createHash("sha256").update(`${FORMAT}\0${LIBRARY_VERSION}\0${process.versions.node}\0`);
  for (const path of filesUnder(libraryRoot))
    hash
      .update(`${path}\0`)
      .update(readFileSync(join(libraryRoot, path)))
      .update("\0");
  hash.update(installed && existsSync(installed) ? readFileSync(installed) : "no node_modules/.package-lock.json");
  return hash.digest("hex");
}

let defaultCache: FrozenComparisonCache | null | undefined;

/** The cache a synth uses: undefined when turned off, under jest's module registry, or with no node_modules to keep it in. */
export function defaultFrozenComparisonCache(env: NodeJS.ProcessEnv = process.env): FrozenComparisonCache | undefined {
  if (env[FROZEN_COMPARISON_CACHE_ENV] === "off" || typeof jest !== "undefined") return undefined;
  if (defaultCache === undefined) {
    const root = installRoot(LIBRARY_ROOT);
    const installed = root && join(root, "node_modules", ".package-lock.json");
    defaultCache =
      root === undefined
        ? null
        : {
            dir: join(root, "node_modules", ".cache", "immutable-clusters", "frozen-comparison"),
            libraryHash: libraryInputsHash(LIBRARY_ROOT, installed),
          };
  }
  return defaultCache ?? undefined;
}

/** A worker pool without its sizes: whether it autoscales stays (it decides cluster-autoscaler's manifest), its bounds go. */
function poolWithoutSizes<P extends { readonly autoscale?: unknown }>(pool: P): P {
  return { ...pool, minSize: undefined, maxSize: undefined, desiredCapacity: undefined, autoscale: pool.autoscale ? true : undefined };
}

/**
 * The parts of a resolved generation that its rendering (renderedArtifactFiles: node configs and addon manifests) reads,
 * as JSON: all of it but fields only Terraform acts on, each of which a deployed generation may change in place
 * (immutable-inputs.ts, MUTABLE_FIELDS): the traffic weight and state, the worker pools' minSize, maxSize,
 * desiredCapacity and autoscaling bounds, in the resolved pools and in the definition, and the cluster's other
 * generations (the generation's own definition is `definition`). Everything else stays, read or not: a field left in
 * costs a recomputation when it changes, a field left out wrongly would keep a stale result. test/frozen-comparison.test.ts
 * renders every example generation with all of these changed and gets the same files, so a rendering that starts
 * reading one of them fails there.
 */
export function renderingInputs(gen: ResolvedGeneration): string {
  const { weight: _weight, state: _state, workerPools, definition, cluster, ...rest } = gen;
  return JSON.stringify({
    ...rest,
    workerPools: workerPools.map(poolWithoutSizes),
    definition: { ...definition, weight: undefined, state: undefined, workerPools: definition.workerPools.map(poolWithoutSizes) },
    cluster: { ...cluster, generations: undefined },
  });
}

/** The key of one comparison: the library's inputs, what rendering reads of the generation, its node contract and its frozen files. */
export function comparisonKey(
  libraryHash: string,
  gen: ResolvedGeneration,
  nodeContract: number,
  frozenFiles: ReadonlyMap<string, string>,
): string {
  const hash = createHash("sha256").update(`${FORMAT}\0${libraryHash}\0${nodeContract}\0${renderingInputs(gen)}\0`);
  for (const [path, text] of [...frozenFiles].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${path}\0${text}\0`);
  return hash.digest("hex");
}

function readEntry(file: string): string[] | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as { format?: string; differences?: unknown };
    if (entry.format !== FORMAT || !Array.isArray(entry.differences) || !entry.differences.every((d) => typeof d === "string"))
      return undefined;
    const now = new Date();
    utimesSync(file, now, now);
    return entry.differences as string[];
  } catch {
    return undefined;
  }
}

/** Writes an entry through a temporary file and a rename; a failure (read-only node_modules) leaves the cache as it was. */
function writeEntry(dir: string, key: string, differences: readonly string[]): void {
  const file = join(dir, `${key}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, JSON.stringify({ format: FORMAT, differences }));
    renameSync(temp, file);
    prune(dir);
  } catch {
    rmSync(temp, { force: true });
  }
}

/** Removes the least recently used entries beyond FROZEN_COMPARISON_ENTRIES and leftovers of interrupted writes. */
function prune(dir: string): void {
  const names = readdirSync(dir);
  const entries = names.filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
  if (entries.length > FROZEN_COMPARISON_ENTRIES)
    for (const { name } of entries
      .map((name) => ({ name, used: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.used - a.used)
      .slice(FROZEN_COMPARISON_ENTRIES))
      rmSync(join(dir, name), { force: true });
  const hour = 60 * 60 * 1000;
  for (const name of names)
    if (name.endsWith(".tmp"))
      try {
        if (Date.now() - statSync(join(dir, name)).mtimeMs > hour) rmSync(join(dir, name), { force: true });
      } catch {
        // Another process finished or removed it.
      }
}

/** How a frozen file is named in the comparison: `node config ignition/controller.ign`, `addon 10-cni.yaml`. */
function label(path: string): string {
  return path.startsWith("ignition/") ? `node config ${path}` : `addon ${path.slice("addons/".length)}`;
}

/** Injectable for tests: the rendering compared with (renderedArtifactFiles). */
export interface CompareOptions {
  /** @default defaultFrozenComparisonCache(); undefined computes every time */
  readonly cache?: FrozenComparisonCache;
  /** @default renderedArtifactFiles */
  readonly render?: (gen: ResolvedGeneration, nodeContract: number) => Map<string, string>;
}

/**
 * What the current library renders differently from a frozen generation's artifacts (see GenerationStack.behindLibrary):
 * the files that differ, the addons new in or no longer rendered by this library, then the node configs of
 * `nodeConfigKeys` that were not frozen. Cached as described above; a rendering that fails is reported and not kept.
 */
export function differencesFromLibrary(
  gen: ResolvedGeneration,
  nodeConfigKeys: Iterable<string>,
  frozen: FrozenArtifacts,
  options: CompareOptions = { cache: defaultFrozenComparisonCache() },
): string[] {
  const unfrozen = [...nodeConfigKeys]
    .filter((key) => !frozen.nodeConfigs.has(key))
    .map((key) => `${label(key)} (not frozen: rendered by this library)`);
  const was = artifactFiles(frozen.nodeConfigs, frozen.addonManifests);
  const cache = options.cache;
  const key = cache && comparisonKey(cache.libraryHash, gen, frozen.nodeContract, was);
  const cached = cache && key ? readEntry(join(cache.dir, `${key}.json`)) : undefined;
  if (cached) return [...cached, ...unfrozen];
  let current: Map<string, string>;
  try {
    current = (options.render ?? renderedArtifactFiles)(gen, frozen.nodeContract);
  } catch (error) {
    return [`cannot be rendered by this library version: ${(error as Error).message}`, ...unfrozen];
  }
  const paths = [...new Set([...was.keys(), ...current.keys()])].sort();
  const differs = paths.filter((p) => was.has(p) && current.has(p) && current.get(p) !== was.get(p)).map(label);
  const added = paths.filter((p) => p.startsWith("addons/") && !was.has(p)).map((p) => `${label(p)} (new in this library)`);
  const removed = paths.filter((p) => p.startsWith("addons/") && !current.has(p)).map((p) => `${label(p)} (no longer rendered)`);
  const differences = [...differs, ...added, ...removed];
  if (cache && key) writeEntry(cache.dir, key, differences);
  return [...differences, ...unfrozen];
}
