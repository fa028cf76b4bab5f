// The cdktf app (cdktf.json "app"): synthesizes every example cluster to Terraform JSON in cdktf.out/ and writes the
// addon manifests and node configs of each generation to dist/ for review and `kubectl apply`.
import { clusters } from "../clusters";
import { addClusters } from "../constructs";
import { App } from "../constructs/platform/terraform";
import { writeDist } from "./write-dist";

const app = new App();
const stacks = addClusters(app, clusters);
app.synth();
writeDist("dist", stacks);
