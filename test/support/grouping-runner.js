// Jest test runner (jest.config.js `runner`, both projects): runs the unit suites a few at a time in one test file, so
// that they share one module registry, and reports every suite as its own file again.
//
// Why: jest gives every test file a new module registry (https://jestjs.io/docs/configuration#runner-string and
// jest-runtime 29.7.0 build/index.js: a Runtime, and so a registry, per test file). A unit suite that imports the
// constructs loads 450-2,000 modules again (cdktf, the AWS provider's classes, cdk8s, zod, yaml, kubernetes-models) and
// about 215 of jest's own (jest-circus, expect, jest-snapshot); that was 38 of the unit project's ~100 CPU s on the
// 2-core machine (all 85 suites run with no test selected: 38.5 CPU s). Seven suites in one registry load those once.
// Measured with `npm run test:unit` on the 2-core machine, 2026-12-02, grouped and ungrouped alternately: 35.2 / 41.5 s
// and 29.6 / 47.3 s wall (65 / 79 and 55 / 90 CPU s); CHANGELOG.md has the other runs.
//
// How:
// - Jest hands a runner the suites of every project in one list (@jest/core 29.7.0 build/TestScheduler.js runs the
//   runners of a run one after the other, so both projects use this one runner, and a slow suite still runs beside the
//   unit groups in one worker pool). The unit suites that may share a registry (`groupable`) are cut, in path order, into
//   groups of GROUP_SIZE; each group becomes one generated file under .cache/jest-groups/ (named by the hash of its text,
//   so runs in parallel never rewrite a file another is running) that requires each suite inside a `describe` named by
//   the suite's path. Everything else runs as jest's own runner (jest-runner 29.7.0, which this class extends) runs it.
// - Jest's events for a group are turned back into events for its suites: each suite starts when its group does, and
//   its result is the group's test results under its `describe`, with that level taken off the titles, its own counts,
//   and its failure message formatted as jest-circus formats a file's (jest-message-util formatResultsErrors). So
//   reporters, `--json`, the timing cache of test/support/test-sequencer.js and the summary count suites as before.
// - A group that fails as a whole (a suite that throws while loading) fails each of its suites: the one the error's
//   stack names gets the error, the others say that they did not run because of it. An error outside any test (in an
//   afterAll) goes to the suite its stack names, or to each suite of the group when it names none.
//
// What sharing changes, and the rules that keep it sound:
// - Modules (product and test support) are loaded once per group, so module-level caches are warm for the later suites
//   of a group, as they are in one synth process. A suite that needs a registry of its own runs alone (`ALONE`), and
//   so does every suite that replaces modules (jest.mock, jest.doMock, jest.isolateModules, jest.resetModules...),
//   focuses tests (`.only`, `fit`, `fdescribe`: in a group they would skip the other suites' tests) or matches
//   snapshots (kept by test file: a grouped suite's would be the group file's).
// - A run of fewer than MIN_TO_GROUP unit suites (`npx jest test/x.test.ts`) or with a test name pattern (`-t`, which
//   would also match the group's describe titles) is not grouped, and IMMUTABLE_CLUSTERS_JEST_GROUPS=off turns grouping
//   off for a run: every suite in a registry of its own, as jest runs them (docs/terraform-and-emulator-tests.md,
//   "Keeping the unit suites short").
"use strict";

const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } = require("node:fs");
const { join, relative, sep } = require("node:path");
const TestRunner = require("jest-runner").default;
const { createEmptyTestResult } = require("@jest/test-result");
const { formatExecError, formatResultsErrors } = require("jest-message-util");

/**
 * Most suites per group: 83 groupable unit suites make 12 groups of 6-7, enough for two workers to end together (12,
 * 6 and 20 groups measured alike; the suites' CPU falls with fewer groups, the end waits longer on the last one).
 */
const GROUP_SIZE = 7;
/** Fewer unit suites than this in a run are run one per file, as jest runs them. */
const MIN_TO_GROUP = 8;
/** The project whose suites are grouped (jest.config.js). */
const GROUPED_PROJECT = "unit";
/** Unit suites that run in a registry of their own, each with the reason (paths relative to test/). */
const ALONE = {};
/**
 * Source text that keeps a suite alone: it replaces modules in the registry, focuses tests, or matches snapshots (jest
 * keeps snapshots by test file, so a grouped suite's would be read from and written beside the group's file).
 */
const KEEPS_ALONE =
  /\bjest\.(?:mock|doMock|unmock|dontMock|deepUnmock|setMock|isolateModules|isolateModulesAsync|resetModules|enableAutomock|disableAutomock)\(|\b(?:describe|test|it)\.only\b|\b(?:fit|fdescribe)\(|\.(?:toMatchSnapshot|toMatchInlineSnapshot|toThrowErrorMatchingSnapshot|toThrowErrorMatchingInlineSnapshot)\(/;

/** The suite's path relative to the project's test folder, with forward slashes. */
function suiteName(test) {
  return relative(join(test.context.config.rootDir, "test"), test.path).split(sep).join("/");
}

/** True when a suite of the grouped project may share a registry with others. */
function groupable(test, readSource = (path) => readFileSync(path, "utf8")) {
  if (test.context.config.displayName?.name !== GROUPED_PROJECT) return false;
  if (suiteName(test) in ALONE) return false;
  return !KEEPS_ALONE.test(readSource(test.path));
}

/** The text of a group's file: each suite required inside a describe named by its path relative to the root. */
function groupText(members) {
  const lines = [
    "// Generated by test/support/grouping-runner.js for one jest run: these unit suites share one module registry.",
    ...members.map((test) => `describe(${JSON.stringify(label(test))}, () => { require(${JSON.stringify(test.path)}); });`),
  ];
  return `${lines.join("\n")}\n`;
}

/** A suite's describe title in its group: its path relative to the root ("test/x.test.ts"). */
function label(test) {
  return relative(test.context.config.rootDir, test.path).split(sep).join("/");
}

/**
 * Splits a run's suites into groups and suites run alone. Groups are cut in path order, so the same suites always make
 * the same groups; `duration` (jest's timing cache) only orders them. Returns `undefined` when nothing is grouped.
 */
function planGroups(tests, { readSource, enabled = process.env.IMMUTABLE_CLUSTERS_JEST_GROUPS !== "off", testNamePattern } = {}) {
  // `-t` matches a test's full name, which in a group starts with its suite's describe: such a run is not grouped.
  if (!enabled || testNamePattern) return undefined;
  const grouped = tests.filter((test) => groupable(test, readSource));
  if (grouped.length < MIN_TO_GROUP) return undefined;
  const sorted = [...grouped].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // As many groups as GROUP_SIZE needs, their sizes differing by at most one.
  const count = Math.ceil(sorted.length / GROUP_SIZE);
  const groups = Array.from({ length: count }, (_, g) =>
    sorted.slice(Math.round((g * sorted.length) / count), Math.round(((g + 1) * sorted.length) / count)),
  );
  const inGroup = new Set(grouped);
  return { groups, alone: tests.filter((test) => !inGroup.has(test)) };
}

/** Group files not written or used for this long are removed when a run starts (another run may be using newer ones). */
const PRUNE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Where the group files are: under the root's .cache/ (git ignores it). */
const groupDir = (rootDir) => join(rootDir, ".cache", "jest-groups");

/** Writes a group's file, or marks the existing one used (the name is the hash of the text); returns its path. */
function writeGroupFile(rootDir, members) {
  const text = groupText(members);
  const dir = groupDir(rootDir);
  const path = join(dir, `group-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.js`);
  if (existsSync(path)) {
    const now = new Date();
    utimesSync(path, now, now);
  } else {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
  }
  return path;
}

/** Removes the group files of runs more than PRUNE_AFTER_MS ago. */
function pruneGroupFiles(rootDir, now = Date.now()) {
  const dir = groupDir(rootDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!/^group-[0-9a-f]{16}\.js$/.test(name)) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > PRUNE_AFTER_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // removed by another run meanwhile
    }
  }
}

/** Milliseconds a list of suites is expected to take: jest's cached durations, unknown ones as one second. */
const expected = (tests) => tests.reduce((sum, test) => sum + (test.duration ?? 1000), 0);

/** A test result's titles with the group's describe (the suite's label) taken off. */
function memberAssertion(assertion) {
  const ancestorTitles = assertion.ancestorTitles.slice(1);
  return { ...assertion, ancestorTitles, fullName: [...ancestorTitles, assertion.title].join(" ") };
}

/** The result of one suite of a group, from the group's result. */
function memberResult(member, groupResult, globalConfig) {
  const name = label(member);
  const testResults = groupResult.testResults.filter((a) => a.ancestorTitles[0] === name).map(memberAssertion);
  const count = (status) => testResults.filter((a) => a.status === status).length;
  const runtime = testResults.reduce((sum, a) => sum + (a.duration ?? 0), 0);
  const start = groupResult.perfStats.start;
  return {
    ...createEmptyTestResult(),
    displayName: groupResult.displayName,
    failureMessage: formatResultsErrors(testResults, member.context.config, globalConfig, member.path),
    leaks: groupResult.leaks,
    numFailingTests: count("failed"),
    numPassingTests: count("passed"),
    numPendingTests: count("pending"),
    numTodoTests: count("todo"),
    perfStats: { start, end: start + runtime, runtime, slow: false },
    skipped: testResults.length > 0 && testResults.every((a) => a.status === "pending"),
    testFilePath: member.path,
    testResults,
  };
}

/**
 * The results of a group's suites. A console entry and an error outside any test go with the suite whose file their
 * stack names, else with the first suite (console) or every suite (error); coverage goes with the first suite.
 */
function splitGroupResult(members, groupResult, globalConfig) {
  const results = members.map((member) => memberResult(member, groupResult, globalConfig));
  const first = results[0];
  // Console entries go to the suite whose file their origin (the stack where they were logged) names.
  for (const entry of groupResult.console ?? []) {
    const named = owner(members, { message: entry.origin ?? "" });
    const result = named === undefined ? first : results[members.indexOf(named)];
    (result.console ??= []).push(entry);
  }
  Object.assign(first, {
    coverage: groupResult.coverage,
    v8Coverage: groupResult.v8Coverage,
    sourceMaps: groupResult.sourceMaps,
    openHandles: groupResult.openHandles,
  });
  if (groupResult.testExecError) {
    const named = owner(members, groupResult.testExecError);
    for (const [i, member] of members.entries()) {
      if (named !== undefined && named !== member) continue;
      results[i].testExecError = groupResult.testExecError;
      const outside = formatExecError(groupResult.testExecError, member.context.config, globalConfig, member.path);
      results[i].failureMessage = `${results[i].failureMessage ?? ""}\n\n${outside}`;
    }
  }
  return results;
}

/** The suite of `members` whose file an error's stack or message names, if any. */
function owner(members, error) {
  const text = `${error?.message ?? ""}\n${error?.stack ?? ""}`;
  return members.find((member) => text.includes(member.path));
}

/** The error each suite of a group that failed as a whole reports. */
function memberFailures(members, error) {
  const named = owner(members, error);
  return members.map((member) =>
    named === undefined || named === member
      ? error
      : {
          message: `not run: ${label(named)}, in the same jest group as this suite, failed to load (see its error)`,
          stack: "",
          type: "Error",
        },
  );
}

/** The events the runner reports to jest (jest-runner's own emitter is private): `on` returns the unsubscribe. */
class Events {
  #listeners = new Map();

  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(listener);
    return () => this.#listeners.get(event).delete(listener);
  }

  /** Calls every listener of `event` with `payload` and waits for all of them, as jest-runner's emitter does. */
  async emit(event, payload) {
    await Promise.all([...(this.#listeners.get(event) ?? [])].map((listener) => listener(payload)));
  }
}

class GroupingRunner extends TestRunner {
  #events = new Events();

  constructor(globalConfig, context) {
    super(globalConfig, context);
    /** Group file path -> its suites, for the events of the current run. */
    this.membersOf = new Map();
    const forward = (event, translate) => super.on(event, (payload) => translate(payload));
    forward("test-file-start", async ([test]) => {
      const members = this.membersOf.get(test.path);
      if (!members) return this.#events.emit("test-file-start", [test]);
      for (const member of members) await this.#events.emit("test-file-start", [member]);
    });
    forward("test-file-success", async ([test, result]) => {
      const members = this.membersOf.get(test.path);
      if (!members) return this.#events.emit("test-file-success", [test, result]);
      const results = splitGroupResult(members, result, this._globalConfig);
      for (const [i, member] of members.entries()) {
        await this.#events.emit("test-file-success", [member, results[i]]);
      }
    });
    forward("test-file-failure", async ([test, error]) => {
      const members = this.membersOf.get(test.path);
      if (!members) return this.#events.emit("test-file-failure", [test, error]);
      const errors = memberFailures(members, error);
      for (const [i, member] of members.entries()) await this.#events.emit("test-file-failure", [member, errors[i]]);
    });
    for (const event of ["test-case-start", "test-case-result"]) {
      forward(event, ([testPath, payload]) => {
        const members = this.membersOf.get(testPath);
        if (!members) return this.#events.emit(event, [testPath, payload]);
        const member = members.find((m) => label(m) === payload.ancestorTitles?.[0]);
        if (!member) return undefined;
        const ancestorTitles = payload.ancestorTitles.slice(1);
        const translated = { ...payload, ancestorTitles };
        if ("fullName" in payload) translated.fullName = [...ancestorTitles, payload.title].join(" ");
        return this.#events.emit(event, [member.path, translated]);
      });
    }
  }

  async runTests(tests, watcher, options) {
    const plan = planGroups(tests, { testNamePattern: this._globalConfig.testNamePattern });
    if (!plan) return super.runTests(tests, watcher, options);
    pruneGroupFiles(plan.groups[0][0].context.config.rootDir);
    const groupTests = plan.groups.map((members) => {
      const path = writeGroupFile(members[0].context.config.rootDir, members);
      this.membersOf.set(path, members);
      return { context: members[0].context, path, duration: expected(members) };
    });
    // Longest first, as test/support/test-sequencer.js orders suites: the run ends when its last file does.
    const ordered = [...plan.alone, ...groupTests].sort((a, b) => expected([b]) - expected([a]));
    return super.runTests(ordered, watcher, options);
  }

  on(eventName, listener) {
    return this.#events.on(eventName, listener);
  }
}

module.exports = GroupingRunner;
module.exports.planGroups = planGroups;
module.exports.splitGroupResult = splitGroupResult;
module.exports.memberFailures = memberFailures;
module.exports.groupText = groupText;
module.exports.writeGroupFile = writeGroupFile;
module.exports.pruneGroupFiles = pruneGroupFiles;
module.exports.GROUP_SIZE = GROUP_SIZE;
module.exports.MIN_TO_GROUP = MIN_TO_GROUP;
