// Owns the cni addon's manifests: Cilium (agent DaemonSet, operator Deployment, cilium-config, RBAC) in VXLAN tunnel
// mode, enforcing NetworkPolicy, with cluster-pool IPAM on the generation's pod CIDR and kubeadm's kube-proxy kept, or,
// in generations that run the gateway addon, replacing kube-proxy and serving the Gateway API (gateway-config.ts); the
// Cilium release (and so the upstream chart the manifests follow) is the one of the generation's Kubernetes minor.
// In gateway generations the vendored Gateway API CRDs (gateway/crds.ts) come first in this file: Cilium's operator
// looks for them once, when it starts (see toJson).
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { addonLabels } from "../common/workload";
import { gatewayApiCrds } from "../gateway/crds";
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
  /** Whether this generation's Cilium serves the gateway (and so needs the Gateway API CRDs before its operator). */
  private readonly gateway: boolean;

  constructor(scope: Construct, id: string, props: CniChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    checkNodeMaskSize(generation, settings);
    const release = ciliumRelease(settings, generation.kubernetesVersion);
    const gateway = runsGateway(generation);
    this.gateway = gateway;
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

  /**
   * In gateway generations, the Gateway API CRDs (plain data, not passed through cdk8s) before Cilium's objects. The
   * operator checks for them once, when it starts, and runs no Gateway API controller until restarted if one is missing
   * (cilium/cilium operator/pkg/gateway-api/cell.go: checkCRDs, "Required GatewayAPI resources are not found, please
   * refer to docs for installation instructions"). The first control-plane node applies all addon files in one
   * `kubectl apply`, in file order, so the CRDs must precede the operator's Deployment: 50-gateway comes too late.
   */
  public override toJson(): Record<string, unknown>[] {
    const objects = super.toJson() as Record<string, unknown>[];
    return this.gateway ? [...gatewayApiCrds(), ...objects] : objects;
  }
}
