// Owns one review run end to end: checks head out and starts its type check first, then synthesizes base and head (or
// loads a committed revision's cached synth, apps/review/synth-cache.ts; a cached base is not checked out, only its lock
// is read from git) in parallel into a temporary folder (head guarded by the base revision's lock, the truth of what is
// deployed), loads and compares the output, renders Markdown or JSON, and always removes the worktrees and temporary
// files. A revision that cannot be reviewed becomes the report's `errors` (exit 1), so the comment carries the refusal.
// IMMUTABLE_CLUSTERS_REVIEW_TIMES=1 writes each phase's time to stderr (apps/review/phase-times.ts).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { LOCK_FILE } from "../../constructs/fleet/lock-file";
import { compareSynthOutputs } from "./compare";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import { loadPriceTable, priceSource } from "./price-table";
import type { ReviewError, ReviewReport } from "./report";
import { cleanOutput, failedReport, synthProblems, typeProblems } from "./review-errors";
import { phaseTimes } from "./phase-times";
import {
  defaultBase,
  gitRoot,
  lockOnlyCheckout,
  materialize,
  resolveCommit,
  synthesize,
  typeCheck,
  type MaterializedRevision,
  type ToolRun,
} from "./revision";
import { cachedSynth, keepSynth, synthCacheKey } from "./synth-cache";
import { loadSynthOutput, type SynthOutput } from "./synth-output";

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
  /** A generation serving traffic in base without a base lock entry fails the review (exit 3). @default false */
  readonly strict?: boolean;
  /** Exit 0 only when nothing changes and 4 for acceptable changes. @default false */
  readonly detailedExitCode?: boolean;
}

/** What a run produced. */
export interface ReviewResult {
  readonly report: ReviewReport;
  /** The rendered output in the chosen format. */
  readonly output: string;
  /** The report's verdict: 0 ok, 1 a revision could not be reviewed, 2 live destroy/replace, 3 guard, 4 changes (detailed mode). */
  readonly exitCode: ReviewReport["verdict"]["exitCode"];
}

/** Reviews head against base. Throws only when `repo` is not in a git repository or no default base exists. */
export async function runReview(options: ReviewOptions = {}): Promise<ReviewResult> {
  const repo = options.repo ?? process.cwd();
  const mark = phaseTimes();
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
  const render = (report: ReviewReport): ReviewResult => ({
    report,
    output: options.format === "json" ? renderJson(report) : renderMarkdown(report),
    exitCode: report.verdict.exitCode,
  });
  try {
    const fallback = options.base === undefined ? defaultBase(repo) : undefined;
    const baseRef = fallback?.label ?? options.base!;
    const errors: ReviewError[] = [];
    const checkout = (label: "base" | "head", ref: string | undefined): MaterializedRevision | undefined => {
      try {
        const r = materialize(repo, ref, tmp, label);
        revisions.push(r);
        return r;
      } catch (error) {
        errors.push({ revision: label, stage: "checkout", summary: (error as Error).message, problems: [], output: "" });
        return undefined;
      }
    };
    // Base is resolved first (its errors come first) but checked out only when its synth is not cached (below).
    let baseCommit: string | undefined;
    try {
      gitRoot(repo);
      baseCommit = resolveCommit(repo, fallback?.ref ?? options.base!);
    } catch (error) {
      errors.push({ revision: "base", stage: "checkout", summary: (error as Error).message, problems: [], output: "" });
    }
    const head = checkout("head", options.head);
    mark("head checked out");
    const revisionOf = (label: "base" | "head") => {
      const commit = label === "base" ? baseCommit : head?.commit;
      return {
        ref: label === "base" ? baseRef : (head?.ref ?? options.head ?? "working tree"),
        ...(commit ? { commit } : {}),
      };
    };
    const prices = () => priceSource(loadPriceTable());
    if (!baseCommit || !head) return render(failedReport(revisionOf("base"), revisionOf("head"), errors, prices()));

    // Head's type check needs nothing of base: it starts first and runs beside everything else.
    // Its incremental state is kept per base (apps/review/revision.ts typeCheck), which pull requests against it share.
    const typesRun = typeCheck(head.appDir, tmp, "head", baseCommit);
    const out = (label: string) => ({ outdir: join(tmp, `${label}-out`), dist: join(tmp, `${label}-dist`) });
    const b = out("base");
    const h = out("head");
    // A committed revision synthesized before with the same inputs (apps/review/synth-cache.ts) is loaded, not run again.
    // Base's key is made from the repository itself (the same tree, app folder and node_modules its checkout would have);
    // a cached base needs only its lock from git, so it is not checked out at all.
    const baseKey = synthCacheKey(resolve(repo), baseCommit);
    const baseCached = cachedSynth(resolve(repo), baseKey);
    let base: MaterializedRevision;
    if (baseCached)
      base = {
        ref: baseCommit,
        commit: baseCommit,
        appDir: lockOnlyCheckout(repo, baseCommit, tmp, "base", LOCK_FILE),
        cleanup: () => undefined,
      };
    else {
      const checkedOut = checkout("base", baseCommit);
      if (!checkedOut) return render(failedReport(revisionOf("base"), revisionOf("head"), errors, prices()));
      base = checkedOut;
    }
    mark(baseCached ? "base synth cached: its lock read from git" : "base checked out");
    // The base lock is the truth of what is deployed: head is guarded with it, not with its own (which it may edit).
    const baseLock = join(base.appDir, LOCK_FILE);
    const useBaseLock = existsSync(baseLock);
    const synthOrReuse = async (
      label: string,
      revision: MaterializedRevision,
      folders: { outdir: string; dist: string },
      key: string | undefined,
      lockFile?: string,
    ) => {
      const cached = cachedSynth(revision.appDir, key);
      if (cached) return cached;
      const run = await synthesize(revision.appDir, folders.outdir, folders.dist, lockFile);
      mark(`${label} synth done`);
      // Moved into the cache (not copied) and read from there.
      return { ...keepSynth(revision.appDir, key, folders.outdir, folders.dist, run), run };
    };
    const headLock = useBaseLock ? baseLock : undefined;
    const [baseResult, headResult, headTypes] = await Promise.all([
      baseCached ?? synthOrReuse("base", base, b, baseKey),
      synthOrReuse("head", head, h, synthCacheKey(head.appDir, head.commit, headLock), headLock),
      (typesRun ?? Promise.resolve(undefined)).then((r) => (mark("head type check done"), r)),
    ]);
    const baseSynth = baseResult.run;
    const headSynth = headResult.run;
    const folders = { [base.appDir]: "<base>", [head.appDir]: "<head>", [tmp]: "<tmp>" };
    const failure = (label: "base" | "head", stage: "typecheck" | "synth", run: ToolRun): ReviewError => {
      const output = cleanOutput(run.output, folders);
      const problems = stage === "typecheck" ? typeProblems(output) : synthProblems(output);
      const what = stage === "typecheck" ? `type errors (${problems.length})` : `the synth failed (exit code ${run.code ?? "none"})`;
      // The command line names temporary folders: cleaned like the output, so no machine path reaches the report.
      const command = cleanOutput(run.command, folders)
        .split(" ")
        .map((word) => (word.startsWith("/") ? basename(word) : word))
        .join(" ");
      return { revision: label, stage, summary: `${label} (${revisionOf(label).ref}): ${what}: ${command}`, problems, output };
    };
    if (headTypes && headTypes.code !== 0) errors.push(failure("head", "typecheck", headTypes));
    if (baseSynth.code !== 0) errors.push(failure("base", "synth", baseSynth));
    if (headSynth.code !== 0) errors.push(failure("head", "synth", headSynth));
    const load = (label: "base" | "head", outdir: string, dist: string, appDir: string): SynthOutput | undefined => {
      try {
        return loadSynthOutput(outdir, dist, join(appDir, LOCK_FILE));
      } catch (error) {
        errors.push({ revision: label, stage: "load", summary: (error as Error).message, problems: [], output: "" });
        return undefined;
      }
    };
    const baseOutput = baseSynth.code === 0 ? load("base", baseResult.outdir, baseResult.dist, base.appDir) : undefined;
    const headOutput = headSynth.code === 0 ? load("head", headResult.outdir, headResult.dist, head.appDir) : undefined;
    mark("outputs loaded");
    if (errors.length > 0 || !baseOutput || !headOutput)
      return render(failedReport(revisionOf("base"), revisionOf("head"), errors, prices()));
    const report = compareSynthOutputs(baseOutput, headOutput, {
      base: revisionOf("base"),
      head: revisionOf("head"),
      allowDestroy: options.allowDestroy ?? false,
      strict: options.strict ?? false,
      detailedExitCode: options.detailedExitCode ?? false,
      baseLockUsed: useBaseLock,
    });
    mark("compared");
    const result = render(report);
    mark("rendered");
    return result;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    cleanup();
    mark("cleaned up");
  }
}
