// Owns how file contents travel inside an Ignition config: text as the shortest data URL (percent-encoded, or gzip +
// base64 when that is smaller), the decoding back to text, and the `<function>-<hex>` verification hash of downloads.
import { hexDigest } from "../../definition/hex-digest";
import { gunzipSync, gzipSync } from "node:zlib";

/** Inline contents as Ignition stores them. */
export interface EncodedContents {
  readonly source: string;
  readonly compression?: "gzip";
}

/** A pinned digest of downloaded bytes; exactly one of the two. Ignition 3.3.0 verifies both functions. */
export type Digest = { readonly sha512: string; readonly sha256?: never } | { readonly sha256: string; readonly sha512?: never };

/**
 * Encodings already made in this process, by text: every generation carries the same scripts and units, and gzip at
 * level 9 is most of a node config's cost (issue 17). Cleared whole when it reaches 2,000 texts.
 */
const encoded = new Map<string, EncodedContents>();

/** Encodes text as the shortest Ignition data URL: percent-encoded, or gzip + base64 when that is smaller. */
export function dataUrl(text: string): EncodedContents {
  let result = encoded.get(text);
  if (!result) {
    if (encoded.size >= 2000) encoded.clear();
    result = encodeDataUrl(text);
    encoded.set(text, result);
  }
  return { ...result };
}

function encodeDataUrl(text: string): EncodedContents {
  const plain = `data:,${encodeURIComponent(text)}`;
  const gz = `data:;base64,${gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64")}`;
  return gz.length < plain.length ? { source: gz, compression: "gzip" } : { source: plain };
}

/** The bytes a `data:` URL carries (base64 or percent-encoded), before any decompression; undefined for other URLs. */
export function dataUrlBytes(source: string): Buffer | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (!match) return undefined;
  return match[1].endsWith(";base64") ? Buffer.from(match[2], "base64") : Buffer.from(decodeURIComponent(match[2]), "utf8");
}

/** The text of a data URL written by `dataUrl` (or any `data:` URL, base64 or percent-encoded, gzip or not). */
export function decodeDataUrl(source: string, compression?: string): string {
  const raw = dataUrlBytes(source);
  if (!raw) throw new Error(`not a data URL: ${source.slice(0, 40)}`);
  return (compression === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

const HEX_LENGTH = { sha512: 128, sha256: 64 } as const;

/** `sha512-<hex>` or `sha256-<hex>`; refuses a digest that is not lower-case hex of the function's length. */
export function verificationHash(what: string, digest: Digest): string {
  const fn = digest.sha512 !== undefined ? "sha512" : "sha256";
  const hex = (digest.sha512 ?? digest.sha256) as string;
  if (digest.sha512 !== undefined && digest.sha256 !== undefined) throw new Error(`${what}: give sha512 or sha256, not both`);
  if (!new RegExp(`^[0-9a-f]{${HEX_LENGTH[fn]}}$`).test(hex))
    throw new Error(`${what}: ${fn} must be ${HEX_LENGTH[fn]} lower-case hex digits`);
  return `${fn}-${hex}`;
}

/** The SHA-512 verification hash of some bytes (what a pointer pins its full config with); a string as its UTF-8 bytes. */
export function sha512Of(data: string | Buffer): string {
  // One call instead of a Hash object per config (hex-digest.ts: the same digest).
  return `sha512-${hexDigest("sha512", data)}`;
}
