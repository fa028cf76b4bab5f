// Owns the ports where the ingress load balancer meets the nodes and the API server's Service NodePort range
// (kube-apiserver --service-node-port-range) around them: the ingress ports every generation's load balancer targets,
// the range a gateway generation's API server hands out (the ingress ports left outside it), the parsing of the flag's
// value, and the check of a definition that sets the flag itself (controlPlane.apiServer.extraArgs).
//
// Why a gateway generation needs its own range. Its ingress ports are not NodePorts of a Service but host-network
// listeners of Cilium's Envoy (constructs/addons/gateway/chart.ts), and Cilium runs with kube-proxy replacement there.
//  - The API server hands a NodePort/LoadBalancer Service that names no nodePort a random port of the range's upper
//    band: with the default range 30000-32767 the static band is 30000-30085 and the dynamic band 30086-32767
//    (kubernetes.io/docs/concepts/services-networking/service/#avoid-nodeport-collisions, KEP-3668; band size
//    min(max(16, size/32), 128) in kubernetes/kubernetes pkg/registry/core/service/portallocator/allocator.go
//    calculateRangeOffset). So 30443 can go to any Service, e.g. one a team or an addon creates, without asking for it;
//    30080 when the dynamic band is full, or to a Service that names it.
//  - Cilium's kube-proxy replacement answers a node port in BPF at the node's device before the host stack sees the
//    packet (cilium/cilium bpf/lib/nodeport.h nodeport_lb4: lb4_lookup_service() on destination address and port; a
//    hit is load-balanced to the Service's backends, only a miss goes on to the stack). A host socket in the range is
//    preempted by a Service that gets its port: Cilium itself moved gops off a random port for that reason ("in case
//    gops collides with a NodePort service ... kube-proxy free variant will redirect us to the actual service
//    instead", cilium/cilium commit 7757d31604740a663214678d7469d509c5508bcb, #14329). A Service given 30443 would so
//    take every node's 30443 (the load balancer's https traffic) away from the gateway.
// Narrowing the range to start above the ingress ports keeps every Service, dynamic or static, off them, while the load
// balancer, target groups, security groups and health check keep the same ports as before (cluster.ts).
// Cilium 1.19's gateway itself makes only a ClusterIP Service in host-network mode (cilium/cilium#38227, #45486:
// "When gateway-api-hostnetwork-enabled is true, the gateway service is created as ClusterIP"); newer Cilium makes it a
// NodePort Service with random node ports (cilium/cilium#47171, "forces the Gateway's generated Service to type
// NodePort, which gets a randomly assigned port"): the narrowed range keeps those off the ingress ports too.

/** An inclusive range of TCP ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The ports the ingress load balancer's target groups forward to on the ingress nodes: ingress-nginx's NodePorts
 * (Kubernetes 1.31-1.32) or the gateway's host-network listeners (1.33+). Unchanged since 0.1.0: frozen generations'
 * manifests bind them and every generation's stack targets them.
 */
export const INGRESS_NODE_PORTS = { http: 30080, https: 30443 } as const;

/**
 * kube-apiserver's default `--service-node-port-range` ("Default: 30000-32767",
 * https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/), which generations without the
 * gateway keep: ingress-nginx's Service claims the ingress ports as NodePorts inside it.
 */
export const DEFAULT_NODE_PORT_RANGE: PortRange = { min: 30000, max: 32767 };

/** The kube-apiserver flag (without dashes) that sets the range. */
export const NODE_PORT_RANGE_FLAG = "service-node-port-range";

/**
 * The NodePort range of a gateway generation's API server: from the port after the highest ingress port to the default
 * range's end (30444-32767 for 30080/30443), so no Service can be given a port the gateway's listeners bind. The
 * 2,324 ports left keep a static band of 72 (30444-30515, by the formula above).
 */
export function gatewayNodePortRange(ingressPorts: { readonly http: number; readonly https: number }): PortRange {
  return { min: Math.max(ingressPorts.http, ingressPorts.https) + 1, max: DEFAULT_NODE_PORT_RANGE.max };
}

/** The flag's value for a range, `min-max`. */
export function formatPortRange(range: PortRange): string {
  return `${range.min}-${range.max}`;
}

/**
 * Parses the flag's value the way kube-apiserver does (k8s.io/apimachinery pkg/util/net/port_range.go ParsePortRange:
 * "min-max", "base+offset" or a single port, within 1-65535, an empty range refused); undefined when it would not parse.
 */
export function parsePortRange(value: string): PortRange | undefined {
  const match = /^\s*(\d{1,5})(?:([-+])(\d{1,5}))?\s*$/.exec(value);
  if (!match) return undefined;
  const base = Number(match[1]);
  const other = match[3] === undefined ? undefined : Number(match[3]);
  const range =
    other === undefined ? { min: base, max: base } : match[2] === "-" ? { min: base, max: other } : { min: base, max: base + other };
  return range.min >= 1 && range.max <= 65535 && range.min <= range.max ? range : undefined;
}

/** Whether a port lies in a range. */
export function inPortRange(port: number, range: PortRange): boolean {
  return port >= range.min && port <= range.max;
}

/**
 * The problem with a `service-node-port-range` a definition sets itself, or undefined. On a gateway generation no
 * ingress port may lie inside it (a Service could be given the gateway's listener port); where ingress-nginx runs, both
 * must (its Service claims them as NodePorts, and kube-apiserver refuses a nodePort outside the range).
 */
export function nodePortRangeProblem(value: string, ingress: "gateway" | "ingress-nginx" | "none"): string | undefined {
  const range = parsePortRange(value);
  if (!range)
    return `"${value}" is not a port range; write it as min-max within 1-65535 (e.g. "${formatPortRange(gatewayNodePortRange(INGRESS_NODE_PORTS))}")`;
  const ports = [INGRESS_NODE_PORTS.http, INGRESS_NODE_PORTS.https];
  if (ingress === "gateway") {
    const inside = ports.filter((p) => inPortRange(p, range));
    if (inside.length)
      return (
        `"${value}" contains the gateway's listener port${inside.length > 1 ? "s" : ""} ${inside.join(" and ")}, which a ` +
        `NodePort Service could then be given; start the range above ${Math.max(...ports)} (this generation's default is ` +
        `"${formatPortRange(gatewayNodePortRange(INGRESS_NODE_PORTS))}") or remove the flag`
      );
  }
  if (ingress === "ingress-nginx") {
    const outside = ports.filter((p) => !inPortRange(p, range));
    if (outside.length)
      return (
        `"${value}" leaves out ingress-nginx's NodePort${outside.length > 1 ? "s" : ""} ${outside.join(" and ")}, so its ` +
        `Service would be refused; use a range that includes ${ports.join(" and ")} or remove the flag`
      );
  }
  return undefined;
}
