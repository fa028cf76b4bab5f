// Owns one review run end to end: materializes base and head, synthesizes both in parallel into a temporary folder,
// loads and compares the output, renders Markdown or JSON, and always removes the worktrees and temporary files.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE } from "../../constructs/fleet/lock";
import { compareSynthOutputs } from "./compare";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import type { ReviewReport } from "./report";
import { defaultBase, materialize, synthesize, type MaterializedRevision } from "./revision";
import { loadSynthOutput } from "./synth-output";

/** Options of {@link runReview} (the CLI flags). */
export interface ReviewOptions {
  /** Folder holding cdktf.json, inside a git repository. @default process.cwd() */
  readonly repo?: string;
  /** Base ref. @default merge base of HEAD and origin/main, else main */
  readonly base?: string;
  /** Head ref. @default the working tree (uncommitted changes included) */
  readonly head?: string;
  /** Output format. @default "markdown" */
  readonly format?: "markdown" | "json";
  /** Accept destroying or replacing live resources. @default false */
  readonly allowDestroy?: boolean;
}

/** What a run produced. */
export interface ReviewResult {
  readonly report: ReviewReport;
  /** The rendered output in the chosen format. */
  readonly output: string;
  /** 0 ok, 2 live destroy/replace without allow, 3 guard violations. */
  readonly exitCode: 0 | 2 | 3;
}

/** Reviews head against base. Throws (exit code 1 in the CLI) when a revision cannot be checked out or synthesized. */
export async function runReview(options: ReviewOptions = {}): Promise<ReviewResult> {
  const repo = options.repo ?? process.cwd();
  const tmp = mkdtempSync(join(tmpdir(), "immutable-clusters-review-"));
  const revisions: MaterializedRevision[] = [];
  const cleanup = () => {
    for (const r of revisions) r.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C, a cancelled CI job): remove the worktrees before exiting as the signal would.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const fallback = options.base === undefined ? defaultBase(repo) : undefined;
    const baseRef = fallback?.label ?? options.base!;
    const base = materialize(repo, fallback?.ref ?? options.base!, tmp, "base");
    revisions.push(base);
    const head = materialize(repo, options.head, tmp, "head");
    revisions.push(head);
    const out = (label: string) => ({ outdir: join(tmp, `${label}-out`), dist: join(tmp, `${label}-dist`) });
    const b = out("base");
    const h = out("head");
    // Both run to the end (allSettled) so no synth is still writing into a worktree when it is removed.
    const synths = await Promise.allSettled([
      synthesize(base.appDir, b.outdir, b.dist, `base (${baseRef})`),
      synthesize(head.appDir, h.outdir, h.dist, `head (${head.ref})`),
    ]);
    const failed = synths.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => (s.reason as Error).message);
    if (failed.length > 0) throw new Error(failed.join("\n"));
    const report = compareSynthOutputs(
      loadSynthOutput(b.outdir, b.dist, join(base.appDir, LOCK_FILE)),
      loadSynthOutput(h.outdir, h.dist, join(head.appDir, LOCK_FILE)),
      {
        base: { ref: baseRef, ...(base.commit ? { commit: base.commit } : {}) },
        head: { ref: head.ref, ...(head.commit ? { commit: head.commit } : {}) },
        allowDestroy: options.allowDestroy ?? false,
      },
    );
    const output = options.format === "json" ? renderJson(report) : renderMarkdown(report);
    return { report, output, exitCode: report.verdict.exitCode };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    cleanup();
  }
}
