// Test support: packs this package exactly as `npm publish` would (prepack builds lib/) into a folder, and reports the
// tarball and the files it holds. One pack serves every suite that asks for the same package: the tarball is kept by the
// content hash of everything the build and the pack read (see packInputsKey), so test/package.test.ts and
// test/consumer.test.ts share one build and one pack (each build is a full tsc compile of the library).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** The repository root (the package). */
export const packageRoot = join(__dirname, "..", "..");

/** One packed package, as `npm pack --json` describes it. */
export interface PackedPackage {
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Every file in the tarball: path relative to the package root and its mode. */
  readonly files: readonly { readonly path: string; readonly mode: number }[];
}

/**
 * Runs `fn` while holding a lock (a folder in the temp dir, created atomically) that one `npm pack` of this checkout
 * holds at a time: the prepack build deletes and rewrites lib/, and jest runs suites that pack in parallel workers.
 */
function whileHoldingPackLock<T>(fn: () => T): T {
  const lock = join(tmpdir(), `immutable-clusters-pack-${packageRoot.replace(/[^A-Za-z0-9]/g, "_")}.lock`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock older than a build can take is left by a killed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`npm pack: waited 10 minutes for ${lock}; remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * What the tarball is made of (package.json "files": lib/ and CHANGELOG.md, plus the files npm always adds) and what the
 * build reads to make lib/ (scripts/build.mjs: constructs/, apps/ and templates/ with tsconfig.build.json, which extends
 * tsconfig.json; the compiler and type packages installed per node_modules/.package-lock.json).
 */
const PACK_INPUTS = [
  "constructs",
  "apps",
  "templates",
  "scripts/build.mjs",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "README.md",
  "CHANGELOG.md",
  "LICENSE",
  "node_modules/.package-lock.json",
];

/** SHA-256 over the path and bytes of every file of PACK_INPUTS, this checkout's path and node's version. */
function packInputsKey(): string {
  const hash = createHash("sha256").update(`${packageRoot}\0${process.version}\0`);
  const add = (rel: string): void => {
    const path = join(packageRoot, rel);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return void hash.update(`${rel}\0absent\0`);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(rel, name));
      return;
    }
    hash
      .update(`${rel}\0${stat.mode & 0o111 ? "x" : "-"}\0`)
      .update(readFileSync(path))
      .update("\0");
  };
  for (const input of PACK_INPUTS) add(input);
  return hash.digest("hex");
}

/** Which build of lib/ is in place: the build replaces lib/ by renaming a new folder there, a new inode each time. */
function libIdentity(): string | undefined {
  const stat = statSync(join(packageRoot, "lib"), { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}:${stat.mtimeMs}` : undefined;
}

/** A pack kept by packInputsKey: its tarball, `npm pack`'s file list and the lib/ build it made. */
interface CachedPack {
  readonly files: PackedPackage["files"];
  readonly lib: string;
}

const packCache = join(tmpdir(), "immutable-clusters-pack-cache");
/** Packs kept (a few MB each); the least recently made go first. */
const PACKS_KEPT = 3;

function pruneKeptPacks(): void {
  const entries = readdirSync(packCache)
    .map((name) => ({ name, made: statSync(join(packCache, name)).mtimeMs }))
    .sort((a, b) => b.made - a.made);
  for (const { name } of entries.slice(PACKS_KEPT)) rmSync(join(packCache, name), { recursive: true, force: true });
}

/**
 * Runs `npm pack` (with its prepack build) into `destination`, one pack of this checkout at a time; or copies the tarball
 * of an earlier pack of the same inputs (same key) when lib/ is still the build that pack made, so lib/ in the checkout
 * is what the tarball holds, as after a pack.
 */
export function packPackage(destination: string): PackedPackage {
  return whileHoldingPackLock(() => {
    const key = packInputsKey();
    const kept = join(packCache, key);
    const meta = join(kept, "pack.json");
    if (existsSync(meta)) {
      const cached = JSON.parse(readFileSync(meta, "utf8")) as CachedPack;
      const tarball = readdirSync(kept).find((name) => name.endsWith(".tgz"));
      if (tarball && cached.lib === libIdentity()) {
        copyFileSync(join(kept, tarball), join(destination, tarball));
        return { tarball: join(destination, tarball), files: cached.files };
      }
    }
    const packed = packUnlocked(destination);
    // Kept only when nothing changed while the build ran (other people edit the same tree).
    const lib = libIdentity();
    if (lib && packInputsKey() === key) {
      const temp = `${kept}.${process.pid}.tmp`;
      rmSync(temp, { recursive: true, force: true });
      mkdirSync(temp, { recursive: true });
      copyFileSync(packed.tarball, join(temp, basename(packed.tarball)));
      writeFileSync(join(temp, "pack.json"), JSON.stringify({ files: packed.files, lib } satisfies CachedPack));
      rmSync(kept, { recursive: true, force: true });
      renameSync(temp, kept);
      pruneKeptPacks();
    }
    return packed;
  });
}

function packUnlocked(destination: string): PackedPackage {
  let stdout: string;
  try {
    stdout = execFileSync("npm", ["pack", "--json", "--pack-destination", destination], {
      cwd: packageRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`npm pack failed (the prepack build is \`npm run build\`):\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
  // Lifecycle script output (the build) comes first on stdout; the JSON report is the array that follows.
  const start = stdout.search(/^\[\s*\{/m);
  if (start < 0) throw new Error(`npm pack printed no JSON report:\n${stdout}`);
  const [report] = JSON.parse(stdout.slice(start)) as { filename: string; files: { path: string; mode: number }[] }[];
  return { tarball: join(destination, report.filename), files: report.files };
}
