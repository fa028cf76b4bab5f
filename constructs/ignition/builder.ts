// Owns the typed Ignition 3.3.0 builder: files (inline or remote with a verification hash), directories, links,
// systemd units and drop-ins, users, and the replace pointer used in user data. Output is canonical JSON: entries sorted
// by path or name, so the same node config gives the same bytes and a reviewer's diff shows only what changed.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

export const IGNITION_VERSION = "3.3.0";

/** A file written by Ignition. */
export interface FileOptions {
  /** Absolute path on the node. */
  readonly path: string;
  /** Octal permission bits. @default 0o644 */
  readonly mode?: number;
  /** Owner user name. @default "root" */
  readonly user?: string;
  /** Owner group name. @default "root" */
  readonly group?: string;
}

/** Inline file contents. */
export interface InlineFileOptions extends FileOptions {
  readonly contents: string;
}

/** A file Ignition downloads and verifies before writing it. */
export interface RemoteFileOptions extends FileOptions {
  readonly url: string;
  /** Hex SHA-512 of the downloaded bytes; Ignition refuses the file when it differs. */
  readonly sha512: string;
}

/** A systemd unit, with optional drop-ins. */
export interface UnitOptions {
  /** Unit file name, e.g. `kubelet.service`. */
  readonly name: string;
  /** Unit file text; leave out to only add drop-ins to a unit the OS ships. @default undefined */
  readonly contents?: string;
  /** Whether Ignition enables the unit (its [Install] section). @default undefined (left as the OS has it) */
  readonly enabled?: boolean;
  /** Masks the unit. @default false */
  readonly mask?: boolean;
  /** Drop-ins by file name, e.g. `{ "10-cgroup.conf": "[Service]\n..." }`. @default {} */
  readonly dropins?: Readonly<Record<string, string>>;
}

/** A login user. Our nodes need none (no SSH); kept for break-glass configs a team may add. */
export interface UserOptions {
  readonly name: string;
  readonly sshAuthorizedKeys?: readonly string[];
  readonly groups?: readonly string[];
}

interface IgnitionFile {
  path: string;
  mode: number;
  overwrite: true;
  user: { name: string };
  group: { name: string };
  contents: { source: string; compression?: "gzip"; verification?: { hash: string } };
}

/** Encodes text as the shortest Ignition data URL: percent-encoded, or gzip + base64 when that is smaller. */
export function dataUrl(text: string): { source: string; compression?: "gzip" } {
  const plain = `data:,${encodeURIComponent(text)}`;
  const gz = `data:;base64,${gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64")}`;
  return gz.length < plain.length ? { source: gz, compression: "gzip" } : { source: plain };
}

const absolute = (what: string, path: string) => {
  if (!path.startsWith("/") || path.includes("..")) throw new Error(`${what} "${path}" must be an absolute path without ".."`);
};

/** Builds one Ignition config. */
export class IgnitionConfig {
  private readonly files = new Map<string, IgnitionFile>();
  private readonly directories = new Map<string, { path: string; mode: number; overwrite: true }>();
  private readonly links = new Map<string, { path: string; target: string; hard: false; overwrite: true }>();
  private readonly units = new Map<string, UnitOptions>();
  private readonly users = new Map<string, UserOptions>();

  /** Adds a file with inline contents. */
  addFile(options: InlineFileOptions): this {
    return this.putFile(options, dataUrl(options.contents));
  }

  /** Adds a file Ignition downloads and verifies by SHA-512. */
  addRemoteFile(options: RemoteFileOptions): this {
    if (!/^[0-9a-f]{128}$/.test(options.sha512)) throw new Error(`file "${options.path}": sha512 must be 128 hex digits`);
    if (!/^https:\/\//.test(options.url)) throw new Error(`file "${options.path}": download "${options.url}" over https only`);
    return this.putFile(options, { source: options.url, verification: { hash: `sha512-${options.sha512}` } });
  }

  /** Adds a directory. */
  addDirectory(path: string, mode = 0o755): this {
    absolute("directory", path);
    this.directories.set(path, { path, mode, overwrite: true });
    return this;
  }

  /** Adds a symbolic link. */
  addLink(path: string, target: string): this {
    absolute("link", path);
    this.links.set(path, { path, target, hard: false, overwrite: true });
    return this;
  }

  /** Adds a systemd unit (or drop-ins for one). */
  addUnit(options: UnitOptions): this {
    if (!/^[A-Za-z0-9@._-]+\.(service|timer|socket|path|mount|target)$/.test(options.name)) {
      throw new Error(`unit "${options.name}" is not a systemd unit name`);
    }
    if (this.units.has(options.name)) throw new Error(`unit "${options.name}" is added twice`);
    this.units.set(options.name, options);
    return this;
  }

  /** Adds a user. */
  addUser(options: UserOptions): this {
    this.users.set(options.name, options);
    return this;
  }

  /** The config as an object with every list sorted. */
  toObject(): Record<string, unknown> {
    const byKey = <T>(map: Map<string, T>) => [...map.keys()].sort().map((k) => map.get(k)!);
    const storage: Record<string, unknown> = {};
    if (this.directories.size) storage.directories = byKey(this.directories);
    if (this.files.size) storage.files = byKey(this.files);
    if (this.links.size) storage.links = byKey(this.links);
    const config: Record<string, unknown> = { ignition: { version: IGNITION_VERSION } };
    if (this.users.size) {
      config.passwd = {
        users: byKey(this.users).map((u) => ({
          name: u.name,
          ...(u.sshAuthorizedKeys?.length ? { sshAuthorizedKeys: [...u.sshAuthorizedKeys] } : {}),
          ...(u.groups?.length ? { groups: [...u.groups] } : {}),
        })),
      };
    }
    if (Object.keys(storage).length) config.storage = storage;
    if (this.units.size) {
      config.systemd = {
        units: byKey(this.units).map((u) => ({
          name: u.name,
          ...(u.contents !== undefined ? { contents: u.contents } : {}),
          ...(u.enabled !== undefined ? { enabled: u.enabled } : {}),
          ...(u.mask ? { mask: true } : {}),
          ...(u.dropins && Object.keys(u.dropins).length
            ? {
                dropins: Object.keys(u.dropins)
                  .sort()
                  .map((name) => ({ name, contents: u.dropins![name] })),
              }
            : {}),
        })),
      };
    }
    return config;
  }

  /** Canonical JSON text. */
  toJson(): string {
    return JSON.stringify(this.toObject());
  }

  private putFile(options: FileOptions, contents: IgnitionFile["contents"]): this {
    absolute("file", options.path);
    if (this.files.has(options.path)) throw new Error(`file "${options.path}" is added twice`);
    this.files.set(options.path, {
      path: options.path,
      mode: options.mode ?? 0o644,
      overwrite: true,
      user: { name: options.user ?? "root" },
      group: { name: options.group ?? "root" },
      contents,
    });
    return this;
  }
}

/** The user data of a launch template: an Ignition config that replaces itself with the full config from S3. */
export function replacePointer(source: string, fullConfig: string): string {
  const hash = createHash("sha512").update(fullConfig).digest("hex");
  return JSON.stringify({
    ignition: { version: IGNITION_VERSION, config: { replace: { source, verification: { hash: `sha512-${hash}` } } } },
  });
}
