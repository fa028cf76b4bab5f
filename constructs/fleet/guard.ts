// Owns the immutability guard: compares each deployed generation (as recorded in the fleet lock) with its definition
// and lists every change that would mutate it in place. Pool sizes, instance types, new pools, weights and the other
// fields of MUTABLE_FIELDS (immutable-inputs.ts) are allowed, and tenants on a generation of node contract 2 or later
// (its policy layer is reconciled in place); the library version never matters (artifacts are frozen).
import { resolveGeneration } from "../definition/resolve";
import type { ClusterDefinition, GenerationDefinition } from "../definition/types";
import { changedInputs } from "./immutable-inputs";
import { fingerprintResolved, isFrozen, nodeConfigName, type FleetLock, type GenerationFingerprint } from "./lock";

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
 * A frozen generation (lock version 2) is compared on its definition's immutable inputs (see immutable-inputs.ts); one
 * recorded by hashes only (version 1) on a fresh rendering, until `immutable-clusters lock` freezes it. A generation absent
 * from the lock is not deployed yet and may change freely.
 */
export function immutabilityViolations(clusters: readonly ClusterDefinition[], lock: FleetLock): GuardViolation[] {
  const violations: GuardViolation[] = [];
  for (const cluster of clusters) {
    const locked = lock.clusters[cluster.name] ?? {};
    cluster.generations.forEach((definition, gi) => {
      const before = locked[definition.id];
      if (!before) return;
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
      if (isFrozen(before)) {
        // Node contract 2 and later reconcile the policy layer (tenants) on the running generation: not a mutation.
        for (const change of changedInputs(before.inputs, cluster, definition, { policyLayerInPlace: before.nodeContract >= 2 })) {
          const was = show(change.before);
          const now = show(change.after);
          add(change.field, was, now, `${describe(change.field)} changed from ${was} to ${now}`);
        }
        return;
      }
      legacyViolations(cluster, definition, gi, before, add);
    });
  }
  return violations;
}

/** A field's name in a message: what a reviewer calls it. */
function describe(field: string): string {
  if (/\.kubernetesVersion$/.test(field)) return "Kubernetes version";
  if (/\.flatcar\.[a-z]+$/.test(field)) return `Flatcar image ${field.slice(field.lastIndexOf(".") + 1)}`;
  return field.replace(/^generations\[\d+\]\./, "");
}

/** A JSON value in a message, kept short. */
function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The version 1 guard: a fresh rendering against the recorded hashes. */
function legacyViolations(
  cluster: ClusterDefinition,
  definition: GenerationDefinition,
  gi: number,
  before: GenerationFingerprint,
  add: (field: string, was: string, now: string, what: string) => void,
): void {
  const gen = resolveGeneration(cluster, definition);
  const after = fingerprintResolved(gen);
  const at = `generations[${gi}]`;
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
  const unfrozen = `(${cluster.name}/${definition.id} is recorded by hashes only: if only the library changed, freeze it as deployed with "immutable-clusters lock ${cluster.name}/${definition.id}" run by the library version that deployed it)`;
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
    add(role.field, was, now, `node bootstrap (Ignition) of ${role.label} changed (${short(was)}… -> ${short(now)}…) ${unfrozen}`);
  }
  if (before.addons !== after.addons) {
    add(
      `${at}.addons`,
      before.addons,
      after.addons,
      `addon manifests changed (${short(before.addons)}… -> ${short(after.addons)}…) ${unfrozen}`,
    );
  }
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
