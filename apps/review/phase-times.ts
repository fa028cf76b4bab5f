// Owns the review's phase timing switch: with IMMUTABLE_CLUSTERS_REVIEW_TIMES=1 each phase of a review (checkouts, the
// type check, each synth, loading, comparing) is written to stderr with the milliseconds since the review started and
// the CLI process's CPU milliseconds, to see where a review's time goes (docs/review.md "Speed"). Off by default; the
// report and the exit code never depend on it, and the synth cache key leaves it out (apps/review/synth-cache.ts).

/** The environment variable that turns phase timing on. */
export const PHASE_TIMES_ENV = "IMMUTABLE_CLUSTERS_REVIEW_TIMES";

/** A phase logger: `mark("head synth done")`; a no-op unless IMMUTABLE_CLUSTERS_REVIEW_TIMES is set (and not `0`). */
export function phaseTimes(env: NodeJS.ProcessEnv = process.env): (phase: string) => void {
  const value = env[PHASE_TIMES_ENV];
  if (value === undefined || value === "" || value === "0") return () => undefined;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  return (phase) => {
    const cpu = process.cpuUsage(cpuStart);
    const ms = (n: number) => n.toFixed(0).padStart(6);
    process.stderr.write(`review: ${ms(performance.now() - start)} ms, cli cpu ${ms((cpu.user + cpu.system) / 1000)} ms: ${phase}\n`);
  };
}
