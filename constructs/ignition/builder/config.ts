// Owns `IgnitionConfig`: collects files, directories, links, units and users, refuses duplicates, and writes canonical
// JSON (every list sorted by path or name, fixed key order), so the same node config gives the same bytes and a
// reviewer's diff shows only what changed.
import { type UserEntry, userEntry, type UserOptions } from "./passwd";
import {
  type DirectoryEntry,
  directoryEntry,
  type DirectoryOptions,
  type FileEntry,
  inlineFileEntry,
  type InlineFileOptions,
  type LinkEntry,
  linkEntry,
  type LinkOptions,
  remoteFileEntry,
  type RemoteFileOptions,
} from "./storage";
import { ignitionJsonText } from "./json-text";
import { type UnitEntry, unitEntry, type UnitOptions } from "./systemd";
import { IGNITION_VERSION } from "./version";

/** An Ignition 3.3.0 config as plain data. */
export interface IgnitionDocument {
  ignition: { version: string };
  passwd?: { users: UserEntry[] };
  storage?: { directories?: DirectoryEntry[]; files?: FileEntry[]; links?: LinkEntry[] };
  systemd?: { units: UnitEntry[] };
}

/** Builds one Ignition config. */
export class IgnitionConfig {
  private readonly files = new Map<string, FileEntry>();
  private readonly directories = new Map<string, DirectoryEntry>();
  private readonly links = new Map<string, LinkEntry>();
  private readonly units = new Map<string, UnitEntry>();
  private readonly users = new Map<string, UserEntry>();

  /** Adds a file with inline contents. */
  addFile(options: InlineFileOptions): this {
    return this.put(this.files, "file", options.path, inlineFileEntry(options));
  }

  /** Adds a file Ignition downloads and verifies by its pinned SHA-512 or SHA-256. */
  addRemoteFile(options: RemoteFileOptions): this {
    return this.put(this.files, "file", options.path, remoteFileEntry(options));
  }

  /** Adds a directory (`addDirectory("/etc/x", 0o700)` or with owner options). */
  addDirectory(pathOrOptions: string | DirectoryOptions, mode?: number): this {
    const options = typeof pathOrOptions === "string" ? { path: pathOrOptions, mode } : pathOrOptions;
    return this.put(this.directories, "directory", options.path, directoryEntry(options));
  }

  /** Adds a symbolic link (`addLink("/etc/x", "/opt/x")` or with owner options). */
  addLink(pathOrOptions: string | LinkOptions, target?: string): this {
    const options = typeof pathOrOptions === "string" ? { path: pathOrOptions, target: target ?? "" } : pathOrOptions;
    return this.put(this.links, "link", options.path, linkEntry(options));
  }

  /** Adds a systemd unit, or drop-ins / a mask for a unit the OS ships. */
  addUnit(options: UnitOptions): this {
    return this.put(this.units, "unit", options.name, unitEntry(options));
  }

  /** Adds a login user with SSH public keys. */
  addUser(options: UserOptions): this {
    return this.put(this.users, "user", options.name, userEntry(options));
  }

  /** The config as plain data with every list sorted. */
  toObject(): IgnitionDocument {
    const sorted = <T>(map: Map<string, T>) => [...map.keys()].sort().map((k) => map.get(k)!);
    const config: IgnitionDocument = { ignition: { version: IGNITION_VERSION } };
    if (this.users.size) config.passwd = { users: sorted(this.users) };
    if (this.files.size + this.directories.size + this.links.size) {
      config.storage = {
        ...(this.directories.size ? { directories: sorted(this.directories) } : {}),
        ...(this.files.size ? { files: sorted(this.files) } : {}),
        ...(this.links.size ? { links: sorted(this.links) } : {}),
      };
    }
    if (this.units.size) config.systemd = { units: sorted(this.units) };
    return config;
  }

  /** Canonical JSON text (compact: it is stored in S3 and hashed into the user-data pointer): JSON.stringify's. */
  toJson(): string {
    return ignitionJsonText(this.toObject());
  }

  private put<T>(map: Map<string, T>, what: string, key: string, entry: T): this {
    if (map.has(key) || (what !== "unit" && what !== "user" && this.pathTaken(key)))
      throw new Error(`${what} "${key}" is added twice (paths are unique across files, directories and links)`);
    map.set(key, entry);
    return this;
  }

  private pathTaken(path: string): boolean {
    return this.files.has(path) || this.directories.has(path) || this.links.has(path);
  }
}
