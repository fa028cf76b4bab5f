// The example cluster definitions that `npm run synth` synthesizes. Add a cluster by exporting it here.
import type { ClusterDefinition } from "../constructs";
import { prod } from "./prod";
import { staging } from "./staging";

export const clusters: readonly ClusterDefinition[] = [prod, staging];
