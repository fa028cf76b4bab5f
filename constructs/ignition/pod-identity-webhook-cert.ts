// Owns the control-plane timer that creates the pod identity webhook's serving certificate while none exists and keeps
// the webhook configuration's caBundle on it (pod-identity-webhook-cert.sh): its unit and timer. Only generations that
// enable addons.podIdentityWebhook get it.
import type { ResolvedGeneration } from "../definition/resolve";
import { podIdentityWebhookSettingsSchema } from "../addons/pod-identity-webhook/settings";
import type { IgnitionConfig } from "./builder";
import { nodeFile } from "./templates";

/**
 * `enabled` of the settings a generation that gives none gets: the schema's parse of `undefined`, parsed once per process
 * (a zod parse is a function of the schema, a module constant, and its input; most generations give no settings, and
 * a parse per node config was about 0.1 ms of each generation's synth, issue 17).
 */
let enabledWhenNotGiven: boolean | undefined;

/** Whether a generation runs the pod identity webhook (its addon setting, default off). */
export function runsPodIdentityWebhook(gen: ResolvedGeneration): boolean {
  const given = gen.definition.addons?.podIdentityWebhook;
  if (given === undefined) return (enabledWhenNotGiven ??= parseEnabled(undefined));
  return parseEnabled(given);
}

function parseEnabled(settings: unknown): boolean {
  return podIdentityWebhookSettingsSchema.parse(settings, { jitless: true }).enabled;
}

/** Adds the certificate's unit and timer to a control-plane node of a generation that runs the webhook. */
export function addPodIdentityWebhookCert(config: IgnitionConfig, gen: ResolvedGeneration): void {
  if (!runsPodIdentityWebhook(gen)) return;
  config.addUnit({ name: "pod-identity-webhook-cert.service", contents: nodeFile("units/pod-identity-webhook-cert.service") });
  config.addUnit({ name: "pod-identity-webhook-cert.timer", contents: nodeFile("units/pod-identity-webhook-cert.timer"), enabled: true });
}
