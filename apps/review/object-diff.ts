// Owns field-level differences of two JSON values (through microdiff): paths written `a.b[0].c`, values summarised so a
// reviewer reads them (long strings shortened), cdktf metadata (`//`) left out.
import microdiff from "microdiff";
import type { AttributeChange } from "./report";

type Json = Record<string, unknown> | unknown[];

/** A copy of `value` without cdktf metadata keys (`//`) at any depth. */
export function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== "//") out[k] = withoutMetadata(v);
    return out;
  }
  return value;
}

/**
 * Lists of objects identified by a unique `key` (Terraform tags) or `name` (containers, env, ports, Ignition units) become
 * objects keyed `key=<value>` / `name=<value>`, so an insertion shows as one added entry instead of every later index
 * shifting. Other arrays stay positional.
 */
export function keyedLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(keyedLists);
    for (const id of ["key", "name"]) {
      const ids = items.map((i) => (i && typeof i === "object" && !Array.isArray(i) ? (i as Record<string, unknown>)[id] : undefined));
      if (items.length > 0 && ids.every((x) => typeof x === "string") && new Set(ids).size === ids.length) {
        return Object.fromEntries(items.map((item, n) => [`${id}=${ids[n] as string}`, item]));
      }
    }
    return items;
  }
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keyedLists(v)]));
  return value;
}

/** `a.b[0].c` from microdiff's path array (keys that are not identifiers are quoted: `labels["app.kubernetes.io/name"]`). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^(key|name)=/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A value as a short string: JSON, with strings over `max` characters cut and their length stated. */
export function summarizeValue(value: unknown, max = 120): string {
  if (typeof value === "string") {
    return value.length > max ? `${JSON.stringify(value.slice(0, max))}… (${value.length} chars)` : JSON.stringify(value);
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Field-level differences between two JSON documents (metadata ignored), in document order. */
export function diffValues(before: unknown, after: unknown): AttributeChange[] {
  const a = keyedLists(withoutMetadata(before));
  const b = keyedLists(withoutMetadata(after));
  if (!isContainer(a) || !isContainer(b)) {
    return JSON.stringify(a) === JSON.stringify(b)
      ? []
      : [{ path: "", kind: "changed", before: summarizeValue(a), after: summarizeValue(b) }];
  }
  return microdiff(a, b).map((d) => {
    const path = formatPath(d.path);
    if (d.type === "CREATE") return { path, kind: "added", after: summarizeValue(d.value) };
    if (d.type === "REMOVE") return { path, kind: "removed", before: summarizeValue(d.oldValue) };
    return { path, kind: "changed", before: summarizeValue(d.oldValue), after: summarizeValue(d.value) };
  });
}

function isContainer(value: unknown): value is Json {
  return typeof value === "object" && value !== null;
}

/** The first segment of a formatted path: the top-level attribute (`mixed_instances_policy` of `mixed_instances_policy.x[0]`). */
export function topLevel(path: string): string {
  return /^[^.[]*/.exec(path)?.[0] ?? path;
}
