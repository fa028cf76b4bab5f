// Builds the package into lib/: compiles constructs/ and apps/ with tsconfig.build.json, then copies every non-TypeScript
// asset beside the code (files/, templates/, JSON tables, ...) and the project template so lib/ runs on its own.
// `node scripts/build.mjs --project <tsconfig> --out <dir>` builds another program the same way (the benchmark's).
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const out = resolve(root, option("--out", "lib"));
// The build goes into a sibling folder that replaces the output folder at the end (two renames), so a process reading
// lib/ meanwhile (another test, a running CLI) never sees it half-deleted or half-written.
const lib = `${out}.build-${process.pid}`;
const project = resolve(root, option("--project", "tsconfig.build.json"));
/** Source folders compiled into lib/ at the same relative path; their non-TS files are copied as they are. */
const codeDirs = ["constructs", "apps"];
/** Folders copied whole into lib/ (read at run time relative to the compiled code). */
const assetDirs = ["templates"];

rmSync(lib, { recursive: true, force: true });
// TypeScript 7's native tsc (the `typescript-7` alias, as `npm run typecheck`): the same .js files byte for byte as
// 5.9.3's, in about a fifth of the CPU (docs/type-checking.md, "The build runs TypeScript 7").
const tsc = join(root, "node_modules/typescript-7/bin/tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", project, "--outDir", lib], {
    stdio: "inherit",
  });
} catch {
  rmSync(lib, { recursive: true, force: true });
  console.error(`build: tsc -p ${relative(root, project)} failed (its errors are above); ${relative(root, out)}/ is unchanged`);
  process.exit(1);
}

let copied = 0;
function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!/\.(ts|tsx|mts|cts)$/.test(entry.name) || /\.d\.ts$/.test(entry.name)) {
      cpSync(path, join(lib, relative(root, path)), { preserveTimestamps: true });
      copied++;
    }
  }
}
for (const dir of codeDirs) copyAssets(join(root, dir));
for (const dir of assetDirs) {
  if (existsSync(join(root, dir))) {
    cpSync(join(root, dir), join(lib, dir), { recursive: true });
    copied++;
  }
}
const cli = join(lib, "apps", "cli.js");
if (existsSync(cli)) chmodSync(cli, statSync(cli).mode | 0o111);
const previous = `${out}.old-${process.pid}`;
if (existsSync(out)) renameSync(out, previous);
renameSync(lib, out);
rmSync(previous, { recursive: true, force: true });
console.log(`build: compiled ${relative(root, project)} into ${relative(root, out)}/ and copied ${copied} asset file(s)/folder(s)`);
