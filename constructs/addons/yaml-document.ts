// Owns writing one plain JSON-like object as a YAML document, byte for byte what `yaml` 2.9.1 writes for
// `stringify(value, { lineWidth: 0 })`, in a fraction of its CPU: yaml builds a node tree (createNode) and walks it
// with a context object per pair; the addon manifests of one generation spent ~0.15 s of a ~1.2 s synth there.
// The block layout (maps, sequences, `key: {}` / `key: []`, indentation) is written here as yaml's
// stringifyCollection, stringifyPair and stringifyDocument write it (eemeli/yaml v2.9.1, src/stringify/); every
// scalar is written by the core schema's own tag object, the one yaml's createNode picks for it, with the context
// yaml would pass, except strings that are plain in every context (ALWAYS_PLAIN). Anything outside what this writer
// mirrors (a value JSON would not carry one to one, an object or array met twice, which yaml writes as an anchor and
// an alias, a key longer than 1024 characters, which yaml writes as an explicit `? key`) is handed to yaml's
// stringify whole, so the bytes are always yaml's. test/yaml-document.test.ts compares both on every addon object of
// the example clusters and on hand-picked hard cases.
import { Document, stringify, type ScalarTag } from "yaml";

/** The options every caller passes to yaml's stringify, and so the ones mirrored here. */
const YAML_OPTIONS = { lineWidth: 0 } as const;

/**
 * The stringify context yaml 2.9.1 makes for a document (src/stringify/stringify.ts createStringifyContext, its
 * defaults with `lineWidth: 0` from YAML_OPTIONS), the fields stringifyString reads. `doc` supplies the core schema
 * (its tags decide which plain strings would read back as another type and must be quoted).
 */
const baseContext = {
  doc: new Document(),
  indentStep: "  ",
  inFlow: null,
  options: {
    blockQuote: true,
    commentString: (comment: string) => `#${comment}`,
    defaultKeyType: null,
    defaultStringType: "PLAIN",
    directives: null,
    doubleQuotedAsJSON: false,
    doubleQuotedMinMultiLineLength: 40,
    falseStr: "false",
    flowCollectionPadding: true,
    indentSeq: true,
    lineWidth: YAML_OPTIONS.lineWidth,
    minContentWidth: 20,
    nullStr: "null",
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: "true",
    verifyAliasOrder: true,
  },
};

/**
 * Strings yaml writes plain, unchanged, as a key and as a value at any depth: a letter, then letters, digits and
 * `._/-` (no indicator, space, colon, `#` or line break; not a document marker), and not one of the words the
 * core schema reads as null or a boolean. Numbers cannot match (they start with a digit, sign or dot).
 */
const ALWAYS_PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const CORE_SCHEMA_WORDS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);

/** Thrown inside the writer when the object needs something only yaml's full path writes; caught below. */
class NotMirrored extends Error {}

/** The core schema's scalar tags, in yaml's order (src/schema/core/schema.ts). */
const scalarTags = (baseContext.doc.schema.tags as ScalarTag[]).filter((tag) => typeof tag.stringify === "function");
/** The tag yaml's createNode picks for a scalar (src/doc/createNode.ts findTagObject: first match without a format). */
const tagOf = (value: unknown) => scalarTags.find((tag) => tag.identify?.(value) && !tag.format);
const stringTag = tagOf("");

/**
 * yaml's context for a scalar at `indent` (the fields stringifyPair / stringifyBlockCollection set), one per indent
 * and key-or-value. Shared: the string tag's stringify copies the context before stringifyString may set a field on
 * it (src/schema/common/string.ts), and the null, boolean and number tags only read it.
 */
const contexts = new Map<string, object>();
function contextAt(indent: string, implicitKey: boolean): object {
  const key = `${implicitKey ? "k" : "v"}${indent}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = { ...baseContext, indent, implicitKey, indentAtStart: undefined, forceBlockIndent: undefined };
    contexts.set(key, ctx);
  }
  return ctx;
}

/** A scalar as yaml writes it at `indent`, as a key or a value: through the tag yaml would pick for it. */
function writeScalar(value: unknown, indent: string, implicitKey: boolean): string {
  let tag: ScalarTag | undefined;
  if (typeof value === "string") {
    if (ALWAYS_PLAIN.test(value) && !CORE_SCHEMA_WORDS.has(value)) return value;
    tag = stringTag;
  } else if (typeof value === "boolean" || value === null || (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0)))
    tag = tagOf(value);
  if (tag?.stringify === undefined) throw new NotMirrored();
  return tag.stringify({ value } as never, contextAt(indent, implicitKey) as never, undefined, () => {});
}

const isCollection = (value: unknown): value is object => typeof value === "object" && value !== null;

/** An object literal's kind of object (its prototype is Object.prototype of some realm, or null). */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * A collection in block style at `indent` (the context indent yaml gives it), as its lines joined the way
 * stringifyBlockCollection joins them; an empty one is `{}` or `[]`.
 */
function writeCollection(value: object, indent: string, seen: Set<object>): string {
  if (seen.has(value)) throw new NotMirrored(); // yaml would write an anchor and an alias
  seen.add(value);
  if (Array.isArray(value)) {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw new NotMirrored();
    if (value.length === 0) return "[]";
    const itemIndent = indent + "  ";
    let out = "";
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const text = isCollection(item) ? writeCollection(item, itemIndent, seen) : writeScalar(item, itemIndent, false);
      out += (i === 0 ? "- " : `\n${indent}- `) + text;
    }
    return out;
  }
  if (!isPlainObject(value)) throw new NotMirrored();
  const pairIndent = indent + "  ";
  let out = "";
  let first = true;
  for (const key of Object.keys(value)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item === undefined) throw new NotMirrored();
    const keyText = writeScalar(key, pairIndent, true);
    if (keyText.length > 1024) throw new NotMirrored();
    let line: string;
    if (isCollection(item)) {
      const text = writeCollection(item, pairIndent, seen);
      // An empty collection stays on the key's line; any other starts on the next, at the pair's indent.
      line = text === "{}" || text === "[]" ? `${keyText}: ${text}` : `${keyText}:\n${pairIndent}${text}`;
    } else {
      line = `${keyText}: ${writeScalar(item, pairIndent, false)}`;
    }
    out += first ? line : `\n${indent}${line}`;
    first = false;
  }
  return first ? "{}" : out;
}

/**
 * `value` as one YAML document (ending in a newline), the same bytes as yaml's `stringify(value, { lineWidth: 0 })`.
 */
export function yamlDocument(value: unknown): string {
  if (isCollection(value) && !Array.isArray(value)) {
    try {
      return writeCollection(value, "", new Set()) + "\n";
    } catch (error) {
      if (!(error instanceof NotMirrored)) throw error;
    }
  }
  return stringify(value, YAML_OPTIONS);
}
