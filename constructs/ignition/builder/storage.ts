// Owns the storage section of an Ignition config: files (inline or downloaded and verified), directories and symbolic
// links, each with its mode and owner, as the plain JSON entries Ignition 3.3.0 reads. Paths are absolute, no "..".
import { dataUrl, type Digest, verificationHash } from "./contents";

/** Who owns a path and its permission bits. */
export interface Ownership {
  /** Octal permission bits. @default 0o644 for files, 0o755 for directories */
  readonly mode?: number;
  /** Owner user name. @default "root" */
  readonly user?: string;
  /** Owner group name. @default "root" */
  readonly group?: string;
}

/** A file written by Ignition. */
export interface FileOptions extends Ownership {
  /** Absolute path on the node. */
  readonly path: string;
}

/** A file with inline text contents. */
export interface InlineFileOptions extends FileOptions {
  /** The file's text; stored as the shortest data URL (see `dataUrl`). */
  readonly contents: string;
}

/** A file Ignition downloads over https and refuses unless the bytes match the pinned digest. */
export type RemoteFileOptions = FileOptions & {
  /** https URL (or s3:// for an object of the node bucket). */ readonly url: string;
} & Digest;

/** A directory. */
export interface DirectoryOptions extends Ownership {
  readonly path: string;
}

/** A symbolic link. */
export interface LinkOptions {
  readonly path: string;
  /** What the link points at. */
  readonly target: string;
  /** @default "root" */
  readonly user?: string;
  /** @default "root" */
  readonly group?: string;
}

interface Owner {
  user: { name: string };
  group: { name: string };
}
export interface FileEntry extends Owner {
  path: string;
  mode: number;
  overwrite: true;
  contents: { source: string; compression?: "gzip"; verification?: { hash: string } };
}
export interface DirectoryEntry extends Owner {
  path: string;
  mode: number;
  overwrite: true;
}
export interface LinkEntry extends Owner {
  path: string;
  target: string;
  hard: false;
  overwrite: true;
}

/** A `..` path segment: what `path.split("/").includes("..")` finds, without an array per path (issue 17). */
const PARENT_SEGMENT = /(?:^|\/)\.\.(?:\/|$)/;

/** Refuses a relative path or one that climbs with "..". */
export function checkAbsolute(what: string, path: string): void {
  if (!path.startsWith("/") || PARENT_SEGMENT.test(path)) throw new Error(`${what} "${path}" must be an absolute path without ".."`);
}

function checkMode(what: string, mode: number): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new Error(`${what}: mode ${mode} is not a permission (0 to 0o7777)`);
  return mode;
}

const owner = (o: { user?: string; group?: string }): Owner => ({ user: { name: o.user ?? "root" }, group: { name: o.group ?? "root" } });

export function inlineFileEntry(options: InlineFileOptions): FileEntry {
  checkAbsolute("file", options.path);
  return {
    path: options.path,
    mode: checkMode(`file "${options.path}"`, options.mode ?? 0o644),
    overwrite: true,
    ...owner(options),
    contents: dataUrl(options.contents),
  };
}

export function remoteFileEntry(options: RemoteFileOptions): FileEntry {
  checkAbsolute("file", options.path);
  const what = `file "${options.path}"`;
  if (!/^(https|s3):\/\//.test(options.url)) throw new Error(`${what}: download "${options.url}" over https (or s3) only`);
  const hash = verificationHash(what, options);
  return {
    path: options.path,
    mode: checkMode(what, options.mode ?? 0o644),
    overwrite: true,
    ...owner(options),
    contents: { source: options.url, verification: { hash } },
  };
}

export function directoryEntry(options: DirectoryOptions): DirectoryEntry {
  checkAbsolute("directory", options.path);
  return { path: options.path, mode: checkMode(`directory "${options.path}"`, options.mode ?? 0o755), overwrite: true, ...owner(options) };
}

export function linkEntry(options: LinkOptions): LinkEntry {
  checkAbsolute("link", options.path);
  if (!options.target) throw new Error(`link "${options.path}" needs a target`);
  return { path: options.path, target: options.target, hard: false, overwrite: true, ...owner(options) };
}
