// Generates, from a seed, the values test/yaml-document-differential.test.ts writes with yamlDocument and with yaml:
// a small PRNG (deterministic: same seed, same values) and an alphabet weighted toward what YAML reads specially.

/** mulberry32: a 32-bit PRNG (public domain, Tommy Ettinger), uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The pieces strings are made of, each with a weight: mostly what YAML reads specially, some plain text. */
const PIECES: ReadonlyArray<readonly [string, number]> = [
  // Indicators and flow characters.
  ...[..."-?:,[]{}#&*!|>'\"%@`"].map((c) => [c, 6] as const),
  ["\\", 3],
  // White space and line breaks.
  [" ", 14],
  ["  ", 4],
  ["\t", 5],
  ["\n", 12],
  ["\n\n", 4],
  ["\r", 3],
  ["\r\n", 2],
  ["\u0085", 2],
  ["\u2028", 2],
  ["\u2029", 1],
  ["\u00a0", 2],
  ["\ufeff", 2],
  // Control characters, DEL and C1.
  ...["\u0000", "\u0001", "\u0007", "\b", "\u000b", "\f", "\u001b", "\u001f", "\u007f", "\u0080", "\u009f"].map((c) => [c, 1] as const),
  // Astral and other non-ASCII text, and lone surrogates.
  ["😀", 2],
  ["𝔸", 1],
  ["é", 2],
  ["例", 1],
  ["\ud800", 1],
  ["\udc00", 1],
  // Document markers and directives.
  ["---", 4],
  ["...", 4],
  ["%YAML", 1],
  // Words and numbers the core schema (or YAML 1.1) reads as other types.
  ...[
    "0x1f",
    "1e3",
    ".5",
    "+1",
    "-1",
    "-.inf",
    ".nan",
    "0o7",
    "~",
    "null",
    "Null",
    "true",
    "False",
    "yes",
    "on",
    "no",
    "0",
    "00",
    "1.",
    "-0",
  ].map((w) => [w, 2] as const),
  // Plain text.
  ...["a", "b", "key", "x", "name", "value", "1", "9", "_", ".", "/", "="].map((w) => [w, 5] as const),
];
const TOTAL_WEIGHT = PIECES.reduce((sum, [, w]) => sum + w, 0);

/** The generator: values from one seed. */
export function generator(seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const piece = () => {
    let r = random() * TOTAL_WEIGHT;
    for (const [text, weight] of PIECES) if ((r -= weight) < 0) return text;
    return PIECES[0][0];
  };
  const pieces = (n: number) => Array.from({ length: n }, piece).join("");

  /** A string: short and dense in special pieces mostly; sometimes long (lines over 80 and 1024), padded, whole words. */
  function string(): string {
    const kind = random();
    if (kind < 0.5) return pieces(int(7));
    // Around yaml's doubleQuotedMinMultiLineLength (40 characters of JSON): a line break, double quoted (a control
    // character, or both quotes), written on several lines or not.
    if (kind < 0.55)
      return pieces(int(2)) + "y".repeat(22 + int(18)) + pick(["\u0001", "'\"", ""]) + pick(["\n", "\n ", "\n\n", " \n"]) + pieces(int(3));
    if (kind < 0.65) return pick([" ", "  ", "\t", "\n"]) + pieces(1 + int(4)) + pick(["", " ", "\n", " \n", "\n "]);
    if (kind < 0.72) return pick(["", "-", "--- ", "... ", "? ", "- ", "# "]) + pieces(1 + int(3));
    if (kind < 0.8) return pieces(1 + int(3)) + "x".repeat(70 + int(40)) + pieces(1 + int(3));
    if (kind < 0.82) return ("word " + pieces(1)).repeat(150 + int(80));
    if (kind < 0.9) return pieces(1 + int(3)) + "\n" + pieces(1 + int(3)) + "\n" + pieces(int(3));
    return pick([
      "0x1f",
      "1e3",
      ".5",
      "+1",
      "-.inf",
      "0o7",
      "~",
      "null",
      "true",
      "yes",
      "on",
      "NO",
      "1_000",
      "12:30",
      "2001-12-14",
      ".NaN",
      "+.INF",
      "0b1",
    ]);
  }

  /** A key: a string, sometimes near the 1024-character limit of an implicit key (either side of it once quoted). */
  function key(): string {
    if (random() < 0.03) {
      // 1019-1026 characters, so that written (quoted or not) it falls either side of 1024.
      const [before, after] = [pieces(int(2)), pieces(int(2))];
      return before + "k".repeat(Math.max(0, 1019 + int(8) - before.length - after.length)) + after;
    }
    return string();
  }

  /** A number: integers, floats, exponent forms, and the ones JSON does not carry (-0, NaN, infinities). */
  function number(): number {
    return pick([
      0,
      1,
      -1,
      42,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      123456789012345680000,
      1e21,
      1e-7,
      0.1,
      1.5,
      -2.5e-10,
      5e-324,
      Number.MAX_VALUE,
      Math.floor(random() * 1e6) / 1e3,
    ]);
  }

  function scalar(): unknown {
    const r = random();
    if (r < 0.75) return string();
    if (r < 0.9) return number();
    if (r < 0.96) return random() < 0.5;
    return null;
  }

  /** Collections made so far in this document: now and then one is used again (yaml writes an anchor and aliases). */
  let made: unknown[] = [];

  /** A map or sequence at depth `depth` (0-4), its members scalars or deeper collections, some empty. */
  function collection(depth: number, asMap: boolean): unknown {
    if (depth > 0 && made.length > 0 && random() < 0.08) return pick(made);
    const value = newCollection(depth, asMap);
    made.push(value);
    return value;
  }

  function newCollection(depth: number, asMap: boolean): unknown {
    const size = int(depth === 0 ? 5 : 4);
    const member = () => (depth < 4 && random() < 0.35 ? collection(depth + 1, random() < 0.5) : scalar());
    if (!asMap) return Array.from({ length: size }, member);
    const map: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const k = key();
      // As JSON.parse makes it: `__proto__` an own key, not the prototype.
      Object.defineProperty(map, k, { value: member(), enumerable: true, writable: true, configurable: true });
    }
    return map;
  }

  /** A document: a map (what yamlDocument writes itself), now and then a sequence or a scalar (handed to yaml). */
  function document(): unknown {
    made = [];
    const r = random();
    if (r < 0.94) return collection(0, true);
    if (r < 0.97) return collection(0, false);
    return scalar();
  }
  return { document };
}

/** True when JSON carries `value` one to one (no -0, NaN or infinities), so yaml must read it back as it is. */
export function jsonable(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value === "object" && value !== null) return Object.values(value).every(jsonable);
  return true;
}

/** Every string in `value`, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (Array.isArray(value) ? strings(v) : [k, ...strings(v)]));
}

/**
 * Why yaml 2.9.1 itself does not read back what its stringify wrote for `value`, or undefined when it should. Found by
 * this fuzz on yaml's own output (the writer here writes the same bytes):
 * - a document starting with a byte order mark (the root map's first key starts with U+FEFF): yaml writes the key
 *   plain, and its parser drops a leading BOM (and may then read what follows as an alias, directive or indicator);
 * - a document that is one text of several lines starting with a space: yaml writes `|1`, and reads it back without
 *   that space (eemeli/yaml issue #692, open);
 * - a text of several lines with a line of only spaces or tabs: yaml writes it as a literal block scalar, where such a
 *   line reads back as an empty one (or, before more-indented text, fails to parse; eemeli/yaml pull request #695
 *   on the first line's case).
 */
export function yamlReadBackLimitation(value: unknown): string | undefined {
  const first =
    typeof value === "string" ? value : typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value)[0] : "";
  if (first?.startsWith("\ufeff")) return "document starts with a BOM";
  if (typeof value === "string" && /^\n*[ \t]/.test(value) && value.includes("\n"))
    return "root block scalar with an indentation indicator";
  if (strings(value).some((s) => s.includes("\n") && /(^|\n)[ \t]+(\n|$)/.test(s))) return "block scalar with a blank line of spaces";
  return undefined;
}
