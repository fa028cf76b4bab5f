// hasAspects (constructs/platform/aspects-present.ts) answers what cdktf's own `Aspects.of(c).all.length > 0` answers,
// for every construct of the example stacks and for constructs with Aspects, and gives no construct an Aspects object.
import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { hasAspects } from "../../../constructs/platform/aspects-present";
import { type SharedApp, stacksOf } from "./app";

const noop: IAspect = { visit: () => undefined };

/** Registers the tests of this concern. */
export function aspectsPresentTests(shared: SharedApp): void {
  /** Every construct of the shared app of the example clusters, the app first (as in an app of those alone). */
  const exampleConstructs = (): IConstruct[] => {
    const { app, examples } = shared();
    return [app, ...stacksOf(app, examples).flatMap((stack) => stack.node.findAll())];
  };

  describe("hasAspects", () => {
    // First, while no construct of the shared app has been given an Aspects object: cdktf's Aspects.of is asked here
    // about the generated fleet's constructs only (made by the same addClusters as the examples'), so that the example
    // constructs stay without one for the comparison below.
    it("gives no construct an Aspects object (cdktf's Aspects.of defines one on each it is asked about)", () => {
      const { app, fleet } = shared();
      const constructs = app.node.findAll();
      const fleetConstructs = stacksOf(app, fleet).flatMap((stack) => stack.node.findAll());
      expect(fleetConstructs.length).toBeGreaterThan(200);
      const symbolsOf = (cs: IConstruct[]) => cs.map((c) => Object.getOwnPropertySymbols(c).length);
      const before = symbolsOf(constructs);
      for (const c of constructs) hasAspects(c);
      expect(symbolsOf(constructs)).toEqual(before);
      const fleetBefore = symbolsOf(fleetConstructs);
      for (const c of fleetConstructs) Aspects.of(c);
      expect(symbolsOf(fleetConstructs)).toEqual(fleetBefore.map((n) => n + 1));
    });

    it("answers as Aspects.of on every construct of the example stacks, with Aspects added to some", () => {
      const constructs = exampleConstructs();
      expect(constructs.length).toBeGreaterThan(400);
      // Aspects on the app, on a stack, on a construct deep in one, and an Aspects object with none (Aspects.of asked).
      const deep = constructs.find((c) => c.node.path.split("/").length > 4)!;
      for (const withAspect of [constructs[0], constructs[1], deep]) Aspects.of(withAspect).add(noop);
      const asked = constructs[constructs.length - 1];
      Aspects.of(asked);

      const ours = constructs.map((c) => hasAspects(c));
      const cdktfs = constructs.map((c) => Aspects.of(c).all.length > 0);
      expect(ours).toEqual(cdktfs);
      expect(ours.filter(Boolean)).toHaveLength(3);
      expect(hasAspects(asked)).toBe(false);
    });
  });
}
