// Benchmark app: synthesizes a generated fleet of N clusters (argument 1) into the folder given as argument 2.
import { join } from "node:path";
import { writeDist } from "../../constructs/fleet/write-dist";
import { addClusters } from "../../constructs";
import { App } from "../../constructs/platform/terraform";
import { generatedFleet } from "../fleet";

const count = Number(process.argv[2]);
const outdir = process.argv[3];
const app = new App({ outdir: join(outdir, "cdktf.out") });
const stacks = addClusters(app, generatedFleet(count));
app.synth();
writeDist(join(outdir, "dist"), stacks);
