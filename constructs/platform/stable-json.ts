// Owns writing a stack's Terraform JSON text exactly as cdktf 0.21.0 writes it, in a fraction of the CPU. cdktf's
// StackSynthesizer.synthesize writes `stringify(jsonTfConfig, { space: 2 })` with json-stable-stringify (1.3.0 as
// installed under cdktf/node_modules; hashicorp/terraform-cdk packages/cdktf/lib/synthesize/synthesizer.ts). This is
// that function's algorithm for those options (no replacer, no cmp, no cycles option, no collapseEmpty; its index.js),
// without its per-call costs: a bound-method wrapper per array operation, a replacer call per value, the indent string
// built again at every node and a closure per object. Same bytes for every input (test/stable-json.test.ts compares
// it with json-stable-stringify on hard cases and on every example stack); it was about 8% of a 50-generation synth.
// A base64 text the node bucket encoded (known-base64.ts) is written as itself between quotes, which is what
// JSON.stringify writes for it, without JSON.stringify's scan of its ~0.5 MB per generation (~3% of a fleet's synth).
import { isKnownBase64 } from "./known-base64";

/**
 * Object keys as JSON.stringify writes them, by key. JSON.stringify of a string depends on nothing but the string
 * (ECMA-262 QuoteJSONString), so a kept text is always the right one. A stack's keys repeat (attribute and block names,
 * resource types) across its resources and the fleet's stacks; keeping them saved about a fifth of this writer's time.
 * Bounded: cleared whole when it holds QUOTED_KEYS_LIMIT keys (a generation stack has a few thousand distinct ones).
 */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 50_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size >= QUOTED_KEYS_LIMIT) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Two spaces per level, as `space: 2`; indents[level] is "\n" and level times "  " (built once per level). */
const indents: string[] = [];

function indent(level: number): string {
  return (indents[level] ??= "\n" + "  ".repeat(level));
}

/**
 * json-stable-stringify 1.3.0's `stringify(value, { space: 2 })`: object keys sorted by UTF-16 code units (Array
 * sort's default order), two-space indent, an empty array or object written across two lines (`[` newline `]`),
 * undefined (and function) members left out and written as null in arrays, toJSON honoured, a cycle through objects
 * refused with its TypeError.
 */
export function stableJson(value: unknown): string | undefined {
  return write(value, 0, []);
}

function write(node: unknown, level: number, seen: object[]): string | undefined {
  // As its stringify: toJSON first (called without a key), then the (identity) replacer, then scalars by JSON.stringify.
  const withJson = node as { toJSON?: unknown } | null | undefined;
  if (withJson && withJson.toJSON && typeof withJson.toJSON === "function") node = (withJson.toJSON as () => unknown)();
  if (node === undefined) return undefined;
  if (typeof node === "string") return isKnownBase64(node) ? '"' + node + '"' : JSON.stringify(node);
  if (typeof node !== "object" || node === null) return JSON.stringify(node);

  const inner = indent(level + 1);
  if (Array.isArray(node)) {
    let text = "[";
    for (let i = 0; i < node.length; i++) {
      text += (i === 0 ? "" : ",") + inner + (write(node[i], level + 1, seen) || "null");
    }
    return text + indent(level) + "]";
  }

  if (seen.includes(node)) throw new TypeError("Converting circular structure to JSON");
  seen.push(node);
  const keys = Object.keys(node).sort();
  let text = "{";
  let first = true;
  for (const key of keys) {
    const member = write((node as Record<string, unknown>)[key], level + 1, seen);
    if (!member) continue;
    text += (first ? "" : ",") + inner + quotedKey(key) + ": " + member;
    first = false;
  }
  // Objects are pushed and removed in nesting order, so the one to remove is the last (its splice of indexOf).
  seen.pop();
  return text + indent(level) + "}";
}
