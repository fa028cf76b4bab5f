// Owns the NetworkPolicy building blocks of the platform namespaces: a default deny of all ingress in a namespace and
// narrow allows on top (by pod, namespace and port). Only ingress is restricted: egress stays open so DNS, the API
// server and every scrape target keep working. Two facts shape what they can and cannot do
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/): host-network pods are not selected by
// any policy, and traffic from the node a pod runs on (the kubelet's probes) is always allowed. Cilium enforces them.
import { k8s } from "../platform/k8s";
import type { Construct } from "constructs";

/** Pods of one namespace, by label, as a NetworkPolicy peer. */
export interface PodPeer {
  /** The peer pods' namespace (matched on the kubernetes.io/metadata.name label the API server sets on every namespace). */
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** A NetworkPolicy that selects every pod of `namespace` and allows no ingress: each allow is its own policy on top. */
export function denyAllIngress(scope: Construct, namespace: string, labels: Record<string, string>): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, "deny-all-ingress", {
    metadata: { name: "deny-all-ingress", namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  });
}

/** Allows ingress to the pods `podLabels` of `namespace` on `ports`, from `from` (omitted: from anywhere). */
export function allowIngress(
  scope: Construct,
  id: string,
  props: {
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly ports: readonly number[];
    readonly from?: readonly PodPeer[];
  },
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: id, namespace: props.namespace, labels: props.labels },
    spec: {
      podSelector: { matchLabels: { ...props.podLabels } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          ports: props.ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: "TCP" })),
          ...(props.from
            ? {
                from: props.from.map((peer) => ({
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } },
                  podSelector: { matchLabels: { ...peer.podLabels } },
                })),
              }
            : {}),
        },
      ],
    },
  });
}
