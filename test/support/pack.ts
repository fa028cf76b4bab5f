// Test support: packs this package exactly as `npm publish` would (prepack builds lib/) into a folder, and reports the
// tarball and the files it holds.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** Runs `npm pack` (with its prepack build) into `destination`, one pack of this checkout at a time. */
export function packPackage(destination: string): PackedPackage {
  return whileHoldingPackLock(() => packUnlocked(destination));
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
