// Owns the Markdown of a review for a pull-request comment: a failed review's errors first (each problem with its field
// or file), else the summary table (stack | added | changed | removed | replaced/destroyed live | cost Δ), verdict,
// guard with lock changes and unguarded live generations, touched generations with destroy severity, the apply plan,
// rollout notes, the price sources, the Mermaid picture, then one collapsible section per changed stack (Terraform
// attributes, decoded Ignition diffs, Kubernetes fields, cost lines).
// Kept under GitHub's comment limit: long diffs are cut and late sections dropped with a note.
import { formatUsd } from "./cost";
import type { AttributeChange, IgnitionChange, PriceSource, ResourceChange, ReviewError, ReviewReport, StackReview } from "./report";
import { destroysLive } from "./terraform-diff";

/** GitHub refuses comments over 65,536 characters; stay below with room for the sticky-comment marker. */
export const MARKDOWN_BUDGET = 60_000;
/** Lines of one text diff shown before cutting. */
export const DIFF_LINE_LIMIT = 150;

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const clean = text.replace(/\n/g, "⏎");
  return clean.includes("`") ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");
const SYMBOL: Record<ResourceChange["action"], string> = { create: "+", delete: "-", update: "~", replace: "-/+" };

function attributeLine(c: AttributeChange): string {
  if (c.kind === "added") return `  - ${code(c.path)}: added ${code(c.after ?? "")}`;
  if (c.kind === "removed") return `  - ${code(c.path)}: removed (was ${code(c.before ?? "")})`;
  return `  - ${code(c.path)}: ${code(c.before ?? "")} → ${code(c.after ?? "")}`;
}

function fenced(lang: string, body: string): string {
  const lines = body.split("\n");
  const cut =
    lines.length > DIFF_LINE_LIMIT ? [...lines.slice(0, DIFF_LINE_LIMIT), `… ${lines.length - DIFF_LINE_LIMIT} more line(s) cut`] : lines;
  const fence = body.includes("```") ? "````" : "```";
  return `${fence}${lang}\n${cut.join("\n")}\n${fence}`;
}

function resourceLines(r: ResourceChange): string[] {
  const live = destroysLive(r) ? " ⛔ **live: " + r.risk!.level + "**" : "";
  const note = r.risk ? ` — ${r.risk.note}` : "";
  const out = [`- ${code(`${SYMBOL[r.action]} ${r.address}`)}${r.constructPath ? ` (${r.constructPath})` : ""}${live}${note}`];
  for (const c of r.attributes) {
    // Node configs and manifests: the decoded Ignition and Kubernetes sections show what changed inside.
    const encoded =
      c.kind === "changed" &&
      (c.path === "user_data" || ((c.path === "content" || c.path === "content_base64") && r.type === "aws_s3_object"));
    // A text that only moved between `content` and `content_base64` is said to be the same (terraform-diff.ts).
    if (c.note !== undefined && c.before === undefined && c.after === undefined) out.push(`  - ${code(c.path)}: ${c.note}`);
    else if (encoded) out.push(`  - ${code(c.path)}: ${c.note ?? "changed"} (decoded below)`);
    else out.push(attributeLine(c));
  }
  return out;
}

function terraformSection(s: StackReview): string[] {
  if (s.resources.length === 0) return [];
  const out = ["#### Terraform", ""];
  if (s.status === "added" || s.status === "removed") {
    const byType = new Map<string, number>();
    for (const r of s.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    out.push(
      `${s.status === "added" ? "Creates" : "Destroys"} ${s.resources.length} resource(s) and data source(s): ` +
        [...byType].map(([t, n]) => `${code(t)} × ${n}`).join(", "),
    );
    const live = s.resources.filter(destroysLive);
    if (live.length > 0) out.push("", ...live.flatMap(resourceLines));
    return [...out, ""];
  }
  out.push(...s.resources.flatMap(resourceLines), "");
  return out;
}

function ignitionSection(changes: readonly IgnitionChange[]): string[] {
  if (changes.length === 0) return [];
  const out = ["#### Ignition (decoded)", ""];
  for (const c of changes) {
    out.push(`**${code(c.config)}** ${c.status}`, "");
    for (const e of c.entries) {
      out.push(`- ${e.kind} ${code(e.name)} ${e.status}`);
      if (e.diff) out.push("", fenced("diff", e.diff), "");
    }
    out.push("");
  }
  return out;
}

function kubernetesSection(s: StackReview): string[] {
  if (s.kubernetes.length === 0) return [];
  const out = ["#### Kubernetes objects", ""];
  const mark = { added: "+", removed: "-", changed: "~" } as const;
  for (const k of s.kubernetes) {
    out.push(`- ${code(`${mark[k.status]} ${k.key}`)} ${k.status}`);
    for (const f of k.fields) out.push(attributeLine(f));
  }
  return [...out, ""];
}

const SECTION_NAMES: Record<string, string> = {
  ec2OnDemandHourly: "EC2 instances",
  loadBalancerHourly: "load balancers",
  ebsPerGiBMonth: "EBS volumes",
};

/** `EC2 instances`, `EBS volumes (gp3, gp2)`: what a citation covers, for a reader. */
function coverage(covers: readonly string[]): string {
  const bySection = new Map<string, string[]>();
  for (const key of covers) {
    const [section, ...rest] = key.split(".");
    const entries = bySection.get(section) ?? [];
    if (rest.length > 0) entries.push(rest.join("."));
    bySection.set(section, entries);
  }
  return [...bySection]
    .map(([section, entries]) => `${SECTION_NAMES[section] ?? section}${entries.length > 0 ? ` (${entries.join(", ")})` : ""}`)
    .join(", ");
}

/** The price line under the summary: units, region, date, and which prices are verified against which source. */
export function priceStatement(p: PriceSource): string {
  // A report written by an older version (JSON, schemaVersion 1) has no citations: fall back to the summary text.
  const parts = (p.citations ?? [])
    .filter((c) => c.covers.length > 0)
    .map((c) =>
      c.status === "verified"
        ? `${coverage(c.covers)} from ${c.url ? `[${c.label}](${c.url})` : c.label}${c.sourceDate ? `, dated ${c.sourceDate}` : ""}`
        : `${coverage(c.covers)} **unverified** (${c.label})`,
    );
  return (
    `Cost: ${p.currency} per month (${p.hoursPerMonth} h), on-demand Linux prices for ${p.region} from the table shipped ` +
    `with immutable-clusters, checked ${p.date}: ${parts.length > 0 ? parts.join("; ") : p.source}. ` +
    "Excludes LCUs, data transfer, snapshots, taxes, discounts."
  );
}

function costSection(s: StackReview): string[] {
  if (s.cost.lines.length === 0 && s.cost.warnings.length === 0) return [];
  const out = ["#### Cost (monthly)", "", "| item | before | after | Δ | notes |", "|---|--:|--:|--:|---|"];
  for (const l of s.cost.lines) {
    out.push(
      `| ${cell(l.label)} | ${formatUsd(l.before, false)} | ${formatUsd(l.after, false)} | ${formatUsd(l.delta)} | ${cell(l.notes.join("; "))} |`,
    );
  }
  out.push(`| **stack** | ${formatUsd(s.cost.before, false)} | ${formatUsd(s.cost.after, false)} | **${formatUsd(s.cost.delta)}** | |`);
  const r = s.cost.range;
  if (r && r.after.min !== r.after.max)
    out.push(
      "",
      `At min–max size: ${formatUsd(r.before.min, false)}–${formatUsd(r.before.max, false)} before, ${formatUsd(r.after.min, false)}–${formatUsd(r.after.max, false)} after.`,
    );
  for (const w of s.cost.warnings) out.push("", `> ⚠️ ${w}`);
  return [...out, ""];
}

function stackDetails(s: StackReview): string {
  const c = s.counts;
  const summary = `<b>${s.name}</b> (${s.status}): ${c.added} added, ${c.changed} changed, ${c.removed} removed${c.liveReplacedOrDestroyed ? `, ⛔ ${c.liveReplacedOrDestroyed} live replaced/destroyed` : ""}`;
  return [
    `<details><summary>${summary}</summary>`,
    "",
    ...terraformSection(s),
    ...ignitionSection(s.ignition),
    ...kubernetesSection(s),
    ...costSection(s),
    "</details>",
  ].join("\n");
}

function errorLines(e: ReviewError): string[] {
  const out = [`- **${e.revision}**, ${e.stage}: ${e.summary}`];
  for (const p of e.problems) {
    const where = p.field ? code(p.field) : p.file ? code(`${p.file}${p.line ? `:${p.line}` : ""}`) : "";
    out.push(`  - ${where ? `${where}: ` : ""}${p.message}`);
  }
  if (e.output) out.push("", "<details><summary>output</summary>", "", fenced("text", e.output), "", "</details>", "");
  return out;
}

/** Lock changes, unguarded live generations, the apply plan and the rollout notes. */
function planLines(report: ReviewReport): string[] {
  const out: string[] = [];
  const g = report.guard;
  if (g.lockChanges?.length) {
    out.push("**Lock changes** (clusters/generations.lock.json; the review guards with the base revision's lock):", "");
    for (const l of g.lockChanges)
      out.push(`- ${l.allowed ? "" : "⛔ **refused** "}${code(`${l.cluster}/${l.generation}`)} ${l.change}: ${l.note}`);
    out.push("");
  }
  for (const u of g.unguarded ?? []) out.push(`${u.level === "error" ? "⛔" : "⚠️"} **Unguarded live generation:** ${u.message}`, "");
  if (report.applyPlan?.length) {
    out.push("**Apply plan** (in this order):", "");
    report.applyPlan.forEach((step, i) =>
      out.push(`${i + 1}. ${code(step.command)}${step.from === "base" ? " (from the base revision)" : ""}: ${step.why}`),
    );
    out.push("");
  }
  if (report.rollout?.length) {
    out.push("**When it takes effect:**", "");
    for (const r of report.rollout) out.push(`- ${code(r.stack)} ${r.subject}: ${r.note}`);
    out.push("");
  }
  return out;
}

/** The whole comment. */
export function renderMarkdown(report: ReviewReport): string {
  const changed = report.stacks.filter((s) => s.status !== "unchanged");
  const head: string[] = ["### immutable-clusters review", ""];
  const rev = (r: { ref: string; commit?: string }) => `${code(r.ref)}${r.commit ? ` (${r.commit.slice(0, 12)})` : ""}`;
  head.push(`${rev(report.base)} → ${rev(report.head)}`, "");
  if (report.errors?.length) {
    head.push(`**Verdict:** ⛔ exit ${report.verdict.exitCode}: ${report.verdict.reason}`, "", "**Could not review:**", "");
    for (const e of report.errors) head.push(...errorLines(e));
    return head.join("\n") + "\n";
  }
  if (changed.length === 0) head.push("No stack changes.", "");
  else {
    head.push("| stack | added | changed | removed | replaced/destroyed live | cost Δ /month |", "|---|--:|--:|--:|--:|--:|");
    for (const s of changed) {
      const live = s.counts.liveReplacedOrDestroyed > 0 ? `⛔ ${s.counts.liveReplacedOrDestroyed}` : "0";
      head.push(
        `| ${code(s.name)} (${s.status}) | ${s.counts.added} | ${s.counts.changed} | ${s.counts.removed} | ${live} | ${formatUsd(s.cost.delta)} |`,
      );
    }
    const t = report.summary;
    head.push(
      `| **total** | ${t.resourcesAdded} | ${t.resourcesChanged} | ${t.resourcesRemoved} | ${t.liveReplacedOrDestroyed > 0 ? `⛔ ${t.liveReplacedOrDestroyed}` : "0"} | **${formatUsd(t.monthlyCostDelta)}** |`,
      "",
    );
    if (t.monthlyCostRange && t.monthlyCostRange.min !== t.monthlyCostRange.max)
      head.push(
        `Counts are resources (data sources excluded, as in \`terraform plan\`). Cost is at desired size; head at min–max size: ${formatUsd(t.monthlyCostRange.min, false)}–${formatUsd(t.monthlyCostRange.max, false)} /month.`,
        "",
      );
  }
  const v = report.verdict;
  head.push(`**Verdict:** ${v.exitCode === 0 ? "✅" : "⛔"} exit ${v.exitCode}: ${v.reason}`, "");
  const g = report.guard;
  if (g.violations.length > 0) {
    head.push(`**Immutability guard:** ⛔ ${g.violations.length} change(s) to deployed generations refused:`, "");
    for (const x of g.violations) head.push(`- ${code(`${x.cluster}/${x.generation}`)} ${code(x.field)}: ${x.message}`);
    head.push("");
  } else if (!g.reported)
    head.push("**Immutability guard:** ⚠️ the head synth wrote no guard report (guard-violations.json); not checked", "");
  else if (!g.lockPresent) head.push("**Immutability guard:** ✅ allowed (no fleet lock: no generation is recorded as deployed)", "");
  else head.push("**Immutability guard:** ✅ allowed: no deployed generation changes in place", "");
  if (report.generations.length > 0) {
    const gens = report.generations.map((x) => {
      const w = x.weight && x.weight.before !== x.weight.after ? `, weight ${x.weight.before ?? "none"} → ${x.weight.after ?? "none"}` : "";
      const severity = x.severity ? `, ${x.severity === "serving-traffic" ? "⛔ **destroy while serving traffic**" : x.severity}` : "";
      return `${code(x.stack)} (${x.how}${w}${severity})`;
    });
    head.push(`**Generations touched:** ${gens.join(", ")}`, "");
  }
  head.push(...planLines(report));
  head.push(`<sub>${priceStatement(report.prices)}</sub>`, "");
  if (report.mermaid) head.push("```mermaid", report.mermaid, "```", "");

  let text = head.join("\n");
  const sections = changed.map(stackDetails);
  for (let i = 0; i < sections.length; i++) {
    if (text.length + sections[i].length + 200 > MARKDOWN_BUDGET) {
      text += `\n_${sections.length - i} more stack section(s) left out to stay under GitHub's comment size: ${changed
        .slice(i)
        .map((s) => code(s.name))
        .join(", ")}. Run the review with \`--format json\` for everything._\n`;
      break;
    }
    text += "\n" + sections[i] + "\n";
  }
  return text;
}
