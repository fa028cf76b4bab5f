// Test support: seeded random mutations of cluster definitions for the property-style tests (one field changed per
// mutant: a value of another type, a boundary number, a string edit, a deleted field or a stray key).
import { pathSegments, withField } from "./definition-mutations";

/** mulberry32: a small seeded PRNG (https://gist.github.com/tommyettinger/46a874533244883189143505d203312c), so a failing run is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every field path of a value, in the refusal's notation (objects and lists included, not only leaves). */
export function fieldPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [`${prefix}[${i}]`, ...fieldPaths(v, `${prefix}[${i}]`)]);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => {
      const path = /^[A-Za-z_$][\w$]*$/.test(k) ? (prefix ? `${prefix}.${k}` : k) : `${prefix}[${JSON.stringify(k)}]`;
      return [path, ...fieldPaths(v, path)];
    });
  }
  return [];
}

/** One mutation: where and what, for the test's name and failure message. */
export interface Mutant {
  readonly path: string;
  readonly description: string;
  readonly definition: unknown;
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)];

/** A replacement for `current`, chosen at random among edits that a hurried user (or a bad merge) makes. */
function replacement(random: () => number, current: unknown): [string, unknown] {
  const generic: Array<[string, unknown]> = [
    ["deleted", undefined],
    ["null", null],
    ["empty string", ""],
    ["a number", 7],
    ["a string", "x"],
    ["a list", []],
    ["an object", {}],
    ["true", true],
    ["Infinity", Infinity],
    ["NaN", NaN],
    ["a long string", "z".repeat(300)],
  ];
  if (typeof current === "number") {
    return pick(random, [
      ...generic,
      ["+1", current + 1],
      ["-1", current - 1],
      ["negated", -current],
      ["x1000", current * 1000],
      ["+0.5", current + 0.5],
      ["as a string", String(current)],
      ["0", 0],
    ]);
  }
  if (typeof current === "string") {
    return pick(random, [
      ...generic,
      ["upper-cased", current.toUpperCase()],
      ["last character dropped", current.slice(0, -1)],
      ["character appended", `${current}9`],
      ["space added", `${current} `],
      ["doubled", current + current],
      ["sign prefixed", `-${current}`],
      ["slash inserted", `a/${current}`],
    ]);
  }
  if (typeof current === "boolean") return pick(random, [...generic, ["negated", !current], ["as a string", String(current)]]);
  if (Array.isArray(current))
    return pick(random, [...generic, ["emptied", []], ["first entry doubled", current.length ? [current[0], ...current] : []]]);
  return pick(random, [...generic, ["emptied", {}], ["stray key", { ...(current as object), stray: 1 }]]);
}

/** `count` mutants of `base`, each with one field changed; the same seed gives the same mutants. */
export function mutants(base: unknown, seed: number, count: number): Mutant[] {
  const random = seededRandom(seed);
  const paths = fieldPaths(base);
  return Array.from({ length: count }, () => {
    const path = pick(random, paths);
    const current = valueAt(base, path);
    const [description, value] = replacement(random, current);
    return { path, description, definition: withField(base, path, value) };
  });
}

function valueAt(base: unknown, path: string): unknown {
  return pathSegments(path).reduce<unknown>((target, key) => (target as Record<string | number, unknown> | undefined)?.[key], base);
}

/** `count` of the accepted mutants, spread over the list (deterministic: same mutants, same sample). */
export function acceptedSample(accepted: readonly Mutant[], count: number): Mutant[] {
  const step = Math.max(1, Math.floor(accepted.length / count));
  return accepted.filter((_, i) => i % step === 0).slice(0, count);
}
