// Jest test sequencer (jest.config.js `testSequencer`): the order in which suites are handed to the workers. The run
// ends when its last suite does, so the longest suites must start first, whatever project they are in.
//
// Jest's own sequencer (@jest/test-sequencer) orders by the durations of the previous run, kept in its cache folder,
// and, for suites it has no duration for, by file size. A clean clone (CI) has no cache, and file size says little here:
// the emulator suites are short files that run for minutes, so they started late and the run waited for them at the end.
// This sequencer keeps jest's order rules (failed suites first, then longest first) but gives a suite without a cached
// duration the estimate below. Estimates are seconds on the 2-core machine (a fresh clone's `npm test`, 3 workers,
// 2026-12-02); they only need to be right in order of magnitude. A new emulator suite (`*.e2e.test.ts`) or another
// slow suite gets a default.
// Unit suites without a duration stay last among equals, largest file first, as jest orders them.
const Sequencer = require("@jest/test-sequencer").default;
const { relative, sep } = require("node:path");

/** Seconds, by path relative to test/. */
const ESTIMATED_SECONDS = {
  "generations.e2e.test.ts": 300,
  "cluster.e2e.test.ts": 145,
  "cluster-image-copy.e2e.test.ts": 130,
  "bootstrap-scenarios.test.ts": 125,
  "consumer.test.ts": 75,
  "policy-and-snapshots.test.ts": 65,
  "workload-identity.e2e.test.ts": 50,
  "restore-into-fresh-generation.test.ts": 45,
  "terraform-validate.test.ts": 40,
  "review-scenarios.test.ts": 30,
  "definition-mutations-terraform.test.ts": 27,
  "review-revisions.test.ts": 25,
  "package.test.ts": 25,
  "review-typecheck-cache.test.ts": 23,
  "init.test.ts": 22,
  "deferred-packages.test.ts": 21,
  "workload-identity-bootstrap.test.ts": 19,
  "fleet-lock.test.ts": 14,
  "refusal.e2e.test.ts": 10,
  "moto-patches.test.ts": 10,
  "frozen-comparison-synth.e2e.test.ts": 8,
  "synth-paths.test.ts": 8,
  "publish-ca.test.ts": 7,
  "determinism.test.ts": 6,
  "review-speed.test.ts": 5,
};
/**
 * Seconds for a suite not in the table: an emulator life cycle (those in the table take 50-145 s, generations.e2e aside),
 * another slow-project suite.
 */
const DEFAULT_E2E_SECONDS = 100;
const DEFAULT_SLOW_SECONDS = 60;

class LongestFirstSequencer extends Sequencer {
  /** Milliseconds: jest's cached duration, else the estimate; undefined for a unit suite jest has not timed. */
  estimate(test) {
    const cached = this.time(test);
    if (cached != null) return cached;
    const name = relative(`${test.context.config.rootDir}${sep}test`, test.path).split(sep).join("/");
    const seconds =
      ESTIMATED_SECONDS[name] ??
      (name.endsWith(".e2e.test.ts")
        ? DEFAULT_E2E_SECONDS
        : test.context.config.displayName?.name === "slow"
          ? DEFAULT_SLOW_SECONDS
          : undefined);
    return seconds === undefined ? undefined : seconds * 1000;
  }

  sort(tests) {
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const keyed = tests.map((test) => ({ test, failed: this.hasFailed(test), ms: this.estimate(test), size: size(test) }));
    keyed.sort(
      (a, b) =>
        Number(b.failed) - Number(a.failed) ||
        (b.ms ?? -1) - (a.ms ?? -1) ||
        b.size - a.size ||
        (a.test.path < b.test.path ? -1 : a.test.path > b.test.path ? 1 : 0),
    );
    for (const { test, ms } of keyed) test.duration = ms;
    return keyed.map(({ test }) => test);
  }
}

module.exports = LongestFirstSequencer;
