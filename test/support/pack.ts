// Test support: packs this package exactly as `npm publish` would (prepack builds lib/) into a folder, and reports the
// tarball and the files it holds.
import { execFileSync } from "node:child_process";
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

/** Runs `npm pack` (with its prepack build) into `destination`. */
export function packPackage(destination: string): PackedPackage {
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
