// Owns writing one scalar (a string, number, boolean or null, as a key or a value) of a YAML block document the way
// `yaml` 2.9.1's `stringify(value, { lineWidth: 0 })` writes it, so that yaml-document.ts need not load yaml (72
// modules, about 0.05 CPU s) to write a synth's YAML. A port of yaml's scalar writers for exactly those options, the
// core schema and block context (eemeli/yaml v2.9.1, src/stringify/stringifyString.ts: stringifyString, plainString,
// quotedString, doubleQuotedString, singleQuotedString, blockString; src/stringify/stringifyNumber.ts; the tag tests
// of src/schema/common/null.ts, src/schema/core/bool.ts, int.ts and float.ts). With `lineWidth: 0`, yaml's
// foldFlowLines returns its text unchanged and every block scalar is literal (`|`), so neither folding nor `>` is
// ported. test/yaml-document.test.ts compares the documents written with yaml's on every example object and on hard
// cases.

/** Where a scalar is written: its context indent (never empty: every scalar is inside the root map) and whether it is a key. */
export interface ScalarPlace {
  readonly indent: string;
  readonly implicitKey: boolean;
}

/** yaml's indent step (createStringifyContext: `indent` 2). */
const INDENT_STEP = "  ";
/** yaml's `doubleQuotedMinMultiLineLength` default. */
const DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH = 40;

/**
 * The tests of the core schema's default tags other than str, in schema order: a plain string matching one would read
 * back as null, a boolean, an integer or a float, so yaml quotes it (plainString, `actualString`).
 */
const CORE_SCHEMA_TESTS: readonly RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/** Strings no rule below changes: a letter, then letters, digits and `._/-`, and none of the schema's words. */
const ALWAYS_PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const SCHEMA_WORDS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);

const containsDocumentMarker = (text: string) => /^(%|---|\.\.\.)/m.test(text);

function doubleQuoted(value: string, { indent: ctxIndent, implicitKey }: ScalarPlace): string {
  const json = JSON.stringify(value);
  const indent = ctxIndent || (containsDocumentMarker(value) ? "  " : "");
  let str = "";
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === " " && json[i + 1] === "\\" && json[i + 2] === "n") {
      // space before newline needs to be escaped to not be folded
      str += json.slice(start, i) + "\\ ";
      i += 1;
      start = i;
      ch = "\\";
    }
    if (ch === "\\")
      switch (json[i + 1]) {
        case "u": {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case "0000":
              str += "\\0";
              break;
            case "0007":
              str += "\\a";
              break;
            case "000b":
              str += "\\v";
              break;
            case "001b":
              str += "\\e";
              break;
            case "0085":
              str += "\\N";
              break;
            case "00a0":
              str += "\\_";
              break;
            case "2028":
              str += "\\L";
              break;
            case "2029":
              str += "\\P";
              break;
            default:
              if (code.substr(0, 2) === "00") str += "\\x" + code.substr(2);
              else str += json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case "n":
          if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH) {
            i += 1;
          } else {
            // folding will eat first newline (yaml's comment; with lineWidth 0 nothing folds, and yaml writes it so)
            str += json.slice(start, i) + "\n\n";
            while (json[i + 2] === "\\" && json[i + 3] === "n" && json[i + 4] !== '"') {
              str += "\n";
              i += 2;
            }
            str += indent;
            // space after newline needs to be escaped to not be folded
            if (json[i + 2] === " ") str += "\\";
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
  }
  return start ? str + json.slice(start) : json;
}

function singleQuoted(value: string, place: ScalarPlace): string {
  if ((place.implicitKey && value.includes("\n")) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, place);
  const indent = place.indent || (containsDocumentMarker(value) ? "  " : "");
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
}

/** yaml's quotedString with `singleQuote: null`: single quotes for text with `"` and no `'`, else double. */
function quoted(value: string, place: ScalarPlace): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, place) : doubleQuoted(value, place);
}

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** A literal block scalar (`|`, with its chomping and indentation indicators). */
function literalBlock(text: string, place: ScalarPlace): string {
  if (/\n[\t ]+$/.test(text)) return quoted(text, place);
  let value = text;
  const indent = place.indent || (containsDocumentMarker(value) ? "  " : "");
  if (!value) return "|\n";
  // determine chomping from whitespace at value end
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== "\n" && ch !== "\t" && ch !== " ") break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf("\n");
  const chomp = endNlPos === -1 ? "-" : value === end || endNlPos !== end.length - 1 ? "+" : "";
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === "\n") end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  // determine indent indicator from whitespace at value start
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === " ") startWithSpace = true;
    else if (ch === "\n") startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const indentSize = indent ? "2" : "1"; // root is at -1
  const header = (startWithSpace ? indentSize : "") + chomp;
  value = value.replace(/\n+/g, `$&${indent}`);
  return `|${header}\n${indent}${start}${value}${end}`;
}

/** yaml's plainString (the default string type), outside flow collections. */
function plain(value: string, place: ScalarPlace): string {
  const { implicitKey, indent } = place;
  if (implicitKey && value.includes("\n")) return quoted(value, place);
  if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value))
    return implicitKey || !value.includes("\n") ? quoted(value, place) : literalBlock(value, place);
  if (!implicitKey && value.includes("\n")) return literalBlock(value, place);
  if (containsDocumentMarker(value) && implicitKey && indent === INDENT_STEP) return quoted(value, place);
  // Here value holds no line break (a key with one was quoted, a value with one is a block above).
  if (CORE_SCHEMA_TESTS.some((test) => test.test(value))) return quoted(value, place);
  return value;
}

/**
 * A scalar as yaml writes it at `place`, or undefined for a value yaml would not write as a plain JSON scalar (a
 * non-finite number, -0, undefined, a function, a symbol, a bigint).
 */
export function yamlScalar(value: unknown, place: ScalarPlace): string | undefined {
  switch (typeof value) {
    case "string":
      if (ALWAYS_PLAIN.test(value) && !SCHEMA_WORDS.has(value)) return value;
      // yaml forces double quotes on control characters and unpaired surrogates (stringifyString, its regex).
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(value)) return doubleQuoted(value, place);
      return plain(value, place);
    case "number":
      // stringifyNumber with no format or minFractionDigits.
      return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : undefined;
    case "boolean":
      return value ? "true" : "false";
    default:
      return value === null ? "null" : undefined;
  }
}
