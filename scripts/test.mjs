// `npm test`: type checking (`npm run typecheck`), lint (`npm run lint`) and jest (both projects) at the same time, and
// a non-zero exit when any of the three fails. Run one after the other they took typecheck + lint (about 16 s) on top
// of jest; jest leaves the CPU idle for minutes while the emulator suites wait on the AWS provider, so the checks fit
// in beside it. They run at a lower priority (nice 10), so they take that idle time and not the suites' time.
//
// jest's output streams as it comes; the checks' output is held and printed whole when each ends, so the three never
// interleave line by line. The last lines say which of the three failed. Arguments go to jest:
// `npm test -- test/cluster.e2e.test.ts`.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Workers for jest: the emulator suites mostly sleep in provider waits, so three share the 2-core CI machine well. */
const JEST_WORKERS = "3";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs `command`; resolves to its exit code and, when `hold` is set, its output (stdout and stderr in order). */
function run(name, command, args, { hold, nice }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: hold ? ["ignore", "pipe", "pipe"] : "inherit", env: process.env });
    if (nice) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // Not permitted on this system: the check runs at normal priority.
      }
    }
    const output = [];
    if (hold) {
      child.stdout.on("data", (chunk) => output.push(chunk));
      child.stderr.on("data", (chunk) => output.push(chunk));
    }
    child.on("error", (error) => resolve({ name, code: 1, output: [Buffer.from(`${name}: cannot start ${command}: ${error.message}\n`)] }));
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      if (hold)
        process.stdout.write(`\n> npm run ${name} (${seconds} s, exit ${code ?? signal})\n${Buffer.concat(output).toString("utf8")}`);
      resolve({ name, code: code ?? 1, seconds });
    });
  });
}

const results = await Promise.all([
  run("typecheck", npm, ["run", "--silent", "typecheck"], { hold: true, nice: 10 }),
  run("lint", npm, ["run", "--silent", "lint"], { hold: true, nice: 10 }),
  run(
    "jest",
    process.execPath,
    [join(root, "node_modules", "jest", "bin", "jest.js"), `--maxWorkers=${JEST_WORKERS}`, ...process.argv.slice(2)],
    {
      hold: false,
    },
  ),
]);
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
process.stdout.write(`\nnpm test: ${results.map((r) => `${r.name} ${r.code === 0 ? "passed" : "FAILED"} (${r.seconds} s)`).join(", ")}\n`);
process.exit(failed.length === 0 ? 0 : 1);
