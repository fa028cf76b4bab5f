// Owns the gateway addon's manifests: the `cilium` GatewayClass, the
// platform namespace `ingress-gateway` with the shared Gateway `ingress` listening on the ingress load balancer's
// target ports (Cilium's host-network mode binds them on the ingress nodes only), the health route the load balancer
// checks, and the two Cilium policies that let traffic through the gateway's identity. Cilium itself (kube-proxy
// replacement, Gateway API controller, embedded Envoy) is configured by the cni addon (cni/gateway-config.ts), whose
// file also carries the vendored Gateway API CRDs (crds.ts), ahead of Cilium's operator (cni/chart.ts toJson).
import { ApiObject, Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { RESTRICTED_INGRESS_NODE_LABEL } from "../../ignition/ingress-node-labels";
import { GATEWAY_API_VERSION } from "./crds";
import type { ResolvedGatewaySettings } from "./settings";

export interface GatewayChartProps {
  /** The generation whose ingress ports, health path and ingress pools the gateway serves. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.gateway`. */
  readonly settings: ResolvedGatewaySettings;
}

/** The platform namespace holding the shared Gateway (no pods run there: Envoy runs inside the Cilium agents). */
export const GATEWAY_NAMESPACE = "ingress-gateway";
/** The shared Gateway every app attaches its HTTPRoutes to. */
export const GATEWAY_NAME = "ingress";
/** The GatewayClass of Cilium's implementation (install/kubernetes/cilium/templates/cilium-gateway-api-class.yaml). */
export const GATEWAY_CLASS = "cilium";
/** Cilium's controller name (the same template). */
export const CILIUM_GATEWAY_CONTROLLER = "io.cilium/gateway-controller";
/** Listener names: apps attach to either with `sectionName`, or to both by leaving it out. */
export const HTTP_LISTENER = "http";
export const HTTPS_LISTENER = "https";
/** The node label Cilium's host-network listeners are restricted to (only the control plane's labeler sets it). */
export const GATEWAY_NODE_LABEL = RESTRICTED_INGRESS_NODE_LABEL;

const GATEWAY_API = "gateway.networking.k8s.io/v1";

export class GatewayChart extends Chart {
  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const labels = {
      "app.kubernetes.io/name": "gateway",
      "app.kubernetes.io/part-of": "gateway",
      "app.kubernetes.io/version": GATEWAY_API_VERSION,
      "app.kubernetes.io/managed-by": "immutable-clusters",
    };

    new k8s.KubeNamespace(this, "namespace", {
      metadata: {
        name: GATEWAY_NAMESPACE,
        labels: {
          ...labels,
          // Only Gateway API objects live here; nothing may run a pod in it.
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    new ApiObject(this, "gateway-class", {
      apiVersion: GATEWAY_API,
      kind: "GatewayClass",
      metadata: { name: GATEWAY_CLASS, labels },
      spec: { controllerName: CILIUM_GATEWAY_CONTROLLER, description: "Cilium's Gateway API implementation (immutable-clusters)" },
    });
    // In Cilium's host-network mode the listener port is the port Envoy binds on every selected node
    // (Documentation/network/servicemesh/gateway-api/host-network-mode.rst: "the host network port for a Gateway can be
    // specified via spec.listeners.port"), so the listeners are the ports the ingress load balancer's target groups
    // forward to (constructs/cluster/ingress-load-balancer.ts). Routes may attach from every namespace: an app team
    // publishes its HTTPRoute beside its Service (docs/addons.md, "Publishing an app").
    const allowedRoutes = { namespaces: { from: "All" } };
    new ApiObject(this, "gateway", {
      apiVersion: GATEWAY_API,
      kind: "Gateway",
      metadata: { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, labels },
      spec: {
        gatewayClassName: GATEWAY_CLASS,
        listeners: [
          { name: HTTP_LISTENER, protocol: "HTTP", port: generation.ingressNodePorts.http, allowedRoutes },
          {
            name: HTTPS_LISTENER,
            protocol: "HTTPS",
            port: generation.ingressNodePorts.https,
            // TLS ends here with the Secret you create (never synthesized); the load balancer passes TLS through.
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: settings.tlsSecretName }] },
            allowedRoutes,
          },
        ],
      },
    });
    // The load balancer's health check (HTTP GET of traffic.healthPath on the http port, success 200-399): answered by
    // the gateway itself with a redirect, which needs no backend, so a node passes exactly when its Envoy serves the
    // Gateway's listener. Standard-channel HTTPRoute has no direct response; RequestRedirect (302) is core.
    new ApiObject(this, "health-route", {
      apiVersion: GATEWAY_API,
      kind: "HTTPRoute",
      metadata: { name: "load-balancer-health", namespace: GATEWAY_NAMESPACE, labels },
      spec: {
        parentRefs: [{ name: GATEWAY_NAME, sectionName: HTTP_LISTENER }],
        rules: [
          {
            matches: [{ path: { type: "Exact", value: generation.healthPath } }],
            filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 302 } }],
          },
        ],
      },
    });
    this.addGatewayPolicies(labels);
  }

  /**
   * Traffic through Cilium's gateway has two policy points (docs.cilium.io, network/servicemesh/ingress-reference:
   * "traffic that arrives at Envoy for Ingress or Gateway API is assigned the special ingress identity", allowed
   * "from world to ingress, and from ingress to identities in the cluster"). Kubernetes NetworkPolicies cannot name
   * that identity, so the tenants' default-deny would drop gateway traffic: these two clusterwide policies allow the
   * load balancer's clients into the gateway and the gateway to every pod. `enableDefaultDeny: false` (Cilium 1.15+,
   * CiliumNetworkPolicy spec) keeps them additive: they never put a pod into default deny, so pods no other policy
   * selects stay open as before.
   */
  private addGatewayPolicies(labels: Record<string, string>): void {
    const additive = { ingress: false, egress: false };
    new ApiObject(this, "policy-clients-to-gateway", {
      apiVersion: "cilium.io/v2",
      kind: "CiliumClusterwideNetworkPolicy",
      metadata: { name: "gateway-from-load-balancer", labels },
      spec: {
        description: "Clients of the ingress load balancer reach the gateway; the gateway reaches the cluster's pods",
        endpointSelector: { matchExpressions: [{ key: "reserved:ingress", operator: "Exists" }] },
        enableDefaultDeny: additive,
        ingress: [{ fromEntities: ["all"] }],
        egress: [{ toEntities: ["cluster"] }],
      },
    });
    new ApiObject(this, "policy-gateway-to-pods", {
      apiVersion: "cilium.io/v2",
      kind: "CiliumClusterwideNetworkPolicy",
      metadata: { name: "pods-from-gateway", labels },
      spec: {
        description: "Every pod accepts traffic from the gateway (HTTPRoutes reach only Services of their own namespace)",
        endpointSelector: {},
        enableDefaultDeny: additive,
        ingress: [{ fromEntities: ["ingress"] }],
      },
    });
  }
}
