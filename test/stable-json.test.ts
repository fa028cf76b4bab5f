// The stack JSON writer (constructs/platform/stable-json.ts) writes what cdktf's json-stable-stringify 1.3.0 writes with
// `{ space: 2 }`, byte for byte, on the cases where its layout and order differ from JSON.stringify's.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base64Of } from "../constructs/platform/known-base64";
import { stableJson, writeStableJsonFile } from "../constructs/platform/stable-json";

// The copy cdktf 0.21.0 itself loads (cdktf/node_modules/json-stable-stringify), not some other version.
const jsonStableStringify = createRequire(require.resolve("cdktf"))("json-stable-stringify") as (
  value: unknown,
  options: { space: number },
) => string | undefined;

const cdktfWrites = (value: unknown) => jsonStableStringify(value, { space: 2 });

describe("stableJson", () => {
  const cases: Record<string, unknown> = {
    "empty containers at every depth": { a: [], b: {}, c: [[], {}, [[]]], d: { e: { f: [] } } },
    "integer-like keys (sorted as strings, where JSON.stringify puts them first in numeric order)": {
      "10": 1,
      "9": 2,
      b: 3,
      "1a": 4,
      A: 5,
      _: 6,
    },
    "keys by UTF-16 code units": { é: 1, z: 2, "\u{1F600}": 3, "\uFFFF": 4, Z: 5 },
    "undefined and functions left out of objects, written as null in arrays": {
      u: undefined,
      f: () => 1,
      list: [undefined, () => 1, null, 1],
    },
    "numbers JSON writes specially": [NaN, Infinity, -Infinity, -0, 1e21, 1e-7, 0.1, 123456789012345680000],
    "strings that need escapes": ['quote " backslash \\ newline \n tab \t', "\u0000\u001f", "lone \ud800 surrogate", "${TfToken[1]}"],
    "toJSON honoured at every level": { when: new Date(0), nested: { toJSON: () => ({ z: 1, a: [] }) } },
    "scalars at the top": "text",
    "an empty object at the top": {},
    "a Terraform-like document": {
      "//": { metadata: { backend: "local", stackName: "s", version: "0.21.0" }, outputs: {} },
      provider: { aws: [{ region: "eu-west-1", default_tags: [{ tags: { team: "t" } }] }] },
      resource: { aws_ssm_parameter: { p: { name: "/p", type: "String", value: "x", tags: {} } } },
      terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
    },
  };
  for (const [name, value] of Object.entries(cases)) {
    it(`writes ${name} as json-stable-stringify does`, () => {
      expect(stableJson(value)).toBe(cdktfWrites(value));
    });
  }

  it("writes keys that need escapes the same from its kept key texts, also after more keys than it keeps", () => {
    const keys = ['quote " key', "back\\slash", "new\nline", "lone \ud800", "\u0001", "plain"];
    const small = Object.fromEntries(keys.map((key) => [key, Object.fromEntries(keys.map((inner) => [inner, key]))]));
    expect(stableJson(small)).toBe(cdktfWrites(small));
    expect(stableJson([small, small])).toBe(cdktfWrites([small, small]));
    const many = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}"`, i]));
    expect(stableJson(many)).toBe(cdktfWrites(many));
    expect(stableJson(small)).toBe(cdktfWrites(small));
  });

  it("leaves out what json-stable-stringify leaves out at the top", () => {
    expect(stableJson(undefined)).toBe(cdktfWrites(undefined));
    expect(stableJson(undefined)).toBeUndefined();
  });

  it("refuses a cycle through objects as json-stable-stringify does, and allows an object reached twice", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => stableJson(cyclic)).toThrow(new TypeError("Converting circular structure to JSON"));
    expect(() => cdktfWrites(cyclic)).toThrow(new TypeError("Converting circular structure to JSON"));
    const shared = { x: [1] };
    expect(stableJson({ a: shared, b: shared })).toBe(cdktfWrites({ a: shared, b: shared }));
  });
});

describe("writeStableJsonFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "stable-json-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The bytes writeStableJsonFile writes for `value`, and the bytes writeFileSync writes for cdktf's text of it. */
  function bothWrites(value: unknown): [Buffer, Buffer] {
    writeStableJsonFile(join(dir, "ours.json"), value);
    writeFileSync(join(dir, "cdktf.json"), cdktfWrites(value) ?? "");
    return [readFileSync(join(dir, "ours.json")), readFileSync(join(dir, "cdktf.json"))];
  }

  it("writes the bytes writeFileSync writes for json-stable-stringify's text, across many buffer chunks", () => {
    // Text in pieces longer and shorter than a chunk, multi-byte and astral characters on both sides of chunk
    // boundaries, escapes, a known base64 text written straight to the buffer, and more than its first 1 MiB buffer.
    const wide = "é€\u{1F600}".repeat(7000);
    const known = base64Of("node bucket object ".repeat(9000));
    const value = {
      items: Array.from({ length: 3000 }, (_, i) => ({ [`k${i}é`]: i % 7 === 0 ? wide.slice(0, i) : `v${i}\u{1F600}`, n: i / 3 })),
      wide,
      known,
      lone: "a \ud800 b \n",
      list: [undefined, () => 1, null, known, { toJSON: () => ["x", wide] }],
    };
    const [ours, cdktf] = bothWrites(value);
    expect(ours.length).toBeGreaterThan(1024 * 1024);
    expect(ours.equals(cdktf)).toBe(true);
    // The buffer it keeps writes the next, smaller file whole and alone.
    const [small, cdktfSmall] = bothWrites({ a: [1, "é"] });
    expect(small.equals(cdktfSmall)).toBe(true);
  });

  it("writes an empty file for a value json-stable-stringify leaves out, and none for a cycle", () => {
    const [ours, cdktf] = bothWrites(undefined);
    expect(ours.equals(cdktf)).toBe(true);
    expect(ours.length).toBe(0);
    const cyclic: Record<string, unknown> = { a: "x".repeat(20_000) };
    cyclic.self = { back: cyclic };
    const path = join(dir, "cyclic.json");
    expect(() => writeStableJsonFile(path, cyclic)).toThrow(new TypeError("Converting circular structure to JSON"));
    expect(existsSync(path)).toBe(false);
  });
});
