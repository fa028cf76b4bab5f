// Owns turning cluster definitions into the stacks of a cdktf app: one stack per generation plus one traffic stack per
// logical cluster. Every definition is validated first, so nothing is synthesized when any is invalid.
import type { Construct } from "constructs";
import type { ClusterDefinition } from "../definition/types";
import { DefinitionError, definitionProblems } from "../definition/validate";
import { GenerationStack } from "./generation-stack";
import { TrafficStack } from "./traffic-stack";

/** The stacks of one logical cluster. */
export interface ClusterStacks {
  readonly definition: ClusterDefinition;
  readonly generations: readonly GenerationStack[];
  readonly traffic: TrafficStack;
}

/** Validates every definition, then adds their stacks to `app`. Throws before adding anything if any is invalid. */
export function addClusters(app: Construct, definitions: readonly ClusterDefinition[]): ClusterStacks[] {
  const invalid = definitions
    .map((d) => ({ d, problems: definitionProblems(d) }))
    .filter((x) => x.problems.length > 0)
    .map((x) => new DefinitionError(typeof x.d?.name === "string" ? x.d.name : "(unnamed)", x.problems));
  if (invalid.length === 1) throw invalid[0];
  if (invalid.length > 1) throw new Error(invalid.map((e) => e.message).join("\n"));
  const names = definitions.map((d) => d.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`name: two cluster definitions are named "${twice}"; give each logical cluster its own name`);
  return definitions.map((definition) => ({
    definition,
    generations: definition.generations.map((g) => new GenerationStack(app, { cluster: definition, generationId: g.id })),
    traffic: new TrafficStack(app, { cluster: definition }),
  }));
}
