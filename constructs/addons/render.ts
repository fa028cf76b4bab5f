// Owns turning a generation's addon settings into Kubernetes manifests: one cdk8s Chart per enabled addon, each
// serialized to its own YAML file (stable names, deterministic bytes), checked by validate.ts before anything is returned.
import { App, type Chart } from "cdk8s";
import type { ResolvedGeneration } from "../definition/resolve";
import { renderApiObjectsOnce } from "./api-object-json";
import { restrictToImageArchitectures } from "./image-architectures";
import type { Addon } from "./addon";
import { ADDONS } from "./registry";
import { contentKey, deepFreeze, rememberedYaml, withSharedContentKeys } from "./render-cache";
import { BoundedMemo } from "../platform/bounded-memo";
import { assertValidManifests } from "./validate";
import { yamlDocument } from "./yaml-document";

/** One manifest file of a generation's addons. */
export interface ManifestFile {
  /** File name, e.g. `20-coredns.yaml`; files apply in name order. */
  readonly name: string;
  readonly yaml: string;
}

/** The objects of one addon, before serialization. */
export interface AddonObjects {
  /** Manifest file name, e.g. `20-coredns.yaml`. */
  readonly file: string;
  readonly objects: readonly Record<string, unknown>[];
}

/**
 * The settings of every addon of a generation, validated with defaults applied. Throws (naming the field) on bad
 * settings; definitions that passed validateClusterDefinition never do.
 */
export function resolvedSettings(generation: ResolvedGeneration): Map<string, unknown> {
  const raw = (generation.definition.addons ?? {}) as Record<string, unknown>;
  const settings = new Map<string, unknown>();
  for (const addon of ADDONS) {
    const input = raw[addon.key];
    // No settings (every default, as most generations give) parse to the same data: parsed once per process and
    // shared, frozen, by those generations (an addon's builder reads its settings and never changes them). Settings
    // given are parsed every time.
    const parse = () => parseSettings(generation, addon, input);
    settings.set(addon.key, input === undefined ? defaultSettings.get(addon.key, () => deepFreeze(parse())) : parse());
  }
  return settings;
}

/** Each addon's parsed default settings, by addon key; a failed parse throws and is not kept. */
const defaultSettings = new BoundedMemo<unknown>(1_000);

/** One addon's settings validated with defaults applied; throws naming the field. */
function parseSettings(generation: ResolvedGeneration, addon: Addon, input: unknown): unknown {
  // jitless: one parse per generation (the defaults once per process); compiling zod's per-schema parser costs more
  // (see definition/validate.ts).
  const parsed = addon.settings.safeParse(input, { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ["addons", addon.key, ...issue.path.map(String)].join(".");
    throw new Error(`${generation.fullName}: ${field}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Addons in file-name order, by UTF-16 code units: file names are `NN-lowercase-words` (test/render-order.test.ts), for
 * which that is the order `localeCompare` gave, without creating ICU's collator (about a hundredth of a synth's CPU).
 */
const byFile = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/** Synthesizes the objects of every enabled addon of a generation, in apply order, without checking them. */
export function synthesizeAddonObjects(generation: ResolvedGeneration): AddonObjects[] {
  const settings = resolvedSettings(generation);
  const charts: { file: string; key: string; chart: Chart }[] = [];
  for (const addon of [...ADDONS].sort(byFile)) {
    const value = settings.get(addon.key);
    if (!addon.isEnabled(value, generation)) continue;
    // An app per chart: cdk8s 2.70.106's Chart.toJson walks the chart's whole app twice (App._synthChart:
    // resolveDependencies and validate over `app.node`, lib/app.js as installed), so with one app each chart's render
    // walked every chart's constructs. No addon chart depends on or reaches into another; the construct paths (and so
    // the object names and the render table's keys) are the same, as an app's own path is empty
    // (test/render-apps.test.ts compares with the charts rendered in one app).
    const app = new App({ outdir: "unused-no-files-are-written" });
    charts.push({ file: `${addon.file}.yaml`, key: addon.key, chart: addon.build(app, addon.key, generation, value) });
  }
  // Objects a fleet's generations share are rendered to JSON once per process (api-object-json.ts).
  renderApiObjectsOnce(...charts.map(({ chart }) => chart));
  // Workloads whose images lack an architecture the generation's nodes run are kept off those nodes (image-architectures.ts).
  return charts.map(({ file, key, chart }) => ({
    file,
    objects: restrictToImageArchitectures(generation, key, chart.toJson() as Record<string, unknown>[]),
  }));
}

/** Each object's YAML document by its content: a fleet's generations share most objects (render-cache.ts). */
const yamlDocuments = new BoundedMemo<string>();

/**
 * Serializes objects as one multi-document YAML file; an object rendered from a template is written from the
 * template's text (api-object-template.ts).
 */
export function toYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => rememberedYaml(o) ?? yamlDocuments.get(contentKey(o), () => yamlDocument(o))).join("---\n");
}

/** The addon manifests of one generation, in apply order; throws naming the object and the problem if any check fails. */
export function renderAddonManifests(generation: ResolvedGeneration): ManifestFile[] {
  // The schema check and the YAML writer key the same objects, which do not change in between; objects rendered from
  // a kept JSON text come with it as their key (api-object-json.ts).
  return withSharedContentKeys(() => {
    const addons = synthesizeAddonObjects(generation);
    assertValidManifests(generation, addons);
    return addons.map(({ file, objects }) => ({ name: file, yaml: toYaml(objects) }));
  });
}
