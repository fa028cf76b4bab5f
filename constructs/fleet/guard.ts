// Owns the immutability guard: compares each deployed generation (as recorded in the fleet lock) with its definition
// and lists every change that would mutate it in place. Pool sizes, instance types, new pools and weights are allowed.
import { resolveGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { fingerprintResolved, nodeConfigName, type FleetLock } from "./lock";

/** One refused change to a deployed generation. */
export interface GuardViolation {
  /** Logical cluster name, e.g. `prod`. */
  readonly cluster: string;
  /** Generation id, e.g. `a`. */
  readonly generation: string;
  /** Dotted path of the definition field whose change is refused, e.g. `generations[0].kubernetesVersion`. */
  readonly field: string;
  /** What the lock recorded. */
  readonly before: string;
  /** What the definition gives now. */
  readonly after: string;
  /** What changed and what to do instead. */
  readonly message: string;
}

/** Thrown by `addClusters` when a definition changes a deployed generation in place. */
export class ImmutabilityError extends Error {
  constructor(readonly violations: readonly GuardViolation[]) {
    super(
      `${violations.length} change${violations.length === 1 ? "" : "s"} to deployed generations refused; nothing was synthesized:\n` +
        violations.map((v) => `  - ${v.cluster}/${v.generation} ${v.field}: ${v.message}`).join("\n"),
    );
    this.name = "ImmutabilityError";
  }
}

/** `sha256:` and the first 12 hex digits, enough to tell two configs apart in a message. */
const short = (hash: string) => hash.slice(0, 19);

/**
 * Every in-place change to a generation the lock records as deployed. Definitions must be valid (see validateDefinition).
 * A generation absent from the lock is not deployed yet and may change freely.
 */
export function immutabilityViolations(clusters: readonly ClusterDefinition[], lock: FleetLock): GuardViolation[] {
  const violations: GuardViolation[] = [];
  for (const cluster of clusters) {
    const locked = lock.clusters[cluster.name] ?? {};
    cluster.generations.forEach((definition, gi) => {
      const before = locked[definition.id];
      if (!before) return;
      const gen = resolveGeneration(cluster, definition);
      const after = fingerprintResolved(gen);
      const at = `generations[${gi}]`;
      const fresh = `create a new generation (e.g. "${nextGenerationId(cluster)}") with the change, shift traffic to it and retire "${definition.id}"`;
      const add = (field: string, was: string, now: string, what: string) =>
        violations.push({
          cluster: cluster.name,
          generation: definition.id,
          field,
          before: was,
          after: now,
          message: `${what}; deployed generations are immutable: ${fresh}`,
        });

      if (before.kubernetesVersion !== after.kubernetesVersion) {
        add(
          `${at}.kubernetesVersion`,
          before.kubernetesVersion,
          after.kubernetesVersion,
          `Kubernetes version changed from ${before.kubernetesVersion} to ${after.kubernetesVersion}`,
        );
      }
      if (before.flatcarImage !== after.flatcarImage) {
        add(
          `${at}.flatcar`,
          before.flatcarImage,
          after.flatcarImage,
          `Flatcar image changed from ${before.flatcarImage} to ${after.flatcarImage}`,
        );
      }
      const roles = [
        { name: nodeConfigName({ kind: "controller" }), field: `${at}.controlPlane`, label: "the control plane" },
        ...gen.workerPools.map((pool, pi) => ({
          name: nodeConfigName({ kind: "worker", pool }),
          field: `${at}.workerPools[${pi}]`,
          label: `pool "${pool.name}"`,
        })),
      ];
      for (const role of roles) {
        const was = before.nodeConfigs[role.name];
        const now = after.nodeConfigs[role.name];
        // A pool the lock does not know was added after deploy: allowed; `immutable-clusters lock` records it.
        if (was === undefined || was === now) continue;
        add(role.field, was, now, `node bootstrap (Ignition) of ${role.label} changed (${short(was)}… -> ${short(now)}…)`);
      }
      if (before.addons !== after.addons) {
        add(`${at}.addons`, before.addons, after.addons, `addon manifests changed (${short(before.addons)}… -> ${short(after.addons)}…)`);
      }
    });
  }
  return violations;
}

/** A generation id not used yet in the cluster, for the error's suggestion: the letter after the last one-letter id. */
function nextGenerationId(cluster: ClusterDefinition): string {
  const used = new Set(cluster.generations.map((g) => g.id));
  for (let c = "a".charCodeAt(0); c <= "z".charCodeAt(0); c++) {
    const id = String.fromCharCode(c);
    if (!used.has(id) && [...used].every((u) => u.length !== 1 || u < id)) return id;
  }
  for (let n = 2; ; n++) if (!used.has(`g${n}`)) return `g${n}`;
}
