#!/usr/bin/env node
// The command-line tool (`immutable-clusters`): one subcommand per file under apps/commands/. Only the subcommand being
// run is loaded (each pulls in a different part of the library or the AWS SDK; the review needs neither); help and an
// unknown command load them all, so both list every subcommand.
import { Command } from "commander";

/** Each subcommand's name and how to load its registration, in the order help lists them. */
const COMMANDS: readonly { readonly name: string; readonly register: () => (program: Command) => void }[] = [
  { name: "review", register: () => (require("./commands/review") as typeof import("./commands/review")).registerReview },
  { name: "init", register: () => (require("./commands/init") as typeof import("./commands/init")).registerInit },
  { name: "lock", register: () => (require("./commands/lock") as typeof import("./commands/lock")).registerLock },
  { name: "token", register: () => (require("./commands/token") as typeof import("./commands/token")).registerToken },
  { name: "kubeconfig", register: () => (require("./commands/kubeconfig") as typeof import("./commands/kubeconfig")).registerKubeconfig },
  { name: "validate", register: () => (require("./commands/validate") as typeof import("./commands/validate")).registerValidate },
  { name: "restore", register: () => (require("./commands/restore") as typeof import("./commands/restore")).registerRestore },
];

const program = new Command("immutable-clusters").description("Immutable Kubernetes clusters on Flatcar, as code");
const requested = COMMANDS.filter((c) => c.name === process.argv[2]);
for (const command of requested.length > 0 ? requested : COMMANDS) command.register()(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  const { isRefusal, printRefusalAndExit } = require("./refusal") as typeof import("./refusal");
  // A refused definition (e.g. loaded by `lock`) prints its problem list alone and exits 1, like `npm run synth`.
  if (isRefusal(error)) printRefusalAndExit(error);
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
});
