// Owns the pointer configs that go into EC2 user data (16 KB limit): a tiny Ignition config that fetches the full one
// (from S3 with the instance role) and replaces itself with it, or merges it, refusing it unless its SHA-512 matches.
import { IGNITION_VERSION } from "./version";
import { sha512Of } from "./contents";

/** How the fetched config combines with the pointer: `replace` (the fetched one is all there is) or `merge`. */
export type PointerMode = "replace" | "merge";

/**
 * A pointer config to `source` (s3://bucket/key or https://…) pinned to `fullConfig`'s SHA-512 (of a text's UTF-8
 * bytes, or of the bytes given).
 */
export function pointerConfig(source: string, fullConfig: string | Buffer, mode: PointerMode = "replace"): string {
  if (!/^(s3|https):\/\//.test(source)) throw new Error(`pointer source "${source}" must be an s3:// or https:// URL`);
  const reference = { source, verification: { hash: sha512Of(fullConfig) } };
  const config = mode === "replace" ? { replace: reference } : { merge: [reference] };
  return JSON.stringify({ ignition: { version: IGNITION_VERSION, config } });
}

/** The user data of a launch template: an Ignition config that replaces itself with the full config at `source`. */
export function replacePointer(source: string, fullConfig: string | Buffer): string {
  return pointerConfig(source, fullConfig, "replace");
}
