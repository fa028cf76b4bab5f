// Owns the public face of the typed Ignition 3.3.0 builder: one import for the config class, the entry option types,
// content encoding and the user-data pointer.
export { IgnitionConfig, type IgnitionDocument } from "./config";
export { dataUrl, dataUrlBytes, decodeDataUrl, sha512Of, verificationHash, type Digest, type EncodedContents } from "./contents";
export { isSshPublicKey, type UserOptions } from "./passwd";
export { pointerConfig, replacePointer, type PointerMode } from "./pointer";
export type { DirectoryOptions, FileOptions, InlineFileOptions, LinkOptions, Ownership, RemoteFileOptions } from "./storage";
export type { UnitOptions } from "./systemd";
export { ignitionJsonText } from "./json-text";
export { IGNITION_VERSION } from "./version";
