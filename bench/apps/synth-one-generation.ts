// Benchmark app: synthesizes one generation with every addon (the example prod cluster's generation b alone, all
// traffic on it) into the folder given as argument: the unit of work the EKS Blueprints peer row is compared with.
import { join } from "node:path";
import { writeDist } from "../../constructs/fleet/write-dist";
import { prod } from "../../clusters/prod";
import { addClusters } from "../../constructs";
import { App } from "../../constructs/platform/terraform";
import { withCheapCaptures } from "../../constructs/fleet/stack-capture";

const outdir = process.argv[2];
const oneGeneration = { ...prod, generations: prod.generations.filter((g) => g.id === "b").map((g) => ({ ...g, weight: 100 })) };
const app = new App({ outdir: join(outdir, "cdktf.out") });
// As synthFleet does (constructs/fleet/stack-capture.ts).
const stacks = withCheapCaptures(() => {
  const added = addClusters(app, [oneGeneration]);
  app.synth();
  return added;
});
writeDist(join(outdir, "dist"), stacks);
