// Owns the offline catalogue of EC2 instance types and their CPU architecture (catalogue/ec2-instance-types.json,
// sources cited there): checks of every `instanceType`/`instanceTypes` entry, with the nearest valid names, and the
// node architecture a set of types implies (a pool's architecture is the one all its types share).
import catalogue from "./catalogue/ec2-instance-types.json";
import { nearest, quotedList } from "./nearest";

/** CPU architecture of an instance type; `macos` types run macOS only (on dedicated hosts) and cannot boot Flatcar. */
export type InstanceArchitecture = "x86_64" | "arm64" | "macos";

const TYPES = catalogue.types as Readonly<Record<string, InstanceArchitecture>>;
/** Every instance type name of the catalogue, e.g. `m6i.large`. */
export const EC2_INSTANCE_TYPES: readonly string[] = Object.keys(TYPES);

/** The architecture a node boots Flatcar and the Kubernetes binaries for, in Go/Kubernetes naming (`kubernetes.io/arch`). */
export type NodeArchitecture = "amd64" | "arm64";

/** The example type of each node architecture, named in messages and used as the default instance type. */
export const DEFAULT_INSTANCE_TYPE: Readonly<Record<NodeArchitecture, string>> = { amd64: "m6i.large", arm64: "m7g.large" };

/** The architecture of a catalogued instance type; undefined when the type is not in the catalogue. */
export function instanceArchitecture(type: string): InstanceArchitecture | undefined {
  return Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
}

/** The node architecture of one catalogued type that can boot Flatcar; undefined for an unknown or macOS type. */
export function nodeArchitectureOf(type: string): NodeArchitecture | undefined {
  const arch = instanceArchitecture(type);
  return arch === "x86_64" ? "amd64" : arch === "arm64" ? "arm64" : undefined;
}

/**
 * The node architecture every one of `types` shares; undefined when the list is empty, names a type that is unknown or
 * cannot boot Flatcar, or mixes architectures (one launch template boots one image, of one architecture).
 */
export function nodeArchitecture(types: readonly string[]): NodeArchitecture | undefined {
  const archs = new Set(types.map(nodeArchitectureOf));
  if (archs.size !== 1 || archs.has(undefined)) return undefined;
  return [...archs][0];
}

/** Why `types` cannot be one pool's instance types because they mix architectures; undefined when they do not. */
export function mixedArchitectureProblem(types: readonly string[]): string | undefined {
  const byArch = new Map<NodeArchitecture, string[]>();
  for (const type of types) {
    const arch = nodeArchitectureOf(type);
    if (arch) byArch.set(arch, [...(byArch.get(arch) ?? []), type]);
  }
  if (byArch.size < 2) return undefined;
  const listed = (arch: NodeArchitecture) => {
    const quoted = byArch.get(arch)!.map((t) => JSON.stringify(t));
    const names = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
    return `${names} ${quoted.length === 1 ? "is" : "are"}`;
  };
  return `instance types mix architectures: ${listed("amd64")} x86_64 (amd64), ${listed("arm64")} arm64 (Graviton); a pool boots one Flatcar image, so list types of one architecture and put the others in a pool of their own`;
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
    return `"${type}" is ${arch === "arm64" ? "an arm64 (Graviton)" : "an x86_64"} type but the generation boots Flatcar ${flatcarArch}; use a matching instance type (e.g. "${DEFAULT_INSTANCE_TYPE[flatcarArch]}") or remove flatcar.arch (deprecated: each pool's and the control plane's architecture follows its instance types)`;
  }
  return undefined;
}
