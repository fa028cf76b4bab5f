// The weight rules of a cluster's generations as a table: each weight 0-100 and whole, at least one live generation
// carrying traffic, a retiring generation carrying none; every refusal names the field and says what to do.
import { definitionProblems } from "../constructs/definition/validate";
import type { GenerationDefinition } from "../constructs/definition/types";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

type Gen = Pick<GenerationDefinition, "weight" | "state">;
const cluster = (...gens: Gen[]) =>
  sampleCluster({ generations: gens.map((g, i) => sampleGeneration({ id: String.fromCharCode(97 + i), ...g })) });

describe("generation weights", () => {
  test.each<[string, Gen[]]>([
    ["one generation with all traffic", [{ weight: 100 }]],
    ["a new generation added at 0", [{ weight: 100 }, { weight: 0 }]],
    ["a 75/25 shift", [{ weight: 75 }, { weight: 25 }]],
    ["all traffic moved, the old one still live at 0", [{ weight: 0 }, { weight: 100 }]],
    ["the old one retiring at 0", [{ weight: 0, state: "retiring" }, { weight: 100 }]],
    ["three generations", [{ weight: 0, state: "retiring" }, { weight: 50 }, { weight: 50 }]],
  ])("accepts %s", (_, gens) => {
    expect(definitionProblems(cluster(...gens))).toEqual([]);
  });

  test.each<[string, Gen[], string, RegExp]>([
    ["a weight above 100", [{ weight: 101 }], "generations[0].weight", /must be from 0 to 100/],
    ["a negative weight", [{ weight: 100 }, { weight: -5 }], "generations[1].weight", /must be from 0 to 100/],
    ["a fractional weight", [{ weight: 62.5 }, { weight: 37.5 }], "generations[0].weight", /whole number from 0 to 100/],
    [
      "no live generation carrying traffic",
      [{ weight: 0 }, { weight: 0 }],
      "generations",
      /give at least one live generation a weight above 0/,
    ],
    [
      "the only traffic on a retiring generation",
      [{ weight: 100, state: "retiring" }, { weight: 0 }],
      "generations",
      /no live generation carries traffic/,
    ],
    [
      "a retiring generation with traffic",
      [{ weight: 25, state: "retiring" }, { weight: 75 }],
      "generations[0].weight",
      /retiring but has weight 25; shift its traffic away \(weight 0\)/,
    ],
  ])("refuses %s", (_, gens, field, message) => {
    const problems = definitionProblems(cluster(...gens));
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
  });
});
