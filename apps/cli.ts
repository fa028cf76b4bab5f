#!/usr/bin/env node
// The command-line tool (`immutable-clusters`): one subcommand per file under apps/commands/.
import { Command } from "commander";
import { registerInit } from "./commands/init";
import { registerLock } from "./commands/lock";
import { registerReview } from "./commands/review";
import { registerToken } from "./commands/token";
import { isRefusal, printRefusalAndExit } from "./refusal";

const program = new Command("immutable-clusters").description("Immutable Kubernetes clusters on Flatcar, as code");
registerReview(program);
registerInit(program);
registerLock(program);
registerToken(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  // A refused definition (e.g. loaded by `lock`) prints its problem list alone and exits 1, like `npm run synth`.
  if (isRefusal(error)) printRefusalAndExit(error);
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
