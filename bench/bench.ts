// `npm run bench`: cold-process synth time and peak memory of the example clusters and of generated fleets of 1, 10
// and 50 clusters, beside the floor (a process that only loads cdktf and the provider classes used); the unit test
// suite's time; and the review command on the examples. Prints a table with ratios to the floor. Not a test.
// Options: --runs N (default 3, median reported), --skip-tests, --skip-review.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { measure, medianOf, memoryProbe, type Measurement } from "./measure";

const root = join(__dirname, "..");
const build = join(root, ".bench", "build");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const skip = (flag: string) => process.argv.includes(flag);

interface Row {
  readonly name: string;
  readonly result: Measurement | string;
  readonly note?: string;
}

/** A cold node process running one of the compiled benchmark apps, with a fresh output folder per run. */
function nodeApp(app: string, args: string[] = []): Measurement {
  return medianOf(runs, () => {
    const out = mkdtempSync(join(tmpdir(), "bench-out-"));
    try {
      return measure(process.execPath, [join(build, "bench", "apps", `${app}.js`), ...args, out], { cwd: root });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}

/** The unit test suite: jest over test/ without the emulator end-to-end and the consumer (npm install) tests. */
function unitTests(): Measurement | string {
  const jest = join(root, "node_modules", "jest", "bin", "jest.js");
  const m = measure(
    process.execPath,
    [jest, "--runInBand", "--ci", "--testPathIgnorePatterns", "\\.e2e\\.test\\.ts$", "consumer\\.test\\.ts$"],
    {
      cwd: root,
      allowFailure: true,
    },
  );
  const summary = /Tests:\s+(.*)/.exec(m.stderr)?.[1]?.trim() ?? "no summary";
  return { ...m, stdout: summary };
}

/** The review command on the examples, in a throwaway clone with a second commit that adds a generation's weight shift. */
function review(): Measurement | string {
  const cli = join(build, "apps", "cli.js");
  const help = spawnSync(process.execPath, [cli, "review", "--help"], { encoding: "utf8" });
  if (help.status !== 0 || /not yet implemented/.test(help.stdout + help.stderr)) return "n/a: the review command is not implemented yet";
  const clone = mkdtempSync(join(tmpdir(), "bench-review-"));
  try {
    execFileSync("git", ["clone", "--quiet", "--local", root, clone]);
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir");
    const prod = join(clone, "clusters", "prod.ts");
    writeFileSync(prod, readFileSync(prod, "utf8").replace("weight: 75", "weight: 50").replace("weight: 25", "weight: 50"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", ...args], { cwd: clone });
    git("commit", "--quiet", "-am", "bench: shift prod traffic to generation b");
    return medianOf(runs, () =>
      measure(process.execPath, [cli, "review", "--base", "HEAD~1", "--head", "HEAD", "--out", join(clone, ".review.md")], { cwd: clone }),
    );
  } catch (error) {
    return `n/a: review failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`;
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

function table(rows: readonly Row[], floor: Measurement): string {
  const header = ["what", "wall s", "x floor", "peak MiB", "x floor", "note"];
  const lines = rows.map((r) =>
    typeof r.result === "string"
      ? [r.name, "", "", "", "", r.result]
      : [
          r.name,
          r.result.seconds.toFixed(2),
          (r.result.seconds / floor.seconds).toFixed(1),
          r.result.peakMiB.toFixed(0),
          (r.result.peakMiB / floor.peakMiB).toFixed(1),
          r.note ?? "",
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    "| " + cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  return [
    fmt(header),
    "| " + widths.map((w, i) => (i === 0 || i === 5 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") + " |",
    ...lines.map(fmt),
  ].join("\n");
}

function main(): void {
  console.log(`building the benchmark apps and the CLI into ${build} ...`);
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "--project", join(root, "bench", "tsconfig.json"), "--out", build], {
    stdio: "ignore",
  });

  const floor = nodeApp("floor");
  const rows: Row[] = [
    { name: "floor: load cdktf + provider classes used", result: floor, note: "deep imports via constructs/platform" },
    { name: "load cdktf + provider package index", result: nodeApp("floor-provider-index"), note: "what deep imports avoid" },
    { name: "load the library, synthesize nothing", result: nodeApp("load-library"), note: "+ cdk8s, addon charts, schemas" },
    { name: "synth examples (clusters/)", result: nodeApp("synth-examples"), note: "5 stacks + dist/" },
  ];
  for (const n of [1, 10, 50]) {
    rows.push({
      name: `synth generated fleet: ${n} cluster${n > 1 ? "s" : ""}`,
      result: nodeApp("synth-fleet", [String(n)]),
      note: `${n * 3} stacks`,
    });
  }
  if (skip("--skip-tests")) rows.push({ name: "unit test suite (jest)", result: "n/a: --skip-tests" });
  else {
    const tests = unitTests();
    rows.push({ name: "unit test suite (jest)", result: tests, note: typeof tests === "string" ? undefined : `1 run; ${tests.stdout}` });
  }
  rows.push({
    name: "review on the examples",
    result: skip("--skip-review") ? "n/a: --skip-review" : review(),
    note: "base + head synth in worktrees, diff",
  });

  console.log(
    `\nnode ${process.version}, ${cpus().length} CPU(s), median of ${runs} cold process(es) per synth row; peak memory by ${memoryProbe}\n`,
  );
  console.log(table(rows, floor));
}

main();
