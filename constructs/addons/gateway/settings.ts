// Owns the settings of the gateway addon (Gateway API through Cilium's own implementation, the ingress of generations on
// Kubernetes 1.33 and newer): the typed interface a definition writes under `addons.gateway`, its zod schema, and the
// one rule every part of a rendering asks: does this generation run the gateway (and so Cilium's kube-proxy
// replacement, and no kube-proxy, no ingress-nginx)?
import { z } from "zod";
import type { ResolvedGeneration } from "../../definition/resolve";
import { kubernetesMinor } from "../../ignition/kubernetes-releases";
import { enabledSchema } from "../common/workload";

/** Settings of the gateway addon, under `addons.gateway` of a generation. */
export interface GatewaySettings {
  /**
   * Serve the generation's ingress with a Gateway API Gateway (Cilium's implementation, host-network listeners on the
   * ingress pools). Only generations on Kubernetes 1.33 and newer run it; older ones keep ingress-nginx.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Name of the TLS Secret (type kubernetes.io/tls, in namespace `ingress-gateway`) the shared Gateway's https listener
   * terminates with. You create it (cert-manager, `kubectl create secret tls`): no key is ever synthesized. Until it
   * exists, the control plane creates a self-signed placeholder under this name (gateway-tls-placeholder.sh, made on
   * the node; never replaces a Secret that exists), so the https listener cannot hold back http (docs/addons.md).
   * @default "ingress-tls"
   */
  readonly tlsSecretName?: string;
}

/** Kubernetes minors from which generations are served by the gateway instead of ingress-nginx (retired in March 2026). */
export const GATEWAY_FROM_KUBERNETES_MINOR = 33;

/** Validates `addons.gateway` and fills in every default. */
export const gatewaySettingsSchema = z
  .object({
    enabled: enabledSchema,
    tlsSecretName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: 'must be a Secret name (lowercase DNS subdomain, e.g. "ingress-tls")' })
      .default("ingress-tls"),
  })
  .strict()
  .prefault({});

/** gateway settings with every default applied. */
export type ResolvedGatewaySettings = z.output<typeof gatewaySettingsSchema>;

/** Whether a Kubernetes version is one the gateway serves (1.33 and newer). */
export function gatewayKubernetesVersion(kubernetesVersion: string): boolean {
  return Number(kubernetesMinor(kubernetesVersion).split(".")[1]) >= GATEWAY_FROM_KUBERNETES_MINOR;
}

/**
 * Whether the generation runs the gateway: Kubernetes 1.33 or newer and `addons.gateway.enabled` not false. Such a
 * generation also runs Cilium with kube-proxy replacement and kubeadm skips its kube-proxy addon (Cilium's Gateway API
 * needs kube-proxy replacement); ingress-nginx is not rendered for it.
 */
export function runsGateway(generation: ResolvedGeneration): boolean {
  return gatewayKubernetesVersion(generation.kubernetesVersion) && generation.definition.addons?.gateway?.enabled !== false;
}
