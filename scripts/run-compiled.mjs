// Runs one of this repository's TypeScript entry points (the cdktf app apps/synth.ts, the CLI apps/cli.ts) as compiled
// JavaScript: `node scripts/run-compiled.mjs apps/synth.ts [args...]`. This is `npm run synth` and cdktf.json's "app".
//
// Two parts, cached apart so that editing a definition redoes only that file:
// - This repository's TypeScript runs from where it is (so __dirname is its source folder and files beside it are
//   found), each file transpiled by esbuild (the transpiler tsx runs, with tsx's settings: keepNames, target the running
//   node; but no source maps, which make every stack capture cdktf does cost more). Transpiled files are kept by the
//   SHA-256 of their source, so only a changed file is transpiled again.
// - The packages it imports from node_modules (cdktf, the provider classes, cdk8s, zod, yaml, ...) are bundled by esbuild
//   into one file, which runs through node:vm with V8's code cache
//   (https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata): one file read instead of about 650, no
//   module resolution among them. The bundle's key is node_modules/.package-lock.json (what npm installed), the
//   package paths the entry's code imports, and node's and esbuild's versions; each package is evaluated on first use.
//
// Both live in node_modules/.cache/immutable-clusters/run-compiled/ (tools' usual cache folder; a review's worktrees
// link node_modules, so base, head and the next review share it), or in $IMMUTABLE_CLUSTERS_RUN_COMPILED_CACHE when set.
// The cache prunes itself (pruneCache below) when it makes a bundle and otherwise at most once a day: bundles of
// another FORMAT go, the last four of this one stay, and transpiled files not used for a week go.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import Module, { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Folders whose TypeScript can be run (bench/ so `npm run bench` times the same path). */
const codeDirs = ["constructs", "apps", "clusters", "bench"];
/** Bumped when the transpile or bundle settings below change, so older cache entries are not reused. */
const FORMAT = "run-compiled-2";
/** Package bundles kept (each a few MB with its code cache); the least recently used go first. */
const BUNDLES_KEPT = 4;
/**
 * Transpiled files not used for this many days are removed. Each is keyed by its source's SHA-256, so an edited file
 * leaves its old version behind for good; transpiling all 152 files of the example synth again cost 0.2-0.5 CPU s
 * (esbuild transformSync; three paired runs on the 2-core machine), so a week keeps what every branch and review base
 * run in that time uses, bounds what edits leave behind, and costs little when it guesses wrong.
 */
const FILES_UNUSED_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

const isCode = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts");

function usage(message) {
  process.stderr.write(`run-compiled: ${message}\nusage: node scripts/run-compiled.mjs <entry.ts under apps/> [args...]\n`);
  process.exit(2);
}

/** Writes through a temporary file and a rename, so a concurrent run never reads a half-written file. */
function writeAtomically(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

const cache =
  process.env.IMMUTABLE_CLUSTERS_RUN_COMPILED_CACHE ||
  (existsSync(join(root, "node_modules"))
    ? join(root, "node_modules", ".cache", "immutable-clusters", "run-compiled")
    : join(root, ".cache", "run-compiled"));
/** This FORMAT's package bundles, `packages-<FORMAT>-<key>.js`, and their V8 code caches (`.v8-<version>`). */
const bundleName = new RegExp(`^packages-${FORMAT}-[0-9a-f]{32}\\.js$`);

/**
 * Marks a cached file as used: its modification time, which pruneCache reads (access times are unreliable: noatime and
 * relatime mounts), is set to now, at most once a day per file so that a run does not write every file it reads.
 */
function markUsed(path, stats) {
  if (Date.now() - stats.mtimeMs < DAY_MS) return;
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // removed meanwhile by a concurrent prune, or a read-only cache: it is made again when next needed
  }
}

/**
 * Removes what no run of this FORMAT reads: bundles and code caches of another FORMAT (`packages-<FORMAT>-<key>.js`;
 * older scripts wrote `packages-<key>.js` and `<entry>-<key>.js`) once unused for a day (a review's worktree of an older
 * commit shares this folder through its node_modules link: its bundle survives the review), this FORMAT's bundles
 * beyond the BUNDLES_KEPT most recently used, transpiled files not used for FILES_UNUSED_DAYS, and temporary files of
 * writes that died over an hour ago. Names it does not know are left alone. Then marks the prune's time (`pruned`).
 */
function pruneCache() {
  try {
    pruneNow(Date.now());
  } catch {
    // a concurrent prune removed something first, or the cache is read-only: the next prune tries again
  }
}

function pruneNow(now) {
  const remove = (path) => rmSync(path, { recursive: true, force: true });
  const stale = (path, ms) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats !== undefined && now - stats.mtimeMs > ms;
  };
  const names = existsSync(cache) ? readdirSync(cache) : [];
  // A bundle and its code caches, by the bundle's name; dates are the bundle's (its code caches' when it is gone).
  const groups = new Map();
  for (const name of names) {
    if (/\.\d+\.tmp$/.test(name)) {
      if (stale(join(cache, name), 60 * 60 * 1000)) remove(join(cache, name));
      continue;
    }
    const base = name.replace(/\.v8-[\w.-]+$/, "");
    if (!groups.has(base)) groups.set(base, []);
    groups.get(base).push(name);
  }
  const current = [];
  for (const [base, entries] of groups) {
    const dated = join(cache, entries.includes(base) ? base : entries[0]);
    if (bundleName.test(base)) {
      if (entries.includes(base)) current.push({ entries, used: statSync(dated).mtimeMs });
      else entries.forEach((n) => remove(join(cache, n))); // code caches whose bundle is gone
    } else if (/^(?:packages(?:-[\w.-]+?)?|(?:apps|bench|clusters|constructs)_[\w.-]+)-[0-9a-f]{32}\.js$/.test(base)) {
      if (stale(dated, DAY_MS)) entries.forEach((n) => remove(join(cache, n))); // another FORMAT's
    }
  }
  current.sort((a, b) => b.used - a.used);
  for (const { entries } of current.slice(BUNDLES_KEPT)) entries.forEach((n) => remove(join(cache, n)));
  const files = join(cache, "files");
  for (const dir of existsSync(files) ? readdirSync(files) : []) {
    for (const name of readdirSync(join(files, dir)))
      if (stale(join(files, dir, name), FILES_UNUSED_DAYS * DAY_MS)) remove(join(files, dir, name));
  } // the folders stay (at most 256): a concurrent run may be writing into one
  writeAtomically(join(cache, "pruned"), new Date(now).toISOString());
}

/** Whether the daily prune is due: no `pruned` mark, or one older than a day. */
const pruneDue = () => {
  const mark = statSync(join(cache, "pruned"), { throwIfNoEntry: false });
  return mark === undefined || Date.now() - mark.mtimeMs > DAY_MS;
};
const requireHere = createRequire(import.meta.url);
let esbuild;
let tsconfigRaw;

/** The transpiled JavaScript of one of this repository's TypeScript files, from the cache or transpiled now. */
function transpiled(file) {
  const source = readFileSync(file, "utf8");
  const hash = createHash("sha256").update(`${FORMAT}\0${process.versions.node}\0`).update(source).digest("hex");
  const cached = join(cache, "files", hash.slice(0, 2), `${hash}.js`);
  const stats = statSync(cached, { throwIfNoEntry: false });
  if (stats) {
    markUsed(cached, stats);
    try {
      return readFileSync(cached, "utf8");
    } catch {
      // removed by a concurrent prune between the stat and the read: transpiled again below
    }
  }
  esbuild ??= requireHere("esbuild");
  tsconfigRaw ??= { compilerOptions: JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions };
  // tsx 4.23.15 transforms with the same options (keepNames, target node<version>, the project's tsconfig) plus
  // source maps: privatenumber/tsx src/utils/transform/index.ts (baseConfig), as installed in node_modules/tsx/dist.
  const code = esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target: `node${process.versions.node}`,
    keepNames: true,
    sourcemap: false,
    sourcefile: relative(root, file),
    tsconfigRaw,
  }).code;
  writeAtomically(cached, code);
  return code;
}

const builtins = new Set(builtinModules);
/** A require of a package (not a relative path, not a node built-in). */
const isPackage = (request) =>
  !request.startsWith(".") && !request.startsWith("/") && !request.startsWith("node:") && !builtins.has(request);
const REQUIRE = /\brequire\("([^"]+)"\)/g;

/** The packages the entry's code requires: every file reachable from it by relative requires, transpiled (cached). */
function packagesOf(entry) {
  const seen = new Set();
  const packages = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, request] of transpiled(file).matchAll(REQUIRE)) {
      if (isPackage(request)) packages.add(request);
      else if (request.startsWith(".")) {
        const base = resolve(dirname(file), request);
        const next = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
        if (next) visit(next);
      }
    }
  };
  visit(entry);
  return [...packages].sort();
}

/** The package bundle for `packages`: made unless the cache holds it; returns its path. */
async function packageBundle(packages) {
  esbuild ??= requireHere("esbuild");
  const installed = join(root, "node_modules", ".package-lock.json");
  const key = createHash("sha256")
    .update(`${FORMAT}\0${process.versions.node}\0${esbuild.version}\0${packages.join("\0")}\0`)
    .update(existsSync(installed) ? readFileSync(installed) : "no node_modules/.package-lock.json")
    .digest("hex")
    .slice(0, 32);
  const file = join(cache, `packages-${FORMAT}-${key}.js`);
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats) {
    markUsed(file, stats);
    if (pruneDue()) pruneCache();
    return file;
  }
  // Each package is a getter: evaluated when first required, as it would be unbundled.
  const contents = packages
    .map((p) => `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => require(${JSON.stringify(p)}) });`)
    .join("\n");
  const result = await esbuild
    .build({
      stdin: { contents, resolveDir: root, sourcefile: "packages.js", loader: "js" },
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: `node${process.versions.node}`,
      keepNames: true,
      sourcemap: false,
      logLevel: "error",
      outfile: file,
    })
    .catch(() => usage("esbuild could not bundle the packages the entry imports (its errors are above); nothing was run"));
  writeAtomically(file, result.outputFiles[0].contents);
  await esbuild.stop();
  pruneCache();
  return file;
}

/** Loads the package bundle with V8's code cache (refreshed at exit when there was none or V8 refused it). */
function loadPackages(file) {
  const codeCache = `${file}.v8-${process.versions.v8}`;
  const cachedData = existsSync(codeCache) ? readFileSync(codeCache) : undefined;
  // Node's own CommonJS wrapper.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`, {
    filename: file,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected)
    // At exit: the cache then holds the functions this run compiled, not only the top level.
    process.once("exit", () => {
      try {
        writeAtomically(codeCache, script.createCachedData());
      } catch {
        // a read-only cache folder: the next run compiles again
      }
    });
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(root);
  script.runInThisContext()(module.exports, createRequire(join(root, "package.json")), module, file, dirname(file));
  return module.exports;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) usage("no entry file given");
const entryRelative = relative(root, resolve(process.cwd(), entry)).split(sep).join("/");
if (!isCode(entryRelative) || !codeDirs.some((dir) => entryRelative.startsWith(`${dir}/`)))
  usage(`${entry} is not a TypeScript file under ${codeDirs.join("/, ")}/`);
const entryFile = join(root, entryRelative);
if (!existsSync(entryFile)) usage(`${entry} does not exist`);

const packages = loadPackages(await packageBundle(packagesOf(entryFile)));
const sourceRoot = root + sep;
// This repository's TypeScript is compiled from the cache; its requires of the bundled packages get the bundle's.
Module._extensions[".ts"] = (module, filename) => module._compile(transpiled(filename), filename);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (Object.hasOwn(packages, request) && parent?.filename?.startsWith(sourceRoot) && !parent.filename.includes(`${sep}node_modules${sep}`))
    return packages[request];
  return load.call(this, request, parent, isMain);
};
// The entry sees the argv it would see under `tsx <entry> [args...]`: [node, entry, ...args].
process.argv = [process.argv[0], entryFile, ...args];
requireHere(entryFile);
