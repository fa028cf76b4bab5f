// The text of a same-stack Reference or Dependable token, and of a string of them and text
// (constructs/platform/same-stack-references.ts), is what cdktf 0.21.0's own resolve gives, on every such token and
// string of the example clusters and a generated fleet (preparing or not) and on the cases where it must leave the
// value to cdktf (another stack, a cross-stack identifier, a subclass, an fqn of another shape, a "${" that opens no
// marker, a key not in the token map, a scope that is not a stack), where it gives nothing.
import {
  DefaultTokenResolver,
  type IResolvable,
  Lazy,
  ref,
  StringConcat,
  TerraformElement,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { AwsProvider, SsmParameter } from "../../../constructs/platform/aws";
import { ResolveOnceStack, resolveTokenString } from "../../../constructs/platform/resolve-once-stack";
import { sameStackStringText, sameStackTokenText } from "../../../constructs/platform/same-stack-references";
import { App, dependable } from "../../../constructs/platform/terraform";
import { type SharedApp, stacksOf } from "./app";

const { TokenMap } = require("cdktf/lib/tokens/private/token-map") as {
  TokenMap: { instance(): { lookupToken(key: string): IResolvable } };
};
const tokenMap = TokenMap.instance();
const SINGLE = /^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/;
const resolver = new DefaultTokenResolver(new StringConcat());

/** What `run` returns, or the message it throws. */
function outcome(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

/** Every string in `value` that is one string token marker, with its token, and every other string with a marker. */
function tokenStrings(value: unknown, into: { tokens: IResolvable[]; strings: string[] }): void {
  if (typeof value === "string") {
    const marker = SINGLE.exec(value);
    if (marker) into.tokens.push(tokenMap.lookupToken(marker[1]));
    else if (value.includes("TfToken[")) into.strings.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) tokenStrings(item, into);
  } else if (value !== null && typeof value === "object" && !Tokenization.isResolvable(value)) {
    for (const member of Object.values(value)) tokenStrings(member, into);
  }
}

/** Registers the tests of this concern. */
export function sameStackReferenceTests(shared: SharedApp): void {
  describe("same-stack reference texts", () => {
    it("are cdktf's resolve of every same-stack Reference and Dependable of the example clusters and a generated fleet", () => {
      // The stacks of the example clusters and generatedFleet(1): the whole shared app.
      const { app, examples, fleet } = shared();
      const ours: unknown[] = [];
      const theirs: unknown[] = [];
      const kinds = new Map<string, number>();
      let strings = 0;
      for (const stack of stacksOf(app, [...examples, ...fleet])) {
        const found = { tokens: [] as IResolvable[], strings: [] as string[] };
        for (const element of stack.node.findAll().filter((c) => TerraformElement.isTerraformElement(c)))
          tokenStrings((element as TerraformElement).toTerraform(), found);
        for (const token of found.tokens) {
          const text = sameStackTokenText(token, stack);
          if (text === undefined) continue;
          const kind = (Object.getPrototypeOf(token) as { constructor: { name: string } }).constructor.name;
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          // Resolved by cdktf after the text was taken: taking it changed nothing cdktf's resolve reads.
          for (const preparing of [false, true]) {
            ours.push(text);
            theirs.push(Tokenization.resolve(token, { scope: stack, preparing, resolver }));
          }
        }
        for (const value of found.strings) {
          const text = sameStackStringText(value, stack);
          if (text === undefined) continue;
          strings++;
          for (const preparing of [false, true]) {
            ours.push([value, text]);
            theirs.push([value, Tokenization.resolve(value, { scope: stack, preparing, resolver })]);
          }
        }
      }
      expect(ours).toEqual(theirs);
      expect(kinds.get("Reference")).toBeGreaterThan(300);
      expect(kinds.get("Dependable")).toBeGreaterThan(150);
      // The JSON policies and ARNs built around references.
      expect(strings).toBeGreaterThan(20);
    });

    it("leave to cdktf what they are not: other stacks, cross-stack identifiers, subclasses, other fqns, scopes", () => {
      const app = new App({ outdir: "unused" });
      const stack = new ResolveOnceStack(app, "s");
      const other = new ResolveOnceStack(app, "other");
      for (const s of [stack, other]) new AwsProvider(s, "aws", { region: "eu-west-1" });
      const here = new SsmParameter(stack, "here", { name: "/p", type: "String", value: "v" });
      const there = new SsmParameter(other, "there", { name: "/p", type: "String", value: "v" });
      const Reference = (Object.getPrototypeOf(ref("")) as { constructor: new (identifier: string, stack?: TerraformStack) => IResolvable })
        .constructor;
      class SubReference extends Reference {}
      const crossed = ref("aws_ssm_parameter.here.arn", stack) as IResolvable & { crossStackIdentifier: Record<string, string> };
      crossed.crossStackIdentifier[stack.toString()] = "data.terraform_remote_state.x.outputs.y";
      const numberToken = Token.asString(Lazy.numberValue({ produce: () => 5 }));
      // An encoded number token as text (cdktf encodes a number token as a double's digits).
      const encodedNumber = `${Token.asNumber(Lazy.numberValue({ produce: () => 6 }))}`;
      const markerOf = (text: string) => tokenMap.lookupToken(SINGLE.exec(text)![1]);
      const cases: [string, IResolvable, IConstruct, boolean][] = [
        // [what, token, scope, whether a text is given]
        ["an attribute of the stack's own element", markerOf(here.arn), stack, true],
        ["a Reference with no origin stack", ref("var.x"), stack, true],
        ["a depends_on item of the stack's own element", markerOf(dependable(here)), stack, true],
        ["an attribute of another stack's element", markerOf(there.arn), stack, false],
        ["a depends_on item of another stack's element", markerOf(dependable(there)), stack, false],
        ["a Reference with a cross-stack identifier for the stack", crossed, stack, false],
        ["a subclass of Reference", new SubReference("aws_ssm_parameter.here.id", stack), stack, false],
        ["a Dependable of something whose fqn is no token", markerOf(dependable({ fqn: "module.m" })), stack, false],
        [
          "a Dependable of a Lazy fqn",
          markerOf(dependable({ fqn: Token.asString(Lazy.stringValue({ produce: () => "x" })) })),
          stack,
          false,
        ],
        ["a Lazy", Lazy.anyValue({ produce: () => "lazy" }), stack, false],
        ["a scope that is not a stack", markerOf(here.arn), new Construct(stack, "inner"), false],
        // A text with a marker or an encoded number: given, but not plain, so resolve-once-stack.ts leaves it to cdktf.
        ["a Reference whose identifier holds a token", ref(`aws_x.${here.name}`, stack), stack, true],
        ["a Reference whose identifier holds a number token", ref(`aws_x.n${encodedNumber}`, stack), stack, true],
        ["a Reference whose identifier holds a Lazy", ref(`aws_x.n${numberToken}`, stack), stack, true],
      ];
      for (const [what, token, scope, given] of cases) {
        const text = sameStackTokenText(token, scope);
        expect([what, text !== undefined]).toEqual([what, given]);
        for (const preparing of [false, true]) {
          const options = { scope, preparing, resolver };
          if (text !== undefined && !/TfToken\[|-\d/.test(text)) expect([what, text]).toEqual([what, Tokenization.resolve(token, options)]);
          // Through the walk's resolveTokenString, as the stack resolves it, whatever the text.
          const marker = Token.asString(token);
          expect([what, outcome(() => resolveTokenString(marker, options))]).toEqual([
            what,
            outcome(() => Tokenization.resolve(marker, options)),
          ]);
        }
      }
      // Strings around markers: given only when every marker is a same-stack one and no "${" opens anything else.
      const strings: [string, string, boolean][] = [
        ["text around an own reference", `arn:${here.arn}/*`, true],
        ["two own references and braces", `{"a":"${here.arn}","b":["${here.name}"]}}`, true],
        ["a depends_on-like item in text", `x ${dependable(here)} y`, true],
        ["another stack's reference", `arn:${there.arn}/*`, false],
        ["an own and another stack's reference", `${here.arn},${there.arn}`, false],
        ["an escape that opens no marker", "${var.x} and " + here.arn, false],
        // Inside an escape cdktf suppresses the reference's braces: ${upper(aws_ssm_parameter.here.arn)}.
        ["a marker inside an escape", "${upper(" + here.arn + ")}", false],
        ["a marker of a key not in the map", `a ${"${TfToken[TOKEN.99999999]}"} b ${here.arn}`, false],
        ["a Lazy in text", `a ${Token.asString(Lazy.stringValue({ produce: () => "l" }))}`, false],
        ["an encoded number token in text", `a ${here.arn} ${encodedNumber}`, true],
        ["a list marker in text", `a ${here.arn} ${Token.asList(Lazy.anyValue({ produce: () => ["x"] }))[0]}`, true],
      ];
      for (const [what, value, given] of strings) {
        const text = sameStackStringText(value, stack);
        expect([what, text !== undefined]).toEqual([what, given]);
        for (const preparing of [false, true]) {
          const options = { scope: stack, preparing, resolver };
          if (text !== undefined && !/TfToken\[|-\d/.test(text)) expect([what, text]).toEqual([what, Tokenization.resolve(value, options)]);
          expect([what, outcome(() => resolveTokenString(value, options))]).toEqual([
            what,
            outcome(() => Tokenization.resolve(value, options)),
          ]);
        }
      }
      expect(sameStackStringText(`arn:${here.arn}/*`, new Construct(stack, "not-a-stack"))).toBeUndefined();
      // A Dependable's text is the element's address without braces, as cdktf writes depends_on items.
      expect(sameStackTokenText(markerOf(dependable(here)), stack)).toBe("aws_ssm_parameter.here");
      expect(sameStackTokenText(markerOf(here.arn), stack)).toBe("${aws_ssm_parameter.here.arn}");
    });
  });
}
