// Owns the price tables shipped in prices/<region>.json: their type, loading them with validation (every price a finite
// number, every price traced to exactly one cited source marked verified or unverified), and what a report states about
// a table's sources. The cost estimate itself is in cost.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PriceCitation, PriceSource } from "./report";

/** The priced sections of a table, each a map from an instance type / load balancer type / volume type to a price. */
export const PRICE_SECTIONS = ["ec2OnDemandHourly", "loadBalancerHourly", "ebsPerGiBMonth"] as const;
export type PriceSection = (typeof PRICE_SECTIONS)[number];

/** One source of a table's prices (`citations` in the JSON). */
export interface PriceTableCitation {
  /** `verified`: every price it covers was compared with the cited source and equals it; `unverified`: not checked. */
  readonly status: "verified" | "unverified";
  /** Short name for a reader, e.g. `skypilot-org/skypilot-catalog@001367d2`. */
  readonly label: string;
  /** Repository, path and commit (or URL) and what was read from it; for unverified prices, how they were entered. */
  readonly citation: string;
  /** A link to the exact source version, when there is one. */
  readonly url?: string;
  /** Date of the source itself (commit or publication), YYYY-MM-DD, when known. */
  readonly sourceDate?: string;
  /** When the covered prices were compared with the source, YYYY-MM-DD; required for `verified`. */
  readonly checked?: string;
  /** Other sources that agree with it, if any were compared. */
  readonly corroboration?: string;
}

/** One region's price table (prices/<region>.json). */
export interface PriceTable {
  readonly region: string;
  readonly regionName?: string;
  /** When the prices were last checked against their cited sources, YYYY-MM-DD (the verified citations' `checked`). */
  readonly date: string;
  readonly currency: "USD";
  readonly hoursPerMonth: number;
  /** One-paragraph summary: where the numbers come from and what they leave out. */
  readonly source: string;
  /** The sources, by id. */
  readonly citations: Readonly<Record<string, PriceTableCitation>>;
  /**
   * Which citation each price comes from: keys are a section (`ec2OnDemandHourly`, for all its entries) or one entry
   * (`ebsPerGiBMonth.gp3`, which takes precedence over its section); values are citation ids.
   */
  readonly provenance: Readonly<Record<string, string>>;
  readonly ec2OnDemandHourly: Readonly<Record<string, number>>;
  readonly loadBalancerHourly: Readonly<Record<string, number>>;
  readonly ebsPerGiBMonth: Readonly<Record<string, number>>;
}

const PRICES_DIR = join(__dirname, "prices");
/** The table used when none ships for a stack's region. */
export const DEFAULT_PRICE_REGION = "eu-west-1";

/** Regions with a shipped price table. */
export function priceRegions(): string[] {
  return readdirSync(PRICES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

/** The table for `region`, or the default region's table (check `table.region` against what you asked for). */
export function loadPriceTable(region: string = DEFAULT_PRICE_REGION): PriceTable {
  const file = join(PRICES_DIR, `${region}.json`);
  const chosen = existsSync(file) ? file : join(PRICES_DIR, `${DEFAULT_PRICE_REGION}.json`);
  return validatePriceTable(JSON.parse(readFileSync(chosen, "utf8")), chosen);
}

const isDate = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a parsed table and returns it typed; throws with every problem found, naming `where` (the file). */
export function validatePriceTable(raw: unknown, where: string): PriceTable {
  const problems: string[] = [];
  if (!isRecord(raw)) throw new Error(`price table ${where} is not a JSON object`);
  if (typeof raw.region !== "string" || raw.region === "") problems.push("region: a region name is required");
  if (!isDate(raw.date)) problems.push(`date: ${JSON.stringify(raw.date)} is not YYYY-MM-DD`);
  if (raw.currency !== "USD") problems.push(`currency: ${JSON.stringify(raw.currency)}; only USD is supported`);
  if (typeof raw.hoursPerMonth !== "number" || !(raw.hoursPerMonth > 0)) problems.push("hoursPerMonth: a positive number is required");
  if (typeof raw.source !== "string" || raw.source === "") problems.push("source: a summary of where the prices come from is required");

  for (const section of PRICE_SECTIONS) {
    const prices = raw[section];
    if (!isRecord(prices)) {
      problems.push(`${section}: an object of prices is required`);
      continue;
    }
    for (const [name, price] of Object.entries(prices)) {
      if (typeof price !== "number" || !Number.isFinite(price) || price < 0)
        problems.push(`${section}.${name}: ${JSON.stringify(price)} is not a non-negative number`);
    }
  }

  const citations = isRecord(raw.citations) ? raw.citations : {};
  if (!isRecord(raw.citations)) problems.push("citations: an object of sources by id is required");
  for (const [id, c] of Object.entries(citations)) {
    if (!isRecord(c)) {
      problems.push(`citations.${id}: an object is required`);
      continue;
    }
    if (c.status !== "verified" && c.status !== "unverified")
      problems.push(`citations.${id}.status: ${JSON.stringify(c.status)}; "verified" or "unverified" is required`);
    for (const field of ["label", "citation"] as const)
      if (typeof c[field] !== "string" || c[field] === "") problems.push(`citations.${id}.${field}: a string is required`);
    for (const field of ["sourceDate", "checked"] as const)
      if (c[field] !== undefined && !isDate(c[field]))
        problems.push(`citations.${id}.${field}: ${JSON.stringify(c[field])} is not YYYY-MM-DD`);
    if (c.status === "verified" && c.checked === undefined)
      problems.push(`citations.${id}.checked: a verified source needs the date its prices were compared with it`);
  }

  const provenance = isRecord(raw.provenance) ? raw.provenance : {};
  if (!isRecord(raw.provenance)) problems.push("provenance: an object from section or section.entry to citation id is required");
  for (const [key, id] of Object.entries(provenance)) {
    const [section, ...rest] = key.split(".");
    const entry = rest.join(".");
    const prices = raw[section];
    if (!(PRICE_SECTIONS as readonly string[]).includes(section)) problems.push(`provenance.${key}: ${section} is not a price section`);
    else if (entry !== "" && !(isRecord(prices) && entry in prices)) problems.push(`provenance.${key}: ${section} has no entry ${entry}`);
    if (typeof id !== "string" || !(id in citations)) problems.push(`provenance.${key}: ${JSON.stringify(id)} is not a citation id`);
  }
  for (const section of PRICE_SECTIONS) {
    const prices = raw[section];
    if (!isRecord(prices)) continue;
    for (const name of Object.keys(prices)) {
      if (provenance[`${section}.${name}`] === undefined && provenance[section] === undefined)
        problems.push(`${section}.${name}: no provenance (add "${section}" or "${section}.${name}" to provenance)`);
    }
  }

  if (problems.length > 0)
    throw new Error(`price table ${where} is invalid (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return raw as unknown as PriceTable;
}

/** The citation a price comes from (entry-level provenance first, then the section's). */
export function citationOf(table: PriceTable, section: PriceSection, entry: string): PriceTableCitation {
  const id = table.provenance[`${section}.${entry}`] ?? table.provenance[section];
  return table.citations[id];
}

/** Whether a price was compared with a cited source (false for prices the table lacks, too). */
export function isVerified(table: PriceTable, section: PriceSection, entry: string): boolean {
  return entry in table[section] && citationOf(table, section, entry)?.status === "verified";
}

/** What a report states about a table: region, date, units, and each source with the prices it covers. */
export function priceSource(table: PriceTable): PriceSource {
  const citations: PriceCitation[] = Object.entries(table.citations).map(([id, c]) => ({
    status: c.status,
    label: c.label,
    citation: c.citation,
    ...(c.url ? { url: c.url } : {}),
    ...(c.sourceDate ? { sourceDate: c.sourceDate } : {}),
    covers: Object.keys(table.provenance).filter((key) => table.provenance[key] === id),
  }));
  return {
    region: table.region,
    date: table.date,
    currency: table.currency,
    hoursPerMonth: table.hoursPerMonth,
    source: table.source,
    citations,
  };
}
