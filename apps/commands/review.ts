// The `review` subcommand: a semantic diff of two revisions' synthesized output (Terraform, decoded Ignition, Kubernetes
// objects, cost, rollout notes, apply plan, Mermaid) as Markdown or JSON. Exit codes: 0 ok, 1 a revision could not be
// reviewed (the report says why), 2 live destroy/replace without --allow-destroy, 3 the guard refuses, 4 (only with
// --detailed-exitcode) acceptable changes (see docs/review.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { runReview } from "../review/review";

interface ReviewFlags {
  base?: string;
  head?: string;
  repo: string;
  format: string;
  out?: string;
  allowDestroy: boolean;
  strict: boolean;
  detailedExitcode: boolean;
}

export function registerReview(program: Command): void {
  program
    .command("review")
    .description("compare the synthesized output of two revisions (default: merge base with origin/main vs the working tree)")
    .option("--base <ref>", "base revision (default: git merge-base HEAD origin/main, else main)")
    .option("--head <ref>", "head revision (default: the working tree, uncommitted changes included)")
    .option("--repo <dir>", "folder holding cdktf.json, inside the git repository", ".")
    .option("--format <format>", "markdown or json", "markdown")
    .option("--out <file>", "write the review to this file instead of stdout")
    .option("--allow-destroy", "accept destroying or replacing live resources (exit 0 instead of 2)", false)
    .option("--strict", "fail (exit 3) when a generation serving traffic in base is not in the base fleet lock", false)
    .option("--detailed-exitcode", "exit 0 only when nothing changes and 4 when everything that changes is acceptable", false)
    .addHelpText(
      "after",
      "\nExit codes: 0 ok (with --detailed-exitcode: no changes), 1 a revision could not be reviewed (type errors, synth\n" +
        "errors, bad ref; the report says why), 2 something live would be destroyed or replaced (without --allow-destroy),\n" +
        "3 the immutability guard refuses (a change to a deployed generation, a lock entry removed while still defined,\n" +
        "with --strict a live generation missing from the lock), 4 only with --detailed-exitcode: acceptable changes.",
    )
    .action(async (flags: ReviewFlags) => {
      try {
        if (flags.format !== "markdown" && flags.format !== "json") {
          throw new Error(`review: --format ${flags.format} is not supported; use markdown or json`);
        }
        const result = await runReview({
          repo: resolve(flags.repo),
          base: flags.base,
          head: flags.head,
          format: flags.format,
          allowDestroy: flags.allowDestroy,
          strict: flags.strict,
          detailedExitCode: flags.detailedExitcode,
        });
        if (flags.out) {
          mkdirSync(dirname(resolve(flags.out)), { recursive: true });
          writeFileSync(flags.out, result.output);
          const s = result.report.summary;
          console.error(
            `review: ${s.stacksAdded} stack(s) added, ${s.stacksChanged} changed, ${s.stacksRemoved} removed; exit ${result.exitCode}: ${result.report.verdict.reason}; wrote ${flags.out}`,
          );
        } else process.stdout.write(result.output);
        process.exitCode = result.exitCode;
      } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      }
    });
}
