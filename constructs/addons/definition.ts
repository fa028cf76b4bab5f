// Owns the typed addon settings a generation's definition carries under `addons`: one optional field per addon.
import type { IamAuthenticatorSettings } from "./access/settings";
import type { CloudControllerSettings } from "./cloud-controller/settings";
import type { ClusterAutoscalerSettings } from "./cluster-autoscaler/settings";
import type { CniSettings } from "./cni/settings";
import type { CoreDnsSettings } from "./coredns/settings";
import type { GatewaySettings } from "./gateway/settings";
import type { IngressNginxSettings } from "./ingress-nginx/settings";
import type { LoggingSettings } from "./logging/settings";
import type { MetricsServerSettings } from "./metrics-server/settings";
import type { MonitoringSettings } from "./monitoring/settings";
import type { PodIdentityWebhookSettings } from "./pod-identity-webhook/settings";
import type { TenantDefinition } from "./tenants/settings";

/** Addon settings of one generation. Every addon is enabled with its defaults unless said otherwise. */
export interface AddonsDefinition {
  /** Cilium: pod networking (VXLAN) and NetworkPolicy enforcement on the generation's pod CIDR. @default { enabled: true } */
  readonly cni?: CniSettings;
  /** CoreDNS as the cluster DNS, scaled with the cluster. @default { enabled: true } */
  readonly coredns?: CoreDnsSettings;
  /** AWS cloud controller manager (LoadBalancer Services, node provider IDs and zones). @default { enabled: true } */
  readonly cloudController?: CloudControllerSettings;
  /**
   * The pod identity webhook (aws/amazon-eks-pod-identity-webhook): pods of a ServiceAccount annotated
   * `eks.amazonaws.com/role-arn` get AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the projected token (IAM roles for
   * service accounts, docs/workload-identity.md). Opt-in. @default { enabled: false }
   */
  readonly podIdentityWebhook?: PodIdentityWebhookSettings;
  /** metrics-server (HorizontalPodAutoscalers, `kubectl top`). @default { enabled: true } */
  readonly metricsServer?: MetricsServerSettings;
  /** cluster-autoscaler for the pools that set `autoscale` (shipped only when one does). @default { enabled: true } */
  readonly clusterAutoscaler?: ClusterAutoscalerSettings;
  /**
   * ingress-nginx on the ingress pools' nodes, behind the generation's ingress load balancer: generations before
   * Kubernetes 1.33 only (retired upstream in March 2026; newer generations run `gateway`). @default { enabled: true }
   */
  readonly ingressNginx?: IngressNginxSettings;
  /**
   * Gateway API (Cilium's implementation) on the ingress pools' nodes, behind the generation's ingress load balancer:
   * generations on Kubernetes 1.33 and newer. @default { enabled: true }
   */
  readonly gateway?: GatewaySettings;
  /** fluent-bit log shipping. @default { enabled: true, output: { type: "stdout" } } */
  readonly logging?: LoggingSettings;
  /** Prometheus, node-exporter, kube-state-metrics and Grafana. @default { enabled: true } */
  readonly monitoring?: MonitoringSettings;
  /** Team namespaces with quota, limits, network isolation and RoleBindings. @default [] */
  readonly tenants?: readonly TenantDefinition[];
  /**
   * aws-iam-authenticator on the control plane: maps the IAM roles of the cluster's `access` to Kubernetes groups.
   * @default { enabled: true } (it runs when `access` maps a role)
   */
  readonly iamAuthenticator?: IamAuthenticatorSettings;
}
