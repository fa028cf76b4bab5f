// The app the differential tests of constructs/platform/'s stand-ins share (test/platform-stand-ins.test.ts builds it
// once, in beforeAll): the example clusters (clusters/) and generatedFleet(1) (bench/fleet.ts), added with cheap
// captures as synthFleet adds them. Each concern reads the stacks of the clusters it compares on (stacksOf).
// The logical-ID comparison used generatedFleet(2) as a suite of its own; the second cluster is not built here (about
// an eighth of the suite's time): bench/fleet.ts varies names, CIDRs and ids only, so its stacks have the first's
// paths below the stack (checked: the same 79, 79, 11 and 16 element paths) but for the two ingress security-group
// rules of each generation named after its VPC CIDR, whose ids are computed just as the first cluster's are; every
// other element of it took the kept-id path, which the first cluster's second generation takes already.
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
  /** generatedFleet(1). */
  readonly fleet: readonly ClusterDefinition[];
}

/** The shared app, once beforeAll has built it. */
export type SharedApp = () => StandInApp;

/** Builds the shared app. */
export function buildStandInApp(): StandInApp {
  const app = new App({ outdir: "unused" });
  const fleet = generatedFleet(1);
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
