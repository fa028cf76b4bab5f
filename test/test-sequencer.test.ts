// The jest test sequencer (test/support/test-sequencer.js) hands the longest suites to the workers first, also without
// jest's timing cache (a clean clone on CI), where jest's own sequencer would order by file size.
import { join } from "node:path";

const LongestFirstSequencer = require("./support/test-sequencer") as new () => {
  sort(tests: FakeTest[]): FakeTest[];
  _getCache(test: FakeTest): Record<string, [number, number]>;
};

const ROOT = join(__dirname, "..");
interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { rootDir: string; cache: boolean; displayName?: { name: string } }; hasteFS: { getSize(path: string): number } };
}

/** Suites as jest hands them over: a path under test/, the project, a file size; no timing cache. */
function suites(list: Array<[name: string, project: "unit" | "slow", size: number]>): FakeTest[] {
  const sizes = new Map(list.map(([name, , size]) => [join(ROOT, "test", name), size]));
  const contexts = {
    unit: { config: { rootDir: ROOT, cache: false, displayName: { name: "unit" } }, hasteFS: { getSize: (p: string) => sizes.get(p)! } },
    slow: { config: { rootDir: ROOT, cache: false, displayName: { name: "slow" } }, hasteFS: { getSize: (p: string) => sizes.get(p)! } },
  };
  return list.map(([name, project]) => ({ path: join(ROOT, "test", name), context: contexts[project] }));
}
const names = (tests: FakeTest[]) => tests.map((t) => t.path.slice(join(ROOT, "test").length + 1));

test("without timings: the emulator suites first, then the other slow suites, then unit suites by file size", () => {
  const order = names(
    new LongestFirstSequencer().sort(
      suites([
        ["big-unit.test.ts", "unit", 90_000],
        ["small-unit.test.ts", "unit", 1_000],
        ["fleet-lock.test.ts", "slow", 9_000],
        ["cluster.e2e.test.ts", "slow", 20_000],
        ["some-new.e2e.test.ts", "slow", 5_000],
        ["generations.e2e.test.ts", "slow", 8_000],
        ["some-new-slow.test.ts", "slow", 4_000],
      ]),
    ),
  );
  expect(order).toEqual([
    "generations.e2e.test.ts",
    "cluster.e2e.test.ts",
    "some-new.e2e.test.ts",
    "some-new-slow.test.ts",
    "fleet-lock.test.ts",
    "big-unit.test.ts",
    "small-unit.test.ts",
  ]);
});

test("a duration jest measured wins over the estimate, and a suite that failed last time still goes first", () => {
  const sequencer = new LongestFirstSequencer();
  const tests = suites([
    ["generations.e2e.test.ts", "slow", 8_000],
    ["cluster.e2e.test.ts", "slow", 20_000],
    ["timed-unit.test.ts", "unit", 1_000],
    ["failed-unit.test.ts", "unit", 1_000],
  ]);
  // jest keeps one timing cache per project: [0 failed | 1 passed, milliseconds] by path.
  sequencer._getCache(tests[0])[tests[0].path] = [1, 10_000]; // generations.e2e passed in 10 s
  sequencer._getCache(tests[2])[tests[2].path] = [1, 400_000]; // a unit suite that took 400 s
  sequencer._getCache(tests[3])[tests[3].path] = [0, 100]; // failed
  expect(names(sequencer.sort(tests))).toEqual([
    "failed-unit.test.ts",
    "timed-unit.test.ts",
    "cluster.e2e.test.ts",
    "generations.e2e.test.ts",
  ]);
});
