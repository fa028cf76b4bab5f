// `npm run bench`: cold-process synth CPU time, wall time and peak memory of the example clusters, of one generation
// with every addon and of generated fleets, beside the floor (a process that only loads cdktf and the provider classes
// used) and beside the EKS Blueprints peer (bench/peer.ts); the unit test project's time; and the review command on the
// examples. Prints a table with ratios to the floor, then the issue 17 goals as ratios measured in this run. Not a test.
// Options: --runs N (default 3, median reported), --skip-tests, --skip-review.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { measure, medianOf, memoryProbe, type Measurement } from "./measure";
import { OFFLINE_ENV, preparePeer } from "./peer";

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

/** A cold process of `command args... <fresh output folder>`, median of `runs`. */
function coldRun(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Measurement {
  return medianOf(runs, () => {
    const out = mkdtempSync(join(tmpdir(), "bench-out-"));
    try {
      return measure(command, [...args, out], { cwd, env });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}

/** The unit test project (`npm run test:unit`). */
function unitTests(): Measurement | string {
  const jest = join(root, "node_modules", "jest", "bin", "jest.js");
  const m = measure(process.execPath, [jest, "--ci", "--selectProjects", "unit"], { cwd: root, allowFailure: true });
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
  const header = ["what", "CPU s", "x floor", "wall s", "peak MiB", "x floor", "note"];
  const lines = rows.map((r) =>
    typeof r.result === "string"
      ? [r.name, "", "", "", "", "", r.result]
      : [
          r.name,
          r.result.cpuSeconds.toFixed(2),
          (r.result.cpuSeconds / floor.cpuSeconds).toFixed(1),
          r.result.seconds.toFixed(2),
          r.result.peakMiB.toFixed(0),
          (r.result.peakMiB / floor.peakMiB).toFixed(1),
          r.note ?? "",
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    "| " + cells.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  return [
    fmt(header),
    "| " + widths.map((w, i) => (i === 0 || i === 6 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") + " |",
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
  // One generation with every addon, ours and the peer's, each as its users run it and each as compiled JS.
  const peer = preparePeer(join(root, ".bench"));
  const tsxCli = join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const oursAsRun = coldRun(process.execPath, [join(root, "scripts", "run-compiled.mjs"), "bench/apps/synth-one-generation.ts"], root);
  const oursTsx = coldRun(process.execPath, [tsxCli, "bench/apps/synth-one-generation.ts"], root);
  const oursCompiled = nodeApp("synth-one-generation");
  const peerTsx = coldRun(process.execPath, [tsxCli, peer.appTs], peer.dir, OFFLINE_ENV);
  const peerCompiled = coldRun(process.execPath, [peer.appJs], peer.dir, OFFLINE_ENV);
  rows.push(
    { name: "one generation, all addons: npm run synth path", result: oursAsRun, note: "scripts/run-compiled.mjs (cached compile)" },
    { name: "one generation, all addons: tsx", result: oursTsx, note: "the path before issue 17" },
    { name: "one generation, all addons: compiled (tsc)", result: oursCompiled, note: ".bench/build" },
    { name: "peer EKS Blueprints, 1 cluster + 8 addons: tsx", result: peerTsx, note: "as its users run it" },
    { name: "peer EKS Blueprints, 1 cluster + 8 addons: compiled", result: peerCompiled, note: "esbuild-transpiled app" },
  );
  const fleets = [1, 10, 25].map((n) => ({ n, result: nodeApp("synth-fleet", [String(n)]) }));
  for (const { n, result } of fleets)
    rows.push({ name: `synth generated fleet: ${n} cluster${n > 1 ? "s" : ""}`, result, note: `${n * 2} generations, ${n * 3} stacks` });
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

  const ratio = (a: Measurement, b: Measurement, key: "cpuSeconds" | "peakMiB") => a[key] / b[key];
  const fifty = fleets.find((f) => f.n === 25)!.result;
  const goals: [string, number, number][] = [
    ["CPU, as users run each: npm run synth path / peer via tsx", ratio(oursAsRun, peerTsx, "cpuSeconds"), 0.5],
    ["CPU, compiled / compiled", ratio(oursCompiled, peerCompiled, "cpuSeconds"), 0.7],
    ["peak memory, as users run each: ours / peer", ratio(oursAsRun, peerTsx, "peakMiB"), 1],
    ["CPU, 50 generations (25 clusters) / one generation", ratio(fifty, oursCompiled, "cpuSeconds"), 4],
  ];
  console.log(`\npeer: ${peer.versions} (installed in ${peer.dir}); synthesized offline\n`);
  console.log("| goal (issue 17) | ratio | goal | met |\n| --- | ---: | ---: | --- |");
  for (const [name, value, goal] of goals)
    console.log(`| ${name} | ${value.toFixed(2)}x | <= ${goal}x | ${value <= goal ? "yes" : "NO"} |`);
}

main();
