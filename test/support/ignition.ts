// Test support: the node configs of every example cluster generation, parsing them, and decoding Ignition file contents.
import { clusters } from "../../clusters";
import { resolveGeneration, type ResolvedGeneration } from "../../constructs/definition/resolve";
import { decodeDataUrl, type IgnitionDocument } from "../../constructs/ignition/builder";
import { nodeConfigKey, renderNodeIgnition, type NodeRole } from "../../constructs/ignition/node-config";

/** A parsed Ignition config (the builder's document shape). */
export type ParsedIgnition = IgnitionDocument;
export type IgnitionFileEntry = NonNullable<NonNullable<IgnitionDocument["storage"]>["files"]>[number];
export type IgnitionUnitEntry = NonNullable<IgnitionDocument["systemd"]>["units"][number];

export interface ExampleNodeConfig {
  label: string;
  gen: ResolvedGeneration;
  role: NodeRole;
  text: string;
  config: ParsedIgnition;
}

/** Every (generation, role) of the example clusters with its rendered config. */
export function exampleNodeConfigs(): ExampleNodeConfig[] {
  const out: ExampleNodeConfig[] = [];
  for (const cluster of clusters) {
    for (const definition of cluster.generations) {
      const gen = resolveGeneration(cluster, definition);
      const roles: NodeRole[] = [{ kind: "controller" }, ...gen.workerPools.map((pool) => ({ kind: "worker" as const, pool }))];
      for (const role of roles) {
        const text = renderNodeIgnition(gen, role);
        out.push({ label: `${gen.fullName} ${nodeConfigKey(role)}`, gen, role, text, config: JSON.parse(text) as ParsedIgnition });
      }
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

/** A unit of a config by name. */
export function unit(config: ParsedIgnition, name: string): IgnitionUnitEntry {
  const found = config.systemd?.units.find((u) => u.name === name);
  if (!found) throw new Error(`no unit ${name} in the config`);
  return found;
}
