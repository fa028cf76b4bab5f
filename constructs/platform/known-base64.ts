// Owns the base64 texts this process encoded itself (the node bucket's `content_base64`, about 0.5 MB per generation),
// so the stack writers can skip what they would otherwise scan them for: a string that is the output of Node's
// Buffer#toString("base64") holds only A-Z, a-z, 0-9, "+", "/" and "=" (Node's buffer docs, "Buffers and character
// encodings": 'base64' is RFC 4648 section 4's alphabet, padded), so it needs no JSON escape (JSON.stringify writes it
// as itself between quotes: ECMA-262 QuoteJSONString escapes only '"', '\\', code units below 0x20 and lone surrogates)
// and holds no cdktf token marker ("TfToken[") or encoded number (these hold "-"). No cdktf import: the cluster
// constructs register texts here and constructs/platform reads them.

/** Texts encoded by base64Of or base64OfBytes, by value; bounded by their total length (cleared whole when it is reached). */
const known = new Set<string>();
let knownLength = 0;
/** Total characters kept before the set starts over (a generation registers about 0.5 M; 64 M is ~120 generations). */
const LENGTH_LIMIT = 64 * 1024 * 1024;
/** Shorter texts are not registered or looked up: a lookup would cost about what scanning them costs. */
const MIN_LENGTH = 4096;

/** The base64 of `text`'s UTF-8 bytes (Buffer.from(text, "utf8").toString("base64")), remembered as known base64. */
export function base64Of(text: string): string {
  return base64OfBytes(Buffer.from(text, "utf8"));
}

/**
 * The base64 of `bytes` (bytes.toString("base64")), remembered as known base64: for a caller that already holds a
 * text's UTF-8 bytes for another use (a node config, also hashed for its pointer), so the text is encoded once.
 */
export function base64OfBytes(bytes: Buffer): string {
  const encoded = bytes.toString("base64");
  if (encoded.length >= MIN_LENGTH) {
    if (knownLength + encoded.length > LENGTH_LIMIT) {
      known.clear();
      knownLength = 0;
    }
    if (!known.has(encoded)) {
      known.add(encoded);
      knownLength += encoded.length;
    }
  }
  return encoded;
}

/** Whether `value` is a text base64Of or base64OfBytes returned (and still remembers): only base64 characters, so JSON- and token-plain. */
export function isKnownBase64(value: string): boolean {
  return value.length >= MIN_LENGTH && known.has(value);
}
