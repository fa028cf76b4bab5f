// Owns which parts of a definition a deployed generation is made of (its immutable inputs) and which may change in
// place: the guard compares definitions, not renderings. A frozen generation's nodes keep the configs they booted with,
// so a field whose meaning lives in those configs or in the addon manifests (versions, node settings, addons, names)
// cannot change; a field that only Terraform acts on (sizes, instance types, weights, tags, admin ranges) can.
import microdiff from "microdiff";
import { POLICY_LAYER_ADDONS } from "../addons/policy-layer";
import type { ClusterDefinition, GenerationDefinition } from "../definition/types";

/** A JSON object of the immutable inputs of one generation, keys sorted: what the lock records at freeze time. */
export type ImmutableInputs = {
  readonly cluster: Readonly<Record<string, unknown>>;
  readonly generation: Readonly<Record<string, unknown>>;
};

/**
 * Fields that may change on a deployed generation, as paths in the cluster definition (`*` = any generation/pool).
 * Everything else is immutable, so a field added later is guarded until someone decides it is safe here.
 */
export const MUTABLE_FIELDS: readonly string[] = [
  "tags",
  "stateBackend",
  "network.adminCidrs",
  "network.privateSubnets",
  "traffic.hostname",
  "generations[*].weight",
  "generations[*].state",
  "generations[*].controlPlane.instanceType",
  "generations[*].controlPlane.rootVolume",
  "generations[*].workerPools (adding or removing a pool)",
  "generations[*].workerPools[*].instanceTypes",
  "generations[*].workerPools[*].minSize",
  "generations[*].workerPools[*].maxSize",
  "generations[*].workerPools[*].desiredCapacity",
  "generations[*].workerPools[*].autoscale.min",
  "generations[*].workerPools[*].autoscale.max",
  "generations[*].workerPools[*].rootVolume",
  "generations[*].workerPools[*].spot",
  "generations[*].addons.tenants (node contract 2 and later: the policy layer, reconciled in place; constructs/addons/policy-layer.ts)",
  "serviceAccounts (the workload roles of the identity stack; no generation renders them)",
];

const MUTABLE_CLUSTER_KEYS = ["tags", "stateBackend", "generations", "serviceAccounts"];
const MUTABLE_NETWORK_KEYS = ["adminCidrs", "privateSubnets"];
const MUTABLE_GENERATION_KEYS = ["weight", "state"];
const MUTABLE_CONTROL_PLANE_KEYS = ["instanceType", "rootVolume"];
const MUTABLE_POOL_KEYS = ["instanceTypes", "minSize", "maxSize", "desiredCapacity", "rootVolume", "spot"];

/** A deep copy of a plain JSON value with object keys sorted (deterministic lock bytes) and undefined members dropped. */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalJson(v);
    }
    return out;
  }
  return value;
}

function without(value: object | undefined, keys: readonly string[]): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

/**
 * A pool's immutable inputs. Its autoscale bounds are Auto Scaling group settings (mutable); whether it is autoscaled at
 * all is not: that decides whether the generation's frozen addon manifests hold cluster-autoscaler and its controller
 * role the permission to scale (constructs/addons/registry.ts, node-permissions.ts), so it is kept as `autoscale: {}`.
 */
function poolInputs(pool: GenerationDefinition["workerPools"][number]): Record<string, unknown> | undefined {
  const rest = without(pool, [...MUTABLE_POOL_KEYS, "name", "autoscale"]);
  return pool.autoscale ? { ...rest, autoscale: {} } : rest;
}

/** The immutable inputs of one generation: the definition with every mutable field left out. */
export function immutableInputs(cluster: ClusterDefinition, generation: GenerationDefinition): ImmutableInputs {
  const traffic = without(cluster.traffic, ["hostname"]);
  const clusterPart = {
    ...without(cluster, MUTABLE_CLUSTER_KEYS),
    network: without(cluster.network, MUTABLE_NETWORK_KEYS),
    // A traffic block that only names the hostname is the same as none.
    traffic: traffic && Object.values(traffic).some((v) => v !== undefined) ? traffic : undefined,
  };
  const generationPart: Record<string, unknown> = {
    ...without(generation, MUTABLE_GENERATION_KEYS),
    controlPlane: without(generation.controlPlane, MUTABLE_CONTROL_PLANE_KEYS),
    // Pools by name: adding or removing one is a Terraform-only change; what a pool's nodes boot with is not.
    workerPools: Object.fromEntries(generation.workerPools.map((p) => [p.name, poolInputs(p)])),
  };
  return canonicalJson({ cluster: clusterPart, generation: generationPart }) as ImmutableInputs;
}

/** One changed immutable input. */
export interface InputChange {
  /** Field path in the cluster definition, e.g. `generations[0].workerPools[1].labels`, `network.vpcCidr`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * The immutable inputs that differ between what was frozen and the definition now. A pool frozen but no longer defined,
 * or defined but not frozen, is not a change (pools may be added and removed); any other difference is, down to the
 * first differing key.
 */
export function changedInputs(
  frozen: ImmutableInputs,
  cluster: ClusterDefinition,
  generation: GenerationDefinition,
  options: ChangedInputsOptions = {},
): InputChange[] {
  const now = options.policyLayerInPlace ? withoutPolicyLayer(immutableInputs(cluster, generation)) : immutableInputs(cluster, generation);
  if (options.policyLayerInPlace) frozen = withoutPolicyLayer(frozen);
  const gi = cluster.generations.indexOf(generation);
  const poolIndex = new Map(generation.workerPools.map((p, i) => [p.name, i]));
  const frozenPools = (frozen.generation.workerPools ?? {}) as Record<string, unknown>;
  const nowPools = (now.generation.workerPools ?? {}) as Record<string, unknown>;
  const shared = (pools: Record<string, unknown>, other: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(pools).filter(([name]) => name in other));
  const before = { ...frozen, generation: { ...frozen.generation, workerPools: shared(frozenPools, nowPools) } };
  const after = { ...now, generation: { ...now.generation, workerPools: shared(nowPools, frozenPools) } };

  const changes = new Map<string, InputChange>();
  for (const d of microdiff(before as Record<string, unknown>, after as Record<string, unknown>)) {
    // Report at a reviewer's granularity: `network.vpcCidr`, `generations[0].addons.logging`, `...workerPools[1].labels`.
    const [part, ...rest] = d.path.map(String);
    const keep = part === "cluster" ? (GROUPS.includes(rest[0]) ? 2 : 1) : rest[0] === "workerPools" ? 3 : GROUPS.includes(rest[0]) ? 2 : 1;
    const path = [part, ...rest.slice(0, keep)];
    const keys = path.slice(1);
    const field =
      part === "cluster"
        ? keys.join(".")
        : keys[0] === "workerPools"
          ? `generations[${gi}].workerPools[${poolIndex.get(keys[1])}]${keys[2] ? `.${keys[2]}` : ""}`
          : `generations[${gi}].${keys.join(".")}`;
    if (!changes.has(field)) changes.set(field, { field, before: valueAt(before, path), after: valueAt(after, path) });
  }
  return [...changes.values()];
}

/** How changedInputs compares. */
export interface ChangedInputsOptions {
  /**
   * The generation reconciles its policy layer in place (node contract 2 and later): `addons.tenants` may change.
   * @default false (contract 1: tenants were frozen with the other addons)
   */
  readonly policyLayerInPlace?: boolean;
}

/** Inputs without the policy layer's addons (POLICY_LAYER_ADDONS); an addons group left empty counts as none. */
function withoutPolicyLayer(inputs: ImmutableInputs): ImmutableInputs {
  const addons = without(inputs.generation.addons as object | undefined, POLICY_LAYER_ADDONS);
  const generation = { ...inputs.generation, addons: addons && Object.keys(addons).length > 0 ? addons : undefined };
  return canonicalJson({ cluster: inputs.cluster, generation }) as ImmutableInputs;
}

/** Definition fields that are groups of settings: a change is named one level inside them. */
const GROUPS = ["network", "dns", "traffic", "controlPlane", "flatcar", "networking", "addons"];

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const key of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[String(key)] : undefined;
  return v;
}
