// Every cluster this repo owns. Add a cluster by writing clusters/<name>.ts and listing it here.
import type { ClusterDefinition } from "immutable-clusters";
import { cluster as __CLUSTER_IDENTIFIER__ } from "./__CLUSTER_NAME__";

export const clusters: readonly ClusterDefinition[] = [__CLUSTER_IDENTIFIER__];
