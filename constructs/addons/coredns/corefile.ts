// Owns the CoreDNS Corefile of a cluster: the kubernetes plugin for the cluster domain, health/ready endpoints for the
// probes, Prometheus metrics, forwarding to the configured upstreams and caching.
import type { ResolvedCoreDnsSettings } from "./settings";

/** The DNS domain of Services and Pods (kubeadm's default). */
export const CLUSTER_DOMAIN = "cluster.local";
/** Port of the `health` plugin (liveness). */
export const HEALTH_PORT = 8080;
/** Port of the `ready` plugin (readiness). */
export const READY_PORT = 8181;
/** Port of the `prometheus` plugin. */
export const METRICS_PORT = 9153;

/** The Corefile text. */
export function renderCorefile(settings: ResolvedCoreDnsSettings): string {
  return [
    ".:53 {",
    "    errors",
    "    health {",
    "        lameduck 5s",
    "    }",
    `    ready :${READY_PORT}`,
    `    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
    "        pods insecure",
    "        fallthrough in-addr.arpa ip6.arpa",
    "        ttl 30",
    "    }",
    `    prometheus :${METRICS_PORT}`,
    `    forward . ${settings.upstreams.join(" ")} {`,
    "        max_concurrent 1000",
    "    }",
    `    cache ${settings.cacheSeconds}`,
    "    loop",
    "    reload",
    "    loadbalance",
    "}",
    "",
  ].join("\n");
}
