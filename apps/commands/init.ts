// The `init` subcommand: starts a definitions repo from the project template (placeholder until packaging lands).
import type { Command } from "commander";

export function registerInit(program: Command): void {
  program.command("init").description("start a cluster definitions repo (not yet implemented)").action(() => {
    throw new Error("init: not implemented yet");
  });
}
