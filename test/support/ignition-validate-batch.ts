// Test support: checks several Ignition configs with the upstream validator (`ignition-validate`, Debian package
// `ignition`) in ONE child process of the test worker: a shell runs the validator once per config, each run's stdout,
// stderr and exit status going to files of its own. Each verdict is what ignitionValidate (./ignition-validate.ts) gives
// for that config alone; starting one child of a large jest worker costs far more than the validator's own run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * For each config (in order), the validator's verdict: exit status and everything it printed (stdout, then stderr,
 * trimmed). Throws, saying what to install, when the tool is missing.
 */
export function ignitionValidateEach(configs: readonly string[]): { status: number | null; output: string }[] {
  const dir = mkdtempSync(join(tmpdir(), "ign-batch-"));
  try {
    configs.forEach((config, i) => writeFileSync(join(dir, `${i}.ign`), config));
    const script = `command -v ignition-validate >/dev/null || exit 127
i=0
while [ "$i" -lt "$1" ]; do
  ignition-validate "$i.ign" >"$i.out" 2>"$i.err"
  echo "$?" >"$i.status"
  i=$((i + 1))
done`;
    const run = spawnSync("sh", ["-c", script, "sh", String(configs.length)], { cwd: dir, encoding: "utf8" });
    if (run.error) throw new Error(`sh did not start: ${run.error.message}`);
    if (run.status === 127) throw new Error("ignition-validate is not installed (apt-get install -y ignition)");
    if (run.status !== 0) throw new Error(`the validator's shell failed (exit ${run.status}): ${run.stderr}`);
    return configs.map((_, i) => ({
      status: Number(readFileSync(join(dir, `${i}.status`), "utf8").trim()),
      output: `${readFileSync(join(dir, `${i}.out`), "utf8")}${readFileSync(join(dir, `${i}.err`), "utf8")}`.trim(),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
