// The `review` subcommand: a semantic diff of two revisions' synthesized output (placeholder until the review lands).
import type { Command } from "commander";

export function registerReview(program: Command): void {
  program.command("review").description("compare the synthesized output of two revisions (not yet implemented)").action(() => {
    throw new Error("review: not implemented yet");
  });
}
