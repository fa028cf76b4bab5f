// Test support: the node configs of every example cluster generation, and decoding of Ignition file contents.
import { clusters } from "../../clusters";
import { resolveGeneration, type ResolvedGeneration } from "../../constructs";
import { nodeConfigKey, renderNodeIgnition, type NodeRole } from "../../constructs/ignition/node-config";
import { decodeDataUrl } from "./example-synth";

export interface IgnitionFileEntry {
  path: string;
  mode: number;
  contents: { source: string; compression?: string; verification?: { hash: string } };
}
export interface IgnitionUnitEntry {
  name: string;
  contents?: string;
  enabled?: boolean;
  mask?: boolean;
  dropins?: Array<{ name: string; contents: string }>;
}
export interface ParsedIgnition {
  ignition: { version: string };
  storage?: { files?: IgnitionFileEntry[]; directories?: Array<{ path: string; mode: number }> };
  systemd?: { units?: IgnitionUnitEntry[] };
}

/** Every (generation, role) of the example clusters with its rendered config. */
export function exampleNodeConfigs(): Array<{ label: string; gen: ResolvedGeneration; role: NodeRole; text: string }> {
  const out = [];
  for (const cluster of clusters) {
    for (const definition of cluster.generations) {
      const gen = resolveGeneration(cluster, definition);
      const roles: NodeRole[] = [{ kind: "controller" }, ...gen.workerPools.map((pool) => ({ kind: "worker" as const, pool }))];
      for (const role of roles)
        out.push({ label: `${gen.fullName} ${nodeConfigKey(role)}`, gen, role, text: renderNodeIgnition(gen, role) });
    }
  }
  return out;
}

/** The decoded text of a file of a config (inline files only). */
export function fileText(config: ParsedIgnition, path: string): string {
  const file = config.storage?.files?.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path} in the config`);
  return decodeDataUrl(file.contents.source, file.contents.compression);
}
