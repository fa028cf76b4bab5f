// Owns the picture of a review: a Mermaid flowchart (rendered by GitHub in comments) of the touched generations, each a
// subgraph with its API and ingress load balancers, control plane and pools (sizes and instance types, base → head),
// and each cluster's weighted entry point with the traffic weight per generation.
import type { GroupShape, GenerationShape, TrafficShape } from "./stack-shape";

/** One generation to draw, with its shape in base and head (absent on the side where it does not exist). */
export interface GenerationPicture {
  readonly stack: string;
  readonly cluster: string;
  readonly status: "added" | "removed" | "changed" | "traffic";
  readonly base?: GenerationShape;
  readonly head?: GenerationShape;
}

/** A Mermaid-safe node id: letters, digits and underscores, starting with a letter. */
export function mermaidId(...parts: string[]): string {
  return "n_" + parts.join("_").replace(/[^A-Za-z0-9]/g, "_");
}

/** A quoted Mermaid label: double quotes become `#quot;`, line breaks `<br/>`. */
export function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, "#quot;").replace(/\n/g, "<br/>")}"`;
}

function change<T>(before: T | undefined, after: T | undefined, fmt: (v: T) => string): string {
  if (before === undefined) return after === undefined ? "" : fmt(after);
  if (after === undefined) return fmt(before);
  const b = fmt(before);
  const a = fmt(after);
  return a === b ? a : `${b} → ${a}`;
}

const groupText = (g: GroupShape) =>
  `${g.desired} × ${g.instanceTypes[0] ?? "?"}${g.spotPercent > 0 ? " spot" : ""}${g.instanceTypes.length > 1 ? ` (+${g.instanceTypes.length - 1} alt.)` : ""}`;
const groupKey = (g: GroupShape) => (g.role === "controller" ? "controller" : `pool_${g.pool ?? g.name}`);

/** The flowchart text (empty string when there is nothing to draw). */
export function renderMermaid(
  generations: readonly GenerationPicture[],
  traffic: readonly { base?: TrafficShape; head?: TrafficShape }[],
): string {
  if (generations.length === 0) return "";
  const lines = [
    "flowchart LR",
    "  classDef added fill:#dafbe1,stroke:#1a7f37",
    "  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3",
    "  classDef changed fill:#fff8c5,stroke:#9a6700",
  ];
  const ingressOf = new Map<string, string>();
  for (const g of generations) {
    const sid = mermaidId(g.stack);
    const title = [
      `${g.stack} (${g.status})`,
      change(g.base?.kubernetesVersion, g.head?.kubernetesVersion, (v) => `Kubernetes ${v}`),
      change(g.base?.flatcarImage, g.head?.flatcarImage, (v) => v),
    ]
      .filter(Boolean)
      .join(" · ");
    lines.push(`  subgraph ${sid}[${mermaidLabel(title)}]`, "    direction TB");
    const lbs = [...new Map([...(g.base?.loadBalancers ?? []), ...(g.head?.loadBalancers ?? [])].map((lb) => [lb.name, lb])).values()];
    const api = lbs.find((lb) => lb.purpose === "api");
    const ingress = lbs.find((lb) => lb.purpose === "ingress");
    if (api) lines.push(`    ${mermaidId(g.stack, "api")}[${mermaidLabel(`API NLB ${api.name}`)}]`);
    if (ingress) {
      lines.push(`    ${mermaidId(g.stack, "ingress")}[${mermaidLabel(`ingress NLB ${ingress.name}`)}]`);
      ingressOf.set(g.stack, mermaidId(g.stack, "ingress"));
    }
    const keys = [...new Set([...(g.base?.groups ?? []), ...(g.head?.groups ?? [])].map(groupKey))];
    for (const key of keys) {
      const b = g.base?.groups.find((x) => groupKey(x) === key);
      const a = g.head?.groups.find((x) => groupKey(x) === key);
      const group = (a ?? b)!;
      const id = mermaidId(g.stack, key);
      const name = group.role === "controller" ? "control plane" : `pool ${group.pool ?? group.name}`;
      const suffix = !b && g.status === "changed" ? " (new)" : !a && g.status === "changed" ? " (removed)" : "";
      const sameTypes = b && a && b.instanceTypes.join() === a.instanceTypes.join();
      const sizes = sameTypes && b.desired !== a.desired ? `${b.desired} → ${groupText(a)}` : change(b, a, groupText);
      lines.push(`    ${id}[${mermaidLabel(`${name}: ${sizes}${suffix}`)}]`);
      if (suffix === " (new)") lines.push(`    class ${id} added`);
      else if (suffix === " (removed)") lines.push(`    class ${id} removed`);
      else if (b && a && groupText(b) !== groupText(a)) lines.push(`    class ${id} changed`);
      if (group.behindLoadBalancer && group.role === "controller" && api) lines.push(`    ${mermaidId(g.stack, "api")} --> ${id}`);
      if (group.behindLoadBalancer && group.role === "worker" && ingress) lines.push(`    ${mermaidId(g.stack, "ingress")} --> ${id}`);
    }
    lines.push("  end");
    if (g.status === "added" || g.status === "removed" || g.status === "changed") lines.push(`  class ${sid} ${g.status}`);
  }
  for (const t of traffic) {
    const shape = (t.head ?? t.base)!;
    const ids = [...new Set([...Object.keys(t.base?.records ?? {}), ...Object.keys(t.head?.records ?? {})])].filter((s) =>
      ingressOf.has(s),
    );
    if (ids.length === 0) continue;
    const hostname = Object.values(shape.records)[0]?.hostname ?? shape.stack;
    const tid = mermaidId(shape.stack);
    lines.push(`  ${tid}([${mermaidLabel(hostname)}])`);
    for (const set of ids) {
      const weight = change(t.base?.records[set]?.weight, t.head?.records[set]?.weight, (w) => String(w));
      const gone = t.head && !t.head.records[set] ? " (record removed)" : "";
      lines.push(`  ${tid} -->|${mermaidLabel(`weight ${weight}${gone}`)}| ${ingressOf.get(set)}`);
    }
  }
  return lines.join("\n");
}
