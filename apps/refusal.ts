// Owns how the programs (the cdktf app apps/synth.ts and the CLI) print a refused input: a DefinitionError,
// DefinitionsError, ImmutabilityError or ArgumentError is printed as its problem list alone on stderr (no stack trace)
// and the process exits with status 1. Anything else is a bug and is rethrown untouched, stack trace included.
import { ArgumentError, DefinitionsError } from "../constructs/definition/arguments";
import { DefinitionError } from "../constructs/definition/validate";
import { ImmutabilityError } from "../constructs/fleet/guard";

/** Whether `error` is a refusal of the user's input (as opposed to a bug). */
export function isRefusal(error: unknown): error is Error {
  return (
    error instanceof DefinitionError ||
    error instanceof DefinitionsError ||
    error instanceof ImmutabilityError ||
    error instanceof ArgumentError
  );
}

/** Prints a refusal's message alone and exits 1; rethrows anything else. */
export function printRefusalAndExit(error: unknown): never {
  if (!isRefusal(error)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

/** Runs `body`; a refusal is printed as its problem list and ends the process with status 1. */
export function runOrRefuse(body: () => void): void {
  try {
    body();
  } catch (error) {
    printRefusalAndExit(error);
  }
}
