// Owns writing an Ignition document as JSON text: compact (the node config stored in S3 and pinned by the pointer's
// SHA-512) or indented (the review copy, write-dist.ts). The bytes are JSON.stringify's; what is saved is escaping the
// same long strings again: every generation's node configs carry the same scripts and units as data URLs (tens of KB
// each), and the indented review copy carries the very strings its compact config did. Escaping them was about two
// thirds of JSON.stringify's time on a node config (issue 17).
//
// How: JSON.stringify runs with a replacer that puts a placeholder in place of each long string value, and the
// placeholders are then replaced by each string's JSON literal, kept by string. JSON.stringify calls the replacer on
// each value just before it writes it, object properties in key order and array items in index order (ECMA-262,
// https://tc39.es/ecma262/#sec-serializejsonproperty, #sec-serializejsonobject, #sec-serializejsonarray), so the
// placeholders appear in the text in the order they were handed out. The placeholder is the string "\u0000", which
// JSON.stringify writes as `"\u0000"` (#sec-quotejsonstring: code units below 0x20 as \u escapes), 8 characters that
// start and end with a quote and hold none inside. Each placeholder adds one such occurrence, which cannot overlap
// another (it is preceded by `:`, `,`, `[`, a space, a line break or nothing, and followed by `,`, `}`, `]`, a line
// break or nothing: never by a character of `\u0000`); another string adds one only by being a NUL or by ending in a
// quote and a NUL (written `\"\u0000"`). So
// the text is used only when the occurrences number the placeholders exactly, else JSON.stringify's own text is
// returned.
// A kept literal is JSON.stringify of the very string that keys it, so it cannot be wrong; the store is bounded by the
// total length of the strings it keeps and cleared whole when that is reached.

/** Strings shorter than this are written by JSON.stringify in place: keeping them would save little. */
const LONG_STRING = 256;
/** The placeholder of a long string, and how JSON.stringify writes it. */
const PLACEHOLDER = "\u0000";
const PLACEHOLDER_JSON = '"\\u0000"';
/** Total length of the strings kept before the store is cleared (a fleet of 25 clusters keeps about 0.3 million). */
const MAX_KEPT_LENGTH = 16_000_000;

const literals = new Map<string, string>();
let keptLength = 0;

/** JSON.stringify(value) or, with `indent`, JSON.stringify(value, null, indent): the same text. */
export function ignitionJsonText(value: unknown, indent?: number): string {
  const longStrings: string[] = [];
  const skeleton = JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (typeof item === "string" && item.length >= LONG_STRING) {
        longStrings.push(item);
        return PLACEHOLDER;
      }
      return item;
    },
    indent,
  );
  if (longStrings.length === 0) return skeleton;
  const parts = skeleton.split(PLACEHOLDER_JSON);
  if (parts.length - 1 !== longStrings.length) return JSON.stringify(value, null, indent);
  let text = parts[0];
  for (let i = 0; i < longStrings.length; i++) text += literal(longStrings[i]) + parts[i + 1];
  return text;
}

/** JSON.stringify(text), kept by text. */
function literal(text: string): string {
  let json = literals.get(text);
  if (json === undefined) {
    if (keptLength + text.length > MAX_KEPT_LENGTH) {
      literals.clear();
      keptLength = 0;
    }
    json = JSON.stringify(text);
    literals.set(text, json);
    keptLength += text.length;
  }
  return json;
}
