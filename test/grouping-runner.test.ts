// The jest grouping runner's plan and its results (test/support/grouping-runner.js): which unit suites share a module
// registry, in which groups, and how a group's result becomes each suite's own. test/grouping-runner-jest.test.ts runs
// jest with the runner on fixture suites.
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { rootDir: string; displayName?: { name: string } } };
}
interface Assertion {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: "passed" | "failed" | "pending" | "todo";
  duration: number;
  failureMessages: string[];
  failureDetails: unknown[];
}
interface GroupResult {
  testFilePath: string;
  displayName?: unknown;
  perfStats: { start: number; end: number; runtime: number; slow: boolean };
  testResults: Assertion[];
  testExecError?: { message: string; stack: string };
  failureMessage?: string;
  console?: Array<{ message: string; origin: string; type: string }>;
}
interface MemberResult extends GroupResult {
  numFailingTests: number;
  numPassingTests: number;
  numPendingTests: number;
  numTodoTests: number;
  skipped: boolean;
}
const runner = require("./support/grouping-runner") as {
  planGroups(
    tests: FakeTest[],
    options?: { readSource?: (path: string) => string; enabled?: boolean; testNamePattern?: string },
  ): { groups: FakeTest[][]; alone: FakeTest[] } | undefined;
  splitGroupResult(members: FakeTest[], result: GroupResult, globalConfig: object): MemberResult[];
  memberFailures(members: FakeTest[], error: { message: string; stack: string }): Array<{ message: string }>;
  groupText(members: FakeTest[]): string;
  writeGroupFile(rootDir: string, members: FakeTest[]): string;
  pruneGroupFiles(rootDir: string, now?: number): void;
  GROUP_SIZE: number;
  MIN_TO_GROUP: number;
};

const ROOT = "/repo";
const config = (name: string) => ({ rootDir: ROOT, displayName: { name }, cwd: ROOT, testMatch: [], rootsDir: [] });
const contexts = { unit: { config: config("unit") }, slow: { config: config("slow") } };
const suite = (name: string, project: "unit" | "slow" = "unit", duration?: number): FakeTest => ({
  path: `${ROOT}/test/${name}`,
  duration,
  context: contexts[project],
});
const names = (tests: FakeTest[]) => tests.map((t) => t.path.slice(`${ROOT}/test/`.length));
const plain = () => "test('x', () => undefined);";
const units = (n: number) => Array.from({ length: n }, (_, i) => suite(`u${String(i).padStart(2, "0")}.test.ts`));

describe("plan", () => {
  test("the unit suites are cut in path order into groups of at most GROUP_SIZE whose sizes differ by at most one", () => {
    const tests = units(20).reverse();
    const plan = runner.planGroups(tests, { readSource: plain, enabled: true })!;
    const sizes = plan.groups.map((g) => g.length);
    expect([...sizes].sort()).toEqual([6, 7, 7]);
    expect(plan.groups.flat().map((t) => t.path)).toEqual([...tests].map((t) => t.path).sort());
    expect(plan.alone).toEqual([]);
    // 83 suites (the repository's groupable unit suites): 12 groups of 6-7.
    const many = runner.planGroups(units(83), { readSource: plain, enabled: true })!;
    expect(many.groups).toHaveLength(12);
    expect(Math.max(...many.groups.map((g) => g.length)) - Math.min(...many.groups.map((g) => g.length))).toBeLessThanOrEqual(1);
    expect(Math.max(...many.groups.map((g) => g.length))).toBeLessThanOrEqual(runner.GROUP_SIZE);
  });

  test("the same suites make the same groups whatever their timings; slow-project suites are never grouped", () => {
    const a = [...units(10), suite("x.e2e.test.ts", "slow", 300_000)];
    const b = [...units(10).map((t, i) => ({ ...t, duration: i * 1000 })), suite("x.e2e.test.ts", "slow")];
    const plan = (tests: FakeTest[]) => runner.planGroups(tests, { readSource: plain, enabled: true })!;
    expect(plan(a).groups.map(names)).toEqual(plan(b).groups.map(names));
    expect(names(plan(a).alone)).toEqual(["x.e2e.test.ts"]);
  });

  test("suites that replace modules, focus tests or match snapshots run alone; one that only mentions them does not", () => {
    const sources: Record<string, string> = {
      "mock.test.ts": "jest.mock('../x', () => ({}));",
      "do-mock.test.ts": "jest.isolateModules(() => { jest.doMock('../x', () => ({})); });",
      "reset.test.ts": "beforeEach(() => jest.resetModules());",
      "only.test.ts": "test.only('x', () => undefined);",
      "describe-only.test.ts": "describe.only('x', () => undefined);",
      "fit.test.ts": "fit('x', () => undefined);",
      "snapshot.test.ts": "test('x', () => expect(1).toMatchSnapshot());",
      "inline-snapshot.test.ts": "test('x', () => expect(() => f()).toThrowErrorMatchingInlineSnapshot());",
      "mentions.test.ts":
        "// jest.mock and toMatchSnapshot are not used here; test('only', ...) is a title\ntest('only', () => jest.fn());",
    };
    const tests = [...units(8), ...Object.keys(sources).map((name) => suite(name))];
    const plan = runner.planGroups(tests, { readSource: (p) => sources[p.slice(`${ROOT}/test/`.length)] ?? plain(), enabled: true })!;
    expect(names(plan.alone).sort()).toEqual(
      Object.keys(sources)
        .filter((n) => n !== "mentions.test.ts")
        .sort(),
    );
    expect(names(plan.groups.flat())).toContain("mentions.test.ts");
  });

  test("fewer than MIN_TO_GROUP unit suites, a test name pattern, or grouping switched off leave jest's plan alone", () => {
    expect(runner.planGroups(units(runner.MIN_TO_GROUP - 1), { readSource: plain, enabled: true })).toBeUndefined();
    expect(runner.planGroups(units(runner.MIN_TO_GROUP), { readSource: plain, enabled: true })).toBeDefined();
    expect(runner.planGroups(units(30), { readSource: plain, enabled: false })).toBeUndefined();
    // `-t` matches full names, which in a group would start with the suite's describe.
    expect(runner.planGroups(units(30), { readSource: plain, enabled: true, testNamePattern: "^p1$" })).toBeUndefined();
  });
});

describe("group files", () => {
  test("require each suite inside a describe named by its path; the name is the text's hash; old files are pruned", () => {
    const root = mkdtempSync(join(tmpdir(), "jest-groups-"));
    const members = ["a.test.ts", "b.test.ts"].map((n) => ({
      ...suite(n),
      path: join(root, "test", n),
      context: { config: { rootDir: root } },
    }));
    const path = runner.writeGroupFile(root, members);
    const text = readFileSync(path, "utf8");
    expect(text).toContain(`describe("test/a.test.ts", () => { require(${JSON.stringify(join(root, "test", "a.test.ts"))}); });`);
    expect(text.indexOf("test/a.test.ts")).toBeLessThan(text.indexOf("test/b.test.ts"));
    expect(runner.writeGroupFile(root, members)).toBe(path);
    const other = runner.writeGroupFile(root, members.slice(1));
    expect(other).not.toBe(path);
    // A file unused for two days goes; one used an hour ago stays.
    const now = Date.now();
    utimesSync(path, new Date(now - 48 * 3600_000), new Date(now - 48 * 3600_000));
    utimesSync(other, new Date(now - 3600_000), new Date(now - 3600_000));
    runner.pruneGroupFiles(root, now);
    expect(readdirSync(join(root, ".cache", "jest-groups"))).toEqual([other.slice(other.lastIndexOf("/") + 1)]);
    // Using a kept file again marks it used.
    runner.writeGroupFile(root, members.slice(1));
    expect(statSync(other).mtimeMs).toBeGreaterThan(now - 60_000);
  });
});

describe("results", () => {
  const members = [suite("a.test.ts"), suite("b.test.ts"), suite("c.test.ts")];
  const assertion = (suiteName: string, titles: string[], title: string, status: Assertion["status"], duration = 10): Assertion => ({
    ancestorTitles: [`test/${suiteName}`, ...titles],
    title,
    fullName: [`test/${suiteName}`, ...titles, title].join(" "),
    status,
    duration,
    failureMessages: status === "failed" ? [`Error: expected 1 to be 2\n    at Object.<anonymous> (${ROOT}/test/${suiteName}:3:9)`] : [],
    failureDetails: [],
  });
  const group = (extra: Partial<GroupResult> = {}): GroupResult => ({
    testFilePath: `${ROOT}/.cache/jest-groups/group-0123456789abcdef.js`,
    perfStats: { start: 1_000, end: 9_000, runtime: 8_000, slow: false },
    testResults: [
      assertion("a.test.ts", ["outer"], "passes", "passed", 30),
      assertion("a.test.ts", [], "fails", "failed", 5),
      assertion("b.test.ts", ["x", "y"], "is skipped", "pending", 0),
      assertion("c.test.ts", [], "passes too", "passed", 7),
    ],
    console: [
      { message: "hello", origin: "", type: "log" },
      { message: "from c", origin: `    at Object.<anonymous> (${ROOT}/test/c.test.ts:4:11)`, type: "log" },
    ],
    ...extra,
  });

  test("each suite gets its own tests, titles without the group's level, counts, runtime, failure message and logs", () => {
    const [a, b, c] = runner.splitGroupResult(members, group(), {});
    expect(a.testFilePath).toBe(`${ROOT}/test/a.test.ts`);
    expect(a.testResults.map((t) => [t.ancestorTitles, t.fullName, t.status])).toEqual([
      [["outer"], "outer passes", "passed"],
      [[], "fails", "failed"],
    ]);
    expect([a.numPassingTests, a.numFailingTests, a.numPendingTests]).toEqual([1, 1, 0]);
    expect(a.perfStats).toEqual({ start: 1_000, end: 1_035, runtime: 35, slow: false });
    expect(a.failureMessage).toContain("● fails");
    expect(a.failureMessage).toContain("expected 1 to be 2");
    expect(a.failureMessage).not.toContain("test/a.test.ts fails");
    expect(a.console).toEqual([group().console![0]]);
    expect(b.skipped).toBe(true);
    expect(b.testResults[0].fullName).toBe("x y is skipped");
    expect([c.numPassingTests, c.numFailingTests, c.skipped, c.failureMessage ?? ""]).toEqual([1, 0, false, ""]);
    expect(c.console).toEqual([group().console![1]]);
    expect(b.console).toBeUndefined();
  });

  test("an error outside any test goes to the suite its stack names, or to every suite when it names none", () => {
    const named = runner.splitGroupResult(
      members,
      group({ testExecError: { message: "", stack: `Error: afterAll broke\n    at ${ROOT}/test/b.test.ts:9:1` } }),
      {},
    );
    expect(named.map((r) => Boolean(r.testExecError))).toEqual([false, true, false]);
    expect(named[1].failureMessage).toContain("afterAll broke");
    const unnamed = runner.splitGroupResult(members, group({ testExecError: { message: "", stack: "Error: somewhere" } }), {});
    expect(unnamed.map((r) => Boolean(r.testExecError))).toEqual([true, true, true]);
  });

  test("a group that fails to load fails each suite; the others name the one that failed", () => {
    const error = { message: "ENOENT", stack: `Error: ENOENT\n    at Object.<anonymous> (${ROOT}/test/b.test.ts:2:1)` };
    const failures = runner.memberFailures(members, error);
    expect(failures[1]).toBe(error);
    expect(failures[0].message).toBe("not run: test/b.test.ts, in the same jest group as this suite, failed to load (see its error)");
    expect(failures[2].message).toBe(failures[0].message);
    const unknown = { message: "worker crashed", stack: "" };
    expect(runner.memberFailures(members, unknown)).toEqual([unknown, unknown, unknown]);
  });
});
