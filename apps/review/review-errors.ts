// Owns turning a revision that cannot be reviewed (a ref that does not resolve, type errors, a synth that fails) into
// the report's `errors`: each problem with its field (definition problems) or file and line (type errors), the tool's
// output without stack traces or temporary paths and without repeated lines, and the report of a failed review (exit 1).
import type { PriceSource, ReviewError, ReviewProblem, ReviewReport } from "./report";

const OUTPUT_LINES = 200;

/** The tool output for a reader: temporary folders replaced by `<label>`, stack frames and repeated lines dropped, cut to 200 lines. */
export function cleanOutput(output: string, folders: Readonly<Record<string, string>>): string {
  let text = output;
  for (const [folder, label] of Object.entries(folders)) if (folder) text = text.split(folder).join(label);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (/^\s+at\s/.test(line) || /^\s*Node\.js v\d/.test(line)) continue; // stack frames, node's version footer
    const key = line.trim();
    if (key !== "" && seen.has(key)) continue;
    seen.add(key);
    lines.push(line.replace(/\s+$/, ""));
  }
  const kept = lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
    .split("\n");
  return (kept.length > OUTPUT_LINES ? [...kept.slice(0, OUTPUT_LINES), `… ${kept.length - OUTPUT_LINES} more line(s)`] : kept).join("\n");
}

/**
 * The problems in a synth's output: the `  - <field>: <message and fix>` lines of a "cluster definition ... is invalid"
 * error (constructs/definition/validate.ts), each once; else the first error line.
 */
export function synthProblems(output: string): ReviewProblem[] {
  const problems = new Map<string, ReviewProblem>();
  let cluster: string | undefined;
  for (const line of output.split("\n")) {
    const header = /cluster definition "([^"]+)" is invalid/.exec(line);
    if (header) {
      cluster = header[1];
      continue;
    }
    const item = /^\s+- ([^\s:]+): (.+)$/.exec(line);
    if (cluster !== undefined && item) {
      const field = `${cluster}: ${item[1]}`;
      problems.set(`${field} ${item[2]}`, { field, message: item[2].trim() });
    } else if (!/^\s+- /.test(line)) cluster = undefined;
  }
  if (problems.size > 0) return [...problems.values()];
  const first = output.split("\n").find((l) => /\b(Error|error)\b/.test(l) && !/^\s+at\s/.test(l));
  return first ? [{ message: first.trim() }] : [];
}

/** The problems in `tsc --pretty false` output: `file(line,col): error TSnnnn: message`, continuation lines appended. */
export function typeProblems(output: string): ReviewProblem[] {
  const out: { file?: string; line?: number; message: string }[] = [];
  for (const line of output.split("\n")) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
    if (m) out.push({ file: m[1], line: Number(m[2]), message: m[3] });
    else if (/^error (TS\d+: .*)$/.test(line)) out.push({ message: line.slice("error ".length) });
    else if (out.length > 0 && /^\s+\S/.test(line)) out[out.length - 1].message += ` ${line.trim()}`;
  }
  return out;
}

/** The report of a review that could not run: no stacks, the errors, exit 1. */
export function failedReport(
  base: ReviewReport["base"],
  head: ReviewReport["head"],
  errors: readonly ReviewError[],
  prices: PriceSource,
): ReviewReport {
  const which = [...new Set(errors.map((e) => e.revision))].join(" and ");
  return {
    schemaVersion: 2,
    base,
    head,
    summary: {
      stacksAdded: 0,
      stacksRemoved: 0,
      stacksChanged: 0,
      resourcesAdded: 0,
      resourcesChanged: 0,
      resourcesRemoved: 0,
      liveReplacedOrDestroyed: 0,
      monthlyCostDelta: 0,
      monthlyCostRange: { min: 0, max: 0 },
      guardViolations: 0,
    },
    stacks: [],
    generations: [],
    guard: { lockPresent: false, reported: false, violations: [], baseLock: false, lockChanges: [], unguarded: [] },
    rollout: [],
    applyPlan: [],
    errors,
    prices,
    mermaid: "",
    verdict: { exitCode: 1, reason: `the ${which} revision could not be reviewed: ${errors.map((e) => e.summary).join("; ")}` },
  };
}
