// Owns the list of addons a generation can ship, in apply order. Adding an addon = one entry here plus its field in
// definition.ts; the definition schema (schema.ts) and the renderer (render.ts) derive from this list.
import { defineAddon, enabledFlag, type Addon } from "./addon";
import { IamAuthenticatorChart } from "./access/chart";
import { bindsOidcGroups, iamAuthenticatorSettingsSchema, runsIamAuthenticator } from "./access/settings";
import { CloudControllerChart } from "./cloud-controller/chart";
import { ClusterAutoscalerChart } from "./cluster-autoscaler/chart";
import { clusterAutoscalerSettingsSchema } from "./cluster-autoscaler/settings";
import { cloudControllerSettingsSchema } from "./cloud-controller/settings";
import { CniChart } from "./cni/chart";
import { cniSettingsSchema } from "./cni/settings";
import { CoreDnsChart } from "./coredns/chart";
import { coreDnsSettingsSchema } from "./coredns/settings";
import { GatewayChart } from "./gateway/chart";
import { gatewayKubernetesVersion, gatewaySettingsSchema, runsGateway } from "./gateway/settings";
import { MetricsServerChart } from "./metrics-server/chart";
import { metricsServerSettingsSchema } from "./metrics-server/settings";
import { IngressNginxChart } from "./ingress-nginx/chart";
import { ingressNginxSettingsSchema } from "./ingress-nginx/settings";
import { LoggingChart } from "./logging/chart";
import { loggingSettingsSchema } from "./logging/settings";
import { MonitoringChart } from "./monitoring/chart";
import { monitoringSettingsSchema } from "./monitoring/settings";
import { PodIdentityWebhookChart } from "./pod-identity-webhook/chart";
import { podIdentityWebhookSettingsSchema } from "./pod-identity-webhook/settings";
import { TenantsChart } from "./tenants/chart";
import { tenantsSettingsSchema } from "./tenants/settings";

/** Every addon, in apply order (by file prefix). */
export const ADDONS: readonly Addon[] = [
  defineAddon({
    key: "iamAuthenticator",
    // First: host network, no pod network or DNS needed; the API server's token webhook.
    file: "05-access",
    settings: iamAuthenticatorSettingsSchema,
    // The authenticator, or only the access bindings when OIDC groups are bound without it.
    isEnabled: (settings, generation) => (settings.enabled && runsIamAuthenticator(generation)) || bindsOidcGroups(generation),
    build: (scope, id, generation, settings) => new IamAuthenticatorChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "cni",
    file: "10-cni",
    settings: cniSettingsSchema,
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new CniChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "coredns",
    file: "20-coredns",
    settings: coreDnsSettingsSchema,
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new CoreDnsChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "cloudController",
    file: "30-cloud-controller",
    settings: cloudControllerSettingsSchema,
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new CloudControllerChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "podIdentityWebhook",
    // After the pod network (its Service) and before the workloads whose pods it mutates; opt-in (settings.ts).
    file: "35-pod-identity-webhook",
    settings: podIdentityWebhookSettingsSchema,
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new PodIdentityWebhookChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "metricsServer",
    file: "40-metrics-server",
    settings: metricsServerSettingsSchema,
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new MetricsServerChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "clusterAutoscaler",
    file: "45-cluster-autoscaler",
    settings: clusterAutoscalerSettingsSchema,
    // Shipped only where a pool is autoscaled: a generation without one renders exactly as before.
    isEnabled: (settings, generation) => settings.enabled && generation.workerPools.some((p) => p.autoscale !== undefined),
    build: (scope, id, generation, settings) => new ClusterAutoscalerChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "ingressNginx",
    file: "50-ingress-nginx",
    settings: ingressNginxSettingsSchema,
    // Retired upstream (March 2026): only generations before Kubernetes 1.33 run it; newer ones run the gateway.
    isEnabled: (settings, generation) => settings.enabled && !gatewayKubernetesVersion(generation.kubernetesVersion),
    build: (scope, id, generation, settings) => new IngressNginxChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "gateway",
    // Where ingress-nginx was; the gateway's Cilium settings are in 10-cni (cni/gateway-config.ts).
    file: "50-gateway",
    settings: gatewaySettingsSchema,
    isEnabled: (_settings, generation) => runsGateway(generation),
    build: (scope, id, generation, settings) => new GatewayChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "logging",
    file: "60-logging",
    settings: loggingSettingsSchema.prefault({}),
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new LoggingChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "monitoring",
    file: "70-monitoring",
    settings: monitoringSettingsSchema.prefault({}),
    isEnabled: enabledFlag,
    build: (scope, id, generation, settings) => new MonitoringChart(scope, id, { generation, settings }),
  }),
  defineAddon({
    key: "tenants",
    file: "80-tenants",
    settings: tenantsSettingsSchema,
    isEnabled: (tenants) => tenants.length > 0,
    build: (scope, id, generation, tenants) => new TenantsChart(scope, id, { generation, tenants }),
  }),
] as readonly Addon[];
