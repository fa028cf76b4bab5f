// The node bucket's base64 texts (constructs/platform/known-base64.ts) are remembered so the stack writers skip
// scanning them; a remembered text must be written exactly as before, and nothing but base64Of's output is remembered.
import { base64Of, isKnownBase64 } from "../constructs/platform/known-base64";
import { createRequire } from "node:module";
import { stableJson } from "../constructs/platform/stable-json";

// The json-stable-stringify cdktf 0.21.0 writes stacks with (as in test/stable-json.test.ts).
const cdktfWrites = createRequire(require.resolve("cdktf"))("json-stable-stringify") as (
  value: unknown,
  options: { space: number },
) => string;

/** A text long enough to be remembered, with characters JSON escapes and non-ASCII ones (base64 holds neither). */
const text = 'line "one" \\ ${TfToken[TOKEN.1]} é \u0001\n'.repeat(400);

describe("known base64", () => {
  it("is Buffer's base64 of the UTF-8 bytes, remembered by value", () => {
    const encoded = base64Of(text);
    expect(encoded).toBe(Buffer.from(text, "utf8").toString("base64"));
    expect(isKnownBase64(encoded)).toBe(true);
    // An equal string built separately is the same text.
    expect(isKnownBase64(Buffer.from(text, "utf8").toString("base64"))).toBe(true);
  });

  it("does not remember other texts: the original text, another base64 text of the same length, short texts", () => {
    const encoded = base64Of(text);
    expect(isKnownBase64(text)).toBe(false);
    expect(isKnownBase64(encoded.replace(/^./, (c) => (c === "A" ? "B" : "A")))).toBe(false);
    const short = base64Of("short");
    expect(isKnownBase64(short)).toBe(false);
  });

  it("is written by stableJson as JSON.stringify writes it", () => {
    const encoded = base64Of(text);
    const document = { resource: { aws_s3_object: { o: { content_base64: encoded, key: "k" } } } };
    expect(stableJson(document)).toBe(cdktfWrites(document, { space: 2 }));
    expect(JSON.parse(stableJson(document)!)).toEqual(document);
    expect(stableJson(encoded)).toBe(JSON.stringify(encoded));
  });
});
