// The cdktf app (cdktf.json "app"): `npx cdktf synth` writes one Terraform stack per generation and one traffic stack
// per cluster to cdktf.out/. Every definition is validated first; nothing is written when one is invalid.
import { App } from "cdktf";
import { addClusters } from "immutable-clusters";
import { clusters } from "../clusters";

const app = new App();
addClusters(app, clusters);
app.synth();
