// Owns resolving each Terraform element of a stack once per synth, and cheaply. cdktf 0.21.0's App.synth first runs
// TerraformStack.prepareStack on every stack, which resolves every element's toTerraform() with `preparing` set (only to
// register cross-stack references; the result is thrown away), and then each stack's toTerraform resolves every element
// again and the merged document a third time (hashicorp/terraform-cdk packages/cdktf/lib/app.ts synth,
// lib/terraform-stack.ts prepareStack and toTerraform, lib/synthesize/synthesizer.ts; cdktf 0.21.0 as installed).
// `preparing` changes nothing but the registration of cross-stack references (lib/tfExpression.ts Reference.resolve is
// its only reader in cdktf 0.21.0), so when nothing could have changed between the two passes (no cross-stack
// reference added an element, no Aspect, no custom synthesis hook, no raw override) the prepared fragments are the
// ones toTerraform would compute and are used as they are; in any other case cdktf's own toTerraform runs. The one
// pass left walks plain data itself and hands cdktf only the tokens (see resolve below). The document is the same
// bytes either way (test/resolve-once-stack.test.ts); the three passes were about a third of a 50-generation synth's CPU.
// The stack's cdk.tf.json is then written once, by stable-json.ts (json-stable-stringify's algorithm, same bytes)
// instead of json-stable-stringify itself, after the steps of cdktf's StackSynthesizer (stack-file-write.ts). Its
// elements' logical IDs are cdktf's, computed once per path below the stack (logical-ids.ts); references to its own
// elements are written as their text (same-stack-references.ts); cdktf's keysToSnakeCase and processDynamicAttributes
// are cheaper stand-ins while it prepares (attribute-helpers.ts).
import {
  DefaultTokenResolver,
  type IResolvable,
  LocalBackend,
  StringConcat,
  TerraformBackend,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Token,
  Tokenization,
  type TokenizedStringFragments,
} from "cdktf";
import type { Construct, IConstruct, Node } from "constructs";
import { hasAspects } from "./aspects-present";
import { withCheapAttributeHelpers } from "./attribute-helpers";
import { isKnownBase64 } from "./known-base64";
import { withLinearTokenSplit } from "./linear-token-split";
import { sameStackStringText, sameStackTokenText } from "./same-stack-references";
import { allocateLogicalId } from "./logical-ids";
import { singleWriteSynthesizer } from "./stack-file-write";

// cdktf's TokenString and TokenMap (lib/tokens/private/encoding.ts, token-map.ts): not part of its public API either.
const { TokenString } = require("cdktf/lib/tokens/private/encoding") as {
  TokenString: {
    forNumbers(s: string): { test(): boolean; split(lookup: (id: string) => IResolvable | undefined): TokenizedStringFragments };
  };
};
const { TokenMap } = require("cdktf/lib/tokens/private/token-map") as {
  TokenMap: { instance(): { lookupToken(key: string): IResolvable; lookupNumberToken(x: number): IResolvable | undefined } };
};
const tokenMap = TokenMap.instance();

// cdktf's own deep merge (lib/util.ts deepMerge: nested objects merged key by key, arrays concatenated, undefined
// deletes), the one its toTerraform merges fragments with; not part of cdktf's public API, so looked up by path.
const { deepMerge } = require("cdktf/lib/util") as { deepMerge: (target: object, ...sources: object[]) => object };

/** cdktf's custom synthesis hook (lib/synthesize/synthesizer.ts addCustomSynthesis), run between the two passes. */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");

/** As cdktf's lib/_tokens.ts resolve: the default resolver with string concatenation. */
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** cdktf's token markers all end in this (`${TfToken[`, `#{TfToken[`, `&{TfToken[`; lib/tokens/private/encoding.ts). */
const TOKEN_MARKER = "TfToken[";
/**
 * cdktf's NUMBER_TOKEN_REGEX (lib/tokens/private/encoding.ts, `[-|\\d|.\\+]+(e[-|\\d|.|e|E|\\+]+)`; `\\+` is `+` in a class).
 * cdktf splits a string at its matches and looks each up as an encoded number token (lookupNumberToken(parseFloat(m)),
 * which finds one only where extractTokenDouble does, i.e. where Token.isUnresolved of that number is true); where
 * none is one, the string is joined back unchanged.
 */
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/g;
/** What every match of NUMBER_TOKEN holds: the last character of its first part, its "e", the next character. */
const NUMBER_TOKEN_CORE = /[-|\d.+]e[-|\d.eE+]/;
/** Strings cdktf's resolve refuses in scalar context (lib/tokens/token.ts Token.STRING_MAP_TOKEN_VALUE, ANY_MAP_TOKEN_VALUE). */
const MAP_TOKEN_VALUES = new Set([Token.STRING_MAP_TOKEN_VALUE, Token.ANY_MAP_TOKEN_VALUE]);

/**
 * Every number at or below this may carry cdktf's number-token or number-list-token marker: extractTokenDouble
 * (lib/tokens/private/encoding.ts) finds a token only where the top 16 bits of the double are DOUBLE_TOKEN_MARKER_BITS
 * (0xfdff) or DOUBLE_LIST_TOKEN_MARKER_BITS (0xfbff), i.e. sign bit set and biased exponent 0x7df or 0x7bf, so every
 * encoded token is at most -2^960 (about -9.7e288). A number above this bound is decided without extractTokenDouble
 * (an ArrayBuffer and two typed arrays per call); test/resolve-once-stack.test.ts checks the bound against cdktf.
 */
const TOKEN_NUMBER_BOUND = -1e288;

/**
 * A number cdktf's resolve returns unchanged, alone or as an array item: not Token.NUMBER_MAP_TOKEN_VALUE (refused in
 * scalar context), not an encoded number token (lookupNumberToken finds one exactly where Token.isUnresolved of the
 * number is true: both test extractTokenDouble(x, false)) and not an encoded number-list token (an array holding one
 * is resolved as a list: containsNumberListTokenElement tests extractTokenDouble(x, true), which is what
 * Token.isUnresolved tests for the one-item array [x]); lib/tokens/private/resolve.ts, encoding.ts, token-map.ts.
 */
export function isPlainNumber(value: number): boolean {
  if (value > TOKEN_NUMBER_BOUND) return value !== Token.NUMBER_MAP_TOKEN_VALUE;
  return value !== Token.NUMBER_MAP_TOKEN_VALUE && !Token.isUnresolved(value) && !Token.isUnresolved([value]);
}

/** A string cdktf's resolve returns unchanged: no token marker, no encoded number token. */
export function isPlainString(value: string): boolean {
  // A node-bucket object's base64 text holds no marker and no "-" (known-base64.ts); it is not scanned again.
  if (isKnownBase64(value)) return true;
  if (value.includes(TOKEN_MARKER) || MAP_TOKEN_VALUES.has(value)) return false;
  // An encoded number token is negative (its marker bits include the sign bit, DOUBLE_TOKEN_MARKER_BITS = 0xfdff << 16
  // in encoding.ts), so only a match starting with "-" can parse to one, and every match holds an "e".
  // Every match has a character of the first class right before an "e" and one of the second right after it.
  if (!value.includes("-") || !NUMBER_TOKEN_CORE.test(value)) return true;
  for (const match of value.matchAll(NUMBER_TOKEN)) {
    const number = parseFloat(match[0]);
    if (number <= TOKEN_NUMBER_BOUND && Token.isUnresolved(number)) return false;
  }
  return true;
}

/** cdktf's BEGIN_LIST_TOKEN_MARKER (lib/tokens/private/encoding.ts): a string list token's marker. */
const LIST_TOKEN_MARKER = "#{TfToken[";

/**
 * An array item for which this walk hands the whole array to cdktf: one that may make cdktf resolve the array as a list
 * token (containsStringListTokenElement: a string with a list marker; containsNumberListTokenElement: a number-list
 * token, here any number that is not plain). Without one, cdktf's resolve maps the items, each resolved in a context
 * with nothing from the array's (lib/tokens/private/resolve.ts, arrays), so each is walked on its own: a string with a
 * string token marker is resolved by resolveTokenString.
 */
function isTokenListItem(item: unknown): boolean {
  return (typeof item === "number" && !isPlainNumber(item)) || (typeof item === "string" && item.includes(LIST_TOKEN_MARKER));
}

/**
 * A string that is one string token marker and nothing else: cdktf's STRING_TOKEN_REGEX
 * (`\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}`, BEGIN_STRING_TOKEN_MARKER, VALID_KEY_CHARS and END_TOKEN_MARKER of
 * lib/tokens/private/encoding.ts) anchored at both ends. About four in five strings with a token are one.
 */
const SINGLE_STRING_TOKEN = /^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/;

/**
 * What cdktf's resolve returns for a string with a token marker, without its tokenizing for the string that is one
 * marker. For such a string cdktf's resolve (lib/tokens/private/resolve.ts, string case; cdktf 0.21.0) finds it is no
 * list marker and no map value, splits it into that one token (split: a marker at index 0 and nothing after it, no
 * literal or escape), resolves the fragments in a fresh context (mapTokens: context.resolve(token), which is a resolve of
 * the token with every context field unset, as Tokenization.resolve of the token is; a resolvable result is kept as a
 * token), joins them (join of one fragment: its value, a token's toString()), and then replaces encoded numbers in the
 * result (forNumbers). The same steps run here without the regex scans, contexts and fragment objects, and the number
 * step is skipped only where isPlainString says it changes nothing; test/resolve-once-stack.test.ts compares both on
 * every string with a token of the example stacks and a generated fleet and on tokens resolving to other values.
 * A same-stack Reference or Dependable, alone or in a string of text, is not handed to cdktf at all where its text is
 * plain: that text is what cdktf's resolve gives it (same-stack-references.ts).
 */
export function resolveTokenString(value: string, options: CdktfResolveOptions): unknown {
  const single = SINGLE_STRING_TOKEN.exec(value);
  if (single === null) {
    // A string of same-stack references and text (a JSON policy): its text (same-stack-references.ts).
    const text = sameStackStringText(value, options.scope);
    return text !== undefined && isPlainString(text) ? text : Tokenization.resolve(value, options);
  }
  const token = tokenMap.lookupToken(single[1]);
  // A reference to an element of the stack itself, or a depends_on item of one: its text (same-stack-references.ts).
  const text = sameStackTokenText(token, options.scope);
  if (text !== undefined && isPlainString(text)) return text;
  const mapped: unknown = Tokenization.resolve(token, options);
  const joined: unknown = Tokenization.isResolvable(mapped) ? mapped.toString() : mapped;
  if (typeof joined === "string" && isPlainString(joined)) return joined;
  // As cdktf's number step, with its own classes: a context whose resolve is a fresh resolve, as makeContext's is here.
  const numbers = TokenString.forNumbers(joined as string);
  if (!numbers.test()) return joined;
  const context = {
    scope: options.scope,
    preparing: options.preparing,
    registerPostProcessor: () => undefined,
    resolve: (x: unknown): unknown => Tokenization.resolve(x, options),
  };
  return numbers
    .split((id) => tokenMap.lookupNumberToken(parseFloat(id)))
    .mapTokens(context)
    .join(new StringConcat());
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { resolve?: unknown }).resolve !== "function";
}

/** What Tokenization.resolve is given for every value the walk hands to cdktf (cdktf copies it: lib/tokens/token.ts). */
interface CdktfResolveOptions {
  readonly scope: IConstruct;
  readonly preparing: boolean;
  readonly resolver: DefaultTokenResolver;
}

/**
 * What cdktf's Tokenization.resolve returns for `value`, walking plain data (plain objects and arrays, strings with no
 * token marker or encoded number, plain numbers, booleans, null) itself and handing every other value (a token, a
 * string with a marker or an encoded number, a number token, an array holding one or a marker, any non-plain object)
 * to cdktf.
 * cdktf resolves the children of plain objects and arrays in a context that carries nothing from their parent
 * (lib/tokens/private/resolve.ts: previousContext fields are only set inside a token), so a child resolved on its own
 * resolves the same; its walk costs about ten times this one per node (a context, closures and a copy of the path each).
 */
function resolve<T>(scope: IConstruct, value: T, preparing: boolean): T {
  return walk(value, { scope, preparing, resolver: RESOLVER }) as T;
}

/** One node of resolve's walk: a new copy of plain data (as cdktf's), undefined members and items left out. */
function walk(value: unknown, options: CdktfResolveOptions): unknown {
  switch (typeof value) {
    case "string":
      return isPlainString(value) ? value : resolveTokenString(value, options);
    case "number":
      // A plain number is returned as it is (about a hundred per generation stack, each a context in cdktf's resolve).
      return isPlainNumber(value) ? value : Tokenization.resolve(value, options);
    case "boolean":
    case "undefined":
      return value;
    case "object":
      if (value === null) return value;
      if (Array.isArray(value)) return walkArray(value as unknown[], options);
      if (isPlainObject(value)) return walkObject(value, options);
      return Tokenization.resolve(value, options);
    default:
      return Tokenization.resolve(value, options);
  }
}

/** A plain array: cdktf's as a whole when an item makes it a token list, otherwise each item walked, undefined dropped. */
function walkArray(items: unknown[], options: CdktfResolveOptions): unknown {
  // Checked before any item is walked, so nothing is handed to cdktf twice (cdktf registers cross-stack references).
  for (let i = 0; i < items.length; i++) if (isTokenListItem(items[i])) return Tokenization.resolve(items, options);
  const result: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const resolved = walk(items[i], options);
    if (resolved !== undefined) result.push(resolved);
  }
  return result;
}

/** A plain object: cdktf's as a whole when a key needs resolving, otherwise each member walked, undefined dropped. */
function walkObject(object: Record<string, unknown>, options: CdktfResolveOptions): unknown {
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) if (!isPlainString(keys[i])) return Tokenization.resolve(object, options);
  const result: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const resolved = walk(object[keys[i]], options);
    if (resolved !== undefined) result[keys[i]] = resolved;
  }
  return result;
}

/**
 * cdktf's deepMerge(target, source) (lib/util.ts; cdktf 0.21.0) for a source resolve returned: every object in it is a new
 * one (the walk's copies, or cdktf's resolve's, which copies every object and array too) with no undefined member (both
 * leave them out), referenced once and by nothing else. Where the target has no object under a key, deepMerge puts a new
 * {} there and copies the source's object into it member by member, recursively (arrays and other values taken as they
 * are); the copy has the source object's members in its order, so the source object is taken itself. Every other case
 * (an object merged into an object, arrays, undefined, scalars, resolvables, a conflict of kinds) is deepMerge's own.
 * deepMerge of the fragments copied the whole document once more (about 0.8 profiled ms per generation).
 */
export function mergeResolved(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !Tokenization.isResolvable(value)) {
      const existing = target[key];
      if (typeof existing !== "object") {
        target[key] = value;
        continue;
      }
      if (existing !== null && !Array.isArray(existing) && !Tokenization.isResolvable(existing)) {
        mergeResolved(existing as Record<string, unknown>, value as Record<string, unknown>);
        continue;
      }
    }
    deepMerge(target, { [key]: value });
  }
}

/** The Terraform elements of `stack` in construct order, not descending into nested stacks (cdktf's terraformElements). */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) terraformElements(child, into);
  return into;
}

/** The first TerraformBackend of `node`'s tree in pre-order (the construct first, then its children in order). */
function firstBackend(node: IConstruct): TerraformBackend | undefined {
  if (TerraformBackend.isBackend(node)) return node;
  for (const child of node.node.children) {
    const found = firstBackend(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether `construct` has an Aspect or a custom synthesis hook, either of which may change an element during synthesis. */
function mayChange(construct: IConstruct): boolean {
  return hasAspects(construct) || CUSTOM_SYNTHESIS in construct;
}

/**
 * In one walk of `node`'s tree: its Terraform elements in construct order, not descending into nested stacks (as
 * terraformElements), into `into`, and whether any construct of the tree, nested stacks included, mayChange.
 */
function elementsAndChanges(node: IConstruct, into: TerraformElement[], collect = true): boolean {
  let changes = mayChange(node);
  if (collect && TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (elementsAndChanges(child, into, collect && !TerraformStack.isStack(child))) changes = true;
  return changes;
}

interface Prepared {
  readonly elements: readonly TerraformElement[];
  readonly fragments: readonly unknown[];
}

/** A TerraformStack whose synth resolves each element once (see the header); otherwise a TerraformStack. */
export class ResolveOnceStack extends TerraformStack {
  private prepared?: Prepared;
  private overridden = false;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // cdktf's own StackSynthesizer, with the document written once by stableJson (stack-file-write.ts).
    this.synthesizer = singleWriteSynthesizer(this);
  }

  override addOverride(path: string, value: unknown): void {
    this.overridden = true;
    super.addOverride(path, value);
  }

  /** cdktf's logical ID of the element, computed once per path below the stack (logical-ids.ts). */
  protected override allocateLogicalId(tfElement: TerraformElement | Node): string {
    return allocateLogicalId(this, tfElement);
  }

  /**
   * As cdktf 0.21.0's ensureBackendExists (lib/terraform-stack.ts): the first backend of the stack's tree in pre-order,
   * or a new LocalBackend. cdktf's findAll behind it visits every construct of the tree through an async function (a
   * promise per construct, nothing awaited, so in the same order); this walk is synchronous and stops at the first one.
   */
  override ensureBackendExists(): TerraformBackend {
    return firstBackend(this) ?? new LocalBackend(this, {});
  }

  /** As cdktf's prepareStack (backend, then every element resolved with `preparing`), keeping what it resolved. */
  override prepareStack(): void {
    this.ensureBackendExists();
    const elements = terraformElements(this);
    // Strings with tokens are split by linear-token-split.ts (the same fragments as cdktf's split, in one pass).
    // cdktf's attribute helpers toTerraform calls are replaced by cheaper ones of the same results (attribute-helpers.ts).
    this.prepared = withLinearTokenSplit(() =>
      withCheapAttributeHelpers(() => ({ elements, fragments: elements.map((e) => resolve(this, e.toTerraform(), true)) })),
    );
  }

  /** cdktf 0.21.0's toTerraform, with the fragments prepareStack resolved when they are still what it would resolve. */
  override toTerraform(): unknown {
    const prepared = this.prepared;
    this.prepared = undefined;
    const elements: TerraformElement[] = [];
    // Whether anything between prepareStack and here could change a resolved element: an Aspect above or in the stack,
    // or custom synthesis in it (found on the walk that lists the elements).
    const changes = elementsAndChanges(this, elements) || this.node.scopes.some(hasAspects);
    const reusable =
      prepared !== undefined &&
      !this.overridden &&
      prepared.elements.length === elements.length &&
      prepared.elements.every((e, i) => e === elements[i]) &&
      !changes;
    if (!reusable) return super.toTerraform();

    const metadata = {
      version: this.node.tryGetContext("cdktfVersion") as unknown,
      stackName: this.node.id,
      backend: "local", // overwritten by backend implementations if used
      cloud: undefined, // overwritten by cloud and remote backend implementations
    };
    for (const element of elements) {
      const meta = element.toMetadata();
      // Most elements' metadata has no member that is not undefined (lib/terraform-element.ts toMetadata returns {},
      // lib/terraform-resource.ts returns overrides, imports and moved, each undefined unless used; cdktf 0.21.0):
      // it resolves to {}, which deepMerge leaves as it is, so it is neither resolved nor merged.
      if (isPlainObject(meta) && Object.values(meta).every((member) => member === undefined)) continue;
      deepMerge(metadata, resolve(this, meta, false) as object);
    }
    const outputs = {};
    for (const item of elements) {
      if (!TerraformOutput.isTerraformOutput(item)) continue;
      deepMerge(
        outputs,
        item.node.path
          .split("/")
          .reduceRight<object>(
            (inner, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }),
            {},
          ),
      );
    }
    // The fragments are resolved already; cdktf's last pass over the merged document changes only this part (it drops
    // the undefined `cloud`), so only this part is resolved.
    const tf: Record<string, unknown> = { "//": resolve(this, { metadata, outputs }, false) };
    for (const fragment of prepared.fragments) mergeResolved(tf, fragment as Record<string, unknown>);
    return tf;
  }
}
