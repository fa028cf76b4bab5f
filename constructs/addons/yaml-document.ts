// Owns writing one plain JSON-like object as a YAML document, byte for byte what `yaml` 2.9.1 writes for
// `stringify(value, { lineWidth: 0 })`, in a fraction of its CPU and without loading yaml: yaml builds a node tree
// (createNode) and walks it with a context object per pair; the addon manifests of one generation spent ~0.15 s of a
// ~1.2 s synth there, and loading yaml's 72 modules ~0.05 s more. The block layout (maps, sequences, `key: {}` /
// `key: []`, indentation) is written here as yaml's stringifyCollection, stringifyPair and stringifyDocument write it
// (eemeli/yaml v2.9.1, src/stringify/); every scalar by yaml-scalar.ts, a port of yaml's scalar writers for these
// options; an object or array held twice is written, as yaml writes it, as an anchor and then aliases. Anything outside
// what this writer mirrors (a value JSON would not carry one to one, a key longer than 1024 characters, which yaml
// writes as an explicit `? key`) is handed to yaml's stringify whole (loaded then), so the bytes are always yaml's.
// test/yaml-document.test.ts compares both on every addon object and config of the example clusters and on
// hand-picked hard cases.
import { yamlScalar } from "./yaml-scalar";

/** The options every caller passes to yaml's stringify, and so the ones mirrored here. */
const YAML_OPTIONS = { lineWidth: 0 } as const;

/** Thrown inside the writer when the object needs something only yaml's full path writes; caught below. */
class NotMirrored extends Error {}

/** A scalar as yaml writes it at `indent`, as a key or a value. */
function writeScalar(value: unknown, indent: string, implicitKey: boolean): string {
  const text = yamlScalar(value, { indent, implicitKey });
  if (text === undefined) throw new NotMirrored();
  return text;
}

const isCollection = (value: unknown): value is object => typeof value === "object" && value !== null;

/** An object literal's kind of object (its prototype is Object.prototype of some realm, or null). */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * The anchor names yaml gives the objects and arrays `root` holds more than once (aliasDuplicateObjects, its default):
 * `a1`, `a2`, ... in the order createNode meets each one the second time, walking keys and items in order and not
 * walking into an object it has met before (src/doc/createNode.ts, src/doc/anchors.ts createNodeAnchors/findNewAnchor).
 */
function anchorNames(root: object): Map<object, string> {
  const met = new Set<object>();
  const anchors = new Map<object, string>();
  const visit = (value: unknown) => {
    if (!isCollection(value)) return;
    if (met.has(value)) {
      if (!anchors.has(value)) anchors.set(value, `a${anchors.size + 1}`);
      return;
    }
    met.add(value);
    for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item);
  };
  visit(root);
  return anchors;
}

/**
 * One document's writing state: its anchors, and the anchored objects written so far (later ones are aliases); for a
 * template (yamlTemplate), which strings are its holes and where each hole was written.
 */
interface Writing {
  readonly anchors: ReadonlyMap<object, string>;
  readonly written: Set<object>;
  readonly holeOf?: ReadonlyMap<string, number>;
  readonly holes?: { index: number; indent: string }[];
}

/** What a template's text holds where a hole's scalar goes: NUL, which yaml writes escaped in any scalar (`\0`). */
const HOLE_TEXT = "\u0000";

/**
 * A collection or scalar as yaml's stringify writes the node at `indent`: a collection in block style (its lines
 * joined the way stringifyBlockCollection joins them; an empty one `{}` or `[]`), behind `&aN` when anchored (on the
 * same line when empty, else on a line of its own), or `*aN` where it was written before.
 */
function writeNode(value: unknown, indent: string, writing: Writing): string {
  if (!isCollection(value)) {
    const hole = typeof value === "string" ? writing.holeOf?.get(value) : undefined;
    if (hole === undefined) return writeScalar(value, indent, false);
    writing.holes!.push({ index: hole, indent });
    return HOLE_TEXT;
  }
  const anchor = writing.anchors.get(value);
  if (anchor !== undefined) {
    if (writing.written.has(value)) return `*${anchor}`;
    writing.written.add(value);
  }
  const text = writeCollection(value, indent, writing);
  if (anchor === undefined) return text;
  return text === "{}" || text === "[]" ? `&${anchor} ${text}` : `&${anchor}\n${indent}${text}`;
}

/** A collection in block style at `indent` (the context indent yaml gives it); an empty one is `{}` or `[]`. */
function writeCollection(value: object, indent: string, writing: Writing): string {
  if (Array.isArray(value)) {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw new NotMirrored();
    if (value.length === 0) return "[]";
    const itemIndent = indent + "  ";
    let out = "";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "- " : `\n${indent}- `) + writeNode(value[i], itemIndent, writing);
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
    const text = writeNode(item, pairIndent, writing);
    // stringifyPair: a collection that is not empty starts on the next line, at the pair's indent (an anchored one
    // after its `&aN` on the key's line); scalars, aliases and empty collections stay on the key's line.
    const ownLine = isCollection(item) && !/^(?:[&*]|\{\}$|\[\]$)/.test(text);
    const line = ownLine ? `${keyText}:\n${pairIndent}${text}` : `${keyText}: ${text}`;
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
      const anchors = anchorNames(value);
      // A document that holds itself: yaml anchors the root, which this writer does not mirror.
      if (!anchors.has(value)) return writeCollection(value, "", { anchors, written: new Set() }) + "\n";
    } catch (error) {
      if (!(error instanceof NotMirrored)) throw error;
    }
  }
  // Loaded only here: a synth of the examples never gets here.
  return (require("yaml") as typeof import("yaml")).stringify(value, YAML_OPTIONS);
}

/**
 * A document's text with the value scalars that are holes left out: `parts` around them, and each hole's index and the
 * indent it is written at, in text order. A value scalar is written after `key: ` or `- ` by writeScalar from its value
 * and indent alone, and nothing else in the document depends on it, so a document that differs only in those strings
 * is the parts joined by the holes' scalars (fillYamlTemplate).
 */
export interface YamlTemplate {
  readonly parts: readonly string[];
  readonly holes: readonly { readonly index: number; readonly indent: string }[];
}

/**
 * The template of `value`'s document whose holes are the value scalars that are keys of `holeOf` (their hole's index);
 * undefined when the document is not written by this writer alone (anything it hands to yaml). It is the document of
 * a value that differs only in the strings of the holes, holding the same objects more than once (the anchors depend
 * on which objects are held twice, not on any scalar).
 */
export function yamlTemplate(value: object, holeOf: ReadonlyMap<string, number>): YamlTemplate | undefined {
  if (Array.isArray(value)) return undefined;
  const holes: { index: number; indent: string }[] = [];
  let text: string;
  try {
    const anchors = anchorNames(value);
    if (anchors.has(value)) return undefined;
    text = writeCollection(value, "", { anchors, written: new Set(), holeOf, holes }) + "\n";
  } catch (error) {
    if (!(error instanceof NotMirrored)) throw error;
    return undefined;
  }
  const parts = text.split(HOLE_TEXT);
  return parts.length === holes.length + 1 ? { parts, holes } : undefined;
}

/** The document of a template's value with `strings[i]` in hole i; undefined when a string is not one this writer writes. */
export function fillYamlTemplate(template: YamlTemplate, strings: readonly string[]): string | undefined {
  const { parts, holes } = template;
  let text = parts[0];
  for (let i = 0; i < holes.length; i++) {
    const scalar = yamlScalar(strings[holes[i].index], { indent: holes[i].indent, implicitKey: false });
    if (scalar === undefined) return undefined;
    text += scalar + parts[i + 1];
  }
  return text;
}
