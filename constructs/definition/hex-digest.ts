// Owns computing a digest as lower-case hex in one call: Node's one-shot `crypto.hash(algorithm, data)` where this
// Node has it, else `createHash(algorithm).update(data).digest("hex")`. Both digest the same bytes (a string as its
// UTF-8 encoding) with the same OpenSSL algorithm, so the text is the same either way; the one-shot form only skips the
// Hash object (nodejs/node 448d67109a "crypto: implement crypto.hash()", PR #51044: "1.2-1.6x faster than the
// object-based createHash() for smaller inputs"). Added in Node v21.7.0 and v20.12.0 (Node's crypto docs,
// https://nodejs.org/api/crypto.html#cryptohashalgorithm-data-outputencoding); package.json allows node >= 20, so an
// older 20.x takes the createHash path. Used by the per-generation names (definition/resolve.ts shortHash) and the
// user-data pointer's SHA-512 of each node config (ignition/builder/contents.ts sha512Of).
// Named imports, read as properties of the module when called: no __importStar copy of all of node:crypto's exports.
import { createHash, hash } from "node:crypto";

/** The one-shot form, when this Node has it. */
type OneShotHash = (algorithm: string, data: string | Buffer, outputEncoding: "hex") => string;
// `hash` is undefined on a Node without it (the compiled code reads the module's property).
const oneShot: OneShotHash | undefined = typeof hash === "function" ? (hash as OneShotHash) : undefined;

/** `createHash(algorithm).update(data).digest("hex")`: the fallback, and what the one-shot form is tested against. */
export function hexDigestByHashObject(algorithm: string, data: string | Buffer): string {
  return createHash(algorithm).update(data).digest("hex");
}

/** The `algorithm` digest of `data` (a string is digested as its UTF-8 bytes) as lower-case hex. */
export function hexDigest(algorithm: string, data: string | Buffer): string {
  return oneShot ? oneShot(algorithm, data, "hex") : hexDigestByHashObject(algorithm, data);
}

/** Whether hexDigest uses Node's one-shot crypto.hash (for tests). */
export const usesOneShotHash: boolean = oneShot !== undefined;
