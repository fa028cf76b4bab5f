// Each cluster definition parsed once while addClusters builds its stacks (constructs/definition/parsed-definitions.ts):
// the stacks take addClusters' parsed form as it is, and anything else, or anything outside addClusters, is still parsed
// and refused when bad.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { addClusters } from "../constructs";
import { parsedDefinition, withParsedDefinitions } from "../constructs/definition/parsed-definitions";
import { DefinitionError, validateDefinition } from "../constructs/definition/validate";
import { App } from "../constructs/platform/terraform";

const staging = clusters.find((c) => c.name === "staging")!;
/** staging with its first generation alone (all traffic on it): one generation to build. */
const oneGeneration = { ...staging, generations: [{ ...staging.generations[0], weight: 100 }] };

describe("parsedDefinition", () => {
  it("takes a definition addClusters parsed as it is while addClusters runs, and parses it again outside", () => {
    const parsed = validateDefinition(staging);
    expect(withParsedDefinitions([parsed], () => parsedDefinition(parsed))).toBe(parsed);
    const outside = parsedDefinition(parsed);
    expect(outside).not.toBe(parsed);
    expect(outside).toEqual(parsed);
  });

  it("still parses and refuses any other definition inside", () => {
    const parsed = validateDefinition(staging);
    const bad = { ...staging, region: "mars-1" };
    expect(() => withParsedDefinitions([parsed], () => parsedDefinition(bad))).toThrow(DefinitionError);
    expect(withParsedDefinitions([parsed], () => parsedDefinition(staging))).not.toBe(staging);
  });

  it("ends with the build, also when the build throws", () => {
    const parsed = validateDefinition(staging);
    expect(() =>
      withParsedDefinitions([parsed], () => {
        throw new Error("refused");
      }),
    ).toThrow("refused");
    expect(parsedDefinition(parsed)).not.toBe(parsed);
  });
});

describe("addClusters", () => {
  it("builds every stack of a cluster from the one definition it parsed", () => {
    const outdir = mkdtempSync(join(tmpdir(), "parsed-definitions-"));
    try {
      const [stacks] = addClusters(new App({ outdir }), [oneGeneration]);
      expect(stacks.definition).not.toBe(oneGeneration);
      for (const generation of stacks.generations) expect(generation.cluster.generation.cluster).toBe(stacks.definition);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
