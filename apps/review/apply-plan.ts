// Owns the apply plan of a review: the `cdktf deploy` / `destroy` and `immutable-clusters lock` commands in the order
// that keeps traffic safe (docs/generations.md): a cluster's identity stack first (docs/workload-identity.md), new and
// changed generations next, record new ones in the lock, then
// the traffic stacks (which point at generations that now exist), then destroys of removed stacks, run from the base
// revision because a stack deleted from the program is not destroyed by deploying the program, and cannot be named to
// `cdktf destroy` from a program that no longer has it. Also the severity of destroying a generation.
import type { LockEntries } from "./lock-changes";
import type { ApplyStep, GenerationTouch, StackReview } from "./report";

/** How grave destroying the generation of `stack` is, from the base revision's weights and lock. */
export function destroySeverity(
  cluster: string,
  generation: string,
  baseWeight: number | undefined,
  baseLock: LockEntries | undefined,
): NonNullable<GenerationTouch["severity"]> {
  if ((baseWeight ?? 0) > 0) return "serving-traffic";
  if (baseLock?.has(`${cluster}/${generation}`)) return "retired";
  return "never-deployed";
}

const SEVERITY_WORDS: Record<NonNullable<GenerationTouch["severity"]>, string> = {
  "serving-traffic": "it SERVES TRAFFIC in base: shift its weight to 0 and apply the traffic stack first",
  retired: "retired (deployed, weight 0)",
  "never-deployed": "never deployed (not in the base lock): destroy only if `cdktf deploy` was run for it",
};

/** The ordered commands for a review's stacks. `headLock` tells whether a removed generation still needs `lock --remove`. */
export function applyPlan(
  stacks: readonly StackReview[],
  generations: readonly GenerationTouch[],
  headLock: LockEntries | undefined,
): ApplyStep[] {
  const steps: ApplyStep[] = [];
  const gens = stacks.filter((s) => s.kind === "generation");
  // The identity stack first: its KMS key policy names the controller roles of the cluster's contract-3 generations, so
  // a new generation's controllers can create or read the service-account signing key only once it is applied
  // (docs/workload-identity.md, "Order of operations").
  for (const s of stacks.filter((x) => x.kind === "identity" && (x.status === "added" || x.status === "changed")))
    steps.push({
      command: `npx cdktf deploy ${s.name}`,
      from: "head",
      why: "before the generations: its key policy must name a new generation's controllers before they boot",
    });
  for (const s of gens.filter((x) => x.status === "added")) {
    steps.push({ command: `npx cdktf deploy ${s.name}`, from: "head", why: `create the new generation before any traffic points at it` });
    steps.push({
      command: `npx immutable-clusters lock ${s.cluster}/${s.generation}`,
      from: "head",
      why: "record it as deployed (commit the lock) so the guard protects it from in-place changes",
    });
  }
  for (const s of gens.filter((x) => x.status === "changed"))
    steps.push({
      command: `npx cdktf deploy ${s.name}`,
      from: "head",
      why: "apply the in-place changes (see the rollout notes for when they take effect)",
    });
  for (const s of stacks.filter(
    (x) => x.kind !== "generation" && x.kind !== "identity" && (x.status === "added" || x.status === "changed"),
  )) {
    steps.push({
      command: `npx cdktf deploy ${s.name}`,
      from: "head",
      why:
        s.kind === "traffic"
          ? "after the generations it routes to exist, before any generation it stops routing to is destroyed"
          : "apply its changes",
    });
  }
  for (const s of gens.filter((x) => x.status === "removed")) {
    const touch = generations.find((g) => g.stack === s.name);
    const severity = touch?.severity ?? "never-deployed";
    steps.push({
      command: `npx cdktf destroy ${s.name}`,
      from: "base",
      why:
        `deleting a stack from the program does not destroy it: run this from a checkout of the base revision, after the traffic ` +
        `stack no longer routes to it; ${SEVERITY_WORDS[severity]}`,
    });
    if (headLock?.has(`${s.cluster}/${s.generation}`))
      steps.push({
        command: `npx immutable-clusters lock ${s.cluster}/${s.generation} --remove`,
        from: "head",
        why: "after the destroy: it is no longer deployed",
      });
  }
  for (const s of stacks.filter((x) => x.kind !== "generation" && x.status === "removed"))
    steps.push({ command: `npx cdktf destroy ${s.name}`, from: "base", why: "deleting a stack from the program does not destroy it" });
  return steps;
}
