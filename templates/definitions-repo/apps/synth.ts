// The cdktf app (cdktf.json "app"): `npx cdktf synth` writes one Terraform stack per generation and one traffic stack
// per cluster to cdktf.out/, and each generation's addon manifests and node configs to dist/ (or DIST_DIR) for review.
// Every definition is validated first; nothing is written when one is invalid. Generations recorded in
// clusters/generations.lock.json (`npx immutable-clusters lock <cluster>/<generation>` after a deploy) are frozen: their
// stacks upload the node configs and addon manifests stored in clusters/deployed/, and their definitions may not change
// in place; IMMUTABLE_CLUSTERS_GUARD=report synthesizes anyway and lists them in cdktf.out/guard-violations.json.
import { synthFleet, writeDist } from "immutable-clusters";
import { clusters } from "../clusters";

const { stacks } = synthFleet(clusters);
writeDist(process.env.DIST_DIR ?? "dist", stacks);
