// Owns the body of a definitions repository's cdktf app (apps/synth.ts here and in the init template): read the fleet
// lock and the frozen artifacts of deployed generations, add every cluster's stacks, synthesize, and leave beside the
// Terraform JSON what the review reads (fleet-status.json; guard-violations.json in report mode). It tells the user,
// once per generation, when a frozen generation is behind the library or a new one would run a Kubernetes minor past
// upstream support, and once per stack that keeps local state.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterDefinition } from "../definition/types";
import { pastUpstreamSupportNotice } from "../ignition/kubernetes-support";
import { LIBRARY_VERSION } from "../library-version";
import { App } from "../platform/terraform";
import { addClusters, type ClusterStacks } from "./fleet";
import { readFrozenArtifacts } from "./frozen-artifacts";
import { immutabilityViolations } from "./guard";
import { readFleetLock } from "./lock";
import { withCheapCaptures } from "./stack-capture";
import { localStateWarning } from "./state-backend";

/** Environment variable: `report` synthesizes despite refused changes and lists them in guard-violations.json. */
export const GUARD_MODE_ENV = "IMMUTABLE_CLUSTERS_GUARD";

/** One generation's line in fleet-status.json. */
export interface GenerationStatus {
  readonly cluster: string;
  readonly generation: string;
  /** Its stack, e.g. `prod-a`. */
  readonly stack: string;
  /** Recorded as deployed in the lock (frozen, or by hashes only). */
  readonly locked: boolean;
  /** Its share of the cluster's traffic now. */
  readonly weight: number;
  /** Library version of its frozen artifacts; null when it is rendered by this library. */
  readonly frozenWith: string | null;
  /** What this library would render differently (see GenerationStack.behindLibrary). */
  readonly behindLibrary: readonly string[];
}

/** fleet-status.json: every generation of the app, deployed or not, in definition order. */
export interface FleetStatus {
  /** Version of immutable-clusters that synthesized this output. */
  readonly libraryVersion: string;
  readonly generations: readonly GenerationStatus[];
}

/** Options of synthFleet. */
export interface SynthFleetOptions {
  /** Root of the definitions repository (where clusters/generations.lock.json and clusters/deployed/ are). @default "." */
  readonly root?: string;
  /** Environment to read IMMUTABLE_CLUSTERS_GUARD and IMMUTABLE_CLUSTERS_LOCK_FILE from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the Terraform JSON goes. @default cdktf's (CDKTF_OUTDIR, else cdktf.out) */
  readonly outdir?: string;
  /** Where notices go (one line each). @default console.warn (stderr) */
  readonly notify?: (line: string) => void;
}

/** What synthFleet made. */
export interface FleetSynthesis {
  readonly app: App;
  readonly stacks: readonly ClusterStacks[];
  readonly status: FleetStatus;
}

/** The status of every generation stack. */
export function fleetStatus(stacks: readonly ClusterStacks[], lock: ReturnType<typeof readFleetLock>): FleetStatus {
  return {
    libraryVersion: LIBRARY_VERSION,
    generations: stacks.flatMap(({ definition, generations }) =>
      generations.map((stack) => {
        const gen = stack.cluster.generation;
        return {
          cluster: definition.name,
          generation: gen.generationId,
          stack: gen.fullName,
          locked: lock?.clusters[definition.name]?.[gen.generationId] !== undefined,
          weight: gen.weight,
          frozenWith: stack.frozenWith ?? null,
          behindLibrary: stack.behindLibrary,
        };
      }),
    ),
  };
}

/** The notice for a frozen generation the library would render differently, or undefined. */
export function behindLibraryNotice(status: GenerationStatus): string | undefined {
  if (status.frozenWith === null || status.behindLibrary.length === 0) return undefined;
  const rendered =
    status.frozenWith === LIBRARY_VERSION
      ? `immutable-clusters ${status.frozenWith} (this version)`
      : `immutable-clusters ${status.frozenWith}`;
  return (
    `${status.cluster}/${status.generation} is frozen as rendered by ${rendered}; this library (${LIBRARY_VERSION}) would render ` +
    `${status.behindLibrary.join(", ")} differently. Its nodes keep what they booted with: create a new generation to pick the changes up.`
  );
}

/** Synthesizes every cluster of a definitions repository into the app's outdir (cdktf.out/ or CDKTF_OUTDIR). */
export function synthFleet(clusters: readonly ClusterDefinition[], options: SynthFleetOptions = {}): FleetSynthesis {
  const root = options.root ?? ".";
  const env = options.env ?? process.env;
  const notify = options.notify ?? ((line: string) => console.warn(line));
  const guard = env[GUARD_MODE_ENV] === "report" ? "report" : "enforce";
  const lock = readFleetLock(root, env);
  const frozen = readFrozenArtifacts(lock, root);
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  // cdktf's token stack traces are never written out; not formatting them saves a third of a large fleet's CPU.
  const stacks = withCheapCaptures(() => {
    const added = addClusters(app, clusters, { lock, guard, frozen });
    app.synth();
    return added;
  });
  if (guard === "report") {
    const violations = lock ? immutabilityViolations(clusters, lock) : [];
    writeFileSync(join(app.outdir, "guard-violations.json"), JSON.stringify(violations, null, 2) + "\n");
  }
  const status = fleetStatus(stacks, lock);
  writeFileSync(join(app.outdir, "fleet-status.json"), JSON.stringify(status, null, 2) + "\n");
  for (const generation of status.generations) {
    const notice = behindLibraryNotice(generation);
    if (notice) notify(notice);
  }
  for (const { definition, generations } of stacks)
    for (const { cluster } of generations) {
      const { generationId, kubernetesVersion } = cluster.generation;
      const locked = lock?.clusters[definition.name]?.[generationId] !== undefined;
      const notice = pastUpstreamSupportNotice({ cluster: definition.name, generation: generationId, kubernetesVersion, locked });
      if (notice) notify(notice);
    }
  for (const { definition, generations, traffic, identity } of stacks)
    if (!definition.stateBackend)
      for (const stack of [...generations, traffic, identity]) notify(localStateWarning(definition.name, stack.node.id));
  return { app, stacks, status };
}
