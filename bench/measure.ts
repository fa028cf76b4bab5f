// Benchmark support: runs a command in a fresh process and measures its wall time and peak memory (max RSS), with
// GNU time when the machine has it, else with a preloaded hook that reports node's own resource usage at exit.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One measured run. */
export interface Measurement {
  readonly seconds: number;
  /** CPU seconds (user + system) of the process and, with GNU time, its children. */
  readonly cpuSeconds: number;
  /** Peak resident memory in MiB (of the process and, with GNU time, its children). */
  readonly peakMiB: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GNU_TIME = "/usr/bin/time";
/** How peak memory is measured on this machine. */
export const memoryProbe = existsSync(GNU_TIME) ? "GNU time (max RSS)" : "process.resourceUsage().maxRSS";

/** Runs `command args` once; throws with its output when it fails (unless `allowFailure`). */
export function measure(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean },
): Measurement {
  const scratch = mkdtempSync(join(tmpdir(), "bench-measure-"));
  const report = join(scratch, "rss");
  try {
    let argv: string[];
    const env = { ...process.env, ...options.env };
    if (existsSync(GNU_TIME)) {
      argv = [GNU_TIME, "-f", "%U %S %M", "-o", report, command, ...args];
    } else {
      const hook = join(scratch, "hook.cjs");
      writeFileSync(
        hook,
        `process.on("exit", () => { const u = process.resourceUsage(); require("node:fs").writeFileSync(${JSON.stringify(report)}, [u.userCPUTime / 1e6, u.systemCPUTime / 1e6, u.maxRSS].join(" ")); });\n`,
      );
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${hook}`;
      argv = [command, ...args];
    }
    const start = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { cwd: options.cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0 && !options.allowFailure) {
      throw new Error(`\`${command} ${args.join(" ")}\` failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    // The last line is "user system maxRSS-KiB" (GNU time prints a status line before it when the command fails).
    const [user, system, kib] = existsSync(report)
      ? readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number)
      : [NaN, NaN, NaN];
    return { seconds, cpuSeconds: user + system, peakMiB: kib / 1024, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The median run of `runs` (by CPU time, steadier than wall time on a shared machine), each in a fresh process; `prepare` runs before each (e.g. a fresh outdir). */
export function medianOf(runs: number, run: () => Measurement): Measurement {
  const all = Array.from({ length: runs }, run).sort((a, b) => a.cpuSeconds - b.cpuSeconds);
  return all[Math.floor(all.length / 2)];
}

/** Two measurements taken in alternation (a b b a a b ...), so a change of load during the run weighs on both alike. */
export interface Paired {
  /** Median of each side, as medianOf gives it. */
  readonly a: Measurement;
  readonly b: Measurement;
  /** Median of the per-pair CPU ratios a / b: the ratio the goal is judged by. */
  readonly cpuRatio: number;
}

/** `runs` pairs of `a` and `b`, alternating which runs first in each pair. */
export function pairedRuns(runs: number, a: () => Measurement, b: () => Measurement): Paired {
  const as: Measurement[] = [];
  const bs: Measurement[] = [];
  for (let i = 0; i < runs; i++)
    if (i % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
  const ratios = as.map((m, i) => m.cpuSeconds / bs[i].cpuSeconds).sort((x, y) => x - y);
  const median = (all: Measurement[]) => [...all].sort((x, y) => x.cpuSeconds - y.cpuSeconds)[Math.floor(all.length / 2)];
  return { a: median(as), b: median(bs), cpuRatio: ratios[Math.floor(ratios.length / 2)] };
}
