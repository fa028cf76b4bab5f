// Jest configuration: which test suites exist and which of the two projects each belongs to. TypeScript is only
// transpiled, file by file, by esbuild (test/support/esbuild-transform.js; tsconfig sets isolatedModules; type checking
// is `npm run typecheck`): about half the CPU of ts-jest on a cold cache and a fifth less on a warm one (paired runs of
// five light suites in one process on the 2-core machine: 7.4 vs 15.6 CPU s cold, 6.4 vs 8.1 warm; suites that
// synthesize cost the same warm).
//
// Projects (see docs/terraform-and-emulator-tests.md, "Unit and slow suites"):
// - "unit": every in-process suite. `npm run test:unit` runs only these; they must stay under 60 s wall on the 2-core
//   CI machine.
// - "slow": suites that start moto_server, run terraform, pack or install the package, or run the CLI / cdktf app as
//   child processes (each of which synthesizes the examples again). `npm test` runs both projects.
//
// The rule, applied to every test/**/*.test.ts when jest starts (a new suite needs no edit here unless it is slow in a
// way the rule cannot see):
// 1. a file named `*.e2e.test.ts` is slow;
// 2. a file that imports one of SLOW_SUPPORT (it starts moto_server, runs terraform or packs the package) is slow;
// 3. a file listed in SLOW_SUITES (it spawns long child processes some other way) is slow;
// 4. everything else is unit.
const { readdirSync, readFileSync } = require("node:fs");
const { join, relative } = require("node:path");

/** Support modules whose import makes a suite slow: moto_server, terraform, `npm pack`, the emulator's AWS fixture. */
const SLOW_SUPPORT = ["moto", "terraform", "pack", "aws-fixture"];
/** Suites that are slow for a reason rule 2 cannot see, each with the reason. Paths relative to test/. */
const SLOW_SUITES = {
  "fleet-lock.test.ts": "runs the CLI (tsx) and the cdktf app (compiled) as child processes",
  "review-revisions.test.ts": "runs `immutable-clusters review` (two synths per review) in a temporary git repository",
  "init.test.ts": "runs the CLI as a child process and type-checks the generated definitions repo",
  "synth-paths.test.ts": "synthesizes the examples twice, through tsx and compiled, as child processes",
  "review-scenarios.test.ts": "runs `immutable-clusters review` (two synths and a type check per review) in temporary git repositories",
  "review-typecheck-cache.test.ts": "runs tsc three times on review worktrees in a temporary git repository",
  "review-speed.test.ts": "runs the CLI through tsx as child processes to see which modules it loads",
  "determinism.test.ts": "synthesizes the examples twice as child processes, in two folders, to compare them byte for byte",
  "grouping-runner-jest.test.ts": "runs jest as a child process on fixture suites, with the grouping runner and without",
  "deferred-packages.test.ts": "synthesizes one generation twice and loads the platform modules again, as plain node child processes",
};

const testDir = join(__dirname, "test");
const importsSlowSupport = new RegExp(`from ["']\\./support/(${SLOW_SUPPORT.join("|")})["']`);

/** Every suite under test/ (support/ holds no suites), relative to test/. */
function suites(dir = testDir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "support" || entry.name === "node_modules" ? [] : suites(path);
    return entry.name.endsWith(".test.ts") ? [relative(testDir, path)] : [];
  });
}

/** True when a suite belongs to the slow project (rules 1-3 above). */
function isSlow(suite) {
  return suite.endsWith(".e2e.test.ts") || suite in SLOW_SUITES || importsSlowSupport.test(readFileSync(join(testDir, suite), "utf8"));
}

const all = suites();
const slow = all.filter(isSlow);
const unit = all.filter((suite) => !isSlow(suite));
const asMatch = (list) => list.map((suite) => `<rootDir>/test/${suite}`);

/** Settings both projects share. */
const common = {
  testEnvironment: "node",
  setupFiles: ["<rootDir>/test/support/environment.ts"],
  // After jest installs source-map-support: stacks captured into plain objects (cdktf's, one per token) are not mapped.
  setupFilesAfterEnv: ["<rootDir>/test/support/stack-format.ts"],
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.ts$": "<rootDir>/test/support/esbuild-transform.js" },
  // Runs the unit suites a few to a module registry and reports each suite as its own file (test/support/grouping-runner.js).
  // One runner for both projects: jest runs the suites of different runners one runner after the other.
  runner: "<rootDir>/test/support/grouping-runner.js",
};

module.exports = {
  testTimeout: 600000,
  // Longest suites first, also on a clean clone without jest's timing cache (test/support/test-sequencer.js).
  testSequencer: join(__dirname, "test", "support", "test-sequencer.js"),
  // Jest's default is one worker less than the machine's cores (jestjs.io/docs/configuration#maxworkers-number--string),
  // which is a single worker on the 2-core CI machine: the in-process suites then take turns on one core while the other
  // idles. At least two workers; `npm test` passes its own --maxWorkers.
  maxWorkers: Math.max(2, require("node:os").cpus().length - 1),
  projects: [
    { ...common, displayName: "unit", testMatch: asMatch(unit) },
    { ...common, displayName: "slow", testMatch: asMatch(slow) },
  ],
};
