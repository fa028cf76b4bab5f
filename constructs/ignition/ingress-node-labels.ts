// Owns the control-plane timer that gives ingress nodes the node-restriction.kubernetes.io/ingress label (kubelets
// cannot set labels under that prefix on themselves): the script, its unit and timer, and the list of this
// generation's ingress pools it reads.
import type { ResolvedGeneration } from "../definition/resolve";
import type { IgnitionConfig } from "./builder";
import { nodeFile } from "./templates";

/**
 * The label ingress-nginx's nodeSelector (before Kubernetes 1.33) and Cilium's host-network Gateway listeners (1.33+,
 * constructs/addons/cni/gateway-config.ts) select; only an admin (this timer, with admin.conf) can set it.
 */
export const RESTRICTED_INGRESS_NODE_LABEL = "node-restriction.kubernetes.io/ingress";

/** Adds the labeler's units and its pool list to a control-plane node (the script itself ships with the others). */
export function addIngressNodeLabeler(config: IgnitionConfig, gen: ResolvedGeneration): void {
  const pools = gen.workerPools.filter((p) => p.ingress).map((p) => p.name);
  config.addFile({
    path: "/etc/immutable-clusters/ingress-pools.env",
    contents: `# Written by Ignition from the cluster definition; read by label-ingress-nodes.service.\nINGRESS_POOLS=${pools.join(" ")}\n`,
  });
  config.addUnit({ name: "label-ingress-nodes.service", contents: nodeFile("units/label-ingress-nodes.service") });
  config.addUnit({ name: "label-ingress-nodes.timer", contents: nodeFile("units/label-ingress-nodes.timer"), enabled: true });
}
