// Runs one of this repository's TypeScript entry points (the cdktf app apps/synth.ts, the CLI apps/cli.ts) as one
// bundled JavaScript file: `node scripts/run-compiled.mjs apps/synth.ts [args...]`. This is `npm run synth` and
// cdktf.json's "app".
//
// The entry and everything it imports (this repository's TypeScript and the packages in node_modules) are bundled by
// esbuild into a single CommonJS file (the transpiler tsx runs, with tsx's settings: keepNames, target the running
// node; but no source maps, which make every stack capture cdktf does cost more), so a run resolves and reads one file
// instead of about 850. The file runs in this process through node:vm with V8's code cache
// (https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata), so the functions the last run compiled
// are not parsed and compiled again. A synth costs one node start-up, no transpiling and little compiling.
//
// Both are cached in node_modules/.cache/immutable-clusters/run-compiled/ (tools' usual cache folder; a review's
// worktrees link node_modules, so base, head and the next review share it), under a key that hashes every source file
// under constructs/, apps/, clusters/ and bench/, node_modules/.package-lock.json (what npm installed), the entry,
// esbuild's and node's versions and this script's bundle settings: an edited source or an `npm ci` makes a new bundle.
// Code that reads files beside itself (__dirname, __filename) gets the path of its source folder under the repository
// root the run starts from, so one bundle serves every checkout and the assets (files/, templates/) are read in place.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Folders whose files are this repository's code (their content is part of the bundle's key). */
const codeDirs = ["constructs", "apps", "clusters", "bench"];
/** Bumped when the bundle settings below change, so older bundles are not reused. */
const BUNDLE_FORMAT = "bundle-1";
/** The name of the wrapper parameter that holds the repository root at run time. */
const ROOT_PARAMETER = "__immutableClustersRoot";

const isCode = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts");

function usage(message) {
  process.stderr.write(`run-compiled: ${message}\nusage: node scripts/run-compiled.mjs <entry.ts under apps/> [args...]\n`);
  process.exit(2);
}

/** Every file under `dir` (relative to the repository root), skipping node_modules, sorted. */
function filesUnder(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(path);
      return entry.isFile() && !entry.name.endsWith(".test.ts") ? [path] : [];
    });
}

/** Writes through a temporary file and a rename, so a concurrent run never reads a half-written file. */
function writeAtomically(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

/** Where bundles and code caches live: node_modules/.cache when node_modules exists, else .cache/ in the repository. */
function cacheDir() {
  const modules = join(root, "node_modules");
  return existsSync(modules) ? join(modules, ".cache", "immutable-clusters", "run-compiled") : join(root, ".cache", "run-compiled");
}

/** The bundle's key: everything that decides its content (see the header). */
function bundleKey(entry, esbuildVersion) {
  const hash = createHash("sha256").update(`${BUNDLE_FORMAT}\0${process.versions.node}\0${esbuildVersion}\0${entry}\0`);
  for (const file of codeDirs.flatMap(filesUnder))
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update("\0");
  const installed = join(root, "node_modules", ".package-lock.json");
  hash.update(existsSync(installed) ? readFileSync(installed) : "no node_modules/.package-lock.json");
  return hash.digest("hex").slice(0, 32);
}

/**
 * esbuild plugin: a module that names __dirname or __filename gets its own, as the path of its source under the
 * repository root the run starts from (the wrapper's ROOT_PARAMETER), declared at its top. esbuild keeps each module's
 * declarations apart (it renames them where they would clash), so every module sees its own folder.
 */
const ownPaths = {
  name: "own-paths",
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const file = relative(root, args.path).split(sep).join("/");
      if (file.startsWith("..")) return undefined;
      const path = (p) => `require("node:path").join(${ROOT_PARAMETER}, ${JSON.stringify(p)})`;
      const declare = `var __filename = ${path(file)}; var __dirname = ${path(dirname(file))};`;
      // One line, so the module's own line numbers stay as they are.
      return { contents: `${declare} ${text}`, loader: args.path.endsWith(".ts") ? "ts" : "js", resolveDir: dirname(args.path) };
    });
  },
};

/** Bundles `entry` into `target` unless that bundle exists (esbuild's asynchronous API: plugins need it). */
async function ensureBundle(entry, target, esbuild) {
  if (existsSync(target)) return;
  // tsx 4.23.15 transforms with the same options (keepNames, target node<version>, the project's tsconfig) plus
  // source maps: privatenumber/tsx src/utils/transform/index.ts (baseConfig), as installed in node_modules/tsx/dist.
  const result = await esbuild
    .build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: `node${process.versions.node}`,
      keepNames: true,
      sourcemap: false,
      logLevel: "error",
      tsconfig: join(root, "tsconfig.json"),
      plugins: [ownPaths],
      outfile: target,
    })
    // esbuild printed the errors (a TypeScript syntax error, an import that does not resolve) with their places.
    .catch(() => usage(`esbuild could not bundle ${entry} (its errors are above); nothing was run`));
  writeAtomically(target, result.outputFiles[0].contents);
  await esbuild.stop();
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) usage("no entry file given");
const entryRelative = relative(root, resolve(process.cwd(), entry)).split(sep).join("/");
if (!isCode(entryRelative) || !codeDirs.some((dir) => entryRelative.startsWith(`${dir}/`)))
  usage(`${entry} is not a TypeScript file under ${codeDirs.join("/, ")}/`);
if (!existsSync(join(root, entryRelative))) usage(`${entry} does not exist`);

const requireHere = createRequire(import.meta.url);
const esbuild = requireHere("esbuild");
const key = bundleKey(entryRelative, esbuild.version);
const bundle = join(cacheDir(), `${entryRelative.replace(/[/.]/g, "_")}-${key}.js`);
await ensureBundle(entryRelative, bundle, esbuild);
run(bundle);

/** Runs the bundle in this process with V8's code cache, and refreshes the cache when there was none or V8 refused it. */
function run(file) {
  const source = readFileSync(file, "utf8");
  const codeCache = `${file}.v8-${process.versions.v8}`;
  const cachedData = existsSync(codeCache) ? readFileSync(codeCache) : undefined;
  // Node's own CommonJS wrapper, plus the repository root (see ownPaths).
  const script = new Script(`(function (exports, require, module, __filename, __dirname, ${ROOT_PARAMETER}) {${source}\n})`, {
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
  // The entry sees the argv it would see under `tsx <entry> [args...]`: [node, entry, ...args].
  process.argv = [process.argv[0], file, ...args];
  // Requires the bundle leaves to run time (a computed path) resolve from the entry's folder, as they would unbundled.
  const requireFromEntry = createRequire(join(root, entryRelative));
  script.runInThisContext()(module.exports, requireFromEntry, module, file, dirname(file), root);
}
