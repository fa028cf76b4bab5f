// Benchmark app: synthesizes a generated fleet of N clusters (argument 1) into the folder given as argument 2.
import { join } from "node:path";
import { writeDist } from "../../constructs/fleet/write-dist";
import { addClusters } from "../../constructs";
import { App } from "../../constructs/platform/terraform";
import { withCheapCaptures } from "../../constructs/fleet/stack-capture";
import { generatedFleet } from "../fleet";

const count = Number(process.argv[2]);
const outdir = process.argv[3];
const app = new App({ outdir: join(outdir, "cdktf.out") });
// As synthFleet does (constructs/fleet/stack-capture.ts).
const stacks = withCheapCaptures(() => {
  const added = addClusters(app, generatedFleet(count));
  app.synth();
  return added;
});
writeDist(join(outdir, "dist"), stacks);
