// The cdktf app (cdktf.json "app"): synthesizes every example cluster to Terraform JSON in cdktf.out/ (or CDKTF_OUTDIR)
// and writes the addon manifests and node configs of each generation to dist/ (or DIST_DIR) for review. The fleet lock
// (clusters/generations.lock.json), when present, guards deployed generations; IMMUTABLE_CLUSTERS_GUARD=report
// synthesizes anyway and lists the refused changes in <outdir>/guard-violations.json (what review reads).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clusters } from "../clusters";
import { addClusters, immutabilityViolations, parseFleetLock, readFleetLock, writeDist } from "../constructs";
import { App } from "../constructs/platform/terraform";

const guard = process.env.IMMUTABLE_CLUSTERS_GUARD === "report" ? "report" : "enforce";
// IMMUTABLE_CLUSTERS_LOCK_FILE=<absolute path>: read the lock from that file instead (review: the base revision's lock).
const lockFile = process.env.IMMUTABLE_CLUSTERS_LOCK_FILE;
const lock = lockFile ? parseFleetLock(readFileSync(lockFile, "utf8"), lockFile) : readFleetLock();
const app = new App();
const stacks = addClusters(app, clusters, { lock, guard });
app.synth();
if (guard === "report") {
  const violations = lock ? immutabilityViolations(clusters, lock) : [];
  writeFileSync(join(app.outdir, "guard-violations.json"), JSON.stringify(violations, null, 2) + "\n");
}
writeDist(process.env.DIST_DIR ?? "dist", stacks);
