// Owns writing a stack's Terraform JSON text exactly as cdktf 0.21.0 writes it, in a fraction of the CPU. cdktf's
// StackSynthesizer.synthesize writes `stringify(jsonTfConfig, { space: 2 })` with json-stable-stringify (1.3.0 as
// installed under cdktf/node_modules; hashicorp/terraform-cdk packages/cdktf/lib/synthesize/synthesizer.ts). This is
// that function's algorithm for those options (no replacer, no cmp, no cycles option, no collapseEmpty; its index.js),
// without its per-call costs: a bound-method wrapper per array operation, a replacer call per value, the indent string
// built again at every node and a closure per object. Same bytes for every input (test/stable-json.test.ts compares
// it with json-stable-stringify on hard cases and on every example stack); it was about 8% of a 50-generation synth.
// A base64 text the node bucket encoded (known-base64.ts) is written as itself between quotes, which is what
// JSON.stringify writes for it, without JSON.stringify's scan of its ~0.5 MB per generation (~3% of a fleet's synth).
// writeStableJsonFile writes the text to a file without ever holding it whole: the pieces are copied into a reused
// buffer every CHUNK_LENGTH characters and the buffer is written to the file. Making the ~575 KB text of a generation
// stack one string (the rope of pieces flattened, in fresh memory) and then its UTF-8 copy (writeFileSync) cost about
// 0.35 ms of CPU per stack file here, a third of it system time for the fresh pages.
import { closeSync, openSync, writeSync } from "node:fs";
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
 * Where the writer puts the text, piece by piece, in order. Every piece is a whole JSON token, separator or indent
 * (JSON.stringify escapes lone surrogates, so no piece ends inside a surrogate pair), so the UTF-8 of the pieces one
 * after the other is the UTF-8 of the whole text.
 */
class JsonText {
  /** The pieces not yet taken, as one (cons) string. */
  private pending = "";

  /** `take` is given the pending text when it reaches `chunkLength` characters, and a piece at least that long. */
  constructor(
    private readonly chunkLength: number,
    private readonly take: (text: string) => void,
  ) {}

  add(piece: string): void {
    if (piece.length >= this.chunkLength) {
      this.flush();
      this.take(piece);
      return;
    }
    this.pending += piece;
    if (this.pending.length >= this.chunkLength) this.flush();
  }

  /** Hands what is pending to `take`; returns it too (the whole text when nothing was taken before). */
  flush(): string {
    const text = this.pending;
    this.pending = "";
    if (text.length > 0) this.take(text);
    return text;
  }
}

/**
 * json-stable-stringify 1.3.0's `stringify(value, { space: 2 })`: object keys sorted by UTF-16 code units (Array
 * sort's default order), two-space indent, an empty array or object written across two lines (`[` newline `]`),
 * undefined (and function) members left out and written as null in arrays, toJSON honoured, a cycle through objects
 * refused with its TypeError.
 */
export function stableJson(value: unknown): string | undefined {
  const node = jsonValue(value);
  if (!isWritten(node)) return undefined;
  const text = new JsonText(Infinity, () => undefined);
  write(node, 0, [], text);
  return text.flush();
}

/** Characters collected before they are copied into the file buffer (a new-space string, not a fresh large page). */
const CHUNK_LENGTH = 16 * 1024;
/** The file buffer kept between writes, up to this size (a generation stack's text is about 575 KB). */
const KEPT_BUFFER_LIMIT = 8 * 1024 * 1024;
let keptBuffer: Buffer | undefined;

/**
 * Writes stableJson(value) (an empty file where it is undefined) to `path` as UTF-8, the bytes and the file
 * writeFileSync(path, text) gives (opened with its flag "w" and mode 0o666, Node's fs docs), through a buffer reused
 * from one call to the next. Nothing is written to the file when the value cannot be written (a cycle, a BigInt).
 */
export function writeStableJsonFile(path: string, value: unknown): void {
  // Taken for this call (a toJSON writing a file of its own meanwhile gets a new one), given back when done.
  let buffer = keptBuffer ?? Buffer.allocUnsafeSlow(1024 * 1024);
  keptBuffer = undefined;
  let length = 0;
  const text = new JsonText(CHUNK_LENGTH, (piece) => {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so with this room the piece is written whole.
    const room = length + piece.length * 3;
    if (room > buffer.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(room, buffer.length * 2));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    length += buffer.write(piece, length, "utf8");
  });
  const node = jsonValue(value);
  if (isWritten(node)) write(node, 0, [], text);
  text.flush();
  const fd = openSync(path, "w", 0o666);
  try {
    for (let written = 0; written < length; ) written += writeSync(fd, buffer, written, length - written);
  } finally {
    closeSync(fd);
    if (buffer.length <= KEPT_BUFFER_LIMIT) keptBuffer = buffer;
  }
}

/** As its stringify: toJSON first (called without a key), then the (identity) replacer. */
function jsonValue(node: unknown): unknown {
  const withJson = node as { toJSON?: unknown } | null | undefined;
  return withJson && withJson.toJSON && typeof withJson.toJSON === "function" ? (withJson.toJSON as () => unknown)() : node;
}

/** Whether its stringify writes `node` (a jsonValue): undefined, functions and symbols are left out (JSON.stringify). */
function isWritten(node: unknown): boolean {
  return node !== undefined && typeof node !== "function" && typeof node !== "symbol";
}

/** Writes a jsonValue that isWritten; `level` is its depth, `seen` the objects it is inside of. */
function write(node: unknown, level: number, seen: object[], text: JsonText): void {
  if (typeof node === "string") {
    if (!isKnownBase64(node)) return text.add(JSON.stringify(node));
    // Written as it is (no copy with the quotes): a piece this long goes to the file buffer straight.
    text.add('"');
    text.add(node);
    return text.add('"');
  }
  if (typeof node !== "object" || node === null) return text.add(JSON.stringify(node) as string);

  const inner = indent(level + 1);
  if (Array.isArray(node)) {
    text.add("[");
    for (let i = 0; i < node.length; i++) {
      text.add(i === 0 ? inner : "," + inner);
      const item = jsonValue(node[i]);
      if (isWritten(item)) write(item, level + 1, seen, text);
      else text.add("null");
    }
    return text.add(indent(level) + "]");
  }

  if (seen.includes(node)) throw new TypeError("Converting circular structure to JSON");
  seen.push(node);
  const keys = Object.keys(node).sort();
  text.add("{");
  let first = true;
  for (const key of keys) {
    const member = jsonValue((node as Record<string, unknown>)[key]);
    if (!isWritten(member)) continue;
    text.add((first ? inner : "," + inner) + quotedKey(key) + ": ");
    write(member, level + 1, seen, text);
    first = false;
  }
  // Objects are pushed and removed in nesting order, so the one to remove is the last (its splice of indexOf).
  seen.pop();
  text.add(indent(level) + "}");
}
