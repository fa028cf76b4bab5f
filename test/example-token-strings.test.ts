// cdktf's token strings of real stacks, each handled both ways: the example clusters and a generated fleet are
// synthesized once, and every string cdktf tokenized on the way and every string with a token marker in an element's
// Terraform is split by linear-token-split.ts and by cdktf's own split, and resolved by ResolveOnceStack's
// resolveTokenString and by cdktf's Tokenization.resolve; the results must be the same.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  DefaultTokenResolver,
  type IResolvable,
  StringConcat,
  TerraformElement,
  TerraformStack,
  Tokenization,
  type TokenizedStringFragments,
} from "cdktf";
import type { IConstruct } from "constructs";
import { generatedFleet } from "../bench/fleet";
import { clusters } from "../clusters";
import { synthFleet } from "../constructs/fleet/fleet-app";
import { splitTokenString } from "../constructs/platform/linear-token-split";
import { resolveTokenString } from "../constructs/platform/resolve-once-stack";

type Lookup = (id: string) => IResolvable | undefined;
interface TokenString {
  split(lookup: Lookup): TokenizedStringFragments;
}
const { TokenString } = require("cdktf/lib/tokens/private/encoding") as {
  TokenString: { prototype: TokenString; forString(s: string, escapes?: boolean, warn?: boolean): TokenString };
};
const { TokenMap } = require("cdktf/lib/tokens/private/token-map") as {
  TokenMap: { instance(): { lookupToken(key: string): IResolvable } };
};
const cdktfSplit = TokenString.prototype.split;

/** A split's fragments (kept in a private array by TokenizedStringFragments), or the error it threw. */
function fragmentsOf(split: () => TokenizedStringFragments): unknown {
  try {
    return (split() as unknown as { fragments: unknown[] }).fragments;
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

/** Every string holding a token marker in `value`, with the stack it is resolved in. */
function markerStrings(stack: IConstruct, value: unknown, into: [IConstruct, string][]): void {
  if (typeof value === "string") {
    if (value.includes("TfToken[")) into.push([stack, value]);
  } else if (Array.isArray(value)) {
    for (const item of value) markerStrings(stack, item, into);
  } else if (value !== null && typeof value === "object" && !Tokenization.isResolvable(value)) {
    for (const [key, member] of Object.entries(value)) {
      markerStrings(stack, key, into);
      markerStrings(stack, member, into);
    }
  }
}

describe("token strings of the example clusters and a generated fleet", () => {
  const tokenized: TokenString[] = [];
  const withMarkers: [IConstruct, string][] = [];

  beforeAll(() => {
    const forString = TokenString.forString.bind(TokenString);
    const spy = jest.spyOn(TokenString, "forString").mockImplementation((s, escapes, warn) => {
      const tokenString = forString(s, escapes, warn);
      tokenized.push(tokenString);
      return tokenString;
    });
    const outdir = mkdtempSync(join(tmpdir(), "token-strings-"));
    try {
      const quiet = { notify: () => undefined, env: {} };
      const apps = [
        synthFleet(clusters, { ...quiet, outdir: join(outdir, "examples"), root: resolve(__dirname, "..") }).app,
        synthFleet(generatedFleet(1), { ...quiet, outdir: join(outdir, "fleet"), root: outdir }).app,
      ];
      for (const app of apps)
        for (const stack of app.node.children.filter((c) => TerraformStack.isStack(c)))
          for (const element of stack.node.findAll().filter((c) => TerraformElement.isTerraformElement(c)))
            markerStrings(stack, (element as TerraformElement).toTerraform(), withMarkers);
    } finally {
      spy.mockRestore();
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("are split into cdktf's fragments by the one-pass split", () => {
    const tokenMap = TokenMap.instance();
    const lookup: Lookup = (key) => tokenMap.lookupToken(key);
    const all = [...tokenized, ...withMarkers.map(([, text]) => TokenString.forString(text, true))];
    let withTokens = 0;
    // Every string's two splits side by side, compared by one toEqual (the same equality per string as one expect per
    // string, without building an expectation thousands of times); a difference shows the string's index in the list.
    const ours: unknown[] = [];
    const theirs: unknown[] = [];
    for (const tokenString of all) {
      const cdktf = fragmentsOf(() => cdktfSplit.call(tokenString, lookup));
      ours.push(fragmentsOf(() => splitTokenString(tokenString as never, lookup)));
      theirs.push(cdktf);
      if (Array.isArray(cdktf) && cdktf.some((f: { type: string }) => f.type === "token")) withTokens++;
    }
    expect(ours).toEqual(theirs);
    // Hundreds of strings with tokens, among them the JSON policies the one-pass split is for.
    expect(withTokens).toBeGreaterThan(300);
  });

  it("resolve to what cdktf's resolve returns, the strings that are one token and the others", () => {
    const resolver = new DefaultTokenResolver(new StringConcat());
    let single = 0;
    // Each string with both resolutions, compared by one toEqual as in the test above.
    const ours: [string, unknown][] = [];
    const theirs: [string, unknown][] = [];
    for (const [scope, text] of withMarkers) {
      const options = { scope, preparing: false, resolver };
      ours.push([text, resolveTokenString(text, options)]);
      theirs.push([text, Tokenization.resolve(text, options)]);
      if (/^\$\{TfToken\[[^\]]*\]\}$/.test(text)) single++;
    }
    expect(ours).toEqual(theirs);
    expect(single).toBeGreaterThan(300);
    expect(withMarkers.length).toBeGreaterThan(single);
  });
});
