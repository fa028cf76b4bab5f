// Benchmark app: synthesizes the example clusters (clusters/) as apps/synth.ts does, into the folder given as argument.
import { join } from "node:path";
import { writeDist } from "../../constructs/fleet/write-dist";
import { clusters } from "../../clusters";
import { addClusters } from "../../constructs";
import { App } from "../../constructs/platform/terraform";
import { withCheapCaptures } from "../../constructs/fleet/stack-capture";

const outdir = process.argv[2];
const app = new App({ outdir: join(outdir, "cdktf.out") });
// As synthFleet does (constructs/fleet/stack-capture.ts).
const stacks = withCheapCaptures(() => {
  const added = addClusters(app, clusters);
  app.synth();
  return added;
});
writeDist(join(outdir, "dist"), stacks);
