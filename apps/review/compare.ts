// Owns comparing two revisions' synth output into a ReviewReport: per stack the Terraform, Ignition, Kubernetes and
// cost differences, the generations touched, the lock changes, the guard's verdict, the rollout notes, the apply plan
// and the exit code. Pure: no git, no processes.
import { applyPlan, destroySeverity } from "./apply-plan";
import { costDelta } from "./cost";
import { weightsByStack } from "./fleet-status";
import { lockChanges, unguardedLive } from "./lock-changes";
import { loadPriceTable, priceSource, type PriceTable } from "./price-table";
import { diffIgnition } from "./ignition";
import { diffManifests, manifestsOf } from "./kubernetes-diff";
import { renderMermaid, type GenerationPicture } from "./mermaid";
import type { GenerationTouch, ReviewReport, StackReview, Verdict } from "./report";
import { policyObjectsOf, rolloutNotes } from "./rollout";
import { generationShape, regionOf, trafficShape, type GenerationShape, type TrafficShape } from "./stack-shape";
import type { SynthOutput } from "./synth-output";
import { destroysLive, diffTerraform } from "./terraform-diff";

/** Options of {@link compareSynthOutputs}. */
export interface CompareOptions {
  /** Base revision as given and resolved. */
  readonly base: { readonly ref: string; readonly commit?: string };
  /** Head revision as given and resolved (`working tree` for uncommitted files). */
  readonly head: { readonly ref: string; readonly commit?: string };
  /** Accept destroying or replacing live resources (exit 0 instead of 2). @default false */
  readonly allowDestroy?: boolean;
  /** Price table; @default the table of the first stack's region (or eu-west-1) */
  readonly prices?: PriceTable;
  /** A generation serving traffic in base without a base lock entry is an error (exit 3), not a warning. @default false */
  readonly strict?: boolean;
  /** Exit 0 only when nothing changes, 4 for acceptable changes (like `terraform plan -detailed-exitcode`). @default false */
  readonly detailedExitCode?: boolean;
  /** Whether head was synthesized against base's lock (IMMUTABLE_CLUSTERS_LOCK_FILE). @default false */
  readonly baseLockUsed?: boolean;
}

/** The manifests of a generation: its S3 object, or the dist/ copy when the stack carries none. */
function manifestText(output: SynthOutput, stack: string): string | undefined {
  const fromStack = manifestsOf(output.stacks[stack]);
  if (fromStack !== undefined) return fromStack;
  const dist = output.distManifests[stack];
  return dist && Object.keys(dist).length > 0 ? Object.values(dist).join("\n---\n") : undefined;
}

/** Whether two revisions' dist/ manifests of a stack are the same files with the same texts. */
function sameManifests(base: Readonly<Record<string, string>> | undefined, head: Readonly<Record<string, string>> | undefined): boolean {
  const b = Object.entries(base ?? {});
  return b.length === Object.keys(head ?? {}).length && b.every(([file, text]) => head?.[file] === text);
}

/** Compares base and head synth output. */
export function compareSynthOutputs(base: SynthOutput, head: SynthOutput, options: CompareOptions): ReviewReport {
  const names = [...new Set([...Object.keys(base.stacks), ...Object.keys(head.stacks)])].sort();
  const firstRegion = names.map((n) => regionOf(head.stacks[n] ?? base.stacks[n])).find((r) => r !== undefined);
  const prices = options.prices ?? loadPriceTable(firstRegion);
  const stacks: StackReview[] = [];
  const pictures: GenerationPicture[] = [];
  const traffic: { base?: TrafficShape; head?: TrafficShape }[] = [];
  const shapes = new Map<string, { base?: GenerationShape; head?: GenerationShape }>();
  for (const name of names) {
    const b = base.stacks[name];
    const a = head.stacks[name];
    // A stack written byte for byte the same by both revisions has no Terraform, Ignition or (when its dist/ manifests,
    // the fallback, are the same too) Kubernetes changes: they are not computed, and its shape is read once (issue 17).
    const digest = base.stackDigests?.[name];
    const identical = b !== undefined && a !== undefined && digest !== undefined && digest === head.stackDigests?.[name];
    const sameDist = identical && sameManifests(base.distManifests[name], head.distManifests[name]);
    const resources = identical ? [] : diffTerraform(b, a);
    const managed = resources.filter((r) => !r.address.startsWith("data."));
    const ignition = identical ? [] : diffIgnition(b, a);
    const kubernetes = b && a && !sameDist ? diffManifests(manifestText(base, name), manifestText(head, name)) : [];
    const shapeB = generationShape(name, b);
    const shapeA = identical ? shapeB : generationShape(name, a);
    shapes.set(name, { base: shapeB, head: shapeA });
    const shape = shapeA ?? shapeB;
    const cost = costDelta(shapeB, shapeA, prices);
    const status = !b ? "added" : !a ? "removed" : resources.length + ignition.length + kubernetes.length > 0 ? "changed" : "unchanged";
    const kind = shape ? "generation" : name.endsWith("-traffic") ? "traffic" : name.endsWith("-identity") ? "identity" : "other";
    stacks.push({
      name,
      kind,
      ...(shape
        ? { cluster: shape.cluster, generation: shape.generation }
        : kind === "traffic"
          ? { cluster: name.slice(0, -"-traffic".length) }
          : kind === "identity"
            ? { cluster: name.slice(0, -"-identity".length) }
            : {}),
      ...(regionOf(a ?? b) ? { region: regionOf(a ?? b) } : {}),
      status,
      // Data sources are read, not created: `terraform plan` does not count them, neither do we.
      counts: {
        added: managed.filter((r) => r.action === "create").length,
        changed: managed.filter((r) => r.action === "update" || r.action === "replace").length,
        removed: managed.filter((r) => r.action === "delete").length,
        liveReplacedOrDestroyed: resources.filter(destroysLive).length,
      },
      resources,
      ignition,
      kubernetes,
      cost,
    });
    if (shape && status !== "unchanged") pictures.push({ stack: name, cluster: shape.cluster, status, base: shapeB, head: shapeA });
    const tB = trafficShape(name, b);
    const tA = trafficShape(name, a);
    if (tB || tA) traffic.push({ base: tB, head: tA });
  }

  // Generations touched: changed generation stacks, plus generations whose weight moved in a traffic stack.
  const generations: GenerationTouch[] = [];
  const weightOf = (set: string) => {
    for (const t of traffic) {
      const before = t.base?.records[set]?.weight;
      const after = t.head?.records[set]?.weight;
      if (before !== undefined || after !== undefined)
        return { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
    }
    return undefined;
  };
  const baseWeights = weightsByStack(
    base.fleetStatus,
    traffic.map((t) => t.base).filter((t): t is TrafficShape => t !== undefined),
  );
  for (const s of stacks) {
    if (s.kind !== "generation") continue;
    const weight = weightOf(s.name);
    const moved = weight !== undefined && weight.before !== weight.after;
    if (s.status === "unchanged" && !moved) continue;
    generations.push({
      cluster: s.cluster!,
      generation: s.generation!,
      stack: s.name,
      how: s.status === "unchanged" ? "traffic" : s.status,
      ...(weight ? { weight } : {}),
      ...(s.status === "removed"
        ? { severity: destroySeverity(s.cluster!, s.generation!, baseWeights.get(s.name)?.weight ?? weight?.before, base.lock) }
        : {}),
    });
    if (s.status === "unchanged") {
      pictures.push({
        stack: s.name,
        cluster: s.cluster!,
        status: "traffic",
        base: shapes.get(s.name)?.base,
        head: shapes.get(s.name)?.head,
      });
    }
  }
  pictures.sort((x, y) => x.stack.localeCompare(y.stack));

  const violations = head.guardViolations ?? [];
  // A generation is defined in head when head synthesizes its stack (or its fleet status lists it).
  const definedInHead = (cluster: string, generation: string) =>
    head.fleetStatus?.some((g) => g.cluster === cluster && g.generation === generation) ??
    stacks.some((s) => s.kind === "generation" && s.cluster === cluster && s.generation === generation && s.status !== "removed");
  const locks = lockChanges(base.lock, head.lock, definedInHead);
  const unguarded = unguardedLive(baseWeights, base.lock, options.strict ?? false);
  const refusals = violations.length + locks.filter((l) => !l.allowed).length + unguarded.filter((u) => u.level === "error").length;
  const deployedInBase = (stack: string) => {
    const s = stacks.find((x) => x.name === stack);
    return (
      (baseWeights.get(stack)?.weight ?? 0) > 0 || (s?.cluster !== undefined && base.lock?.has(`${s.cluster}/${s.generation}`) === true)
    );
  };
  const sum = (f: (s: StackReview) => number) => stacks.reduce((n, s) => n + f(s), 0);
  const summary = {
    stacksAdded: stacks.filter((s) => s.status === "added").length,
    stacksRemoved: stacks.filter((s) => s.status === "removed").length,
    stacksChanged: stacks.filter((s) => s.status === "changed").length,
    resourcesAdded: sum((s) => s.counts.added),
    resourcesChanged: sum((s) => s.counts.changed),
    resourcesRemoved: sum((s) => s.counts.removed),
    liveReplacedOrDestroyed: sum((s) => s.counts.liveReplacedOrDestroyed),
    monthlyCostDelta: Math.round(sum((s) => s.cost.delta) * 100) / 100,
    monthlyCostRange: {
      min: Math.round(sum((s) => s.cost.range.after.min) * 100) / 100,
      max: Math.round(sum((s) => s.cost.range.after.max) * 100) / 100,
    },
    guardViolations: refusals,
  };
  const changed = summary.stacksAdded + summary.stacksRemoved + summary.stacksChanged + locks.length > 0;
  return {
    schemaVersion: 2,
    base: options.base,
    head: options.head,
    summary,
    stacks,
    generations,
    guard: {
      lockPresent: base.lockPresent || head.lockPresent,
      reported: head.guardViolations !== undefined,
      violations,
      baseLock: options.baseLockUsed ?? false,
      lockChanges: locks,
      unguarded,
    },
    rollout: rolloutNotes(stacks, {
      deployedInBase,
      policyObjects: (stack) => policyObjectsOf(base.stacks[stack], head.stacks[stack]),
      ...(head.fleetStatus ? { headStatus: head.fleetStatus } : {}),
    }),
    applyPlan: applyPlan(stacks, generations, head.lock),
    errors: [],
    prices: priceSource(prices),
    mermaid: renderMermaid(pictures, traffic),
    verdict: verdictOf(summary.guardViolations, summary.liveReplacedOrDestroyed, options.allowDestroy ?? false, {
      changed,
      detailed: options.detailedExitCode ?? false,
    }),
  };
}

/**
 * The exit code: 3 when the guard refuses changes (violations, lock bypasses, strict unguarded generations), else 2 when
 * live things are destroyed/replaced without allow, else 0; with `detailed`, 0 only when nothing changed and 4 otherwise.
 */
export function verdictOf(
  guardViolations: number,
  liveReplacedOrDestroyed: number,
  allowDestroy: boolean,
  mode: { readonly changed?: boolean; readonly detailed?: boolean } = {},
): Verdict {
  if (guardViolations > 0) {
    return { exitCode: 3, reason: `the immutability guard refuses ${guardViolations} change(s) to deployed generations` };
  }
  if (liveReplacedOrDestroyed > 0 && !allowDestroy) {
    return {
      exitCode: 2,
      reason: `${liveReplacedOrDestroyed} live resource(s) would be destroyed or replaced; pass --allow-destroy to accept`,
    };
  }
  const ok: 0 | 4 = mode.detailed && mode.changed !== false ? 4 : 0;
  if (mode.detailed && mode.changed === false) return { exitCode: 0, reason: "no changes" };
  if (liveReplacedOrDestroyed > 0)
    return { exitCode: ok, reason: `${liveReplacedOrDestroyed} live resource(s) destroyed or replaced, allowed by --allow-destroy` };
  return { exitCode: ok, reason: "nothing live is destroyed or replaced and the guard allows the change" };
}
