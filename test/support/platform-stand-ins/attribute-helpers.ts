// The stand-ins for cdktf's keysToSnakeCase and processDynamicAttributes (constructs/platform/attribute-helpers.ts)
// return what cdktf 0.21.0's own functions (lib/util.ts) return, or throw what they throw, on every element of the
// example clusters and a generated fleet and on hard cases, and are in place only while withCheapAttributeHelpers runs.
import {
  DefaultTokenResolver,
  Lazy,
  StringConcat,
  TerraformDataSource,
  type TerraformElement,
  TerraformIterator,
  TerraformResource,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";
import { keysToSnakeCase, processDynamicAttributes, withCheapAttributeHelpers } from "../../../constructs/platform/attribute-helpers";
import { App } from "../../../constructs/platform/terraform";
import { type SharedApp, stacksOf } from "./app";

const cdktfUtil = require("cdktf/lib/util") as {
  keysToSnakeCase: (object: unknown) => unknown;
  processDynamicAttributes: (attributes: Record<string, unknown>) => Record<string, unknown>;
};
const { TerraformDynamicBlock } = require("cdktf/lib/terraform-dynamic-block") as {
  TerraformDynamicBlock: new (args: { forEach: TerraformIterator; content: unknown }) => object;
};
const cdktfKeysToSnakeCase = cdktfUtil.keysToSnakeCase;
const cdktfProcessDynamicAttributes = cdktfUtil.processDynamicAttributes;

/** What `run` returns, or the message it throws. */
function outcome(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (error) {
    return { threw: String(error) };
  }
}

/** An element's own synthesizeAttributes and meta-arguments (protected in cdktf's types). */
interface Synthesizing {
  synthesizeAttributes(): Record<string, unknown>;
  terraformMetaArguments: Record<string, unknown>;
}

/** Registers the tests of this concern. */
export function attributeHelperTests(shared: SharedApp): void {
  describe("cdktf's attribute helpers, made cheaper", () => {
    it("give cdktf's results for every resource and data source of the example clusters and a generated fleet", () => {
      // The stacks of the example clusters and generatedFleet(1): the whole shared app.
      const { app, examples, fleet } = shared();
      const elements = stacksOf(app, [...examples, ...fleet])
        .flatMap((stack) => stack.node.findAll())
        .filter((c) => TerraformResource.isTerraformResource(c) || TerraformDataSource.isTerraformDataSource(c)) as unknown as (
        | TerraformElement
        | Synthesizing
      )[];
      const ours: unknown[] = [];
      const theirs: unknown[] = [];
      for (const element of elements) {
        const { synthesizeAttributes, terraformMetaArguments } = element as Synthesizing;
        const attributes = synthesizeAttributes.call(element);
        ours.push(keysToSnakeCase(terraformMetaArguments), processDynamicAttributes(attributes));
        theirs.push(cdktfKeysToSnakeCase(terraformMetaArguments), cdktfProcessDynamicAttributes(attributes));
        // The whole toTerraform with the stand-ins in place, as ResolveOnceStack's prepareStack calls it.
        ours.push(withCheapAttributeHelpers(() => (element as TerraformElement).toTerraform()));
        theirs.push((element as TerraformElement).toTerraform());
      }
      expect(ours).toEqual(theirs);
      expect(elements.length).toBeGreaterThan(400);
      // The meta-arguments have keys snakeCase changes (dependsOn, forEach) and members (depends_on lists, lifecycle).
      expect(JSON.stringify(theirs)).toContain('"depends_on":[');
      expect(JSON.stringify(theirs)).toContain('"ignore_changes":');
    });

    it("give cdktf's results on hard cases: nested arrays, tags, odd keys, tokens, dynamic blocks, class instances", () => {
      const lazy = Lazy.anyValue({ produce: () => ({ notConverted: 1 }) });
      const iterator = TerraformIterator.fromList(["a", "b"]);
      const dynamic = new TerraformDynamicBlock({ forEach: iterator, content: { fromPort: iterator.value } });
      class Holder {
        constructor(readonly innerKey = { deepKey: 1 }) {}
      }
      const keyCases: unknown[] = [
        { dependsOn: ["a"], forEach: undefined, count: 2, lifecycle: { createBeforeDestroy: true, ignoreChanges: ["tags"] } },
        { tags: { keepMe: 1, "Kept As-Is": 2 }, environment: { ENV_VAR: "x", camelCase: "y" }, nested: { tags: { aB: 1 } } },
        { list: [{ innerKey: 1 }, [{ deepKey: 2 }], "s", 3, null, lazy], twice: [[{ aB: 1 }]] },
        [{ aB: 1 }, "x", [{ cD: 2 }]],
        {
          fooBar: 1,
          FooBAR: 2,
          foo_bar: 3,
          __x__: 4,
          a1B2c3: 5,
          "x-y z": 6,
          "": 7,
          ÄbC: 8,
          fooBar2Baz: 9,
          "10": 10,
          HTTPServer: 11,
          "--": 12,
          __proto__x: 13,
        },
        { token: lazy, numberToken: Token.asNumber(lazy), holder: new Holder(), date: new Date(0), fn: () => 1 },
        lazy,
        { nullMember: null },
        { undefinedMember: undefined },
        null,
        undefined,
        "text",
      ];
      // Run twice: the second time every key's snake case is a kept one.
      for (let round = 0; round < 2; round++) {
        for (const value of keyCases) expect(outcome(() => keysToSnakeCase(value))).toEqual(outcome(() => cdktfKeysToSnakeCase(value)));
      }
      const dynamicCases: Record<string, unknown>[] = [
        { ingress: dynamic, name: "n", nested: { egress: dynamic, deeper: { x: 1, y: null } } },
        { ingress: dynamic, egress: dynamic, dynamic: { existing: 1 } },
        { holder: new Holder(), date: new Date(0), token: lazy, nothing: null, gone: undefined },
        { bare: Object.create(null) as object, withProto: Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }) },
        {},
      ];
      // A dynamic block becomes a new Lazy at each call: the two results are compared resolved, as they are written.
      const app = new App({ outdir: "unused" });
      const options = { scope: new TerraformStack(app, "s"), resolver: new DefaultTokenResolver(new StringConcat()) };
      const resolved = (run: () => unknown) => outcome(() => Tokenization.resolve(run(), options));
      for (const value of dynamicCases)
        expect(resolved(() => processDynamicAttributes(value))).toEqual(resolved(() => cdktfProcessDynamicAttributes(value)));
      // A dynamic block in an array is not one of cdktf's (arrays are kept as they are): compared unresolved.
      const inArray = { list: [{ a: 1 }, dynamic], nested: { list: [dynamic] } };
      expect(processDynamicAttributes(inArray)).toEqual(cdktfProcessDynamicAttributes(inArray));
      expect(processDynamicAttributes(inArray).list).toBe(inArray.list);
      expect(resolved(() => processDynamicAttributes(dynamicCases[0]))).toMatchObject({
        value: { dynamic: { ingress: { for_each: '${toset(["a", "b"])}', content: { fromPort: "${each.value}" } } } },
      });
      expect(outcome(() => keysToSnakeCase({ nullMember: null }))).toEqual({ threw: expect.stringMatching(/null/) });
    });

    it("are cdktf's own outside withCheapAttributeHelpers, also after it threw", () => {
      expect(cdktfUtil.keysToSnakeCase).toBe(cdktfKeysToSnakeCase);
      withCheapAttributeHelpers(() => {
        expect(cdktfUtil.keysToSnakeCase).toBe(keysToSnakeCase);
        expect(cdktfUtil.processDynamicAttributes).toBe(processDynamicAttributes);
      });
      expect(() =>
        withCheapAttributeHelpers(() => {
          throw new Error("inside");
        }),
      ).toThrow("inside");
      expect(cdktfUtil.keysToSnakeCase).toBe(cdktfKeysToSnakeCase);
      expect(cdktfUtil.processDynamicAttributes).toBe(cdktfProcessDynamicAttributes);
    });
  });
}
