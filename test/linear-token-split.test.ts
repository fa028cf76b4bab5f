// The one-pass split of strings with cdktf tokens (constructs/platform/linear-token-split.ts) makes exactly the fragments
// cdktf 0.21.0's TokenString.split makes: compared on hard cases (braces, escapes, adjacent and unknown tokens, every
// kind of TokenString); test/example-token-strings.test.ts compares them on the example clusters and a generated fleet.
import type { IResolvable, TokenizedStringFragments } from "cdktf";
import { splitTokenString, withLinearTokenSplit } from "../constructs/platform/linear-token-split";

type Lookup = (id: string) => IResolvable | undefined;
interface TokenString {
  split(lookup: Lookup): TokenizedStringFragments;
}
interface TokenStringClass {
  prototype: TokenString;
  forString(s: string, includeEscapeSequences?: boolean, warnIfEscapeSequences?: boolean): TokenString;
  forListToken(s: string): TokenString;
  forMapToken(s: string): TokenString;
  forNumbers(s: string): TokenString;
}
const { TokenString } = require("cdktf/lib/tokens/private/encoding") as { TokenString: TokenStringClass };
/** cdktf's own split, as installed (withLinearTokenSplit restores it; nothing else replaces it). */
const cdktfSplit = TokenString.prototype.split;

/** A split's fragments (TokenizedStringFragments keeps them in a private array), or the error it threw. */
function fragmentsOf(split: () => TokenizedStringFragments): unknown {
  try {
    return (split() as unknown as { fragments: unknown[] }).fragments;
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function bothSplits(tokenString: TokenString, lookup: Lookup): { cdktf: unknown; linear: unknown } {
  return {
    cdktf: fragmentsOf(() => cdktfSplit.call(tokenString, lookup)),
    linear: fragmentsOf(() => splitTokenString(tokenString as never, lookup)),
  };
}

/** Tokens for the keys TOKEN.1 to TOKEN.3; any other key is not found (the split keeps its marker as a literal). */
const fakeTokens = new Map(["TOKEN.1", "TOKEN.2", "TOKEN.3"].map((key) => [key, { key } as unknown as IResolvable]));
const fakeLookup: Lookup = (key) => fakeTokens.get(key);

const t1 = "${TfToken[TOKEN.1]}";
const t2 = "${TfToken[TOKEN.2]}";
const hardCases = [
  "",
  "plain",
  "}",
  "}}",
  "a}b}}c",
  t1,
  `x${t1}`,
  `${t1}y`,
  `${t1}${t2}`,
  `}${t1}}}`,
  `{"Statement":[{"Resource":["${t1}"],"Condition":{"A":{"b":"arn:${t2}:x/*"}}},{"Resource":"${t1}"}]}`,
  "${TfToken[OTHER.9]} unknown key",
  "${TfToken[bad key]} not a marker",
  "${TfToken[",
  "$}{ ${ x",
  `${t1}]} }${t2}`,
  "#{TfToken[TOKEN.1]} &{TfToken[TOKEN.2]}",
  // A "${" that opens no token marker: cdktf's escape sequences, split by cdktf itself.
  "${var.x}",
  `${t1}\${aws_s3_bucket.b.arn}`,
  `\${${t1}}`,
  "-1.8881545897087626e+289 and 1e5",
];

describe("linear token split", () => {
  it("makes cdktf's fragments for every kind of TokenString on hard cases", () => {
    for (const text of hardCases) {
      const kinds: TokenString[] = [
        TokenString.forString(text, true),
        TokenString.forString(text, false),
        TokenString.forListToken(text),
        TokenString.forMapToken(text),
        TokenString.forNumbers(text),
      ];
      for (const tokenString of kinds) {
        const { cdktf, linear } = bothSplits(tokenString, fakeLookup);
        expect([text, linear]).toEqual([text, cdktf]);
      }
    }
    // The JSON policy case: literals cut at every brace, a close escape per brace, tokens in place.
    const { linear } = bothSplits(TokenString.forString(`{"a":"${t1}"}`, true), fakeLookup);
    expect(linear).toEqual([
      { type: "literal", lit: '{"a":"' },
      { type: "token", token: fakeTokens.get("TOKEN.1") },
      { type: "literal", lit: '"' },
      { type: "escape", kind: "close" },
    ]);
  });

  it("is cdktf's split again outside withLinearTokenSplit", () => {
    const installed = withLinearTokenSplit(() => TokenString.prototype.split);
    expect(installed).not.toBe(cdktfSplit);
    expect(TokenString.prototype.split).toBe(cdktfSplit);
  });
});
