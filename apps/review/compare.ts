// Owns comparing two revisions' synth output into a ReviewReport: per stack the Terraform, Ignition, Kubernetes and
// cost differences, the generations touched, the guard's verdict and the exit code. Pure: no git, no processes.
import { costDelta } from "./cost";
import { loadPriceTable, priceSource, type PriceTable } from "./price-table";
import { diffIgnition } from "./ignition";
import { diffManifests, manifestsOf } from "./kubernetes-diff";
import { renderMermaid, type GenerationPicture } from "./mermaid";
import type { GenerationTouch, ReviewReport, StackReview, Verdict } from "./report";
import { generationShape, regionOf, trafficShape, type TrafficShape } from "./stack-shape";
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
}

/** The manifests of a generation: its S3 object, or the dist/ copy when the stack carries none. */
function manifestText(output: SynthOutput, stack: string): string | undefined {
  const fromStack = manifestsOf(output.stacks[stack]);
  if (fromStack !== undefined) return fromStack;
  const dist = output.distManifests[stack];
  return dist && Object.keys(dist).length > 0 ? Object.values(dist).join("\n---\n") : undefined;
}

/** Compares base and head synth output. */
export function compareSynthOutputs(base: SynthOutput, head: SynthOutput, options: CompareOptions): ReviewReport {
  const names = [...new Set([...Object.keys(base.stacks), ...Object.keys(head.stacks)])].sort();
  const firstRegion = names.map((n) => regionOf(head.stacks[n] ?? base.stacks[n])).find((r) => r !== undefined);
  const prices = options.prices ?? loadPriceTable(firstRegion);
  const stacks: StackReview[] = [];
  const pictures: GenerationPicture[] = [];
  const traffic: { base?: TrafficShape; head?: TrafficShape }[] = [];
  for (const name of names) {
    const b = base.stacks[name];
    const a = head.stacks[name];
    const resources = diffTerraform(b, a);
    const ignition = diffIgnition(b, a);
    const kubernetes = b && a ? diffManifests(manifestText(base, name), manifestText(head, name)) : [];
    const shapeB = generationShape(name, b);
    const shapeA = generationShape(name, a);
    const shape = shapeA ?? shapeB;
    const cost = costDelta(shapeB, shapeA, prices);
    const status = !b ? "added" : !a ? "removed" : resources.length + ignition.length + kubernetes.length > 0 ? "changed" : "unchanged";
    const kind = shape ? "generation" : name.endsWith("-traffic") ? "traffic" : "other";
    stacks.push({
      name,
      kind,
      ...(shape
        ? { cluster: shape.cluster, generation: shape.generation }
        : kind === "traffic"
          ? { cluster: name.slice(0, -"-traffic".length) }
          : {}),
      ...(regionOf(a ?? b) ? { region: regionOf(a ?? b) } : {}),
      status,
      counts: {
        added: resources.filter((r) => r.action === "create").length,
        changed: resources.filter((r) => r.action === "update" || r.action === "replace").length,
        removed: resources.filter((r) => r.action === "delete").length,
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
    });
    if (s.status === "unchanged") {
      pictures.push({
        stack: s.name,
        cluster: s.cluster!,
        status: "traffic",
        base: generationShape(s.name, base.stacks[s.name]),
        head: generationShape(s.name, head.stacks[s.name]),
      });
    }
  }
  pictures.sort((x, y) => x.stack.localeCompare(y.stack));

  const violations = head.guardViolations ?? [];
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
    guardViolations: violations.length,
  };
  return {
    schemaVersion: 1,
    base: options.base,
    head: options.head,
    summary,
    stacks,
    generations,
    guard: { lockPresent: head.lockPresent, reported: head.guardViolations !== undefined, violations },
    prices: priceSource(prices),
    mermaid: renderMermaid(pictures, traffic),
    verdict: verdictOf(summary.guardViolations, summary.liveReplacedOrDestroyed, options.allowDestroy ?? false),
  };
}

/** The exit code: 3 when the guard refuses changes, else 2 when live things are destroyed/replaced without allow, else 0. */
export function verdictOf(guardViolations: number, liveReplacedOrDestroyed: number, allowDestroy: boolean): Verdict {
  if (guardViolations > 0) {
    return { exitCode: 3, reason: `the immutability guard refuses ${guardViolations} change(s) to deployed generations` };
  }
  if (liveReplacedOrDestroyed > 0 && !allowDestroy) {
    return {
      exitCode: 2,
      reason: `${liveReplacedOrDestroyed} live resource(s) would be destroyed or replaced; pass --allow-destroy to accept`,
    };
  }
  if (liveReplacedOrDestroyed > 0)
    return { exitCode: 0, reason: `${liveReplacedOrDestroyed} live resource(s) destroyed or replaced, allowed by --allow-destroy` };
  return { exitCode: 0, reason: "nothing live is destroyed or replaced and the guard allows the change" };
}
