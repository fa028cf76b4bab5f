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

/** gzip's options: level 9, as every data URL of this project has been written (one object, not one per call). */
const GZIP_OPTIONS = { level: 9 } as const;
const PLAIN_PREFIX = "data:,";

/** String.prototype.isWellFormed (ES2024; in every Node >= 20, whose V8 is 11.3): no lone surrogate. */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * The shorter of the percent-encoded and the gzip + base64 data URL (the percent-encoded one on a tie). The
 * percent-encoded URL is not built when the gzip one is shorter than any percent-encoding of `text` can be:
 * encodeURIComponent writes each UTF-16 code unit of a well-formed text as at least one character (an unreserved one
 * as itself, any other code point as "%XY" per UTF-8 byte: 3 characters for 1 unit, 12 for a surrogate pair; ECMA-262
 * https://tc39.es/ecma262/#sec-encode), so `data:,` + it is at least 6 + text.length long. A text with a lone
 * surrogate still goes through encodeURIComponent, which throws its URIError as before. Building it was about a fifth
 * of a generation's data URL cost for the texts that differ per generation (kubeadm configs, cluster.env; issue 17).
 */
function encodeDataUrl(text: string): EncodedContents {
  const gz = `data:;base64,${gzipSync(Buffer.from(text, "utf8"), GZIP_OPTIONS).toString("base64")}`;
  if (gz.length < PLAIN_PREFIX.length + text.length && isWellFormed(text)) return { source: gz, compression: "gzip" };
  const plain = PLAIN_PREFIX + encodeURIComponent(text);
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
