// A generation's addon settings (constructs/addons/render.ts resolvedSettings): what zod's parse gives; an addon's
// defaults (no settings given) parsed once per process and shared, deep-frozen, by the generations that give none;
// settings given parsed for each generation; a bad input throws naming the field every time.
import { ADDONS } from "../constructs/addons/registry";
import { resolvedSettings } from "../constructs/addons/render";
import type { GenerationDefinition } from "../constructs";
import { resolveGeneration } from "../constructs/definition/resolve";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const generationWith = (addons: unknown, id = "a") => {
  const cluster = sampleCluster({ generations: [sampleGeneration({ id, addons: addons as GenerationDefinition["addons"] })] });
  return resolveGeneration(cluster, cluster.generations[0]);
};

describe("resolvedSettings", () => {
  test("gives zod's parse of each addon's input; the defaults are the same frozen data for every generation", () => {
    const input = { monitoring: { prometheus: { scrapeInterval: "15s" } } };
    const first = resolvedSettings(generationWith(input));
    const second = resolvedSettings(generationWith(structuredClone(input), "b"));
    for (const addon of ADDONS) {
      const given = (input as Record<string, unknown>)[addon.key];
      expect(first.get(addon.key)).toEqual(addon.settings.parse(given, { jitless: true }));
      if (given === undefined) expect(second.get(addon.key)).toBe(first.get(addon.key));
    }
    const defaults = first.get("coredns") as Record<string, unknown>;
    expect(Object.isFrozen(defaults)).toBe(true);
    expect(() =>
      (function change() {
        "use strict";
        defaults.enabled = false;
      })(),
    ).toThrow(TypeError);
  });

  test("parses settings given for each generation", () => {
    const fifteen = resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "15s" } } })).get("monitoring");
    const sixty = resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "60s" } } })).get("monitoring");
    expect((fifteen as { prometheus: { scrapeInterval: string } }).prometheus.scrapeInterval).toBe("15s");
    expect((sixty as { prometheus: { scrapeInterval: string } }).prometheus.scrapeInterval).toBe("60s");
    expect(Object.isFrozen(sixty)).toBe(false);
  });

  test("throws naming the field for a bad input, every time", () => {
    const bad = () => resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "soon" } } }));
    expect(bad).toThrow(/demo-a: addons\.monitoring\.prometheus\.scrapeInterval: /);
    expect(bad).toThrow(/demo-a: addons\.monitoring\.prometheus\.scrapeInterval: /);
  });
});
