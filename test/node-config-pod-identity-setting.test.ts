// runsPodIdentityWebhook keeps the parse of "no settings given" for the process (constructs/ignition/
// pod-identity-webhook-cert.ts): whatever order generations come in, each gets what its own settings parse to, and bad
// settings are still refused.
import { resolveGeneration } from "../constructs/definition/resolve";
import type { GenerationDefinition } from "../constructs/definition/types";
import { podIdentityWebhookSettingsSchema } from "../constructs/addons/pod-identity-webhook/settings";
import { runsPodIdentityWebhook } from "../constructs/ignition/pod-identity-webhook-cert";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

function gen(overrides: Partial<GenerationDefinition>) {
  const cluster = sampleCluster({ generations: [sampleGeneration(overrides)] });
  return resolveGeneration(cluster, cluster.generations[0]);
}

const none = gen({});
const enabled = gen({ addons: { podIdentityWebhook: { enabled: true } } });
const disabled = gen({ addons: { podIdentityWebhook: { enabled: false } } });
const givenEmpty = gen({ addons: { podIdentityWebhook: {} } });

test("each generation gets its own settings' answer, in any order", () => {
  const expected = (g: typeof none) => podIdentityWebhookSettingsSchema.parse(g.definition.addons?.podIdentityWebhook).enabled;
  const order = [none, enabled, none, disabled, givenEmpty, enabled, none, enabled];
  expect(order.map(runsPodIdentityWebhook)).toEqual(order.map(expected));
  expect(order.map(runsPodIdentityWebhook)).toEqual([false, true, false, false, false, true, false, true]);
});

test("the controller's node config carries the certificate timer only where the webhook runs", () => {
  const units = (g: typeof none) =>
    (JSON.parse(renderNodeIgnition(g, { kind: "controller" })) as { systemd: { units: { name: string }[] } }).systemd.units.map(
      (u) => u.name,
    );
  expect(units(enabled)).toContain("pod-identity-webhook-cert.timer");
  expect(units(none)).not.toContain("pod-identity-webhook-cert.timer");
  expect(units(enabled)).toContain("pod-identity-webhook-cert.timer");
});

test("settings that do not parse are refused, also after a generation without settings", () => {
  expect(runsPodIdentityWebhook(none)).toBe(false);
  const bad = { ...none, definition: { ...none.definition, addons: { podIdentityWebhook: { enabled: "yes" } } } } as unknown as typeof none;
  expect(() => runsPodIdentityWebhook(bad)).toThrow();
});
