// Owns the control-plane timer that creates a self-signed placeholder for the shared Gateway's TLS Secret while none
// exists (gateway-tls-placeholder.sh), so the https listener never holds back Cilium's Envoy listener and with it plain
// HTTP and the load balancer's health check: its unit and timer, and the settings file it reads (names, no secret).
// Only generations that run the gateway addon get it.
import type { ResolvedGeneration } from "../definition/resolve";
import { GATEWAY_NAMESPACE } from "../addons/gateway/chart";
import { gatewaySettingsSchema, runsGateway } from "../addons/gateway/settings";
import type { IgnitionConfig } from "./builder";
import { nodeFile } from "./templates";

/** The settings file gateway-tls-placeholder.service reads. */
export const GATEWAY_TLS_ENV_PATH = "/etc/immutable-clusters/gateway-tls.env";

/**
 * The name clients use, `<traffic.hostname>.<cluster>.<private zone>`: the same rule as trafficHostname in
 * constructs/fleet/traffic-stack.ts (test/gateway-tls-placeholder.test.ts checks they agree), restated here because that
 * module brings the cdktf provider bindings, which node configs do not load.
 */
export function gatewayTlsHostname(gen: ResolvedGeneration): string {
  return `${gen.cluster.traffic?.hostname ?? "apps"}.${gen.cluster.name}.${gen.cluster.dns.privateZoneName}`;
}

/** Adds the placeholder's unit, timer and settings to a control-plane node of a generation that runs the gateway. */
export function addGatewayTlsPlaceholder(config: IgnitionConfig, gen: ResolvedGeneration): void {
  if (!runsGateway(gen)) return;
  const settings = gatewaySettingsSchema.parse(gen.definition.addons?.gateway, { jitless: true });
  const values: Array<[string, string]> = [
    ["GATEWAY_NAMESPACE", GATEWAY_NAMESPACE],
    ["TLS_SECRET_NAME", settings.tlsSecretName],
    ["TLS_HOSTNAME", gatewayTlsHostname(gen)],
  ];
  config.addFile({
    path: GATEWAY_TLS_ENV_PATH,
    contents: `# Written by Ignition from the cluster definition; read by gateway-tls-placeholder.service.\n${values.map(([k, v]) => `${k}=${v}`).join("\n")}\n`,
  });
  config.addUnit({ name: "gateway-tls-placeholder.service", contents: nodeFile("units/gateway-tls-placeholder.service") });
  config.addUnit({ name: "gateway-tls-placeholder.timer", contents: nodeFile("units/gateway-tls-placeholder.timer"), enabled: true });
}
