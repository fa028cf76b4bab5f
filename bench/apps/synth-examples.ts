// Benchmark app: synthesizes the example clusters (clusters/) as apps/synth.ts does, into the folder given as argument.
import { join } from "node:path";
import { writeDist } from "../../constructs/fleet/write-dist";
import { clusters } from "../../clusters";
import { addClusters } from "../../constructs";
import { App } from "../../constructs/platform/terraform";

const outdir = process.argv[2];
const app = new App({ outdir: join(outdir, "cdktf.out") });
const stacks = addClusters(app, clusters);
app.synth();
writeDist(join(outdir, "dist"), stacks);
