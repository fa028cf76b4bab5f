// Owns the price tables shipped in prices/<region>.json: their type, loading them with validation (every price a finite
// number, every price traced to exactly one cited source marked verified or unverified), and what a report states about
// a table's sources. The cost estimate itself is in cost.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
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

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date, YYYY-MM-DD" });
const required = (what: string) => z.string({ error: `${what} is required` }).min(1, { error: `${what} is required` });
const prices = z.record(z.string(), z.number().finite().nonnegative({ error: "must be a non-negative number" }), {
  error: "an object of prices is required",
});

const citationSchema = z
  .object({
    status: z.enum(["verified", "unverified"], { error: '"verified" or "unverified" is required' }),
    label: required("a label"),
    citation: required("a citation"),
    url: z.string().optional(),
    sourceDate: date.optional(),
    checked: date.optional(),
    corroboration: z.string().optional(),
  })
  .refine((c) => c.status !== "verified" || c.checked !== undefined, {
    error: "a verified source needs the date its prices were compared with it (checked)",
    path: ["checked"],
  });

const priceTableSchema = z.object({
  region: required("a region name"),
  regionName: z.string().optional(),
  date,
  currency: z.literal("USD", { error: "only USD is supported" }),
  hoursPerMonth: z.number().positive({ error: "a positive number is required" }),
  source: required("a summary of where the prices come from"),
  citations: z.record(z.string(), citationSchema, { error: "an object of sources by id is required" }),
  provenance: z.record(z.string(), z.string(), { error: "an object from section or section.entry to citation id is required" }),
  ec2OnDemandHourly: prices,
  loadBalancerHourly: prices,
  ebsPerGiBMonth: prices,
});

/**
 * What the schema cannot say: every provenance key names a section (or an entry of one) and a citation that exists,
 * and every price has a provenance. Reads the raw input defensively, so these problems are listed beside shape ones.
 */
function provenanceProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const record = (v: unknown): Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const citations = record(raw.citations);
  const provenance = record(raw.provenance);
  for (const [key, id] of Object.entries(provenance)) {
    const [section, ...rest] = key.split(".");
    const entry = rest.join(".");
    if (!(PRICE_SECTIONS as readonly string[]).includes(section)) problems.push(`provenance.${key}: ${section} is not a price section`);
    else if (entry !== "" && !(entry in record(raw[section]))) problems.push(`provenance.${key}: ${section} has no entry ${entry}`);
    if (typeof id !== "string" || !(id in citations)) problems.push(`provenance.${key}: ${JSON.stringify(id)} is not a citation id`);
  }
  for (const section of PRICE_SECTIONS) {
    for (const name of Object.keys(record(raw[section]))) {
      if (provenance[`${section}.${name}`] === undefined && provenance[section] === undefined)
        problems.push(`${section}.${name}: no provenance (add "${section}" or "${section}.${name}" to provenance)`);
    }
  }
  return problems;
}

/** Checks a parsed table and returns it typed; throws with every problem found, naming `where` (the file). */
export function validatePriceTable(raw: unknown, where: string): PriceTable {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`price table ${where} is not a JSON object`);
  const parsed = priceTableSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "(table)"}: ${issue.message}`)),
    ...provenanceProblems(raw as Record<string, unknown>),
  ];
  if (problems.length > 0)
    throw new Error(`price table ${where} is invalid (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return parsed.data as PriceTable;
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
