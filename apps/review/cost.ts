// Owns the monthly cost estimate of a generation stack and its change: instances of every Auto Scaling group (desired
// capacity × on-demand price of the first instance type, plus gp3/gp2 root volumes, and the same at the group's min and
// max size) and load balancers (hourly charge),
// from the price table shipped in prices/<region>.json (loaded and checked by price-table.ts). Spot capacity is priced
// as on-demand (an upper bound), said so; a price the table marks unverified is said so on its line.
import { isVerified, type PriceSection, type PriceTable } from "./price-table";
import type { CostLine, CostRange, StackCost } from "./report";
import type { GenerationShape } from "./stack-shape";

const round = (n: number) => Math.round(n * 100) / 100;
const roundRange = (r: CostRange): CostRange => ({ min: round(r.min), max: round(r.max) });

/** The note a cost line carries when the table marks the price it used unverified; none for a verified price. */
const unverifiedNote = (table: PriceTable, section: PriceSection, entry: string, what: string): string[] =>
  isVerified(table, section, entry) ? [] : [`${what} unverified (not checked against a source)`];

interface PricedItem {
  readonly key: string;
  readonly label: string;
  readonly monthly: number;
  /** Monthly at the group's min and max size (a load balancer: its monthly both). */
  readonly range: CostRange;
  /** The first instance type (Auto Scaling groups). */
  readonly instanceType?: string;
  readonly notes: string[];
}

/** The priced items of one generation, with warnings for prices the table lacks. */
export function pricedItems(shape: GenerationShape | undefined, table: PriceTable): { items: PricedItem[]; warnings: string[] } {
  const items: PricedItem[] = [];
  const warnings: string[] = [];
  if (!shape) return { items, warnings };
  if (shape.region && shape.region !== table.region) {
    warnings.push(
      `${shape.stack} runs in ${shape.region} but the price table is for ${table.region} (no table ships for ${shape.region}): estimates are indicative`,
    );
  }
  const h = table.hoursPerMonth;
  for (const g of shape.groups) {
    const type = g.instanceTypes[0];
    const notes: string[] = [];
    if (g.instanceTypes.length > 1)
      notes.push(`mixed instances policy: priced at the first type ${type} (of ${g.instanceTypes.join(", ")})`);
    if (g.spotPercent > 0) {
      const spot = Math.max(0, g.desired - g.onDemandBase) * (g.spotPercent / 100);
      notes.push(`${round(spot)} of ${g.desired} instance(s) may run on spot; priced as on-demand (an upper bound)`);
    }
    let hourly = type ? table.ec2OnDemandHourly[type] : undefined;
    if (hourly === undefined) {
      if (g.desired > 0)
        warnings.push(`no price for instance type ${type ?? "(unknown)"} in the ${table.region} table: ${g.name} counted as $0`);
      hourly = 0;
    } else notes.push(...unverifiedNote(table, "ec2OnDemandHourly", type!, `${type} price`));
    let volume = 0;
    if (g.rootVolume) {
      const perGiB = table.ebsPerGiBMonth[g.rootVolume.type];
      if (perGiB === undefined)
        warnings.push(`no price for EBS ${g.rootVolume.type} in the ${table.region} table: ${g.name} volumes counted as $0`);
      else {
        volume = g.rootVolume.sizeGiB * perGiB;
        notes.push(...unverifiedNote(table, "ebsPerGiBMonth", g.rootVolume.type, `EBS ${g.rootVolume.type} price`));
      }
    }
    const what = g.role === "controller" ? "control plane" : `pool ${g.pool ?? g.name}`;
    const perInstance = hourly * h + volume;
    items.push({
      key: `asg:${g.name}`,
      label: `${what}: ${g.desired} × ${type ?? "?"}${g.min !== g.max ? ` (${g.min}..${g.max})` : ""}${g.rootVolume ? ` + ${g.rootVolume.sizeGiB} GiB ${g.rootVolume.type}` : ""}`,
      monthly: g.desired * perInstance,
      range: { min: g.min * perInstance, max: g.max * perInstance },
      ...(type ? { instanceType: type } : {}),
      notes,
    });
  }
  for (const lb of shape.loadBalancers) {
    const hourly = table.loadBalancerHourly[lb.type];
    if (hourly === undefined)
      warnings.push(`no price for a ${lb.type} load balancer in the ${table.region} table: ${lb.name} counted as $0`);
    const notes = ["hourly charge only; capacity units and data transfer excluded"];
    if (hourly !== undefined) notes.push(...unverifiedNote(table, "loadBalancerHourly", lb.type, `${lb.type} load balancer price`));
    items.push({
      key: `lb:${lb.name}`,
      label: `${lb.type === "network" ? "NLB" : `${lb.type} LB`} ${lb.name}`,
      monthly: (hourly ?? 0) * h,
      range: { min: (hourly ?? 0) * h, max: (hourly ?? 0) * h },
      notes,
    });
  }
  return { items, warnings };
}

/** Monthly cost of a generation in base and head and the difference, per priced item (items equal on both sides omitted). */
export function costDelta(base: GenerationShape | undefined, head: GenerationShape | undefined, table: PriceTable): StackCost {
  const b = pricedItems(base, table);
  const a = pricedItems(head, table);
  const before = new Map(b.items.map((i) => [i.key, i]));
  const after = new Map(a.items.map((i) => [i.key, i]));
  const lines: CostLine[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const x = before.get(key);
    const y = after.get(key);
    const delta = round((y?.monthly ?? 0) - (x?.monthly ?? 0));
    if (delta === 0 && x?.label === y?.label) continue;
    const notes = [...(y ?? x)!.notes];
    // Auto Scaling does not replace running instances when the launch configuration changes (no instance refresh here).
    if (x?.instanceType && y?.instanceType && x.instanceType !== y.instanceType)
      notes.push(
        `running instances stay ${x.instanceType} until replaced (no instance refresh); "after" assumes every instance is ${y.instanceType}`,
      );
    const zero = { min: 0, max: 0 };
    lines.push({
      key,
      label: x && y && x.label !== y.label ? `${x.label} → ${y.label.replace(/^[^:]*: /, "")}` : (y ?? x)!.label,
      before: round(x?.monthly ?? 0),
      after: round(y?.monthly ?? 0),
      delta,
      notes,
      ...(key.startsWith("asg:") ? { range: { before: roundRange(x?.range ?? zero), after: roundRange(y?.range ?? zero) } } : {}),
    });
  }
  const sum = (items: PricedItem[]) => items.reduce((s, i) => s + i.monthly, 0);
  const sumRange = (items: PricedItem[]) =>
    roundRange({ min: items.reduce((s, i) => s + i.range.min, 0), max: items.reduce((s, i) => s + i.range.max, 0) });
  return {
    before: round(sum(b.items)),
    after: round(sum(a.items)),
    delta: round(sum(a.items) - sum(b.items)),
    lines,
    range: { before: sumRange(b.items), after: sumRange(a.items) },
    warnings: [...new Set([...b.warnings, ...a.warnings])],
  };
}

/** `+$1,234.56` / `−$12.00` / `$0.00`. */
export function formatUsd(amount: number, signed = true): string {
  const abs = Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (!signed || amount === 0) return `$${abs}`;
  return `${amount > 0 ? "+" : "−"}$${abs}`;
}
