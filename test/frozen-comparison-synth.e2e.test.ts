// The frozen-comparison cache (constructs/fleet/frozen-comparison.ts, issue 17) changes no output: the example app run
// with the cache off, then twice with it on (the second run reads every comparison from the cache), writes the same
// bytes under cdktf.out/ (fleet-status.json among them) and dist/, and the same stderr (the "behind the library" notices).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FROZEN_COMPARISON_CACHE_ENV } from "../constructs/fleet/frozen-comparison";
import { filesUnder, read } from "./support/example-synth";

const ROOT = join(__dirname, "..");
const CACHE = join(ROOT, "node_modules", ".cache", "immutable-clusters", "frozen-comparison");

/**
 * Runs the example app as `npm run synth` does, from the repository (so it reads clusters/generations.lock.json and the
 * frozen files of clusters/deployed/), writing into a fresh folder; that folder and stderr.
 */
function synth(cache: "off" | "on"): { dir: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), `frozen-comparison-${cache}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: join(dir, "cdktf.out"), DIST_DIR: join(dir, "dist") };
  if (cache === "off") env[FROZEN_COMPARISON_CACHE_ENV] = "off";
  else delete env[FROZEN_COMPARISON_CACHE_ENV];
  const run = spawnSync(process.execPath, [join(ROOT, "scripts", "run-compiled.mjs"), join(ROOT, "apps", "synth.ts")], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
  expect([run.status, run.stderr]).toEqual([0, expect.any(String)]);
  return { dir, stderr: run.stderr };
}

test("cached and uncached synths write the same files and say the same on stderr", () => {
  const uncached = synth("off");
  const filling = synth("on");
  const cached = synth("on");
  expect(existsSync(CACHE) && readdirSync(CACHE).some((name) => name.endsWith(".json"))).toBe(true);
  expect(uncached.stderr).toMatch(/is frozen as rendered by immutable-clusters .* would render .* differently/);
  const files = filesUnder(uncached.dir);
  expect(files).toContain("cdktf.out/fleet-status.json");
  for (const other of [filling, cached]) {
    expect(other.stderr).toBe(uncached.stderr);
    expect(filesUnder(other.dir)).toEqual(files);
    for (const file of files) expect([file, read(other.dir, file)]).toEqual([file, read(uncached.dir, file)]);
  }
});
