// Logical IDs of a ResolveOnceStack's elements (constructs/platform/logical-ids.ts): cdktf's own computation, done once
// per path below the stack, gives what cdktf 0.21.0's TerraformStack.prototype.allocateLogicalId gives for every
// element of the example clusters and a generated fleet, and for hard cases (hidden ids, duplicate suffixes, long
// paths, characters removed, a "/" in an id, a node outside the stack).
import { TerraformElement, TerraformStack as CdktfTerraformStack } from "cdktf";
import { Construct, type Node } from "constructs";
import { AwsProvider, SsmParameter } from "../../../constructs/platform/aws";
import { allocateLogicalId } from "../../../constructs/platform/logical-ids";
import { ResolveOnceStack } from "../../../constructs/platform/resolve-once-stack";
import { App, TerraformStack } from "../../../constructs/platform/terraform";
import { type SharedApp, stacksOf } from "./app";

const { makeUniqueId } = require("cdktf/lib/private/unique") as { makeUniqueId: (components: string[]) => string };

/** cdktf's own allocateLogicalId, called on `stack` as cdktf's getLogicalId does. */
const cdktfAllocate = (stack: CdktfTerraformStack, element: TerraformElement | Node): string =>
  (CdktfTerraformStack.prototype as unknown as { allocateLogicalId(e: TerraformElement | Node): string }).allocateLogicalId.call(
    stack,
    element,
  );

/** What `run` returns, or the message it throws. */
function outcome(run: () => string): { id: string } | { threw: string } {
  try {
    return { id: run() };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

/** Registers the tests of this concern. */
export function logicalIdTests(shared: SharedApp): void {
  describe("logical IDs", () => {
    it("are cdktf's for every element of the example clusters and a generated fleet, computed or kept", () => {
      // Every stack of the shared app: the example clusters and generatedFleet(1) (support/platform-stand-ins/app.ts).
      const { app, examples, fleet } = shared();
      expect(stacksOf(app, [...examples, ...fleet])).toEqual(app.node.children.filter((c) => TerraformStack.isStack(c)));
      const ours: [string, string][] = [];
      const theirs: [string, string][] = [];
      let resolveOnce = 0;
      for (const stack of app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c))) {
        if (stack instanceof ResolveOnceStack) resolveOnce++;
        for (const element of stack.node.findAll().filter((c) => TerraformElement.isTerraformElement(c))) {
          const path = element.node.path;
          const cdktf = cdktfAllocate(stack, element);
          theirs.push([path, cdktf], [path, cdktf], [path, cdktf]);
          // Twice through the kept map (computed, then kept), and as the element's own friendlyUniqueId.
          ours.push([path, allocateLogicalId(stack, element)], [path, allocateLogicalId(stack, element)]);
          ours.push([path, element.friendlyUniqueId]);
        }
      }
      expect(ours).toEqual(theirs);
      expect(resolveOnce).toBe(12);
      expect(theirs.length / 3).toBeGreaterThan(500);
    });

    it("are cdktf's on hard cases: hidden and duplicate ids, long paths, removed characters, nodes outside the stack", () => {
      const app = new App({ outdir: "unused" });
      const stack = new ResolveOnceStack(app, "s");
      const other = new ResolveOnceStack(app, "other");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const nested = (scope: Construct, ids: string[]): Construct =>
        ids.reduce<Construct>((parent, id) => (parent.node.tryFindChild(id) as Construct | undefined) ?? new Construct(parent, id), scope);
      const parameter = (scope: Construct, id: string) => new SsmParameter(scope, id, { name: "/p", type: "String", value: "v" });
      const long = "x".repeat(120);
      const elements = [
        parameter(stack, "plain"),
        parameter(stack, "with.dots and spaces/slash"),
        parameter(nested(stack, ["Default"]), "under-default"),
        parameter(nested(stack, ["a", "Default", "b"]), "Default"),
        parameter(nested(stack, ["Resource"]), "under-resource"),
        parameter(nested(stack, ["group"]), "Resource"),
        parameter(nested(stack, ["MyBucket"]), "Bucket"),
        parameter(nested(stack, ["Bucket"]), "MyBucket"),
        parameter(nested(stack, ["aBucket", "Bucket"]), "Bucket"),
        parameter(nested(stack, [long, `${long}y`]), `${long}z`),
        parameter(nested(stack, [long]), long),
        parameter(stack, "y".repeat(300)),
        parameter(stack, "z".repeat(255)),
        parameter(nested(stack, ["a", "b"]), "c"),
        parameter(nested(stack, ["a/b"]), "c"),
        parameter(nested(stack, ["a_b"]), "c"),
        parameter(nested(stack, ["a"]), "b_c"),
        parameter(nested(stack, ["!!"]), "??"),
        parameter(other, "in-other"),
      ];
      const nodes: (TerraformElement | Node)[] = [
        ...elements,
        ...elements.map((e) => e.node),
        stack.node,
        nested(stack, ["Default"]).node,
        nested(stack, ["only"]).node,
        nested(other, ["node-of", "other"]).node,
        app.node,
      ];
      for (const node of nodes) {
        for (const on of [stack, other]) {
          const cdktf = outcome(() => cdktfAllocate(on, node));
          // Computed, then kept.
          expect(outcome(() => allocateLogicalId(on, node))).toEqual(cdktf);
          expect(outcome(() => allocateLogicalId(on, node))).toEqual(cdktf);
        }
      }
      // The cases above exercise each rule of makeUniqueId: dropped, hidden, deduplicated, cut, kept whole, refused.
      const ids = elements.map((e) => e.friendlyUniqueId);
      expect(ids).toEqual(elements.map((e) => cdktfAllocate(e.cdktfStack, e)));
      expect(ids[0]).toBe("plain");
      expect(ids[2]).toBe("under-default");
      expect(ids[6]).toMatch(/^MyBucket_[0-9A-F]{8}$/);
      expect(ids[9].length).toBe(240 + 9);
      expect(ids[10]).toBe(`${"x".repeat(120)}_${ids[10].slice(-8)}`);
      expect(new Set(ids.slice(13, 17)).size).toBe(4);
      expect(outcome(() => allocateLogicalId(stack, nested(stack, ["Default"]).node))).toEqual({
        threw: expect.stringMatching(/empty set of components/i),
      });
    });

    it("keeps the id of each distinct path, which a later node of the same path below its stack gets", () => {
      const app = new App({ outdir: "unused" });
      const [first, second] = [new ResolveOnceStack(app, "first"), new ResolveOnceStack(app, "second")];
      const paths = [["a", "b"], ["a--b"], ["ab"], ["a", "b", "Default"], ["x".repeat(300)], ["Resource", "r"]];
      const node = (stack: ResolveOnceStack, path: string[]) =>
        path.reduce<Construct>((parent, id) => (parent.node.tryFindChild(id) as Construct | undefined) ?? new Construct(parent, id), stack)
          .node;
      for (const path of paths) {
        const expected = outcome(() => makeUniqueId([...path]));
        expect(outcome(() => allocateLogicalId(first, node(first, path)))).toEqual(expected);
        expect(outcome(() => allocateLogicalId(second, node(second, path)))).toEqual(expected);
      }
      // More distinct paths than the map keeps: it starts again, every answer still cdktf's.
      const fill = new Construct(first, "fill");
      for (let i = 0; i < 10_050; i += 1) allocateLogicalId(first, new Construct(fill, String(i)).node);
      for (const path of paths)
        expect(outcome(() => allocateLogicalId(second, node(second, path)))).toEqual(outcome(() => makeUniqueId([...path])));
    });

    it("make no TerraformStack method of cdktf's differ: getLogicalId of a ResolveOnceStack gives cdktf's id", () => {
      const app = new App({ outdir: "unused" });
      const stack = new ResolveOnceStack(app, "s");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const element = new SsmParameter(new Construct(stack, "scope"), "p", { name: "/p", type: "String", value: "v" });
      expect(stack.getLogicalId(element)).toBe(cdktfAllocate(stack, element));
      const plain = new TerraformStack(app, "plain");
      const inPlain = new SsmParameter(new Construct(plain, "scope"), "p", { name: "/p", type: "String", value: "v" });
      expect(inPlain.friendlyUniqueId).toBe(element.friendlyUniqueId);
    });
  });
}
