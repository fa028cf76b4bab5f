// Owns what Cilium needs to serve the gateway addon (generations where runsGateway holds): the cilium-config keys
// (kube-proxy replacement, the L7 proxy with Envoy embedded in the agent, the Gateway API controller in host-network
// mode on the ingress nodes), the secrets namespace with its Roles, and the operator's extra ClusterRole rules; after the
// Cilium 1.19 Helm chart (cilium-1.19.6.tgz of cilium/charts, commit 3934d0b79ba94eabe279d415eed9dea27a931cf2) with
// kubeProxyReplacement=true, l7Proxy=true, envoy.enabled=false, gatewayAPI.enabled=true, gatewayAPI.hostNetwork.enabled=true.
//
// Envoy runs embedded in the agent (envoy.enabled=false; external-envoy-proxy "false", as before): the agent image
// carries the Envoy build the agent was made with (images/cilium/Dockerfile: `COPY --from=cilium-envoy / /`), so no
// further image is pulled or pinned, and the agent's Envoy version check always matches. The chart's default, a
// cilium-envoy DaemonSet, would need the cilium-envoy digest of the 1.19.8 chart, which could not be read here (only
// 1.19.6's is citable), plus its bootstrap config. The cost: Envoy restarts with the agent; generations are replaced,
// never upgraded in place, so the agent restarts only when its pod does.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { GATEWAY_NODE_LABEL } from "../gateway/chart";
import type { CiliumRelease } from "./settings";

/** The namespace Cilium's operator copies the Gateway's TLS Secrets into for Envoy (gatewayAPI.secretsNamespace.name). */
export const CILIUM_SECRETS_NAMESPACE = "cilium-secrets";

/** Throws (naming the field) when the generation's Cilium cannot serve the gateway: its manifests follow the 1.19 chart. */
export function checkGatewayRelease(release: CiliumRelease): void {
  if (release.minor < 19) {
    throw new Error(
      `addons.cni.image: Cilium 1.${release.minor} cannot serve the gateway of a Kubernetes 1.33+ generation (its manifests follow ` +
        "the Cilium 1.19 chart); use a Cilium 1.19 image, or set addons.gateway.enabled to false and run your own ingress",
    );
  }
}

/** The cilium-config keys of a gateway generation; they override the kube-proxy-kept defaults of cilium-config.ts. */
export function gatewayCiliumConfig(): Record<string, string> {
  return {
    // kubeProxyReplacement=true (the operator's Gateway API controller requires it; kubeadm skips its kube-proxy
    // addon for these generations, constructs/ignition/kubeadm-config.ts). The agent reaches the API server through
    // the generation's endpoint (KUBERNETES_SERVICE_HOST in agent.ts), never through the kubernetes Service.
    "kube-proxy-replacement": "true",
    "kube-proxy-replacement-healthz-bind-address": "",
    // Socket LB on: host-network clients (the cloud controller, the kubelet's probes of ClusterIPs) reach Services
    // without kube-proxy's iptables rules (docs.cilium.io network/kubernetes/kubeproxy-free).
    "bpf-lb-sock": "true",
    // l7Proxy=true with Envoy embedded in the agent (envoy.enabled=false).
    "enable-l7-proxy": "true",
    "external-envoy-proxy": "false",
    "envoy-base-id": "0",
    "envoy-keep-cap-netbindservice": "false",
    // cilium-configmap.yaml: set whenever gatewayAPI.enabled (envoyConfig.retryInterval default 15s).
    "enable-envoy-config": "true",
    "envoy-config-retry-interval": "15s",
    // gatewayAPI.* values, rendered by cilium-configmap.yaml's `if .Values.gatewayAPI.enabled` block.
    "enable-gateway-api": "true",
    "enable-gateway-api-secrets-sync": "true",
    "enable-gateway-api-proxy-protocol": "false",
    "enable-gateway-api-app-protocol": "false",
    "enable-gateway-api-alpn": "false",
    "gateway-api-xff-num-trusted-hops": "0",
    // Ignored in host-network mode (the operator warns and goes on), rendered by the chart all the same.
    "gateway-api-service-externaltrafficpolicy": "Cluster",
    "gateway-api-secrets-namespace": CILIUM_SECRETS_NAMESPACE,
    // Listeners bound on the nodes themselves, only on the ingress nodes (the label the control plane's labeler sets).
    "gateway-api-hostnetwork-enabled": "true",
    "gateway-api-hostnetwork-nodelabelselector": `${GATEWAY_NODE_LABEL}=true`,
  };
}

/** The operator's ClusterRole rules that cilium-operator/clusterrole.yaml adds when gatewayAPI.enabled. */
export function gatewayOperatorRules(): k8s.PolicyRule[] {
  return [
    // Secrets are read to sync the Gateways' TLS Secrets into cilium-secrets.
    { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
    // The operator manages the Service and endpoints of each Gateway.
    { apiGroups: [""], resources: ["services", "endpoints"], verbs: ["create", "update", "delete", "patch"] },
    {
      apiGroups: ["discovery.k8s.io"],
      resources: ["endpointslices"],
      verbs: ["get", "list", "watch", "create", "update", "delete", "patch"],
    },
    {
      apiGroups: ["gateway.networking.k8s.io"],
      resources: ["gatewayclasses", "gateways", "tlsroutes", "httproutes", "grpcroutes", "referencegrants", "referencepolicies"],
      verbs: ["get", "list", "watch"],
    },
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses"], verbs: ["patch"] },
    {
      apiGroups: ["gateway.networking.k8s.io"],
      resources: ["gatewayclasses/status", "gateways/status", "httproutes/status", "grpcroutes/status", "tlsroutes/status"],
      verbs: ["update", "patch"],
    },
    { apiGroups: ["cilium.io"], resources: ["ciliumgatewayclassconfigs"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["cilium.io"], resources: ["ciliumgatewayclassconfigs/status"], verbs: ["update", "patch"] },
    { apiGroups: ["multicluster.x-k8s.io"], resources: ["serviceimports"], verbs: ["get", "list", "watch"] },
  ];
}

export interface CiliumGatewaySecretsProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** ServiceAccount names of the agent and the operator. */
  readonly agent: string;
  readonly operator: string;
}

/**
 * The secrets namespace (cilium-secrets-namespace.yaml) and its Roles: the agent reads the synced TLS Secrets
 * (cilium-agent/role.yaml, cilium-gateway-secrets), the operator writes them (cilium-operator/role.yaml,
 * cilium-operator-gateway-secrets).
 */
export class CiliumGatewaySecrets extends Construct {
  constructor(scope: Construct, id: string, props: CiliumGatewaySecretsProps) {
    super(scope, id);
    const { labels } = props;
    const rbac = "rbac.authorization.k8s.io";
    const ns = CILIUM_SECRETS_NAMESPACE;
    new k8s.KubeNamespace(this, "namespace", { metadata: { name: ns, labels } });
    const grant = (key: string, name: string, account: string, verbs: string[]) => {
      new k8s.KubeRole(this, `${key}-role`, {
        metadata: { name, namespace: ns, labels },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs }],
      });
      new k8s.KubeRoleBinding(this, `${key}-role-binding`, {
        metadata: { name, namespace: ns, labels },
        roleRef: { apiGroup: rbac, kind: "Role", name },
        subjects: [{ kind: "ServiceAccount", name: account, namespace: props.namespace }],
      });
    };
    grant("agent", "cilium-gateway-secrets", props.agent, ["get", "list", "watch"]);
    grant("operator", "cilium-operator-gateway-secrets", props.operator, ["create", "delete", "update", "patch"]);
  }
}
