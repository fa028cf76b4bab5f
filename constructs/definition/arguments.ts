// Owns the argument checks of the public entry points that take cluster definitions (addClusters, synthClusters,
// synthCluster, the CLI's loaders): the value must be a list of definitions (or one definition), every definition is
// validated, and what comes back is the parsed definitions, which are all synthesis may use. Never a TypeError.
import { DefinitionError, validateDefinition } from "./validate";
import type { ClusterDefinition } from "./types";

/** A public entry point was called with an argument of the wrong kind; says which argument and what to pass. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArgumentError";
  }
}

/** Several definitions are invalid; each DefinitionError lists its own problems. */
export class DefinitionsError extends Error {
  constructor(readonly errors: readonly DefinitionError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "DefinitionsError";
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

/**
 * Checks that `definitions` is a list of valid, distinctly named cluster definitions and returns their parsed form.
 * Throws an ArgumentError (wrong kind of argument), a DefinitionError (one invalid definition) or a DefinitionsError.
 */
export function validateDefinitions(definitions: unknown, caller: string): ClusterDefinition[] {
  if (!Array.isArray(definitions)) {
    const hint =
      typeof definitions === "object" && definitions !== null && "name" in definitions
        ? `; to pass one definition, wrap it in a list: ${caller}(..., [definition])`
        : "";
    throw new ArgumentError(
      `${caller}: definitions must be a list of cluster definitions, e.g. [prod, staging], not ${kindOf(definitions)}${hint}`,
    );
  }
  const parsed: ClusterDefinition[] = [];
  const errors: DefinitionError[] = [];
  definitions.forEach((definition: unknown, index) => {
    try {
      parsed.push(validateDefinition(definition));
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      errors.push(error.clusterName === "(unnamed)" ? new DefinitionError(`definitions[${index}]`, error.problems) : error);
    }
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new DefinitionsError(errors);
  const names = parsed.map((d) => d.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) {
    throw new DefinitionError(twice, [
      { field: "name", message: `two cluster definitions are named "${twice}"; give each logical cluster its own name` },
    ]);
  }
  return parsed;
}

/** Checks that `definition` is one valid cluster definition (not a list) and returns its parsed form. */
export function validateOneDefinition(definition: unknown, caller: string): ClusterDefinition {
  if (Array.isArray(definition)) {
    throw new ArgumentError(`${caller}: takes one cluster definition, not a list; use synthClusters(definitions) for a list`);
  }
  return validateDefinitions([definition], caller)[0];
}
