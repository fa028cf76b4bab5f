// Owns the offline catalogue of EC2 instance types and their CPU architecture (catalogue/ec2-instance-types.json,
// sources cited there): checks of every `instanceType`/`instanceTypes` entry, with the nearest valid names.
import catalogue from "./catalogue/ec2-instance-types.json";
import { nearest, quotedList } from "./nearest";

/** CPU architecture of an instance type; `macos` types run macOS only (on dedicated hosts) and cannot boot Flatcar. */
export type InstanceArchitecture = "x86_64" | "arm64" | "macos";

const TYPES = catalogue.types as Readonly<Record<string, InstanceArchitecture>>;
/** Every instance type name of the catalogue, e.g. `m6i.large`. */
export const EC2_INSTANCE_TYPES: readonly string[] = Object.keys(TYPES);

/** The architecture of a catalogued instance type; undefined when the type is not in the catalogue. */
export function instanceArchitecture(type: string): InstanceArchitecture | undefined {
  return Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
}

/** Why `type` cannot be a node's instance type of a `flatcarArch` generation; undefined when it can. */
export function instanceTypeProblem(type: string, flatcarArch?: "amd64" | "arm64"): string | undefined {
  const arch = instanceArchitecture(type);
  const wanted = flatcarArch === "arm64" ? "arm64" : "x86_64";
  if (arch === undefined) {
    const candidates = flatcarArch ? EC2_INSTANCE_TYPES.filter((t) => TYPES[t] === wanted) : EC2_INSTANCE_TYPES;
    return `"${type}" is not an EC2 instance type; did you mean ${quotedList(nearest(type, candidates))}?`;
  }
  if (arch === "macos") return `"${type}" is a macOS instance type (dedicated hosts only) and cannot boot Flatcar; use e.g. "m6i.large"`;
  if (flatcarArch && arch !== wanted) {
    return `"${type}" is ${arch === "arm64" ? "an arm64 (Graviton)" : "an x86_64"} type but the generation boots Flatcar ${flatcarArch}; use a matching instance type (e.g. "${flatcarArch === "arm64" ? "m7g.large" : "m6i.large"}") or set flatcar.arch`;
  }
  return undefined;
}
