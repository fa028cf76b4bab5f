// Owns turning cluster definitions into the stacks of a cdktf app: one stack per generation plus one traffic stack and
// one identity stack (service-account issuer, workload roles) per logical cluster. Every definition is validated and checked against the fleet lock first, so nothing is synthesized
// when any is invalid or would change a deployed generation in place.
import type { Construct } from "constructs";
import type { ClusterDefinition } from "../definition/types";
import { validateDefinitions } from "../definition/arguments";
import { withParsedDefinitions } from "../definition/parsed-definitions";
import { NODE_CONTRACT } from "../cluster/node-contract";
import { GenerationStack } from "./generation-stack";
import { ImmutabilityError, immutabilityViolations } from "./guard";
import { generationKey, type FrozenArtifacts } from "./frozen-artifacts";
import { IdentityStack } from "./identity-stack";
import { isFrozen, type FleetLock } from "./lock";
import { TrafficStack } from "./traffic-stack";

/** The stacks of one logical cluster. */
export interface ClusterStacks {
  readonly definition: ClusterDefinition;
  readonly generations: readonly GenerationStack[];
  readonly traffic: TrafficStack;
  /** `<cluster>-identity`: the service-account issuer shared by the generations, and the workload roles. */
  readonly identity: IdentityStack;
}

/** How `addClusters` treats deployed generations. */
export interface AddClustersOptions {
  /**
   * The fleet lock (clusters/generations.lock.json, see parseFleetLock): which generations are deployed and what they
   * are made of. Without it no generation counts as deployed and the guard has nothing to check.
   * @default undefined (no guard)
   */
  readonly lock?: FleetLock;
  /**
   * `enforce` throws an ImmutabilityError listing every in-place change to a deployed generation; `report` synthesizes
   * anyway (callers list the changes with immutabilityViolations, e.g. for review).
   * @default "enforce"
   */
  readonly guard?: "enforce" | "report";
  /**
   * The frozen artifacts of the lock's frozen generations, by `<cluster>/<generation>` (readFrozenArtifacts(lock)).
   * Required for every frozen generation the definitions still hold: its stack uploads them instead of a rendering.
   * @default none
   */
  readonly frozen?: ReadonlyMap<string, FrozenArtifacts>;
}

/** Validates every definition and guards deployed generations, then adds their stacks to `app`. Throws before adding anything. */
export function addClusters(app: Construct, definitions: readonly ClusterDefinition[], options: AddClustersOptions = {}): ClusterStacks[] {
  // Argument checks (VALIDATION): a list of valid, distinctly named definitions; from here on only their parsed form is used.
  const written = definitions;
  definitions = validateDefinitions(definitions, "addClusters");
  if (options.lock && (options.guard ?? "enforce") === "enforce") {
    // The guard compares what the user wrote (as the lock recorded it), not the parsed form with this library's
    // defaults filled in: a default that changes with a library upgrade is not a change to a frozen generation.
    const violations = immutabilityViolations(written, options.lock);
    if (violations.length > 0) throw new ImmutabilityError(violations);
  }
  const frozen = options.frozen ?? new Map<string, FrozenArtifacts>();
  const missing = definitions.flatMap((d) =>
    d.generations
      .filter((g) => isFrozenEntry(options.lock, d.name, g.id) && !frozen.has(generationKey(d.name, g.id)))
      .map((g) => generationKey(d.name, g.id)),
  );
  if (missing.length > 0)
    throw new Error(
      `frozen: the lock records ${missing.join(", ")} as frozen but no frozen artifacts were passed; pass frozen: readFrozenArtifacts(lock)`,
    );
  // The stacks below take these parsed definitions as they are instead of parsing each again (parsed-definitions.ts).
  const parsed = definitions;
  return withParsedDefinitions(parsed, () => addStacks(app, parsed, frozen));
}

/** The stacks of each parsed definition: one per generation, its traffic stack and its identity stack. */
function addStacks(
  app: Construct,
  definitions: readonly ClusterDefinition[],
  frozen: ReadonlyMap<string, FrozenArtifacts>,
): ClusterStacks[] {
  return definitions.map((definition) => ({
    definition,
    generations: definition.generations.map(
      (g) =>
        new GenerationStack(app, { cluster: definition, generationId: g.id, frozen: frozen.get(generationKey(definition.name, g.id)) }),
    ),
    traffic: new TrafficStack(app, { cluster: definition }),
    identity: new IdentityStack(app, {
      cluster: definition,
      // Node contract 3 and later sign with the cluster issuer; a frozen generation keeps its contract's own issuer.
      issuingGenerations: definition.generations
        .filter((g) => (frozen.get(generationKey(definition.name, g.id))?.nodeContract ?? NODE_CONTRACT) >= 3)
        .map((g) => g.id),
    }),
  }));
}

function isFrozenEntry(lock: FleetLock | undefined, cluster: string, generationId: string): boolean {
  const entry = lock?.clusters[cluster]?.[generationId];
  return entry !== undefined && isFrozen(entry);
}
