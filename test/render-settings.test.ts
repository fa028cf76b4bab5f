// A generation's addon settings (constructs/addons/render.ts resolvedSettings): what zod's parse gives, parsed once per
// distinct input and shared, deep-frozen, by the generations that give that input; a different input parses anew and a
// bad one throws naming the field every time (a failure is never kept).
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
  test("gives zod's parse of each addon's input, the same frozen data for the same input", () => {
    const input = { monitoring: { prometheus: { scrapeInterval: "15s" } } };
    const first = resolvedSettings(generationWith(input));
    const second = resolvedSettings(generationWith(structuredClone(input), "b"));
    for (const addon of ADDONS) {
      expect(first.get(addon.key)).toEqual(addon.settings.parse((input as Record<string, unknown>)[addon.key], { jitless: true }));
      expect(second.get(addon.key)).toBe(first.get(addon.key));
    }
    const monitoring = first.get("monitoring") as { prometheus: { scrapeInterval: string } };
    expect(monitoring.prometheus.scrapeInterval).toBe("15s");
    expect(Object.isFrozen(monitoring) && Object.isFrozen(monitoring.prometheus)).toBe(true);
    expect(() =>
      (function change() {
        "use strict";
        monitoring.prometheus.scrapeInterval = "1s";
      })(),
    ).toThrow(TypeError);
  });

  test("parses a different input anew", () => {
    const fifteen = resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "15s" } } })).get("monitoring");
    const sixty = resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "60s" } } })).get("monitoring");
    expect((sixty as { prometheus: { scrapeInterval: string } }).prometheus.scrapeInterval).toBe("60s");
    expect(sixty).not.toBe(fifteen);
  });

  test("throws naming the field for a bad input, every time", () => {
    const bad = () => resolvedSettings(generationWith({ monitoring: { prometheus: { scrapeInterval: "soon" } } }));
    expect(bad).toThrow(/demo-a: addons\.monitoring\.prometheus\.scrapeInterval: /);
    expect(bad).toThrow(/demo-a: addons\.monitoring\.prometheus\.scrapeInterval: /);
  });
});
