// hasAspects (constructs/platform/aspects-present.ts) answers what cdktf's own `Aspects.of(c).all.length > 0` answers,
// for every construct of the example stacks and for constructs with Aspects, and gives no construct an Aspects object.
import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { clusters } from "../clusters";
import { addClusters } from "../constructs";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { hasAspects } from "../constructs/platform/aspects-present";
import { App } from "../constructs/platform/terraform";

const noop: IAspect = { visit: () => undefined };

/** Every construct of an app of the example clusters, the app first. */
function exampleConstructs(): IConstruct[] {
  const app = new App({ outdir: "unused" });
  withCheapCaptures(() => addClusters(app, clusters));
  return app.node.findAll();
}

describe("hasAspects", () => {
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

  it("gives no construct an Aspects object (cdktf's Aspects.of defines one on each it is asked about)", () => {
    const constructs = exampleConstructs();
    const symbolsOf = (cs: IConstruct[]) => cs.map((c) => Object.getOwnPropertySymbols(c).length);
    const before = symbolsOf(constructs);
    for (const c of constructs) hasAspects(c);
    expect(symbolsOf(constructs)).toEqual(before);
    for (const c of constructs) Aspects.of(c);
    expect(symbolsOf(constructs)).toEqual(before.map((n) => n + 1));
  });
});
