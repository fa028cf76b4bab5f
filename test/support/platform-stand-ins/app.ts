// The app the differential tests of constructs/platform/'s stand-ins share (test/platform-stand-ins.test.ts builds it
// once, in beforeAll): the example clusters (clusters/) and generatedFleet(2) (bench/fleet.ts), added with cheap
// captures as synthFleet adds them. Each concern reads the stacks of the clusters it compares on (stacksOf), so each
// keeps the inputs it had as a suite of its own.
import { TerraformStack } from "cdktf";
import { generatedFleet } from "../../../bench/fleet";
import { clusters } from "../../../clusters";
import { addClusters, type ClusterDefinition } from "../../../constructs";
import { withCheapCaptures } from "../../../constructs/fleet/stack-capture";
import { App } from "../../../constructs/platform/terraform";

export interface StandInApp {
  /** The app of the example clusters and the generated fleet; nothing synthesized. */
  readonly app: App;
  /** The example clusters (clusters/). */
  readonly examples: readonly ClusterDefinition[];
  /** generatedFleet(2): its first cluster is generatedFleet(1)'s. */
  readonly fleet: readonly ClusterDefinition[];
}

/** The shared app, once beforeAll has built it. */
export type SharedApp = () => StandInApp;

/** Builds the shared app. */
export function buildStandInApp(): StandInApp {
  const app = new App({ outdir: "unused" });
  const fleet = generatedFleet(2);
  withCheapCaptures(() => addClusters(app, [...clusters, ...fleet]));
  return { app, examples: clusters, fleet };
}

/** The app's stacks of `definitions` (every stack of a cluster is named `<cluster>-<something>`), in the app's order. */
export function stacksOf(app: App, definitions: readonly ClusterDefinition[]): TerraformStack[] {
  const names = definitions.map((d) => d.name);
  return app.node.children.filter(
    (c): c is TerraformStack => TerraformStack.isStack(c) && names.some((name) => c.node.id.startsWith(`${name}-`)),
  );
}
