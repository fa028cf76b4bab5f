// Owns splitting a string with cdktf string tokens into fragments in one pass, where cdktf 0.21.0's own split scans the
// rest of the string again for every "}" and every token in it. cdktf resolves a string with a token marker by
// TokenString.forString(s, true).split(lookup) (hashicorp/terraform-cdk packages/cdktf/lib/tokens/private/resolve.ts,
// encoding.ts; cdktf 0.21.0 as installed): with escape sequences on, each step (tokenizeNext) runs nextEscapeToken over
// the text before the next token, which runs ESCAPE_TOKEN_BEGIN_REGEX (/\$\{(?!TfToken\[)/g) from the step's start; where
// the string holds no such "${" that search reads to the end of the string each time, and a stack's JSON policies (a few
// KB, dozens of tokens and braces each) are split in time quadratic in their length (about 1 ms per generation).
// Where the string holds no "${" that does not open a token marker, cdktf's split makes exactly these fragments (read off
// tokenizeNext and nextEscapeToken): the text before each token and after the last one cut at every "}" into a literal
// (when not empty) and a "close" escape per "}", and each token marker matched by STRING_TOKEN_REGEX a token (the lookup
// finds one) or a literal of the marker (it does not). Every other string, and every other kind of TokenString (list,
// map and number markers, escape sequences off), is split by cdktf's own split; so is everything outside
// withLinearTokenSplit. test/linear-token-split.test.ts compares both splits on hard cases and on every string the
// example stacks and a generated fleet split.
import { type IResolvable, TokenizedStringFragments } from "cdktf";

type Lookup = (id: string) => IResolvable | undefined;

/** cdktf's TokenString (lib/tokens/private/encoding.ts), with the private fields this split reads. */
interface TokenString {
  readonly str: string;
  readonly re: RegExp;
  readonly includeEscapeSequences: boolean;
  split(lookup: Lookup): TokenizedStringFragments;
}

// Not part of cdktf's public API, so looked up by path (as token-stack-traces.ts does).
const { TokenString } = require("cdktf/lib/tokens/private/encoding") as {
  TokenString: { prototype: TokenString; forString(s: string, includeEscapeSequences?: boolean): TokenString };
};

/** cdktf's own split, as installed. */
const cdktfSplit = TokenString.prototype.split;
/** cdktf's STRING_TOKEN_REGEX (the object forString gives every string TokenString; its match group 1 is the key). */
const STRING_TOKEN_REGEX = TokenString.forString("").re;
/** The same pattern, used here so cdktf's own regex's lastIndex is never touched. */
const STRING_TOKEN = new RegExp(STRING_TOKEN_REGEX.source, "g");
/** cdktf's ESCAPE_TOKEN_BEGIN_REGEX (encoding.ts, not exported): a "${" that does not open a token marker. */
const ESCAPE_BEGIN = /\$\{(?!TfToken\[)/;

/** cdktf's split of `tokenString`, in one pass where the header says it is the same, by cdktf's split otherwise. */
export function splitTokenString(tokenString: TokenString, lookup: Lookup): TokenizedStringFragments {
  const str = tokenString.str;
  if (tokenString.re !== STRING_TOKEN_REGEX || !tokenString.includeEscapeSequences || ESCAPE_BEGIN.test(str)) {
    return cdktfSplit.call(tokenString, lookup);
  }
  const fragments = new TokenizedStringFragments();
  let index = 0;
  while (index < str.length) {
    STRING_TOKEN.lastIndex = index;
    const match = STRING_TOKEN.exec(str);
    const end = match === null ? str.length : match.index;
    // As nextEscapeToken: every "}" before the token closes an escape; the text between them is literal.
    let from = index;
    for (let brace = str.indexOf("}", from); brace !== -1 && brace < end; brace = str.indexOf("}", from)) {
      if (brace > from) fragments.addLiteral(str.substring(from, brace));
      fragments.addEscape("close");
      from = brace + 1;
    }
    if (from < end) fragments.addLiteral(str.substring(from, end));
    if (match === null) break;
    const token = lookup(match[1]);
    if (token) fragments.addToken(token);
    else fragments.addLiteral(match[0]);
    index = match.index + match[0].length;
  }
  return fragments;
}

function split(this: TokenString, lookup: Lookup): TokenizedStringFragments {
  return splitTokenString(this, lookup);
}

/** Runs `run` with cdktf's TokenString split by splitTokenString, then restores cdktf's own split. */
export function withLinearTokenSplit<T>(run: () => T): T {
  const previous = TokenString.prototype.split;
  TokenString.prototype.split = split;
  try {
    return run();
  } finally {
    TokenString.prototype.split = previous;
  }
}
