// Owns rendering each API object of the addon charts to Kubernetes JSON once per content per process. cdk8s 2.70.106's
// ApiObject.toJson resolves `{ ...props, metadata: metadata.toJson() }` through the app's resolvers and sanitizes it
// (keys sorted, null and undefined dropped), and each cdk8s-plus-27 2.9.5 generated class (`k8s.Kube<Kind>`) then maps
// the result through its `toJson_<Kind>Props` (lib/api-object.ts toJson; cdk8s-plus-27 lib/imports/k8s.js, as
// installed): a pure function of the object's class and that data, when the data is plain JSON (no Lazy, no token, no
// class instance but an IntOrString or a Quantity), the object has no JSON patch and the app has only cdk8s's own
// resolvers, which return plain values unchanged (lib/resolve.ts LazyResolver, ImplicitTokenResolver,
// NumberStringUnionResolver). What is compared is the fields metadata.toJson() renders from, not its rendering (see
// renderInputs). A fleet renders the same objects for many generations (all but the few that name the cluster): from
// the second time an object's construct path is rendered (so a one-generation synth keeps nothing) a copy of its
// inputs and its JSON text are kept at the path, and a later object at the path of the same class and the same inputs
// is handed one deep-frozen parse of that text, shared by the generations (a change to it throws in strict code
// instead of reaching another generation; no consumer of the addon objects changes them: restrictToImageArchitectures
// copies what it alters); the same text handed out twice among one generation's charts gets a fresh parse (the
// cross-object checks key one generation's objects by identity). A path whose object differed every time is no longer
// compared with kept renderings (see seenPaths): it renders from a template of its strings (api-object-template.ts),
// as a missed object of any path does from the path's second miss on. Anything else renders as before. The charts' output is the same
// (test/api-object-json.test.ts); cdk8s's path was about a sixth of a 50-generation synth's CPU.
import { ApiObject, ApiObjectMetadataDefinition, App, type Chart } from "cdk8s";
import { k8s } from "../platform/k8s";
import { renderFromTemplate, type TemplateState } from "./api-object-template";
import { NOT_PLAIN, plainCopy, sameInputs } from "./kept-inputs";
import { deepFreeze, rememberContentKey } from "./render-cache";

/** The generated API classes, whose toJson is `{ ...GVK, ...toJson_<Kind>Props(ApiObject.toJson()) }`. */
const GENERATED_CLASSES: ReadonlySet<unknown> = new Set(Object.values(k8s).filter((v) => typeof v === "function"));

/** cdk8s's own resolvers, the only ones an app has without `resolvers` in its props (lib/app.ts constructor). */
const CDK8S_RESOLVER_COUNT = 3;

/** A kept rendering: its JSON text and, once handed out, the deep-frozen parse of it every generation shares. */
interface KeptRendering {
  readonly text: string;
  shared?: object;
}

/** One rendering kept at a construct path: the class and a copy of the inputs it was rendered from (see renderInputs). */
interface Variant {
  readonly type: unknown;
  readonly inputs: unknown;
  readonly kept: KeptRendering;
}

/** Construct paths kept before the table starts over (a synth process renders a bounded set). */
const LIMIT = 20_000;
/**
 * Renderings kept per path, the newest first: an object shared by a cluster's generations but not by clusters (one
 * naming the VPC's CIDR) finds the variant its cluster's previous generation left, and one with a variant per
 * Kubernetes minor finds its own among a few.
 */
const VARIANTS_PER_PATH = 4;

interface ApiObjectInternals {
  readonly props: Record<string, unknown>;
  readonly patches: readonly unknown[];
}

/**
 * Makes every API object of `charts` (one generation's: a text is handed out once among them, see the header) whose
 * JSON is a function of its class and plain data render through the per-process table. Call before the charts'
 * toJson(); their output is unchanged.
 */
export function renderApiObjectsOnce(...charts: Chart[]): void {
  // cdk8s reads CDK8S_DISABLE_SORT on every toJson; with it set, keep cdk8s's path.
  if (process.env.CDK8S_DISABLE_SORT) return;
  const handedOut = new WeakSet<object>();
  for (const chart of charts) if (App.of(chart).resolvers.length === CDK8S_RESOLVER_COUNT) renderThroughTable(chart, handedOut);
}

function renderThroughTable(chart: Chart, handedOut: WeakSet<object>): void {
  for (const node of chart.node.findAll()) {
    if (!ApiObject.isApiObject(node)) continue;
    const type = node.constructor as { prototype: { toJson: () => unknown } };
    if (type !== ApiObject && !GENERATED_CLASSES.has(type)) continue;
    // A subclass or an instance with its own toJson renders as it says.
    if (Object.hasOwn(node, "toJson") || node.toJson !== type.prototype.toJson) continue;
    const own = type.prototype.toJson;
    const render = (self: ApiObject) => own.call(self);
    Object.defineProperty(node, "toJson", { value: () => renderOnce(node, type, handedOut, render), configurable: true });
  }
}

/**
 * Construct paths of the objects rendered so far (an addon's objects have the same path in every generation), with
 * how often an object at the path was then found among the path's kept variants and how often not. An object is
 * compared and kept only from the second time its path is rendered: a single generation's synth renders each object
 * once and pays nothing for copies it would never compare again. A path that missed MISSES_WITHOUT_HIT times and
 * never hit holds an object that differs in every generation (one naming the cluster or its API endpoint): it is no
 * longer compared with kept variants or kept, so no copy or JSON text is made for it; it renders from its template
 * (api-object-template.ts), made from it and the path's last variant. An object is compared with a kept variant field by
 * field (sameInputs), which is what a key of its JSON text decided before, without writing and hashing that text for
 * every object of every generation.
 */
const seenPaths = new Map<string, { hits: number; misses: number; variants: Variant[]; templates?: TemplateState }>();
const MISSES_WITHOUT_HIT = 3;

function renderOnce(object: ApiObject, type: unknown, handedOut: WeakSet<object>, renderAs: (self: ApiObject) => unknown): unknown {
  const internals = object as unknown as ApiObjectInternals;
  const path = object.node.path;
  const seen = seenPaths.get(path);
  const render = () => renderAs(object);
  if (seen === undefined) {
    if (seenPaths.size >= LIMIT) seenPaths.clear();
    seenPaths.set(path, { hits: 0, misses: 0, variants: [] });
    return render();
  }
  if (seen.hits === 0 && seen.misses >= MISSES_WITHOUT_HIT) {
    // It differs in every generation: rendered from the path's template once there is one (api-object-template.ts),
    // starting from the inputs of its last miss. Its YAML and schema verdict are computed without a content key that
    // no later generation would look up (render-cache.ts).
    const inputs = internals.patches.length === 0 ? renderInputs(internals.props, object.metadata) : undefined;
    seen.templates ??= { made: 0, last: seen.variants[0] };
    const result = inputs === undefined ? render() : renderFromTemplate(object, type, renderAs, inputs, seen.templates);
    if (typeof result === "object" && result !== null) rememberContentKey(result, undefined);
    return result;
  }
  if (internals.patches.length > 0) return render();
  const inputs = renderInputs(internals.props, object.metadata);
  if (inputs === undefined) {
    seen.misses++;
    return render();
  }
  const variant = seen.variants.find((v) => v.type === type && sameInputs(v.inputs, inputs, false));
  if (variant !== undefined) {
    seen.hits++;
    const kept = variant.kept;
    let handed = kept.shared;
    if (handed === undefined) kept.shared = handed = deepFreeze(JSON.parse(kept.text) as object);
    else if (handedOut.has(handed)) handed = JSON.parse(kept.text) as object;
    handedOut.add(handed);
    // Its content key is that text (JSON.stringify of a parse of JSON.stringify's output gives the same text).
    rememberContentKey(handed, kept.text);
    return handed;
  }
  seen.misses++;
  const copy = plainCopy(inputs, new Set(), false);
  // From a path's second miss on (an object shared by a cluster's generations but not by clusters), it renders from
  // the path's template as an object that differs every time does (api-object-template.ts), and is kept as before.
  const result =
    copy === NOT_PLAIN || seen.variants.length === 0
      ? render()
      : renderFromTemplate(object, type, renderAs, inputs, (seen.templates ??= { made: 0, last: seen.variants[0] }));
  if (copy === NOT_PLAIN) return result;
  const resultText = jsonText(result);
  if (resultText !== undefined) {
    seen.variants.unshift({ type, inputs: copy, kept: { text: resultText } });
    if (seen.variants.length > VARIANTS_PER_PATH) seen.variants.pop();
    rememberContentKey(result as object, resultText);
  }
  return result;
}

/**
 * What an object's rendering is computed from: its props (their metadata, which the rendering replaces by the
 * metadata's own rendering, included too: a redundant input costs at most a miss) and the fields cdk8s
 * 2.70.106's ApiObjectMetadataDefinition.toJson renders the metadata from (lib/metadata.js toJson, as installed:
 * `sanitize(resolve([], { ...this._additionalAttributes, name, namespace, annotations, finalizers, ownerReferences,
 * labels }, this.apiObject))`). With plain data (checked by plainCopy and sameInputs) and cdk8s's own resolvers the
 * rendering is a function of these, so they are compared without resolving and sanitizing the metadata first.
 * Undefined for a metadata of another class or with its own toJson. One object shape for every object (no spread of
 * props of many shapes).
 */
function renderInputs(props: Record<string, unknown>, metadata: ApiObjectMetadataDefinition): object | undefined {
  if (Object.getPrototypeOf(metadata) !== ApiObjectMetadataDefinition.prototype || Object.hasOwn(metadata, "toJson")) return undefined;
  const fields = metadata as unknown as Record<
    "_additionalAttributes" | "name" | "namespace" | "annotations" | "finalizers" | "ownerReferences" | "labels",
    unknown
  >;
  return {
    props,
    additionalAttributes: fields._additionalAttributes,
    name: fields.name,
    namespace: fields.namespace,
    annotations: fields.annotations,
    finalizers: fields.finalizers,
    ownerReferences: fields.ownerReferences,
    labels: fields.labels,
  };
}

/**
 * The JSON text of a rendered object when parsing it gives the same object back: plain objects and arrays, each
 * reached once, of strings, booleans, null and finite numbers other than -0 (no undefined anywhere); else undefined.
 */
function jsonText(result: unknown): string | undefined {
  return roundTrips(result, new Set()) ? JSON.stringify(result) : undefined;
}

function roundTrips(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype || Object.hasOwn(value, "toJSON")) return false;
        for (let i = 0; i < value.length; i++) if (!roundTrips(value[i], seen)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) if (!roundTrips(record[key], seen)) return false;
      return true;
    }
    default:
      return false;
  }
}
