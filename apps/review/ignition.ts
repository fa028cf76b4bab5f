// Owns decoding Ignition for review: finds a stack's configs (full configs stored as S3 objects `ignition/*.ign`, and
// launch templates' base64 user data), decodes file contents (data: URLs, percent or base64, optionally gzip) and
// compares two configs file by path and systemd unit/drop-in by name, as unified text diffs.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { structuredPatch } from "diff";
import { storedObjectText } from "../../constructs/cluster/node-bucket-object-content";
import { dataUrlBytes } from "../../constructs/ignition/builder";
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { diffValues } from "./object-diff";
import type { IgnitionChange, IgnitionEntryChange } from "./report";

/** An Ignition config made readable: file texts by path, unit texts by name, drop-ins by `<unit>/<dropin>`, the rest as JSON. */
export interface DecodedIgnition {
  readonly files: Readonly<Record<string, string>>;
  readonly units: Readonly<Record<string, string>>;
  readonly dropins: Readonly<Record<string, string>>;
  /** Everything besides storage.files contents and systemd unit texts (version, config merges, users, unit flags, file modes). */
  readonly settings: unknown;
}

/** Terraform renders `$${` as `${` and `%%{` as `%{` in literal strings; undo the escaping the node bucket applies. */
export { terraformLiteral } from "../../constructs/cluster/node-bucket-object-content";

/** The text of binary content: a line saying its size and hash, so a diff still shows that it changed. */
function describeBinary(bytes: Buffer): string {
  return `(binary, ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}…)\n`;
}

/**
 * Decodes an Ignition file source: `data:` URLs (percent-encoded or base64, gzip when `compression` says so); others are
 * named with the hash Ignition verifies them by (`verification.hash`, spec 3.x: `<type>-<hex>`), so a new binary's hash
 * shows in the diff.
 */
export function decodeSource(source: string | undefined, compression?: string, verificationHash?: string): string {
  if (source === undefined || source === null) return "";
  const raw = dataUrlBytes(source);
  if (!raw) return `(fetched at boot from ${source}${verificationHash ? `, verified by ${verificationHash}` : ", not verified"})\n`;
  let bytes: Buffer = raw;
  if (compression === "gzip") {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return `(gzip content that does not decompress, ${bytes.length} bytes)\n`;
    }
  }
  const text = bytes.toString("utf8");
  return text.includes("\u0000") || text.includes("\uFFFD") ? describeBinary(bytes) : text;
}

// Ignition config spec 3.x resources: `source`, `compression`, `verification.hash`
// (https://coreos.github.io/ignition/configuration-v3_3/).
interface IgnitionResource {
  source?: string;
  compression?: string;
  verification?: { hash?: string };
}
interface IgnitionFile {
  path: string;
  contents?: IgnitionResource;
  append?: IgnitionResource[];
}
interface IgnitionUnit {
  name: string;
  contents?: string;
  dropins?: { name: string; contents?: string }[];
}

/** Decodes one Ignition config (JSON text or object). Text that is not JSON is kept as one pseudo-file `(config)`. */
export function decodeIgnition(config: string | Record<string, unknown>): DecodedIgnition {
  let parsed: Record<string, unknown>;
  try {
    parsed = typeof config === "string" ? (JSON.parse(config) as Record<string, unknown>) : config;
  } catch {
    return { files: { "(config)": String(config) }, units: {}, dropins: {}, settings: {} };
  }
  const storage = (parsed.storage ?? {}) as { files?: IgnitionFile[] };
  const systemd = (parsed.systemd ?? {}) as { units?: IgnitionUnit[] };
  const files: Record<string, string> = {};
  const units: Record<string, string> = {};
  const dropins: Record<string, string> = {};
  for (const f of storage.files ?? []) {
    const text = (r: IgnitionResource | undefined) => decodeSource(r?.source, r?.compression, r?.verification?.hash);
    files[f.path] = text(f.contents) + (f.append ?? []).map(text).join("");
  }
  for (const u of systemd.units ?? []) {
    if (u.contents !== undefined) units[u.name] = u.contents;
    for (const d of u.dropins ?? []) dropins[`${u.name}/${d.name}`] = d.contents ?? "";
  }
  const settings = {
    ...parsed,
    storage: { ...storage, files: (storage.files ?? []).map((f) => ({ ...f, contents: undefined, append: undefined })) },
    systemd: {
      ...systemd,
      units: (systemd.units ?? []).map((u) => ({ ...u, contents: undefined, dropins: (u.dropins ?? []).map((d) => d.name) })),
    },
  };
  return { files, units, dropins, settings: JSON.parse(JSON.stringify(settings)) as unknown };
}

/** Every Ignition config of a stack by where it lives: `s3:<key>` (full configs) and `user_data:<launch template name>`. */
export function ignitionConfigsOf(stack: TerraformJson | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const object of Object.values(stack?.resource?.aws_s3_object ?? {})) {
    const key = String(object.key ?? "");
    const text = storedObjectText(object); // `content` (escaped) or `content_base64`, by the generation's node contract
    if (key.endsWith(".ign") && text !== undefined) out[`s3:${key}`] = text;
  }
  for (const [id, template] of Object.entries(stack?.resource?.aws_launch_template ?? {})) {
    if (typeof template.user_data !== "string") continue;
    const name = typeof template.name === "string" ? template.name : id;
    const decoded = /^[A-Za-z0-9+/=\s]+$/.test(template.user_data)
      ? Buffer.from(template.user_data, "base64").toString("utf8")
      : template.user_data;
    out[`user_data:${name}`] = decoded;
  }
  return out;
}

/** A unified diff of two texts without the file header (hunks only); empty when equal. */
export function unifiedDiff(before: string, after: string, context = 3): string {
  if (before === after) return "";
  const patch = structuredPatch("base", "head", before, after, "", "", { context });
  return patch.hunks
    .map((h) =>
      [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines.filter((l) => !l.startsWith("\\"))].join("\n"),
    )
    .join("\n");
}

function diffTexts(
  kind: IgnitionEntryChange["kind"],
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): IgnitionEntryChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: IgnitionEntryChange[] = [];
  for (const name of names) {
    const b = before[name];
    const a = after[name];
    if (b === a) continue;
    const status = b === undefined ? "added" : a === undefined ? "removed" : "changed";
    out.push({ kind, name, status, diff: unifiedDiff(b ?? "", a ?? "") });
  }
  return out;
}

/** The decoded differences of two versions of one config (either may be absent). */
export function diffIgnitionConfig(before: string | undefined, after: string | undefined): IgnitionEntryChange[] {
  const empty: DecodedIgnition = { files: {}, units: {}, dropins: {}, settings: {} };
  const b = before === undefined ? empty : decodeIgnition(before);
  const a = after === undefined ? empty : decodeIgnition(after);
  const settings: IgnitionEntryChange[] = diffValues(b.settings, a.settings).map((c) => ({
    kind: "setting",
    name: c.path,
    status: c.kind,
    diff: [c.before !== undefined ? `-${c.before}` : "", c.after !== undefined ? `+${c.after}` : ""].filter(Boolean).join("\n"),
  }));
  return [
    ...diffTexts("file", b.files, a.files),
    ...diffTexts("unit", b.units, a.units),
    ...diffTexts("dropin", b.dropins, a.dropins),
    ...settings,
  ];
}

function namesOnly(entries: IgnitionEntryChange[]): IgnitionEntryChange[] {
  return entries.filter((e) => e.kind !== "setting").map((e) => ({ ...e, diff: "" }));
}

/** Files, units and drop-ins of a config shown whole (an added config): the decoded texts as all-added diffs. */
function inFull(entries: IgnitionEntryChange[]): IgnitionEntryChange[] {
  return entries.filter((e) => e.kind !== "setting");
}

/** The Ignition differences of a stack: one entry per config that was added, removed or changed. */
export function diffIgnition(base: TerraformJson | undefined, head: TerraformJson | undefined): IgnitionChange[] {
  const before = ignitionConfigsOf(base);
  const after = ignitionConfigsOf(head);
  const out: IgnitionChange[] = [];
  for (const config of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = before[config];
    const a = after[config];
    if (b === a) continue;
    const status = b === undefined ? "added" : a === undefined ? "removed" : "changed";
    // A config added (a new pool, a new generation) is shown whole, decoded; one removed is listed by its files and units.
    const entries =
      status === "changed"
        ? diffIgnitionConfig(b, a)
        : status === "added"
          ? inFull(diffIgnitionConfig(b, a))
          : namesOnly(diffIgnitionConfig(b, a));
    out.push({ config, status, entries });
  }
  return out;
}
