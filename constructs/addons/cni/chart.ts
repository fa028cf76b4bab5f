// Owns the cni addon's manifests: Cilium (agent DaemonSet, operator Deployment, cilium-config, RBAC) in VXLAN tunnel
// mode, enforcing NetworkPolicy, with cluster-pool IPAM on the generation's pod CIDR and kubeadm's kube-proxy kept, or,
// in generations that run the gateway addon, replacing kube-proxy and serving the Gateway API (gateway-config.ts); the
// Cilium release (and so the upstream chart the manifests follow) is the one of the generation's Kubernetes minor.
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { addonLabels } from "../common/workload";
import { runsGateway } from "../gateway/settings";
import { CiliumAgent } from "./agent";
import { checkNodeMaskSize, ciliumConfig } from "./cilium-config";
import { checkGatewayRelease, CiliumGatewaySecrets, gatewayCiliumConfig } from "./gateway-config";
import { CiliumOperator } from "./operator";
import { CiliumRbac } from "./rbac";
import { ciliumRelease, type ResolvedCniSettings } from "./settings";

export interface CniChartProps {
  /** The generation whose pod CIDR, API endpoint and name Cilium uses. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.cni`. */
  readonly settings: ResolvedCniSettings;
}

const NAMESPACE = "kube-system";

export class CniChart extends Chart {
  constructor(scope: Construct, id: string, props: CniChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    checkNodeMaskSize(generation, settings);
    const release = ciliumRelease(settings, generation.kubernetesVersion);
    const gateway = runsGateway(generation);
    if (gateway) checkGatewayRelease(release);
    const agentSelector = { "k8s-app": "cilium" };
    const operatorSelector = { "io.cilium/app": "operator", name: "cilium-operator" };
    const agentLabels = addonLabels("cilium-agent", "cilium", release.image, agentSelector);
    const operatorLabels = addonLabels("cilium-operator", "cilium", release.operatorImage, operatorSelector);

    new CiliumRbac(this, "rbac", {
      namespace: NAMESPACE,
      labels: addonLabels("cilium", "cilium", release.image),
      release,
      agent: "cilium",
      operator: "cilium-operator",
      gateway,
    });
    if (gateway) {
      new CiliumGatewaySecrets(this, "gateway-secrets", {
        namespace: NAMESPACE,
        labels: addonLabels("cilium", "cilium", release.image),
        agent: "cilium",
        operator: "cilium-operator",
      });
    }
    new k8s.KubeConfigMap(this, "config", {
      metadata: { name: "cilium-config", namespace: NAMESPACE, labels: addonLabels("cilium", "cilium", release.image) },
      data: { ...ciliumConfig(generation, settings, release), ...(gateway ? gatewayCiliumConfig() : {}) },
    });
    new CiliumAgent(this, "agent", {
      generation,
      settings,
      release,
      namespace: NAMESPACE,
      serviceAccount: "cilium",
      labels: agentLabels,
      selector: agentSelector,
    });
    new CiliumOperator(this, "operator", {
      generation,
      settings,
      release,
      namespace: NAMESPACE,
      serviceAccount: "cilium-operator",
      labels: operatorLabels,
      selector: operatorSelector,
    });
  }
}
