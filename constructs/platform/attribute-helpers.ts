// Owns two helpers cdktf's elements call in toTerraform, made cheaper while a ResolveOnceStack prepares (the pass that
// calls every element's toTerraform): keysToSnakeCase and processDynamicAttributes of cdktf 0.21.0's lib/util.ts
// (hashicorp/terraform-cdk packages/cdktf/lib/util.ts, as installed). TerraformResource.toTerraform and
// TerraformDataSource.toTerraform call them as `(0, util_1.keysToSnakeCase)(...)` in the published JavaScript, i.e.
// they look each up on the module's exports at every call, so replacing those properties for the duration of
// `withCheapAttributeHelpers` (as linear-token-split.ts replaces TokenString's split) replaces every call.
// Both stand-ins are cdktf's functions step for step (the same checks, in the same order, on the same values; the same
// exceptions, e.g. Object.keys of a null member), with two changes that cannot change a result:
// - keysToSnakeCase's snakeCase of each key (three regex replaces and a lower-casing, a pure function of the key string)
//   is cdktf's own exported snakeCase, kept per key in a bounded map: the meta-argument keys (depends_on, count,
//   provider, lifecycle, for_each, connection) repeat for every resource of every stack;
// - processDynamicAttributes walks the keys with a loop instead of Object.entries(...).forEach with a closure per
//   call, and tests a member for a dynamic block only when it is an object (what isTerraformDynamicBlock tests first).
// Together about 1.5 profiled ms per generation of a fleet before. test/support/platform-stand-ins/attribute-helpers.ts compares both with
// cdktf's own functions on every element of the example stacks and on hard cases.
import { Tokenization } from "cdktf";
import { BoundedMemo } from "./bounded-memo";

/** cdktf's lib/util.js exports, looked up by path (not part of cdktf's public API). */
interface CdktfUtil {
  keysToSnakeCase: (object: unknown) => unknown;
  processDynamicAttributes: (attributes: Record<string, unknown>) => Record<string, unknown>;
  snakeCase: (str: string) => string;
}
const cdktfUtil = require("cdktf/lib/util") as CdktfUtil;
const cdktfSnakeCase = cdktfUtil.snakeCase;
/** cdktf's TerraformDynamicBlock (lib/terraform-dynamic-block.ts), not exported from cdktf's index either. */
const { TerraformDynamicBlock } = require("cdktf/lib/terraform-dynamic-block") as {
  TerraformDynamicBlock: { isTerraformDynamicBlock(x: unknown): x is { toTerraformDynamicBlockJson(): unknown } };
};

/** snakeCase by key, at most 10,000 keys (a fleet has a few dozen distinct meta-argument keys). */
const snakeCases = new BoundedMemo<string>(10_000);

/** cdktf's snakeCase of `key`, computed once per distinct key. */
function snakeCaseOf(key: string): string {
  return snakeCases.get(key, () => cdktfSnakeCase(key));
}

/** An array's items, each object (null included) through keysToSnakeCase, as cdktf's `map` callback does. */
function itemsToSnakeCase(items: unknown[]): unknown[] {
  return items.map((e) => (typeof e === "object" ? keysToSnakeCase(e) : e));
}

/** cdktf 0.21.0's keysToSnakeCase, with each key's snakeCase kept (see the header). */
export function keysToSnakeCase(object: unknown): unknown {
  if (Tokenization.isResolvable(object)) return object;
  if (Array.isArray(object)) return itemsToSnakeCase(object);
  const source = object as Record<string, unknown>;
  const keys = Object.keys(source);
  const result: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === "tags" || key === "environment") {
      result[key] = source[key];
      continue;
    }
    let value = source[key];
    if (typeof value === "object") value = keysToSnakeCase(value);
    // As cdktf: an array is mapped again after the call above mapped it (its objects converted twice).
    if (Array.isArray(value)) value = itemsToSnakeCase(value);
    result[snakeCaseOf(key)] = value;
  }
  return result;
}

/**
 * cdktf 0.21.0's processDynamicAttributes (see the header): a dynamic block member moved under `dynamic` as its
 * toTerraformDynamicBlockJson(), a plain object (`constructor === Object`) member processed the same way, any other
 * member kept. The members are read in the loop instead of all first by Object.entries: the same values for the plain
 * data the providers' synthesizeAttributes return (no getters).
 */
export function processDynamicAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const keys = Object.keys(attributes);
  for (let i = 0; i < keys.length; i++) {
    const attributeName = keys[i];
    const value = attributes[attributeName];
    // Only an object can be a dynamic block (isTerraformDynamicBlock tests `typeof x === "object"` first) or recursed into.
    if (value === null || typeof value !== "object") {
      result[attributeName] = value;
    } else if (TerraformDynamicBlock.isTerraformDynamicBlock(value)) {
      if (!result.dynamic) result.dynamic = {};
      (result.dynamic as Record<string, unknown>)[attributeName] = value.toTerraformDynamicBlockJson();
    } else {
      result[attributeName] = value.constructor === Object ? processDynamicAttributes(value as Record<string, unknown>) : value;
    }
  }
  return result;
}

/** Runs `run` with cdktf's keysToSnakeCase and processDynamicAttributes replaced by the ones above, then restores them. */
export function withCheapAttributeHelpers<T>(run: () => T): T {
  const previousKeys = cdktfUtil.keysToSnakeCase;
  const previousDynamic = cdktfUtil.processDynamicAttributes;
  cdktfUtil.keysToSnakeCase = keysToSnakeCase;
  cdktfUtil.processDynamicAttributes = processDynamicAttributes;
  try {
    return run();
  } finally {
    cdktfUtil.keysToSnakeCase = previousKeys;
    cdktfUtil.processDynamicAttributes = previousDynamic;
  }
}
