// Owns the systemd section of an Ignition config: units (new ones with their text, or only drop-ins for units the OS
// ships), whether Ignition enables or masks them, and their drop-ins sorted by name.

/** A systemd unit, with optional drop-ins. */
export interface UnitOptions {
  /** Unit file name, e.g. `kubelet.service`. */
  readonly name: string;
  /** Unit file text; leave out to only add drop-ins to (or mask) a unit the OS ships. @default undefined */
  readonly contents?: string;
  /** Whether Ignition enables the unit (its [Install] section). @default undefined (left as the OS has it) */
  readonly enabled?: boolean;
  /** Masks the unit (links it to /dev/null): it can never start. @default false */
  readonly mask?: boolean;
  /** Drop-ins by file name, e.g. `{ "10-cgroup.conf": "[Service]\n..." }`. @default {} */
  readonly dropins?: Readonly<Record<string, string>>;
}

export interface UnitEntry {
  name: string;
  contents?: string;
  enabled?: boolean;
  mask?: true;
  dropins?: Array<{ name: string; contents: string }>;
}

const UNIT_NAME = /^[A-Za-z0-9@._\\:-]+\.(service|socket|timer|path|mount|automount|swap|target|device|slice|scope)$/;

/** The Ignition entry of a unit; refuses a name systemd would not load, a masked unit that is also enabled, bad drop-ins. */
export function unitEntry(options: UnitOptions): UnitEntry {
  if (!UNIT_NAME.test(options.name)) throw new Error(`unit "${options.name}" is not a systemd unit name`);
  if (options.mask && options.enabled) throw new Error(`unit "${options.name}" cannot be both masked and enabled`);
  const dropins = Object.keys(options.dropins ?? {}).sort();
  for (const name of dropins)
    if (!/^[A-Za-z0-9@._-]+\.conf$/.test(name)) throw new Error(`drop-in "${name}" of ${options.name} must be a *.conf file name`);
  return {
    name: options.name,
    ...(options.contents !== undefined ? { contents: options.contents } : {}),
    ...(options.enabled !== undefined ? { enabled: options.enabled } : {}),
    ...(options.mask ? { mask: true as const } : {}),
    ...(dropins.length ? { dropins: dropins.map((name) => ({ name, contents: options.dropins![name] })) } : {}),
  };
}
