// Owns the kept copy of the plain data an API object is rendered from (api-object-json.ts): making it, comparing later
// data with it, and, for an object that differs in every generation (api-object-template.ts), marking the string values
// that differ as holes, reading them back out of later data and building plain data with other strings in them.
import { k8s } from "../platform/k8s";

/** What plainCopy and withHoles return for data that is not plain (or, for withHoles, not the same but for strings). */
export const NOT_PLAIN = Symbol("not plain");

/**
 * A copy of the data an object renders from, or NOT_PLAIN when the data is not plain JSON: only strings, booleans,
 * null, finite numbers other than -0, arrays without undefined, and objects whose prototype is Object.prototype
 * (undefined members allowed: cdk8s drops them as JSON does), and IntOrString or Quantity of a string or number;
 * objects are copied as KeptRecord, unions as KeptUnion, arrays as arrays. An object reached twice is fine (cdk8s
 * copies what it renders; the copy has it twice); a cycle is not. Any other class instance (Lazy, Date, ...), function
 * or symbol makes it NOT_PLAIN, and the object renders through cdk8s every time. The copy is made before cdk8s
 * renders, so what it holds is what was rendered.
 */
export function plainCopy(value: unknown, ancestors: Set<object>, inObject: boolean): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case "undefined":
      return inObject ? value : NOT_PLAIN;
    case "object": {
      if (value === null) return value;
      if (ancestors.has(value)) return NOT_PLAIN;
      ancestors.add(value);
      let copy: unknown = NOT_PLAIN;
      const proto: unknown = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        if (proto === Array.prototype && !Object.hasOwn(value, "toJSON")) {
          const items: unknown[] = [];
          for (let i = 0; i < value.length; i++) {
            const item = plainCopy(value[i], ancestors, false);
            if (item === NOT_PLAIN) break;
            items.push(item);
          }
          if (items.length === value.length) copy = items;
        }
      } else if (UNION_PROTOTYPES.has(proto)) {
        if (isUnionValue(value as { value?: unknown })) copy = new KeptUnion(proto, (value as { value: string | number }).value);
      } else if (proto === Object.prototype) {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record);
        const members: unknown[] = [];
        for (const key of keys) {
          const member = plainCopy(record[key], ancestors, true);
          if (member === NOT_PLAIN) break;
          members.push(member);
        }
        if (members.length === keys.length) copy = new KeptRecord(keys, members);
      }
      ancestors.delete(value);
      return copy;
    }
    default:
      return NOT_PLAIN;
  }
}

/** A kept plain object (in plainCopy's copy): its own keys, in order, and their members. */
export class KeptRecord {
  constructor(
    readonly keys: readonly string[],
    readonly members: readonly unknown[],
  ) {}
}

/** A kept IntOrString or Quantity (in plainCopy's copy): its class's prototype and its value. */
export class KeptUnion {
  constructor(
    readonly proto: unknown,
    readonly value: string | number,
  ) {}
}

/**
 * In a copy made by withHoles, a string value that differed between two objects of a path: any string is the same as
 * it, and sameInputs hands the strings found there out, in the order of the walk (keys in kept order, items in order).
 */
export const HOLE: object = Object.freeze({ hole: true });

/**
 * Whether `data` is the same as `kept` (a plainCopy): the same primitives (numbers by Object.is), arrays of the same
 * length and items, IntOrString and Quantity of the same class and value, and objects of Object.prototype with the same
 * keys in the same order and the same members, with the same rules for what is plain as plainCopy (so `data` is plain
 * whenever it is the same). Stricter than equal JSON texts (an undefined member is not the same as a missing one),
 * which costs at most a miss. An object's keys are read by `for...in` (no array of them made per object): an
 * enumerable key inherited from a changed Object.prototype is one more key than was kept, a miss. `kept` is a finite
 * tree, so a cycle in `data` ends the comparison. A HOLE (only in withHoles' copies) is the same as any string, which
 * is pushed onto `holes`.
 */
export function sameInputs(kept: unknown, data: unknown, inObject: boolean, holes?: string[]): boolean {
  if (typeof kept !== "object" || kept === null) return Object.is(kept, data) && (data !== undefined || inObject);
  if (typeof data !== "object" || data === null) {
    if (kept !== HOLE || typeof data !== "string" || holes === undefined) return false;
    holes.push(data);
    return true;
  }
  if (kept instanceof KeptRecord) {
    if (Object.getPrototypeOf(data) !== Object.prototype) return false;
    const { keys, members } = kept;
    let i = 0;
    for (const key in data) {
      if (key !== keys[i] || !sameInputs(members[i], (data as Record<string, unknown>)[key], true, holes)) return false;
      i++;
    }
    return i === keys.length;
  }
  if (kept instanceof KeptUnion)
    return (
      Object.getPrototypeOf(data) === kept.proto &&
      isUnionValue(data as { value?: unknown }) &&
      Object.is(kept.value, (data as { value: unknown }).value)
    );
  if (kept === HOLE) return false;
  const items = kept as readonly unknown[];
  if (!Array.isArray(data) || Object.getPrototypeOf(data) !== Array.prototype || Object.hasOwn(data, "toJSON")) return false;
  if (data.length !== items.length) return false;
  for (let i = 0; i < items.length; i++) if (!sameInputs(items[i], data[i], false, holes)) return false;
  return true;
}

/**
 * `kept` (a plainCopy, or a copy of this function's) with every string value where `data` has another string, and
 * every HOLE where `data` has a string, as a HOLE; NOT_PLAIN when `data` differs from `kept` in anything else (by
 * sameInputs' rules). `count.holes` is the number of HOLEs in the copy, `count.changed` of those new in it.
 */
export function withHoles(kept: unknown, data: unknown, inObject: boolean, count: { holes: number; changed: number }): unknown {
  if (kept === HOLE || (typeof kept === "string" && typeof data === "string" && kept !== data)) {
    if (typeof data !== "string") return NOT_PLAIN;
    count.holes++;
    if (kept !== HOLE) count.changed++;
    return HOLE;
  }
  if (kept instanceof KeptRecord) {
    if (typeof data !== "object" || data === null || Object.getPrototypeOf(data) !== Object.prototype) return NOT_PLAIN;
    const { keys, members } = kept;
    const copied: unknown[] = [];
    let i = 0;
    for (const key in data) {
      if (key !== keys[i]) return NOT_PLAIN;
      const member = withHoles(members[i], (data as Record<string, unknown>)[key], true, count);
      if (member === NOT_PLAIN) return NOT_PLAIN;
      copied.push(member);
      i++;
    }
    return i === keys.length ? new KeptRecord(keys, copied) : NOT_PLAIN;
  }
  if (Array.isArray(kept)) {
    if (!Array.isArray(data) || Object.getPrototypeOf(data) !== Array.prototype || Object.hasOwn(data, "toJSON")) return NOT_PLAIN;
    if (data.length !== kept.length) return NOT_PLAIN;
    const copied: unknown[] = [];
    for (let i = 0; i < kept.length; i++) {
      const item = withHoles(kept[i], data[i], false, count);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copied.push(item);
    }
    return copied;
  }
  // A primitive or a KeptUnion: the same, or not plain enough to be filled.
  return sameInputs(kept, data, inObject) ? kept : NOT_PLAIN;
}

/**
 * Plain data of the shape `kept` (a copy of withHoles') describes, the i-th HOLE (in sameInputs' order) replaced by
 * `holeValue(i)`: new objects and arrays throughout, IntOrString and Quantity as objects of their class holding their
 * value (what isUnionValue accepts).
 */
export function materialize(kept: unknown, holeValue: (index: number) => string, count = { holes: 0 }): unknown {
  if (typeof kept !== "object" || kept === null) return kept;
  if (kept === HOLE) return holeValue(count.holes++);
  if (kept instanceof KeptRecord) {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < kept.keys.length; i++) record[kept.keys[i]] = materialize(kept.members[i], holeValue, count);
    return record;
  }
  if (kept instanceof KeptUnion) return Object.assign(Object.create(kept.proto as object) as object, { value: kept.value });
  return (kept as readonly unknown[]).map((item) => materialize(item, holeValue, count));
}

/**
 * cdk8s-plus-27's number-or-string unions (`k8s.IntOrString`, `k8s.Quantity`: a class with one field, `value`).
 * cdk8s's NumberStringUnionResolver replaces one whose value is a string or number with the plain `{ value }`, which is
 * then resolved as plain data (lib/resolve.ts), so it renders as the plain object it is written as in JSON.
 */
const UNION_PROTOTYPES: ReadonlySet<unknown> = new Set([k8s.IntOrString.prototype, k8s.Quantity.prototype]);

function isUnionValue(union: { value?: unknown }): boolean {
  const keys = Object.keys(union);
  if (keys.length !== 1 || keys[0] !== "value") return false;
  const value = union.value;
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0));
}
