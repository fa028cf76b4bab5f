// Owns the rollout notes of a review: for each change, when it takes effect on what runs. Sizes, weights and other
// in-place updates apply at deploy; a launch template or node config change (image, user data, instance types of a
// mixed instances policy) reaches only instances launched afterwards, because Auto Scaling does not replace running
// instances without an instance refresh, which the constructs do not configure; addon objects never reach a running
// generation (the first control-plane node applies them once, at `kubeadm init`, see docs/node-boot.md), except the
// policy layer (tenants) of node contract 2 generations, which their control plane reconciles within minutes
// (constructs/addons/policy-layer.ts); a locked generation keeps its frozen artifacts however the library renders today.
import { POLICY_MANIFESTS_KEY, POLICY_RECONCILE_MINUTES } from "../../constructs/addons/policy-layer-keys";
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import type { GenerationStatus } from "./fleet-status";
import { storedObjectText } from "../../constructs/cluster/node-bucket-object-content";
import { parseManifests } from "./kubernetes-diff";
import type { ResourceChange, RolloutNote, StackReview } from "./report";

/** Inputs besides the stacks: what base says is deployed, and head's fleet status. */
export interface RolloutContext {
  /** Whether base counts the generation of `stack` as deployed (in the base lock, or serving traffic). */
  readonly deployedInBase: (stack: string) => boolean;
  /** Head's fleet-status.json, when its synth wrote one. */
  readonly headStatus?: readonly GenerationStatus[];
  /**
   * Keys (`<kind>/<namespace>/<name>`) of the objects a stack's policy layer holds in base or head (its
   * `policy/manifests.yaml`, see policyObjectsOf): those are reconciled in place, not frozen.
   * @default none (every addon object is applied once, at init)
   */
  readonly policyObjects?: (stack: string) => ReadonlySet<string>;
}

/** The object keys of a stack's policy layer (node contract 2 and later); empty when it has none. */
export function policyObjectsOf(...stacks: (TerraformJson | undefined)[]): Set<string> {
  const keys = new Set<string>();
  for (const stack of stacks)
    for (const o of Object.values(stack?.resource?.aws_s3_object ?? {}))
      if (o.key === POLICY_MANIFESTS_KEY && storedObjectText(o) !== undefined)
        for (const key of parseManifests(storedObjectText(o)!).keys()) keys.add(key);
  return keys;
}

const instanceTypePaths = /^(mixed_instances_policy\..*instance_type|instance_type)/;

function resourceNote(s: StackReview, r: ResourceChange): Omit<RolloutNote, "stack" | "cluster" | "generation"> | undefined {
  if (r.address.startsWith("data.")) return undefined;
  const subject = r.constructPath ?? r.address;
  if (r.action === "create" || r.action === "delete") return undefined;
  if (r.action === "replace") return { subject, takesEffect: "now", note: `replaced at deploy (${r.replacedBy.join(", ")} changed)` };
  const types = r.attributes.filter((a) => instanceTypePaths.test(a.path));
  if (types.length > 0) {
    const change = types.map((a) => `${a.before ?? "none"} → ${a.after ?? "none"}`).join(", ");
    return {
      subject,
      takesEffect: "new-instances",
      note: `instance types ${change} apply to new instances only: running instances keep theirs (no instance refresh)`,
    };
  }
  if (r.risk?.level === "rollout") {
    return {
      subject,
      takesEffect: "new-instances",
      note: `applies to new instances only: ${r.risk.note}`,
    };
  }
  // Only the argument holding the text changed (`content` -> `content_base64`, terraform-diff.ts): the same bytes again.
  if (r.type === "aws_s3_object" && r.attributes.length > 0 && r.attributes.every((a) => a.note?.startsWith("same text")))
    return { subject, takesEffect: "now", note: `in place now: uploaded again with the same text (${r.attributes[0].note})` };
  if (r.type === "aws_s3_object" && s.ignition.length + s.kubernetes.length > 0) return undefined; // said by the node config / addon notes
  if (r.risk?.level === "scale") return { subject, takesEffect: "now", note: `in place now: ${r.risk.note}` };
  if (r.risk?.level === "traffic") return { subject, takesEffect: "now", note: `in place now: ${r.risk.note}` };
  return { subject, takesEffect: "now", note: "in place now (updated by the deploy)" };
}

/** The rollout notes of all stacks, in stack order. */
export function rolloutNotes(stacks: readonly StackReview[], context: RolloutContext): RolloutNote[] {
  const out: RolloutNote[] = [];
  for (const s of stacks) {
    const where = { stack: s.name, ...(s.cluster ? { cluster: s.cluster } : {}), ...(s.generation ? { generation: s.generation } : {}) };
    const gen = s.cluster && s.generation ? `${s.cluster}/${s.generation}` : s.name;
    if (s.status === "added") {
      if (s.kind === "generation")
        out.push({
          ...where,
          subject: "new generation",
          takesEffect: "on-create",
          note: `${gen} gets everything when its stack is created`,
        });
      continue;
    }
    if (s.status !== "changed") continue;
    for (const r of s.resources) {
      const note = resourceNote(s, r);
      if (note) out.push({ ...where, ...note });
    }
    for (const c of s.ignition.filter((i) => i.config.startsWith("s3:"))) {
      out.push({
        ...where,
        subject: `node config ${c.config.slice("s3:ignition/".length).replace(/\.ign$/, "")} (${c.status})`,
        takesEffect: "new-instances",
        note: "applies to new instances only: nodes read their Ignition config once, at first boot; running nodes keep theirs",
      });
    }
    const policy = context.policyObjects?.(s.name) ?? new Set<string>();
    const reconciled = s.kubernetes.filter((k) => policy.has(k.key));
    const atInit = s.kubernetes.filter((k) => !policy.has(k.key));
    if (reconciled.length > 0) {
      const deployed = context.deployedInBase(s.name);
      out.push({
        ...where,
        subject: `policy-layer objects (${reconciled.length})`,
        takesEffect: deployed ? "now" : "on-create",
        note: deployed
          ? `reconciled in place within ${POLICY_RECONCILE_MINUTES} minutes of the deploy: ${gen}'s control plane applies its policy layer with server-side apply and prunes removed objects`
          : `applies when ${gen} is created, then reconciled in place on every deploy`,
      });
    }
    if (atInit.length > 0) {
      const deployed = context.deployedInBase(s.name);
      out.push({
        ...where,
        subject: `addon objects (${atInit.length})`,
        takesEffect: deployed ? "not-applied" : "on-create",
        note: deployed
          ? `not applied to running generation ${gen}; create a new generation (addons are applied once, at cluster init)`
          : `applies when ${gen} is created (not deployed per the base lock and serving no traffic); if it already runs, it is not applied: create a new generation`,
      });
    }
  }
  for (const g of context.headStatus ?? []) {
    if (!g.locked || !g.behindLibrary || g.behindLibrary.length === 0) continue;
    out.push({
      stack: g.stack,
      cluster: g.cluster,
      generation: g.generation,
      subject: "frozen artifacts",
      takesEffect: "frozen",
      note:
        `frozen${g.frozenWith ? ` with ${g.frozenWith}` : ""}, behind the library: ${g.behindLibrary.join(", ")} would render differently today; ` +
        `${g.cluster}/${g.generation} keeps what it was deployed with; create a new generation to get them`,
    });
  }
  return out;
}
