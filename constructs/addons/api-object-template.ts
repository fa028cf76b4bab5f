// Owns rendering an addon API object that differs from the ones its construct path rendered before (one naming the
// cluster or its API endpoint, which api-object-json.ts stops keying, or the VPC's CIDR, shared by a cluster's
// generations) from a template: the rendering of the object's plain data with a marker string in each string value
// that differed between generations, into which a later object's strings are put.
//
// Why that is cdk8s's rendering: with plain data and cdk8s's own resolvers (what api-object-json.ts admits), a string
// value reaches the output unchanged wherever cdk8s puts it, whatever its content. cdk8s 2.70.106 (lib/resolve.js and
// lib/_util.js, as installed): `resolve` asks each resolver about the string (`instanceof Lazy`,
// `typeof value.resolve === "function"`, `value.constructor === Object`, `typeof value.value`: the same answers for
// every string) and returns it; `sanitizeValue` returns a non-object as it is; `ApiObject.toJson` reorders top-level
// keys. cdk8s-plus-27 2.9.5's `toJson_<Type>` functions (lib/imports/k8s.js, as installed) copy a value (`obj.x`,
// `obj.x?.map(y => y)`, `obj.x?.value`, `toJson_<Type>(obj.x)`, `Object.entries(obj.x)` for maps) and read no string's
// `length` or index (no field is named so); the only reads of a string's content are those of a string given where an
// object or map is expected (its characters, by `Object.entries`). A template is therefore made only when (1) the
// marker rendering holds each marker as a whole string value and nowhere else (no key, no longer string holds the
// markers' prefix), and (2) the template filled with this generation's strings is, key order included, the JSON that
// cdk8s renders for the object itself (rendered too, that once). A string read by its characters would give the
// marker's characters, not a marker, in (1) and another output than the real string's in (2). From then on an object
// at the path of the same class whose data equals the template's but for strings in the holes (sameInputs with holes)
// is the template filled with its strings, in new objects and arrays throughout, as cdk8s's are (parts shared frozen
// among generations made the schema check of these objects slower than the copy saved). Anything else
// renders through cdk8s, and a path makes at most MAX_TEMPLATES templates (test/api-object-template.test.ts compares
// with cdk8s, including strings cdk8s reads by their characters). The filled object's YAML document is written the
// same way: the template's document with the holes' scalars written in (yaml-document.ts yamlTemplate), checked once
// against the writer's own document of the object; and it passes the schema check when the marker rendering does
// (validate-schema.ts passesSchemaCheck says why).
import type { ApiObject, ApiObjectMetadataDefinition } from "cdk8s";
import { materialize, NOT_PLAIN, plainCopy, sameInputs, withHoles } from "./kept-inputs";
import { rememberSchemaValid, rememberYaml } from "./render-cache";
import { passesSchemaCheck } from "./validate-schema";
import { fillYamlTemplate, yamlDocument, yamlTemplate, type YamlTemplate } from "./yaml-document";

/** Templates made per construct path before the path renders through cdk8s only (each made costs two renderings). */
const MAX_TEMPLATES = 3;

/** What a template renders to: objects and arrays, primitives, and holes (filled with a generation's strings). */
type Part = Constant | Hole | RecordPart | ArrayPart;

class Constant {
  constructor(readonly value: unknown) {}
}

class Hole {
  constructor(readonly index: number) {}
}

class RecordPart {
  constructor(
    readonly keys: readonly string[],
    readonly parts: readonly Part[],
  ) {}
}

class ArrayPart {
  constructor(readonly parts: readonly Part[]) {}
}

interface Template {
  readonly type: unknown;
  /** The render inputs with a HOLE at each string that varies (kept-inputs.ts withHoles). */
  readonly inputs: unknown;
  readonly output: Part;
  readonly holes: number;
  /** The YAML document's template, once asked for (null: none, or it failed its check). */
  yaml?: YamlTemplate | null;
  /** Whether the YAML template was checked against yamlDocument once. */
  yamlChecked?: boolean;
  /**
   * Whether the marker rendering passes the schema check, and so every filling of the template does
   * (validate-schema.ts passesSchemaCheck).
   */
  schemaValid?: boolean;
}

/** A construct path's template state: its template, the inputs last rendered without one, templates made so far. */
export interface TemplateState {
  template?: Template;
  last?: { readonly type: unknown; readonly inputs: unknown };
  made: number;
}

/**
 * The rendering of `object` (of class `type`, rendered by `render`, its class's own toJson) from the path's template,
 * or through cdk8s while there is none that fits; `inputs` are its render inputs (api-object-json.ts renderInputs).
 */
export function renderFromTemplate(
  object: ApiObject,
  type: unknown,
  render: (self: ApiObject) => unknown,
  inputs: object,
  state: TemplateState,
): unknown {
  const { template } = state;
  if (template !== undefined && template.type === type) {
    const strings: string[] = [];
    if (sameInputs(template.inputs, inputs, false, strings)) {
      const result = fill(template.output, strings) as object;
      rememberYaml(result, () => templateYaml(template, strings, result));
      template.schemaValid ??= passesSchemaCheck(fill(template.output, markerStrings(template.holes)) as Record<string, unknown>);
      if (template.schemaValid) rememberSchemaValid(result);
      return result;
    }
  }
  // A template with more holes, from the template or the inputs last rendered without one.
  let holed: unknown = NOT_PLAIN;
  let holes = 0;
  if (state.made < MAX_TEMPLATES) {
    for (const base of [template, state.last]) {
      if (base === undefined || base.type !== type) continue;
      const count = { holes: 0, changed: 0 };
      holed = withHoles(base.inputs, inputs, false, count);
      holes = count.holes;
      if (holed !== NOT_PLAIN && holes > 0) break;
      holed = NOT_PLAIN;
    }
  }
  if (holed === NOT_PLAIN) {
    // Kept to compare the next object of the path with (a copy: the data may change after it is rendered).
    if (state.made < MAX_TEMPLATES) {
      const copy = plainCopy(inputs, new Set(), false);
      state.last = copy === NOT_PLAIN ? undefined : { type, inputs: copy };
    }
    return render(object);
  }
  state.made++;
  const made = makeTemplate(object, type, render, holed, holes);
  const result = render(object);
  if (made !== undefined) {
    const strings: string[] = [];
    sameInputs(holed, inputs, false, strings);
    if (sameJson(fill(made.output, strings), result)) state.template = made;
  }
  return result;
}

/** The first characters of every marker; no string of a marker rendering that is not a marker may hold them. */
const MARKER_PREFIX = "\uE000api-object-template\uE001";
const marker = (index: number) => `${MARKER_PREFIX}${index}\uE002`;
const markerStrings = (holes: number) => Array.from({ length: holes }, (_, i) => marker(i));

/** The template of `object` with a marker in each HOLE of `holed`, or undefined when the rendering does not fit one. */
function makeTemplate(
  object: ApiObject,
  type: unknown,
  render: (self: ApiObject) => unknown,
  holed: unknown,
  holes: number,
): Template | undefined {
  const data = materialize(holed, marker) as Record<
    "props" | "additionalAttributes" | "name" | "namespace" | "annotations" | "finalizers" | "ownerReferences" | "labels",
    unknown
  >;
  // The object itself, but for the data it is rendered from: its metadata and props are the marked copies.
  const standIn = Object.create(object) as ApiObject;
  const metadata = Object.create(object.metadata) as ApiObjectMetadataDefinition;
  const fields = {
    _additionalAttributes: data.additionalAttributes,
    name: data.name,
    namespace: data.namespace,
    annotations: data.annotations,
    finalizers: data.finalizers,
    ownerReferences: data.ownerReferences,
    labels: data.labels,
    apiObject: standIn,
  };
  // Own data properties, as the metadata's constructor makes them, whatever its prototype holds.
  for (const [field, value] of Object.entries(fields)) {
    Object.defineProperty(metadata, field, { value, writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(standIn, "props", { value: data.props });
  Object.defineProperty(standIn, "metadata", { value: metadata });
  const markers = new Map<string, number>();
  for (let i = 0; i < holes; i++) markers.set(marker(i), i);
  let rendered: unknown;
  try {
    rendered = render(standIn);
  } catch {
    // No template; the object's own rendering, which follows, says what fails.
    return undefined;
  }
  const output = compile(rendered, markers, new Set());
  return output === undefined ? undefined : { type, inputs: holed, output, holes };
}

/**
 * The parts of a marker rendering: a marker as its hole, any other primitive as a constant; undefined for anything
 * that is not plain JSON (see jsonText in api-object-json.ts) or holds the markers' prefix outside a marker.
 */
function compile(value: unknown, markers: ReadonlyMap<string, number>, seen: Set<object>): Part | undefined {
  switch (typeof value) {
    case "string": {
      const hole = markers.get(value);
      if (hole !== undefined) return new Hole(hole);
      return value.includes(MARKER_PREFIX) ? undefined : new Constant(value);
    }
    case "boolean":
      return new Constant(value);
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? new Constant(value) : undefined;
    case "object": {
      if (value === null) return new Constant(value);
      if (seen.has(value)) return undefined;
      seen.add(value);
      const proto: unknown = Object.getPrototypeOf(value);
      let parts: Part[];
      let keys: string[] | undefined;
      if (Array.isArray(value)) {
        if (proto !== Array.prototype || Object.hasOwn(value, "toJSON")) return undefined;
        parts = [];
        for (const item of value) {
          const part = compile(item, markers, seen);
          if (part === undefined) return undefined;
          parts.push(part);
        }
      } else {
        if (proto !== Object.prototype) return undefined;
        keys = Object.keys(value);
        parts = [];
        for (const key of keys) {
          if (key.includes(MARKER_PREFIX)) return undefined;
          const part = compile((value as Record<string, unknown>)[key], markers, seen);
          if (part === undefined) return undefined;
          parts.push(part);
        }
      }
      return keys === undefined ? new ArrayPart(parts) : new RecordPart(keys, parts);
    }
    default:
      return undefined;
  }
}

/**
 * The YAML document of `result`, the template's rendering for `strings`, from the template's YAML (yaml-document.ts
 * yamlTemplate, made of the marker rendering on first use and checked once against yamlDocument); undefined when the
 * template has none, and the document is written as any other.
 */
function templateYaml(template: Template, strings: readonly string[], result: object): string | undefined {
  if (template.yaml === undefined) {
    const markers = new Map(markerStrings(template.holes).map((m, i) => [m, i]));
    template.yaml = yamlTemplate(fill(template.output, [...markers.keys()]) as object, markers) ?? null;
  }
  if (template.yaml === null) return undefined;
  const text = fillYamlTemplate(template.yaml, strings);
  if (!template.yamlChecked) {
    template.yamlChecked = true;
    if (text !== yamlDocument(result)) template.yaml = null;
  }
  return template.yaml === null ? undefined : text;
}

/** The rendering a template gives for the strings of its holes. */
function fill(part: Part, strings: readonly string[]): unknown {
  if (part instanceof Constant) return part.value;
  if (part instanceof Hole) return strings[part.index];
  if (part instanceof RecordPart) {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < part.keys.length; i++) record[part.keys[i]] = fill(part.parts[i], strings);
    return record;
  }
  return part.parts.map((p) => fill(p, strings));
}

/** Whether two renderings are the same JSON, keys in the same order (`a` is a filled template, plain JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null) return Object.is(a, b);
  if (typeof b !== "object" || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(b) !== Object.getPrototypeOf(a) || (Array.isArray(b) && Object.hasOwn(b, "toJSON"))) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    if (keysA[i] !== keysB[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[keysA[i]], (b as Record<string, unknown>)[keysB[i]])) return false;
  }
  return true;
}
