// The cdktf app (cdktf.json "app"): `npx cdktf synth` writes one Terraform stack per generation and one traffic stack
// per cluster to cdktf.out/, and each generation's addon manifests and node configs to dist/ (or DIST_DIR) for review.
// Every definition is validated first; nothing is written when one is invalid. Generations recorded in
// clusters/generations.lock.json (`npx immutable-clusters lock <cluster>/<generation>` after a deploy) may not change
// in place; IMMUTABLE_CLUSTERS_GUARD=report synthesizes anyway and lists them in cdktf.out/guard-violations.json.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { addClusters, immutabilityViolations, readFleetLock, writeDist } from "immutable-clusters";
import { clusters } from "../clusters";

const guard = process.env.IMMUTABLE_CLUSTERS_GUARD === "report" ? "report" : "enforce";
const lock = readFleetLock();
const app = new App();
const stacks = addClusters(app, clusters, { lock, guard });
app.synth();
if (guard === "report") {
  const violations = lock ? immutabilityViolations(clusters, lock) : [];
  writeFileSync(join(app.outdir, "guard-violations.json"), JSON.stringify(violations, null, 2) + "\n");
}
writeDist(process.env.DIST_DIR ?? "dist", stacks);
