// Test support: checks an Ignition config with the upstream validator (`ignition-validate`, Debian package `ignition`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The validator's verdict: exit status and everything it printed; throws, saying what to install, when the tool is missing. */
export function ignitionValidate(config: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "ign-"));
  try {
    const file = join(dir, "config.ign");
    writeFileSync(file, config);
    const run = spawnSync("ignition-validate", [file], { encoding: "utf8" });
    if (run.error) throw new Error(`ignition-validate is not installed (apt-get install -y ignition): ${run.error.message}`);
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The validator's findings for a config ([] when it is valid). */
export function ignitionProblems(config: string): string[] {
  const { status, output } = ignitionValidate(config);
  if (status === 0) return [];
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}
