// Owns parsing each cluster definition once while addClusters builds a fleet's stacks. addClusters parses every
// definition; the constructs it then makes from the parsed form (KubernetesCluster per generation, the traffic and the
// identity stack) each parsed it again, getting an equal copy: five parses per cluster instead of one (about 3% of a
// fleet's CPU). Inside withParsedDefinitions, a definition addClusters parsed is taken as it is; outside it, and for
// any other object, validateDefinition runs as before, so a construct made on its own still refuses bad input.
import type { ClusterDefinition } from "./types";
import { validateDefinition } from "./validate";

/** The definitions parsed by the addClusters call that is running, if one is. */
let parsedNow: WeakSet<object> | undefined;

/** Runs `build` with `parsed` (what validateDefinition returned, not changed since) taken as parsed; restores afterwards. */
export function withParsedDefinitions<T>(parsed: readonly ClusterDefinition[], build: () => T): T {
  const previous = parsedNow;
  parsedNow = new WeakSet(parsed);
  try {
    return build();
  } finally {
    parsedNow = previous;
  }
}

/** validateDefinition(input), or `input` itself when it is a definition the running addClusters call parsed. */
export function parsedDefinition(input: unknown): ClusterDefinition {
  if (typeof input === "object" && input !== null && parsedNow?.has(input)) return input as ClusterDefinition;
  return validateDefinition(input);
}
