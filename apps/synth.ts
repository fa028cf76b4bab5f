// The cdktf app (cdktf.json "app"): synthesizes every example cluster to Terraform JSON in cdktf.out/ (or CDKTF_OUTDIR)
// and writes the addon manifests and node configs of each generation to dist/ (or DIST_DIR) for review. The fleet lock
// (clusters/generations.lock.json, or IMMUTABLE_CLUSTERS_LOCK_FILE) guards deployed generations, whose stacks upload the
// artifacts frozen in clusters/deployed/; IMMUTABLE_CLUSTERS_GUARD=report synthesizes anyway and lists the refused
// changes in <outdir>/guard-violations.json. <outdir>/fleet-status.json says which generations are frozen (review reads both).
import { clusters } from "../clusters";
import { synthFleet, writeDist } from "../constructs";
import { runOrRefuse } from "./refusal";

// A refused definition or change prints its problem list alone and exits 1 (apps/refusal.ts).
runOrRefuse(() => {
  const { stacks } = synthFleet(clusters);
  writeDist(process.env.DIST_DIR ?? "dist", stacks);
});
