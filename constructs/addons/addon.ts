// Owns what an addon is: a settings field of `addons` in a generation's definition, a manifest file with an order
// prefix, the zod schema of its settings (defaults applied) and the function that builds its cdk8s Chart.
import type { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { z } from "zod";
import type { ResolvedGeneration } from "../definition/resolve";
import type { AddonsDefinition } from "./definition";

/** One addon of a generation, delivered as one manifest file. */
export interface Addon<S extends z.ZodType = z.ZodType> {
  /** The field under a generation's `addons`, e.g. `coredns`. */
  readonly key: keyof AddonsDefinition & string;
  /** Manifest file name without extension, with a 2-digit apply-order prefix, e.g. `20-coredns`. */
  readonly file: string;
  /** Validates the settings and fills in every default; must accept `undefined` (the addon's defaults). */
  readonly settings: S;
  /** Whether the resolved settings (and, for an addon driven by cluster-wide fields, the generation) ask for the addon at all. */
  isEnabled(settings: z.output<S>, generation: ResolvedGeneration): boolean;
  /** Builds the addon's Chart (with stable, hash-free names) under `scope`. */
  build(scope: Construct, id: string, generation: ResolvedGeneration, settings: z.output<S>): Chart;
}

/** Declares an addon with its settings type inferred from the schema. */
export function defineAddon<S extends z.ZodType>(addon: Addon<S>): Addon<S> {
  return addon;
}

/** The conventional enablement of addons whose settings carry `enabled` (default true). */
export function enabledFlag(settings: { readonly enabled: boolean }): boolean {
  return settings.enabled;
}
