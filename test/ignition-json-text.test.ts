// ignitionJsonText (constructs/ignition/builder/json-text.ts) against JSON.stringify itself: the node configs of
// several generations, compact and indented, documents built to defeat its placeholder (NULs, the characters `\u0000`),
// and seeded random JSON around its long-string threshold.
import { ignitionJsonText } from "../constructs/ignition/builder";
import { nodeIgnition, type NodeRole } from "../constructs/ignition/node-config";
import { resolveGeneration } from "../constructs/definition/resolve";
import { validateDefinition } from "../constructs/definition/validate";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const INDENTS = [undefined, 2, 4];

function expectSameAsStringify(value: unknown): void {
  for (const indent of INDENTS) expect(ignitionJsonText(value, indent)).toBe(JSON.stringify(value, null, indent));
}

describe("ignitionJsonText", () => {
  test("writes the node configs of several generations as JSON.stringify does, compact and indented, twice", () => {
    const cluster = validateDefinition(
      sampleCluster({
        generations: [
          sampleGeneration({ id: "a" }),
          sampleGeneration({
            id: "b",
            kubernetesVersion: "1.32.8",
            workerPools: [
              { name: "general", instanceTypes: ["m6i.large"], minSize: 1, maxSize: 3 },
              {
                name: "arm",
                instanceTypes: ["m7g.large"],
                minSize: 0,
                maxSize: 2,
                taints: [{ key: "k", value: "v", effect: "NoSchedule" }],
              },
            ],
          }),
        ],
      }),
    );
    for (const definition of cluster.generations) {
      const gen = resolveGeneration(cluster, definition);
      const roles: NodeRole[] = [{ kind: "controller" }, ...gen.workerPools.map((pool) => ({ kind: "worker" as const, pool }))];
      for (const role of roles) {
        const document = nodeIgnition(gen, role).toObject();
        // The second time every long string is one seen before.
        expectSameAsStringify(document);
        expectSameAsStringify(document);
      }
    }
  });

  test('falls back to JSON.stringify\'s text where another string is written with `"\\u0000"` in it', () => {
    const long = "x".repeat(300);
    const cases: unknown[] = [
      { a: long, b: "\u0000" },
      { a: long, b: "\\u0000" },
      { a: long, b: 'x"\u0000' },
      [long, '"\u0000"', long],
      { a: `${long}\u0000`, b: long },
      { a: `\\u0000${long}`, b: [long, long] },
      { a: "\u0000", [long]: long },
      [long, "\u0000", long, '"\\u0000"'],
      `\u0000${long}`,
      long,
    ];
    for (const value of cases) expectSameAsStringify(value);
  });

  test("writes seeded random JSON as JSON.stringify does", () => {
    let seed = 17;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pieces = ["a", "é", '"', "\\", "\n", "\u0000", "\u001f", "\\u0000", "\ud800", "😀", "$", "{", " ", "%{"];
    const text = (): string => {
      const length = random() < 0.5 ? Math.floor(random() * 20) : 250 + Math.floor(random() * 20);
      let s = "";
      while (s.length < length) s += random() < 0.9 ? "abcdefgh"[Math.floor(random() * 8)] : pieces[Math.floor(random() * pieces.length)];
      return s;
    };
    const shared = Array.from({ length: 5 }, text);
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return random() < 0.5 ? shared[Math.floor(random() * shared.length)] : text();
      if (r < 0.4) return [null, true, false, 0, -1.5, 1e21, undefined][Math.floor(random() * 7)];
      if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) expectSameAsStringify(value(0));
  });
});
