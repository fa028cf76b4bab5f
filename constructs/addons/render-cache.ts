// Owns sharing render work between generations of one process: the content key of a synthesized object (its JSON,
// or none when JSON would not capture everything that decides its YAML or its schema verdict), by which render.ts and
// validate-schema.ts keep YAML and verdicts in bounded memo tables (platform/bounded-memo.ts), and the YAML and schema
// verdict of an object rendered from a template (from the template's). A fleet renders the same addon objects for many
// generations (every object that does not name the cluster); each is serialized and schema-checked once per process
// instead of once per generation.

/**
 * The content key of a plain JSON-like object: its JSON text, or undefined when the object holds anything JSON does
 * not carry one to one (undefined, a non-finite number or -0, a non-plain object such as a Date or a Map, a function,
 * an array with its own toJSON) or the same object or array twice (yaml's stringify writes a shared object as an anchor
 * and an alias, so sharing changes the bytes). Objects without a key are rendered and checked every time, as before.
 * Inside withSharedContentKeys an object's key is computed once.
 */
export function contentKey(object: unknown): string | undefined {
  const memo = typeof object === "object" && object !== null ? sharedKeys : undefined;
  if (memo?.has(object as object)) return memo.get(object as object);
  // Checked by a walk, then written by JSON.stringify without a replacer: a replacer is a call from V8 into JavaScript
  // for every value, which made the key about a twentieth of a fleet's CPU.
  const key = representable(object, new Set()) ? JSON.stringify(object) : undefined;
  memo?.set(object as object, key);
  return key;
}

/** Whether JSON.stringify writes `value` one to one and without a shared object (see contentKey). */
function representable(value: unknown, seen: Set<object>): boolean {
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
        if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
        for (let i = 0; i < value.length; i++) if (!representable(value[i], seen)) return false;
        return true;
      }
      // A plain object with its own toJSON has a function value, refused below.
      if (!isPlainObject(value)) return false;
      for (const key of Object.keys(value)) if (!representable((value as Record<string, unknown>)[key], seen)) return false;
      return true;
    }
    default:
      // undefined, functions, symbols and bigints: JSON drops or refuses them, yaml does not.
      return false;
  }
}

/** The keys computed inside withSharedContentKeys, by object. */
let sharedKeys: WeakMap<object, string | undefined> | undefined;

/**
 * Runs `use` with each object's content key computed once however often it is asked for (a generation's objects are
 * keyed by the schema check and again by the YAML writer). The objects must not change while `use` runs.
 */
export function withSharedContentKeys<T>(use: () => T): T {
  const previous = sharedKeys;
  const previousYaml = knownYaml;
  const previousValid = knownValid;
  sharedKeys = previous ?? new WeakMap();
  knownYaml = previousYaml ?? new WeakMap();
  knownValid = previousValid ?? new WeakSet();
  try {
    return use();
  } finally {
    sharedKeys = previous;
    knownYaml = previousYaml;
    knownValid = previousValid;
  }
}

/**
 * Records `key`, the JSON text `object` was just parsed from or checked to be written as, as its content key inside
 * withSharedContentKeys (api-object-json.ts, for the objects it renders); a no-op outside, where keys are not kept.
 * An undefined key says the object is not worth keying (it differs in every generation): it is rendered and checked
 * without a memo, as an object without a key always is, and its JSON is not written for a key nobody looks up.
 */
export function rememberContentKey(object: object, key: string | undefined): void {
  sharedKeys?.set(object, key);
}

/** The YAML documents known inside withSharedContentKeys, by object, as a function that writes it (or gives up). */
let knownYaml: WeakMap<object, () => string | undefined> | undefined;

/**
 * Records how `object`'s YAML document (yaml-document.ts yamlDocument) is written without walking it, inside
 * withSharedContentKeys (api-object-template.ts, from the object's template); a no-op outside. `write` may give
 * undefined, and the document is then written as any other.
 */
export function rememberYaml(object: object, write: () => string | undefined): void {
  knownYaml?.set(object, write);
}

/** The YAML document of `object` recorded by rememberYaml, or undefined. */
export function rememberedYaml(object: object): string | undefined {
  return knownYaml?.get(object)?.();
}

/** The objects known inside withSharedContentKeys to pass the schema check. */
let knownValid: WeakSet<object> | undefined;

/**
 * Records that `object` passes the schema check (validate-schema.ts), inside withSharedContentKeys
 * (api-object-template.ts, for an object filled from a template whose marker rendering passes it); a no-op outside.
 */
export function rememberSchemaValid(object: object): void {
  knownValid?.add(object);
}

/** Whether rememberSchemaValid recorded `object`. */
export function rememberedSchemaValid(object: object): boolean {
  return knownValid?.has(object) ?? false;
}

/** An object literal's kind of object, of any realm (its prototype is Object.prototype there, or null). */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Freezes a value shared by generations and every object in it, so that a change to it throws (in strict code, as all
 * of the library is) instead of reaching another generation. An object already frozen is taken as frozen throughout.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
  return value;
}
