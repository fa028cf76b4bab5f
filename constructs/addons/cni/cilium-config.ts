// Owns the `cilium-config` ConfigMap data of a generation: VXLAN tunnel routing, cluster-pool IPAM on the generation's
// pod CIDR, NetworkPolicy enforcement, kube-proxy kept (no replacement), no L7 proxy, Hubble or clustermesh; the keys
// the Cilium 1.19 chart renders differently from the 1.17 one for these settings are switched on the release's minor.
import type { ResolvedGeneration } from "../../definition/resolve";
import type { CiliumRelease, ResolvedCniSettings } from "./settings";

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

/**
 * What the Cilium 1.19 chart (install/kubernetes/cilium/templates/cilium-configmap.yaml, chart cilium-1.19.6.tgz of
 * cilium/charts) renders differently from the 1.17.18 one for these settings, with the values it uses by default.
 */
function configOf119(release: CiliumRelease): { podWatcherInterval: string; extra: Record<string, string> } {
  if (release.minor < 19) return { podWatcherInterval: "15", extra: {} };
  return {
    // `printf "%ds" (int .Values.operator.unmanagedPodWatcher.intervalSeconds)`: a duration from 1.19 on.
    podWatcherInterval: "15s",
    extra: {
      // clustermesh.policyDefaultLocalCluster (true): policies select endpoints of the local cluster unless they name
      // another; the agent's own default is false.
      "policy-default-local-cluster": "true",
      // configDriftDetection.enabled / .driftChecker (true, true): the agent watches cilium-config (the
      // cilium-config-agent Role) and reports drift from its running flags; both off in the agent by default.
      "enable-dynamic-config": "true",
      "enable-drift-checker": "true",
    },
  };
}

/** The cilium-config data. */
export function ciliumConfig(
  generation: ResolvedGeneration,
  settings: ResolvedCniSettings,
  release: CiliumRelease,
): Record<string, string> {
  const v119 = configOf119(release);
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
    "unmanaged-pod-watcher-interval": v119.podWatcherInterval,
    // Metrics
    "prometheus-serve-addr": `:${AGENT_METRICS_PORT}`,
    "operator-prometheus-serve-addr": `:${OPERATOR_METRICS_PORT}`,
    "enable-metrics": "true",
    "operator-api-serve-addr": `127.0.0.1:${OPERATOR_HEALTH_PORT}`,
    // Keys the 1.19 chart adds by default (none before 1.19)
    ...v119.extra,
  };
}
