// hexDigest (constructs/definition/hex-digest.ts) against the Hash object it replaces, and the digests built on it: the
// node-config pointer's SHA-512 (sha512Of) and the short hash in bucket names (shortHash, kept by the text hashed).
import { createHash } from "node:crypto";
import { hexDigest, hexDigestByHashObject, usesOneShotHash } from "../constructs/definition/hex-digest";
import { shortHash } from "../constructs/definition/resolve";
import { sha512Of } from "../constructs/ignition/builder";

/** Deterministic strings weighted toward what UTF-8 encodes specially: ASCII, Latin-1, BMP, astral, lone surrogates, NUL. */
function sampleTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state;
  };
  const alphabet = ["a", "Z", "0", "\0", "\n", "é", "ÿ", "€", "中", "😀", "\ud800", "\udfff", "$", "%", '"'];
  return Array.from({ length: count }, () => {
    const length = next() % 300;
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
    return text;
  });
}

describe("hexDigest", () => {
  test("is createHash's hex digest for strings (as UTF-8) and Buffers, sha256 and sha512", () => {
    const texts = [...sampleTexts(300, 17), "", "x".repeat(300_000)];
    for (const algorithm of ["sha256", "sha512"]) {
      const expected = texts.map((text) => createHash(algorithm).update(text, "utf8").digest("hex"));
      expect(texts.map((text) => hexDigest(algorithm, text))).toEqual(expected);
      expect(texts.map((text) => hexDigestByHashObject(algorithm, text))).toEqual(expected);
      expect(texts.map((text) => hexDigest(algorithm, Buffer.from(text, "utf8")))).toEqual(expected);
    }
  });

  test("takes Node's one-shot crypto.hash where this Node has it (added in v20.12.0 and v21.7.0)", () => {
    const [major, minor] = process.versions.node.split(".").map(Number);
    const hasOneShot = major > 21 || (major === 21 && minor >= 7) || (major === 20 && minor >= 12);
    expect(usesOneShotHash).toBe(hasOneShot);
  });
});

describe("sha512Of", () => {
  test("is sha512- and createHash's SHA-512 of the text's UTF-8 bytes", () => {
    for (const text of sampleTexts(50, 3)) {
      expect(sha512Of(text)).toBe(`sha512-${createHash("sha512").update(text, "utf8").digest("hex")}`);
      expect(sha512Of(Buffer.from(text, "utf8"))).toBe(sha512Of(text));
    }
  });
});

describe("shortHash", () => {
  const uncached = (...parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 8);

  test("is the first 8 hex digits of the SHA-256 of the parts joined by NUL, also when asked again", () => {
    expect(shortHash("eu-west-1", "vpc-0123", "prod-a")).toBe(uncached("eu-west-1", "vpc-0123", "prod-a"));
    expect(shortHash("eu-west-1", "vpc-0123", "prod-a")).toBe(uncached("eu-west-1", "vpc-0123", "prod-a"));
    // The same characters split differently are another text.
    expect(shortHash("a\0b", "c")).toBe(uncached("a", "b", "c"));
    expect(shortHash("ab", "c")).not.toBe(shortHash("a", "bc"));
  });

  test("stays right past its bound (the kept hashes are dropped whole, never mixed up)", () => {
    // 4,096 texts are kept; 4,500 fill the store once and start it over.
    const texts = Array.from({ length: 4500 }, (_, i) => `text ${i}`);
    expect(texts.map((text) => shortHash(text, "x"))).toEqual(texts.map((text) => uncached(text, "x")));
    const again = [...texts.slice(0, 300), ...texts.slice(-300)];
    expect(again.map((text) => shortHash(text, "x"))).toEqual(again.map((text) => uncached(text, "x")));
  });
});
