// Owns sharing render work between generations of one process: the content key of a synthesized object (its JSON,
// or none when JSON would not capture everything that decides its YAML or its schema verdict) and bounded memo tables
// keyed by it. A fleet renders the same addon objects for many generations (every object that does not name the
// cluster); each is serialized and schema-checked once per process instead of once per generation.

/**
 * The content key of a plain JSON-like object: its JSON text, or undefined when the object holds anything JSON does
 * not carry one to one (undefined, a non-finite number or -0, a non-plain object such as a Date or a Map, a function)
 * or the same object or array twice (yaml's stringify writes a shared object as an anchor and an alias, so sharing
 * changes the bytes). Objects without a key are rendered and checked every time, as before.
 */
export function contentKey(object: unknown): string | undefined {
  const seen = new Set<object>();
  let representable = true;
  const text = JSON.stringify(object, function (this: Record<string, unknown>, key: string, value: unknown) {
    if (!representable) return undefined;
    // A value with toJSON (a Date) reaches the replacer already converted: judge what the holder holds.
    if (this[key] !== value) representable = false;
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (!Number.isFinite(value) || Object.is(value, -0)) representable = false;
        return value;
      case "object":
        if (value === null) return value;
        if (seen.has(value)) representable = false;
        seen.add(value);
        if (!Array.isArray(value) && !isPlainObject(value)) representable = false;
        return value;
      default:
        // undefined, functions, symbols and bigints: JSON drops or refuses them, yaml does not.
        representable = false;
        return undefined;
    }
  });
  return representable ? text : undefined;
}

/** An object literal's kind of object, of any realm (its prototype is Object.prototype there, or null). */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A memo table of at most `limit` entries (cleared whole when full: a synth process renders a bounded set). */
export class RenderMemo<T> {
  private readonly entries = new Map<string, T>();

  /** @param limit entries kept before the table starts over */
  constructor(private readonly limit = 20_000) {}

  /** The value for `key`, computed by `compute` on first use; without a key it is computed every time. */
  get(key: string | undefined, compute: () => T): T {
    if (key === undefined) return compute();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
