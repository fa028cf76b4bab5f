// Owns the `cilium-config` ConfigMap data of a generation: VXLAN tunnel routing, cluster-pool IPAM on the generation's
// pod CIDR, NetworkPolicy enforcement, kube-proxy kept (no replacement), no L7 proxy, Hubble or clustermesh.
import type { ResolvedGeneration } from "../../definition/resolve";
import type { ResolvedCniSettings } from "./settings";

/** The agent's health port (probes on 127.0.0.1). */
export const AGENT_HEALTH_PORT = 9879;
/** The operator's API/health port (probes on 127.0.0.1). */
export const OPERATOR_HEALTH_PORT = 9234;
export const AGENT_METRICS_PORT = 9962;
export const OPERATOR_METRICS_PORT = 9963;

/** Throws (naming the field) when a node's slice cannot fit in the pod CIDR. */
export function checkNodeMaskSize(generation: ResolvedGeneration, settings: ResolvedCniSettings): void {
  const prefix = Number(generation.podCidr.split("/")[1]);
  if (settings.nodeMaskSize <= prefix) {
    throw new Error(
      `addons.cni.nodeMaskSize ${settings.nodeMaskSize}: must be longer than the pod CIDR's prefix (${generation.podCidr}); ` +
        `use e.g. ${Math.min(28, prefix + 8)} or widen networking.podCidr`,
    );
  }
}

/** The cilium-config data. */
export function ciliumConfig(generation: ResolvedGeneration, settings: ResolvedCniSettings): Record<string, string> {
  return {
    "cluster-name": generation.fullName,
    "cluster-id": "0",
    debug: "false",
    "identity-allocation-mode": "crd",
    "identity-heartbeat-timeout": "30m0s",
    "identity-gc-interval": "15m0s",
    "cilium-endpoint-gc-interval": "5m0s",
    "nodes-gc-interval": "5m0s",
    // NetworkPolicy
    "enable-policy": settings.policyEnforcement,
    "enable-l7-proxy": "false",
    "external-envoy-proxy": "false",
    "enable-hubble": "false",
    "mesh-auth-enabled": "false",
    // Addressing and routing
    "enable-ipv4": "true",
    "enable-ipv6": "false",
    ipam: "cluster-pool",
    "cluster-pool-ipv4-cidr": generation.podCidr,
    "cluster-pool-ipv4-mask-size": String(settings.nodeMaskSize),
    "routing-mode": "tunnel",
    "tunnel-protocol": "vxlan",
    "enable-ipv4-masquerade": "true",
    "enable-bpf-masquerade": "false",
    "auto-direct-node-routes": "false",
    // kube-proxy stays (kubeadm's): no replacement, socket LB off.
    "kube-proxy-replacement": "false",
    "bpf-lb-sock": "false",
    "enable-health-check-nodeport": "true",
    "enable-health-checking": "true",
    "enable-endpoint-health-checking": "true",
    "enable-xt-socket-fallback": "true",
    "install-no-conntrack-iptables-rules": "false",
    // Datapath
    "bpf-map-dynamic-size-ratio": "0.0025",
    "bpf-policy-map-max": "16384",
    "bpf-lb-map-max": "65536",
    "preallocate-bpf-maps": "false",
    "monitor-aggregation": "medium",
    "monitor-aggregation-interval": "5s",
    "monitor-aggregation-flags": "all",
    "bpf-root": "/sys/fs/bpf",
    "cgroup-root": "/run/cilium/cgroupv2",
    procfs: "/host/proc",
    // CNI configuration and node readiness
    "cni-exclusive": "true",
    "cni-log-file": "/var/run/cilium/cilium-cni.log",
    "write-cni-conf-when-ready": "/host/etc/cni/net.d/05-cilium.conflist",
    "custom-cni-conf": "false",
    "agent-not-ready-taint-key": "node.cilium.io/agent-not-ready",
    "remove-cilium-node-taints": "true",
    "set-cilium-node-taints": "true",
    "set-cilium-is-up-condition": "true",
    "synchronize-k8s-nodes": "true",
    "unmanaged-pod-watcher-interval": "15",
    // Metrics
    "prometheus-serve-addr": `:${AGENT_METRICS_PORT}`,
    "operator-prometheus-serve-addr": `:${OPERATOR_METRICS_PORT}`,
    "enable-metrics": "true",
    "operator-api-serve-addr": `127.0.0.1:${OPERATOR_HEALTH_PORT}`,
  };
}
