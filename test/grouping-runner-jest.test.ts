// End to end test of the jest grouping runner (test/support/grouping-runner.js): a throwaway jest project in a
// temporary folder, whose "unit" project uses the runner, runs tiny fixture suites in jest child processes, and the
// suite checks jest's --json results and its reporter output: each suite reported as its own file with its own titles
// and counts, as with grouping off; grouped suites really share one module registry and the others do not; a failing
// test or a suite that throws while loading fails the suites it should and no other.
//
// How sharing is seen: every fixture suite records, when it loads, the token of a fixture module (`support/token.js`:
// the worker's pid and a random string, made once per module instance). Suites in one registry record the same token;
// suites each in a registry of their own record different ones.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..");
const runnerPath = join(__dirname, "support", "grouping-runner.js");
const { MIN_TO_GROUP, GROUP_SIZE } = require(runnerPath) as { MIN_TO_GROUP: number; GROUP_SIZE: number };

/** Groupable fixture suites: enough for three groups, so that a group without a failing suite is among them. */
const groupedCount = Math.max(MIN_TO_GROUP, 2 * GROUP_SIZE + 1);
/** Passing suites, numbered; the one with a failing test sorts first and the one that throws last (groups follow path order). */
const passing = Array.from({ length: groupedCount - 2 }, (_, i) => `pass-${String(i + 1).padStart(2, "0")}.test.ts`);
const failing = "a-fails.test.ts";
const throwing = "z-throws.test.ts";
const groupable = [failing, ...passing, throwing];
/** Suites that the runner must run alone: they replace modules, or focus a test. */
const alone = ["alone-do-mock.test.ts", "alone-isolate-modules.test.ts", "alone-only.test.ts"];
const allSuites = [...groupable, ...alone];

const record = `import { record } from "./support/record";\nrecord(__filename);\n`;
const fixtures: Record<string, string> = {
  "support/token.js": `module.exports = { token: \`\${process.pid}-\${Math.random().toString(36).slice(2)}\` };\n`,
  "support/record.js": [
    `const { appendFileSync } = require("node:fs");`,
    `const { basename } = require("node:path");`,
    `const { token } = require("./token.js");`,
    `module.exports.record = (file) =>`,
    `  appendFileSync(process.env.FIXTURE_RECORDS, JSON.stringify({ suite: basename(file), token }) + "\\n");`,
    ``,
  ].join("\n"),
  [failing]: `${record}describe("a-fails", () => {
  it("passes beside the failure", () => expect(1).toBe(1));
  it("fails on purpose", () => expect("fixture").toBe("other"));
});\n`,
  ...Object.fromEntries(
    passing.map((name, i) => [
      name,
      `${record}describe("${name}", () => {
  describe("inner", () => { it("adds", () => expect(1 + 1).toBe(2)); });
  it("compares", () => expect([1]).toEqual([1]));${i === 0 ? `\n  it.skip("is skipped on purpose", () => expect(1).toBe(2));\n  it.todo("is written later");` : ""}
});\n`,
    ]),
  ),
  [throwing]: `${record}it("is defined before the throw", () => expect(1).toBe(1));
throw new Error("fixture load failure in z-throws");\n`,
  "alone-do-mock.test.ts": `${record}it("replaces a module with jest.doMock", () => {
  jest.doMock("fixture-virtual", () => ({ value: "mocked" }), { virtual: true });
  expect(require("fixture-virtual").value).toBe("mocked");
});\n`,
  "alone-isolate-modules.test.ts": `${record}import { token } from "./support/token";
it("loads the token module again in jest.isolateModules", () => {
  let again = "";
  jest.isolateModules(() => { again = require("./support/token").token; });
  expect(again).not.toBe(token);
});\n`,
  "alone-only.test.ts": `${record}test.only("runs because it is focused", () => expect(true).toBe(true));
test("is skipped by the focused test", () => expect(true).toBe(false));\n`,
};

/** The throwaway project: shaped like ours (jest.config.js), one "unit" project that runs the grouping runner. */
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "grouping-runner-jest-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, "test", "support"), { recursive: true });
symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"), "dir");
for (const [name, text] of Object.entries(fixtures)) writeFileSync(join(scratch, "test", name), text);
const config = {
  cacheDirectory: join(scratch, ".jest-cache"),
  projects: [
    {
      displayName: "unit",
      rootDir: scratch,
      roots: ["<rootDir>/test"],
      testEnvironment: "node",
      testMatch: allSuites.map((name) => `<rootDir>/test/${name}`),
      transform: { "^.+\\.ts$": join(root, "test", "support", "esbuild-transform.js") },
      runner: runnerPath,
    },
  ],
};
writeFileSync(join(scratch, "jest.config.js"), `module.exports = ${JSON.stringify(config, null, 2)};\n`);

interface Assertion {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: string;
}
interface SuiteResult {
  name: string;
  status: string;
  message: string;
  assertionResults: Assertion[];
}
interface JestJson {
  success: boolean;
  numTotalTestSuites: number;
  numFailedTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: SuiteResult[];
}
interface Run {
  status: number | null;
  output: string;
  json: JestJson;
  /** Suite file name -> the token of the module instance it loaded. */
  tokens: Map<string, string>;
  /** Suite file name -> its result. */
  suite: (name: string) => SuiteResult;
}

/** Runs jest in the throwaway project: grouping on or off, all suites or the ones named. */
function runJest(label: string, grouping: "on" | "off", suites?: string[]): Run {
  const outputFile = join(scratch, `${label}.json`);
  const records = join(scratch, `${label}.records`);
  writeFileSync(records, "");
  const env: NodeJS.ProcessEnv = { ...process.env, FIXTURE_RECORDS: records };
  delete env.JEST_WORKER_ID;
  delete env.IMMUTABLE_CLUSTERS_JEST_GROUPS;
  if (grouping === "off") env.IMMUTABLE_CLUSTERS_JEST_GROUPS = "off";
  const selection = suites ? ["--runTestsByPath", ...suites.map((name) => `test/${name}`)] : [];
  const jest = join(root, "node_modules", "jest", "bin", "jest.js");
  const run = spawnSync(process.execPath, [jest, "--json", `--outputFile=${outputFile}`, "--ci", "--maxWorkers=2", ...selection], {
    cwd: scratch,
    encoding: "utf8",
    env,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  let json: JestJson;
  try {
    json = JSON.parse(readFileSync(outputFile, "utf8")) as JestJson;
  } catch {
    throw new Error(`jest wrote no results (exit ${run.status}):\n${output}`);
  }
  const tokens = new Map<string, string>();
  for (const line of readFileSync(records, "utf8").split("\n").filter(Boolean)) {
    const { suite, token } = JSON.parse(line) as { suite: string; token: string };
    tokens.set(suite, token);
  }
  const suite = (name: string): SuiteResult => {
    const found = json.testResults.filter((result) => result.name === join(scratch, "test", name));
    if (found.length !== 1) throw new Error(`${name}: ${found.length} results`);
    return found[0];
  };
  return { status: run.status, output, json, tokens, suite };
}

/** Each run once, shared by the tests that read it. */
const memo = <T>(make: () => T): (() => T) => {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
};
const grouped = memo(() => runJest("grouped", "on"));
const ungrouped = memo(() => runJest("ungrouped", "off"));

/** The suites that recorded each token, in path order. */
function suitesByToken(run: Run, names: string[]): string[][] {
  const byToken = new Map<string, string[]>();
  for (const name of [...names].sort()) {
    const token = run.tokens.get(name);
    if (token === undefined) throw new Error(`${name} recorded no token`);
    byToken.set(token, [...(byToken.get(token) ?? []), name]);
  }
  return [...byToken.values()];
}
/** The suites that share a registry with `name` in the grouped run (itself included). */
const groupOf = (name: string): string[] => suitesByToken(grouped(), groupable).find((group) => group.includes(name))!;

/** What a suite's result says, without timings and the failure text. */
const shape = (result: SuiteResult) => ({
  status: result.status,
  tests: result.assertionResults.map(({ ancestorTitles, title, fullName, status }) => ({ ancestorTitles, title, fullName, status })),
});

describe("a run with at least MIN_TO_GROUP unit suites", () => {
  it("reports every suite once under its own path, none under .cache/jest-groups", () => {
    const run = grouped();
    const names = run.json.testResults.map((result) => result.name).sort();
    expect(names).toEqual(allSuites.map((name) => join(scratch, "test", name)).sort());
    expect(run.json.numTotalTestSuites).toBe(allSuites.length);
    // The reporter's line for each suite names the suite, and no line names a group file.
    const reported = run.output.split("\n").filter((line) => /^\s*(PASS|FAIL) /.test(line));
    expect(reported.map((line) => line.trim().replace(/ \(.*\)$/, "")).sort()).toEqual(
      allSuites.map((name) => `${groupOf(throwing).includes(name) || name === failing ? "FAIL" : "PASS"} unit test/${name}`).sort(),
    );
  });

  it("really shares a registry: the suites of a group load one module instance, and the groups follow GROUP_SIZE", () => {
    const groups = suitesByToken(grouped(), groupable);
    expect(groups).toHaveLength(Math.ceil(groupable.length / GROUP_SIZE));
    for (const group of groups) {
      expect(group.length).toBeGreaterThanOrEqual(2);
      expect(group.length).toBeLessThanOrEqual(GROUP_SIZE);
    }
    expect(groupOf(failing)).not.toContain(throwing);
  });

  it("gives each suite the titles, statuses and counts a run with grouping off gives it (outside the group that failed to load)", () => {
    const [on, off] = [grouped(), ungrouped()];
    const notRun = groupOf(throwing);
    for (const name of allSuites.filter((name) => !notRun.includes(name))) {
      expect({ name, ...shape(on.suite(name)) }).toEqual({ name, ...shape(off.suite(name)) });
    }
    for (const result of on.json.testResults) {
      for (const test of result.assertionResults) expect(test.ancestorTitles.some((title) => title.startsWith("test/"))).toBe(false);
    }
    // The run's totals are the sum of its suites', and differ from the ungrouped run's only by the tests not run.
    const count = (run: Run, status: string) =>
      run.json.testResults.flatMap((result) => result.assertionResults).filter((test) => test.status === status).length;
    expect([on.json.numPassedTests, on.json.numFailedTests, on.json.numPendingTests, on.json.numTodoTests]).toEqual([
      count(on, "passed"),
      count(on, "failed"),
      count(on, "pending"),
      count(on, "todo"),
    ]);
    const testsNotRun = notRun.filter((name) => name !== throwing).reduce((sum, name) => sum + off.suite(name).assertionResults.length, 0);
    expect(testsNotRun).toBeGreaterThan(0);
    expect(on.json.numTotalTests).toBe(off.json.numTotalTests - testsNotRun);
    expect(on.suite(passing[0]).assertionResults.map((test) => [test.fullName, test.status])).toEqual([
      [`${passing[0]} inner adds`, "passed"],
      [`${passing[0]} compares`, "passed"],
      [`${passing[0]} is skipped on purpose`, "pending"],
      [`${passing[0]} is written later`, "todo"],
    ]);
  });

  it("fails only the suite with a failing test, with its own path and the test's full name; jest exits non-zero", () => {
    const run = grouped();
    const result = run.suite(failing);
    expect(shape(result)).toEqual({
      status: "failed",
      tests: [
        {
          ancestorTitles: ["a-fails"],
          title: "passes beside the failure",
          fullName: "a-fails passes beside the failure",
          status: "passed",
        },
        { ancestorTitles: ["a-fails"], title: "fails on purpose", fullName: "a-fails fails on purpose", status: "failed" },
      ],
    });
    expect(result.message).toContain("a-fails › fails on purpose");
    expect(result.message).toContain(`test/${failing}`);
    expect(result.message).not.toContain("jest-groups");
    const others = groupOf(failing).filter((name) => name !== failing);
    expect(others.length).toBeGreaterThan(0);
    // "focused" is jest's JSON status of a suite that passed with a skipped test (@jest/test-result formatTestResults).
    for (const name of others) expect(run.suite(name).status).toMatch(/^(passed|focused)$/);
    expect(run.json.success).toBe(false);
    expect(run.status).not.toBe(0);
  });

  it("fails a suite that throws while loading with its error, the rest of its group as not run, and no other group", () => {
    const [on, off] = [grouped(), ungrouped()];
    const thrown = on.suite(throwing);
    expect(thrown.status).toBe("failed");
    expect(thrown.message).toContain("Test suite failed to run");
    expect(thrown.message).toContain("fixture load failure in z-throws");
    const others = groupOf(throwing).filter((name) => name !== throwing);
    expect(others.length).toBeGreaterThan(0);
    for (const name of others) {
      expect(on.suite(name).status).toBe("failed");
      expect(on.suite(name).message).toContain("Test suite failed to run");
      expect(on.suite(name).message).toContain(`not run: test/${throwing}, in the same jest group as this suite, failed to load`);
      // Alone, the same suite passes: only its group's failure failed it.
      expect(off.suite(name).status).toMatch(/^(passed|focused)$/);
    }
    const elsewhere = groupable.filter((name) => !groupOf(throwing).includes(name) && name !== failing);
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const name of elsewhere) expect(on.suite(name).status).toMatch(/^(passed|focused)$/);
    expect(on.json.numFailedTestSuites).toBe(1 + groupOf(throwing).length);
    expect(on.status).not.toBe(0);
  });

  it("runs a suite that replaces modules or focuses a test in a registry of its own, with the result it has alone", () => {
    const [on, off] = [grouped(), ungrouped()];
    const groupTokens = new Set(groupable.map((name) => on.tokens.get(name)));
    const aloneTokens = alone.map((name) => on.tokens.get(name));
    expect(aloneTokens.every((token) => token !== undefined && !groupTokens.has(token))).toBe(true);
    expect(new Set(aloneTokens).size).toBe(alone.length);
    for (const name of alone) expect(shape(on.suite(name))).toEqual(shape(off.suite(name)));
    expect(shape(on.suite("alone-only.test.ts")).tests.map((test) => test.status)).toEqual(["passed", "pending"]);
    for (const name of alone.filter((name) => name !== "alone-only.test.ts")) expect(on.suite(name).status).toBe("passed");
    // The focused test skips no test of another suite: the only pending tests are the focused suite's and the one skipped on purpose.
    const pending = on.json.testResults.flatMap((result) =>
      result.assertionResults.filter((test) => test.status === "pending").map((test) => test.fullName),
    );
    expect(pending.sort()).toEqual(["is skipped by the focused test", `${passing[0]} is skipped on purpose`].sort());
  });
});

describe("a run with grouping off (IMMUTABLE_CLUSTERS_JEST_GROUPS=off)", () => {
  it("runs every suite in a registry of its own", () => {
    const run = ungrouped();
    expect(new Set(allSuites.map((name) => run.tokens.get(name))).size).toBe(allSuites.length);
    expect(run.tokens.size).toBe(allSuites.length);
  });
});

describe("a run with fewer than MIN_TO_GROUP unit suites", () => {
  it("is not grouped: every suite in a registry of its own, each reported", () => {
    const few = passing.slice(0, MIN_TO_GROUP - 1);
    const run = runJest("few", "on", few);
    expect(run.status).toBe(0);
    expect(run.json.testResults.map((result) => [result.name, result.status]).sort()).toEqual(
      few.map((name) => [join(scratch, "test", name), name === passing[0] ? "focused" : "passed"]).sort(),
    );
    expect(run.tokens.size).toBe(few.length);
    expect(new Set(few.map((name) => run.tokens.get(name))).size).toBe(few.length);
  });
});
