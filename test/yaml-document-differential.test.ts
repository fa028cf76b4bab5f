// Differential (fuzz) evidence for the YAML writer (constructs/addons/yaml-document.ts and yaml-scalar.ts, a hand port
// of `yaml` 2.9.1's writer for `stringify(value, { lineWidth: 0 })`): thousands of values generated from a fixed seed
// by a small PRNG, with strings drawn from an alphabet weighted toward what YAML reads specially (indicators, quotes,
// line breaks and other white space, document markers, words and numbers the core schema reads as other types, control
// and astral characters, long lines and keys near yaml's 1024-character implicit-key limit), used as keys and values in
// maps and sequences at depths 0-4, with numbers, booleans and null. Each must be written byte for byte as yaml writes
// it, and read back by yaml as the same value. The run is deterministic (same seed, same values); a failure names the
// seed and the first value that differs. YAML_FUZZ_SEED=<n> and YAML_FUZZ_COUNT=<n> explore other seeds by hand.
import { parse, stringify } from "yaml";
import { yamlDocument } from "../constructs/addons/yaml-document";
import { generator, jsonable, yamlReadBackLimitation } from "./support/yaml-fuzz-values";

const yamlOf = (value: unknown) => stringify(value, { lineWidth: 0 });

const SEED = Number(process.env.YAML_FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.YAML_FUZZ_COUNT ?? 1500);

/** The first generated document yamlDocument writes otherwise than yaml, or yaml reads back otherwise; undefined if none. */
function firstDivergence(seed: number, count: number) {
  const { document } = generator(seed);
  const limitations = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const value = document();
    const ours = yamlDocument(value);
    const theirs = yamlOf(value);
    if (ours !== theirs) return { seed, index, input: JSON.stringify(value), ours, yaml: theirs };
    if (!jsonable(value) || readsBackAs(ours, value)) continue;
    // The same bytes as yaml's: a value yaml's own writer does not carry (counted, so that a new kind shows).
    const limitation = yamlReadBackLimitation(value);
    if (limitation === undefined) return { seed, index, input: JSON.stringify(value), readBackDiffers: ours };
    limitations.set(limitation, (limitations.get(limitation) ?? 0) + 1);
  }
  return { limitations: Object.fromEntries(limitations) };
}

/** True when yaml reads `text` back as `value` (compared as JSON, so key order counts). */
function readsBackAs(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(parse(text, { logLevel: "silent" })) === JSON.stringify(value);
  } catch {
    return false;
  }
}

describe("yamlDocument, differential against yaml's stringify", () => {
  it(`writes ${COUNT} generated documents (seed ${SEED}) byte for byte as yaml does, and yaml reads each back as it was`, () => {
    const result = firstDivergence(SEED, COUNT);
    expect(result).toEqual({ limitations: expect.any(Object) });
    // yaml's own read-back limitations (yamlReadBackLimitation) stay a small share of the documents.
    const excused = Object.values((result as { limitations: Record<string, number> }).limitations).reduce((a, b) => a + b, 0);
    expect(excused).toBeLessThan(COUNT / 20);
  });

  it("generates the same documents from the same seed, and reaches every way yaml writes a scalar or a shared object", () => {
    const a = generator(SEED);
    const b = generator(SEED);
    const docs = Array.from({ length: 1000 }, () => a.document());
    expect(JSON.stringify(Array.from({ length: 1000 }, () => b.document()))).toBe(JSON.stringify(docs));
    const text = docs.map((d) => yamlDocument(d)).join("");
    const forms = [
      ": '",
      ': "',
      ": |-\n",
      ": |\n",
      ": |+\n",
      "|2",
      "\n? ",
      "\\n",
      "\\t",
      "\\0",
      "\\x01",
      "\\e",
      "\\ud800",
      "- - ",
      ": &a1",
      "*a1",
      ": {}",
      ": []",
    ];
    for (const form of forms) expect({ form, reached: text.includes(form) }).toEqual({ form, reached: true });
  });

  it("excuses only what yaml's own writer does not carry: a leading byte order mark, blank lines of spaces in block scalars", () => {
    // Each excused kind: yaml writes these very bytes, and reads them back otherwise.
    const excused: Array<[unknown, string]> = [
      [{ "\ufeffkey": 1 }, "document starts with a BOM"],
      [{ a: " \n\n" }, "block scalar with a blank line of spaces"],
      [" 1\n", "root block scalar with an indentation indicator"],
    ];
    for (const [value, limitation] of excused) {
      expect(yamlDocument(value)).toBe(yamlOf(value));
      expect(readsBackAs(yamlOf(value), value)).toBe(false);
      expect(yamlReadBackLimitation(value)).toBe(limitation);
    }
    // and nothing else: values yaml does carry are not excused.
    for (const value of [{ a: "x\n y" }, { "a\ufeff": 1 }, { a: "\ufeffx" }, { a: "x\n\ny" }])
      expect({ value, excused: yamlReadBackLimitation(value), readBack: readsBackAs(yamlDocument(value), value) }).toEqual({
        value,
        excused: undefined,
        readBack: true,
      });
  });
});
