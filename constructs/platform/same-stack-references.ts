// Owns the text of the two kinds of cdktf token a stack's elements hold most, references to an element of the same
// stack, without cdktf's resolve machinery around them. Of the tokens in the generated bench fleet's Terraform, about two
// in three are a Reference (a resource attribute read: `ref("<type>.<id>.<attribute>", stack)`) and one in four a
// Dependable (a `depends_on` item: `dependable(element)`), each resolved by cdktf 0.21.0 through a context, a resolve of
// the text it returns, a post-processing step and, for a Dependable, a tokenized string around an inner Reference
// (hashicorp/terraform-cdk packages/cdktf/lib/tfExpression.ts Reference.resolve and Dependable.resolve,
// lib/tokens/private/resolve.ts, lib/tokens/resolvable.ts DefaultTokenResolver.resolveToken, lib/tokens/string-fragments.ts;
// cdktf 0.21.0 as installed). Read off those: a Reference resolved at the top of a value (no enclosing context, so
// braces are not suppressed) in the stack `scope` is `${identifier}` when it registers no cross-stack reference (its
// originStack is unset or is `scope`: Reference.resolve registers one only when originStack is set and is another stack,
// and only then sets crossStackIdentifier, which is read under the resolving stack's name) and has no crossStackIdentifier
// for `scope`'s name; the text is then resolved again, which leaves a text with no token marker or encoded number as it
// is; no post-processor is registered. A Dependable sets suppressBraces and returns its element's `fqn`, a string that is
// one marker of a Reference; that Reference is then resolved with braces suppressed: its `identifier`, on the same
// conditions. Whenever a condition does not hold (another class, a subclass, another stack, a cross-stack identifier, an
// fqn of another shape) undefined is returned and cdktf resolves the token; the caller (resolve-once-stack.ts) uses the
// text only where it is plain (no marker, no encoded number). test/support/platform-stand-ins/same-stack-references.ts compares with cdktf's
// Tokenization.resolve on every such token of the example stacks and a generated fleet and on the cases above.
import { type IResolvable, ref, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

// cdktf's TokenMap (lib/tokens/private/token-map.ts): not part of its public API, so looked up by path.
const { TokenMap } = require("cdktf/lib/tokens/private/token-map") as {
  TokenMap: { instance(): { lookupToken(key: string): IResolvable } };
};
const tokenMap = TokenMap.instance();

/** The fields of cdktf's Reference (lib/tfExpression.ts) read here. */
interface ReferenceFields {
  readonly identifier: unknown;
  readonly originStack: unknown;
  readonly crossStackIdentifier: Record<string, unknown>;
}

/** cdktf's Reference class is not exported; its prototype is the one of what cdktf's exported `ref` makes. */
const REFERENCE = Object.getPrototypeOf(ref("")) as object;
/** cdktf's TFExpression (lib/tfExpression.ts), the base of Reference and Dependable, neither exported. */
const TF_EXPRESSION = Object.getPrototypeOf(REFERENCE) as object;

/** Whether `prototype` is cdktf's Dependable's: the class of that name in lib/tfExpression.ts, directly on TFExpression. */
function isDependablePrototype(prototype: object | null): boolean {
  return (
    prototype !== null &&
    Object.getPrototypeOf(prototype) === TF_EXPRESSION &&
    (prototype as { constructor?: { name?: unknown } }).constructor?.name === "Dependable"
  );
}

/** A stack's name as Reference.resolve reads it (`resolutionStack.toString()`: Construct's path, fixed once built). */
const stackNames = new WeakMap<IConstruct, string>();

function stackName(stack: IConstruct): string {
  let name = stackNames.get(stack);
  if (name === undefined) {
    name = stack.toString();
    stackNames.set(stack, name);
  }
  return name;
}

/** The identifier of a Reference resolved in `stack` when it is a same-stack reference (see the header), else undefined. */
function sameStackIdentifier(token: unknown, stack: IConstruct): string | undefined {
  if (token === null || typeof token !== "object" || Object.getPrototypeOf(token) !== REFERENCE) return undefined;
  const { identifier, originStack, crossStackIdentifier } = token as ReferenceFields;
  if (typeof identifier !== "string" || (originStack && originStack !== stack)) return undefined;
  if (crossStackIdentifier[stackName(stack)]) return undefined;
  return identifier;
}

/** One string token marker, cdktf's STRING_TOKEN_REGEX anchored at both ends (as resolve-once-stack.ts's). */
const SINGLE_STRING_TOKEN = /^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/;
/** cdktf's STRING_TOKEN_REGEX (lib/tokens/private/encoding.ts), every marker of a string in turn. */
const STRING_TOKEN = /\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}/g;
/** cdktf's ESCAPE_TOKEN_BEGIN_REGEX (encoding.ts, not exported): a "${" that does not open a token marker. */
const ESCAPE_BEGIN = /\$\{(?!TfToken\[)/;

/** The token of a marker's key, or undefined where cdktf's lookup throws (cdktf's own resolve then throws it). */
function tokenOf(key: string): IResolvable | undefined {
  try {
    return tokenMap.lookupToken(key);
  } catch {
    return undefined;
  }
}

/**
 * What cdktf's resolve of `token` at the top of a value in `scope` gives, when `token` is a same-stack Reference or a
 * Dependable of a same-stack element (see the header); undefined otherwise, and for a scope that is not a stack.
 */
export function sameStackTokenText(token: IResolvable, scope: IConstruct): string | undefined {
  if (!TerraformStack.isStack(scope)) return undefined;
  const prototype = Object.getPrototypeOf(token) as object | null;
  if (prototype === REFERENCE) {
    const identifier = sameStackIdentifier(token, scope);
    return identifier === undefined ? undefined : `\${${identifier}}`;
  }
  if (!isDependablePrototype(prototype)) return undefined;
  // cdktf's Dependable.resolve reads the same getter (an element's fqn: made once, then kept).
  const fqn: unknown = (token as unknown as { dependable: { fqn: unknown } }).dependable.fqn;
  if (typeof fqn !== "string") return undefined;
  const marker = SINGLE_STRING_TOKEN.exec(fqn);
  if (marker === null) return undefined;
  const inner = tokenOf(marker[1]);
  return inner === undefined ? undefined : sameStackIdentifier(inner, scope);
}

/**
 * What cdktf's resolve of the string `value` (holding token markers, not only one) gives in the stack `scope`, when
 * every marker in it is one of a same-stack Reference or Dependable and it holds no "${" that opens no marker; undefined
 * otherwise. cdktf's resolve of such a string (lib/tokens/private/resolve.ts, string case) splits it into literals,
 * a "close" escape per "}" and the tokens (linear-token-split.ts), maps each token by a resolve in a context whose
 * braces are not suppressed (only an "open" escape suppresses them, and there is none; what a token's resolve sets
 * on its own context does not reach the next), and joins the fragments, all strings, by StringConcat: concatenation,
 * an escape written back as "}". So it is the string with each marker replaced by its token's text (as
 * sameStackTokenText); the caller uses it only where it is plain, as cdktf's number step then leaves it.
 */
export function sameStackStringText(value: string, scope: IConstruct): string | undefined {
  if (!TerraformStack.isStack(scope) || ESCAPE_BEGIN.test(value)) return undefined;
  let text = "";
  let from = 0;
  STRING_TOKEN.lastIndex = 0;
  for (let match = STRING_TOKEN.exec(value); match !== null; match = STRING_TOKEN.exec(value)) {
    const token = tokenOf(match[1]);
    const tokenText = token === undefined ? undefined : sameStackTokenText(token, scope);
    if (tokenText === undefined) return undefined;
    text += value.substring(from, match.index) + tokenText;
    from = match.index + match[0].length;
  }
  return text + value.substring(from);
}
