// Runs one of this repository's TypeScript entry points (the cdktf app apps/synth.ts, the CLI apps/cli.ts) as compiled
// JavaScript: `node scripts/run-compiled.mjs apps/synth.ts [args...]`. This is `npm run synth` and cdktf.json's "app".
//
// Before running, it brings .cache/compiled/ up to date with the sources: every .ts file under constructs/, apps/,
// clusters/ and bench/ is transpiled file by file with esbuild (the transpiler tsx runs, with tsx's settings: keepNames, target
// the running node; but no source maps, which make every stack capture cdktf does cost more), and every other file there
// and under templates/ is copied as it is, so code that reads files beside itself (__dirname) finds them. Only files
// whose content changed since the last run are redone (a manifest of SHA-256 hashes); files whose source is gone are
// removed. The entry then runs in this process, so a synth costs one node start-up and no per-run transpiling.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the compiled tree lives; it mirrors the repository layout so relative paths between folders still hold. */
const out = join(root, ".cache", "compiled");
/** Folders whose TypeScript is compiled (other files copied); bench/ so `npm run bench` times the same path. */
const codeDirs = ["constructs", "apps", "clusters", "bench"];
/** Folders copied verbatim (templates/definitions-repo holds TypeScript that is a template, not code to run). */
const copyDirs = ["templates"];
const manifestFile = join(out, "manifest.json");

const isCode = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts");
const compiledName = (name) => name.replace(/\.ts$/, ".js");

function usage(message) {
  process.stderr.write(`run-compiled: ${message}\nusage: node scripts/run-compiled.mjs <entry.ts under apps/> [args...]\n`);
  process.exit(2);
}

/** Every file under `dir` (relative to the repository root), skipping node_modules. */
function filesUnder(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** The source file → output file plan: { source, target, compile }. */
function plan() {
  const items = [];
  for (const dir of codeDirs)
    for (const source of filesUnder(dir)) {
      if (source.endsWith(".test.ts")) continue;
      const compile = isCode(source);
      items.push({ source, target: compile ? compiledName(source) : source, compile });
    }
  for (const dir of copyDirs) for (const source of filesUnder(dir)) items.push({ source, target: source, compile: false });
  return items;
}

/** Writes through a temporary file and a rename, so a concurrent run never reads a half-written file. */
function writeAtomically(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

function update() {
  const previous = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, "utf8")) : {};
  const next = {};
  let esbuild;
  let tsconfigRaw;
  let redone = 0;
  for (const { source, target, compile } of plan()) {
    const content = readFileSync(join(root, source));
    // The compile settings are part of the key, so changing them here recompiles everything.
    const hash = createHash("sha256")
      .update(compile ? `esbuild:${process.versions.node}:` : "copy:")
      .update(content)
      .digest("hex");
    next[target] = hash;
    if (previous[target] === hash && existsSync(join(out, target))) continue;
    redone++;
    if (!compile) {
      writeAtomically(join(out, target), content);
      continue;
    }
    esbuild ??= createRequire(import.meta.url)("esbuild");
    tsconfigRaw ??= { compilerOptions: JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")).compilerOptions };
    // tsx 4.23.15 transforms with the same options (keepNames, target node<version>, the project's tsconfig) plus
    // source maps: privatenumber/tsx src/utils/transform/index.ts (baseConfig), as installed in node_modules/tsx/dist.
    const result = esbuild.transformSync(content.toString("utf8"), {
      loader: "ts",
      format: "cjs",
      platform: "node",
      target: `node${process.versions.node}`,
      keepNames: true,
      sourcemap: false,
      sourcefile: source,
      tsconfigRaw,
    });
    writeAtomically(join(out, target), result.code);
  }
  for (const target of Object.keys(previous)) if (!(target in next)) rmSync(join(out, target), { force: true });
  if (redone > 0 || Object.keys(previous).length !== Object.keys(next).length)
    writeAtomically(manifestFile, JSON.stringify(next, null, 1) + "\n");
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) usage("no entry file given");
const entryRelative = relative(root, resolve(process.cwd(), entry));
if (!isCode(entryRelative) || !codeDirs.some((dir) => entryRelative.startsWith(`${dir}/`)))
  usage(`${entry} is not a TypeScript file under ${codeDirs.join("/, ")}/`);
if (!existsSync(join(root, entryRelative))) usage(`${entry} does not exist`);

update();
// The entry sees the argv it would see under `tsx <entry> [args...]`: [node, entry, ...args].
process.argv = [process.argv[0], join(out, compiledName(entryRelative)), ...args];
createRequire(import.meta.url)(process.argv[1]);
