// Tests that yamlDocument (constructs/addons/yaml-document.ts) writes the same bytes as yaml's
// `stringify(value, { lineWidth: 0 })`: on every addon object of every example generation, and on hand-picked values
// that exercise each rule of yaml's scalar and block writers (quoting, block scalars and their chomping and indent
// indicators, document markers, words the core schema reads as other types, empty and nested collections) and the
// objects held more than once (anchors and aliases), the values it must hand to yaml whole (undefined, non-plain
// objects, long keys); and the other YAML the
// synth writes with it (kubeadm, authenticator and Prometheus configs).
import { parseAllDocuments, stringify } from "yaml";
import { authenticatorConfig } from "../constructs/addons/access/chart";
import { prometheusConfig, renderPrometheusConfig } from "../constructs/addons/monitoring/prometheus-config";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { yamlDocument } from "../constructs/addons/yaml-document";
import { resolveGeneration } from "../constructs/definition/resolve";
import { controllerJoinConfiguration, initConfiguration, workerJoinConfiguration } from "../constructs/ignition/kubeadm-config";
import { clusters } from "../clusters";

const yamlOf = (value: unknown) => stringify(value, { lineWidth: 0 });

/** Every addon object of every example generation, synthesized once for the tests that read them (none mutates one). */
let exampleObjects: Record<string, unknown>[] | undefined;
function everyExampleObject(): Record<string, unknown>[] {
  exampleObjects ??= clusters.flatMap((cluster) =>
    cluster.generations.flatMap((generation) =>
      synthesizeAddonObjects(resolveGeneration(cluster, generation)).flatMap((addon) => addon.objects),
    ),
  );
  return exampleObjects;
}

/**
 * A key under which two values are written alike by any YAML writer that reads only their content: the JSON text of a
 * plain tree (plain objects and arrays, strings, finite numbers other than -0, booleans, null; no object held twice,
 * which yaml would write as an anchor and aliases), else undefined (the value is compared on its own). The example
 * generations share many objects with equal content (about 170 distinct of some 400); each distinct one is compared.
 */
function plainTreeKey(value: unknown): string | undefined {
  const seen = new Set<object>();
  const plain = (v: unknown): boolean => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
    if (typeof v !== "object" || seen.has(v)) return false;
    seen.add(v);
    if (Array.isArray(v)) return v.every(plain);
    const prototype = Object.getPrototypeOf(v) as unknown;
    return (prototype === Object.prototype || prototype === null) && Object.values(v).every(plain);
  };
  return plain(value) ? JSON.stringify(value) : undefined;
}

/** Strings each of which takes a different path through yaml's stringifyString. */
const HARD_STRINGS: readonly string[] = [
  "",
  " ",
  "  ",
  "a b",
  "a  b",
  "a: b",
  "a:b",
  "x:",
  "a #b",
  "a#b",
  "#x",
  "- x",
  "-",
  "?",
  "? x",
  ":",
  "x ",
  " x",
  "true",
  "True",
  "TRUE",
  "false",
  "null",
  "Null",
  "NULL",
  "~",
  "yes",
  "on",
  "1",
  "-1",
  "+1",
  "0",
  "00",
  "-0",
  "0x1F",
  "0o17",
  "1.5",
  "1.",
  ".5",
  "+.5",
  "1e3",
  ".inf",
  "-.inf",
  ".nan",
  "1_000",
  "2001-12-14",
  "12:30",
  "a\nb",
  "a\nb\n",
  "a\nb\n\n",
  "\na",
  "  a\nb",
  "a\n  b",
  "a \nb",
  "a\n ",
  "a\n\n\nb",
  "a\n\tb",
  "x\n",
  "\n",
  "\n\n",
  "a\r\nb",
  "line one, over forty characters long in total\nline two",
  "x: y\nz: w",
  "- a\n- b",
  "---",
  "--- x",
  "x\n---\ny",
  "...",
  "%x",
  "a\tb",
  "\t",
  "a\u0000b",
  "\u0085x",
  "\u2028",
  "ab\u00a0c",
  "\ud800",
  "é",
  "ü ü",
  "a'b",
  'a"b',
  "a\"b'c",
  "'",
  '"',
  "a\\b",
  "{a}",
  "[a]",
  "a,b",
  "*a",
  "&a",
  "!a",
  "|",
  "|x",
  ">x",
  "@x",
  "`x",
  "a".repeat(1100),
  // Double-quoted text with a line break around yaml's doubleQuotedMinMultiLineLength (40 characters of JSON).
  ...[33, 34, 35, 36].flatMap((n) => [`${"x".repeat(n)}\n `, `${"x".repeat(n)}\u0001\nb`, `${"y".repeat(n)}\n\n\n c`]),
];

/** Each hard string as a key and a value at several depths, in maps and sequences. */
const HARD_VALUES: readonly unknown[] = HARD_STRINGS.flatMap((s) => [
  { [s]: s },
  { k: [s, [s], { [s]: s }] },
  { a: { b: { c: s } } },
  { [`k${s}`]: [[s]] },
]);

const HARD_SHAPES: readonly unknown[] = [
  {},
  { a: {} },
  { a: [] },
  { a: [{}] },
  { a: [[]] },
  {
    a: [
      [1, 2],
      [3, [4]],
    ],
  },
  { a: null, b: true, c: false, d: 0, e: 1.5, f: -3, g: 1e21, h: 1e-7, i: 123456789012345680000 },
  { a: [null, true, 1.25] },
  { x: [{ a: 1, b: [{ c: 2 }] }, {}] },
  { a: Object.create(null) as object },
];

describe("yamlDocument", () => {
  it("writes every addon object of every example generation as yaml's stringify does", () => {
    let objects = 0;
    let distinct = 0;
    const compared = new Set<string>();
    for (const object of everyExampleObject()) {
      objects++;
      const key = plainTreeKey(object);
      if (key !== undefined && compared.has(key)) continue;
      if (key !== undefined) compared.add(key);
      distinct++;
      expect(yamlDocument(object)).toBe(yamlOf(object));
    }
    expect(objects).toBeGreaterThan(200);
    expect(distinct).toBeGreaterThan(100);
  });

  it("writes Grafana's provisioning files as yaml's stringify with its default line width does", () => {
    let files = 0;
    for (const object of everyExampleObject()) {
      const data = (object.data ?? {}) as Record<string, string>;
      for (const name of ["datasources.yaml", "dashboards.yaml"].filter((n) => n in data)) {
        files++;
        expect(data[name]).toBe(stringify(parseAllDocuments(data[name])[0].toJS()));
      }
    }
    expect(files).toBeGreaterThan(1);
  });

  it("writes the kubeadm, authenticator and Prometheus configs of every example generation as yaml's stringify does", () => {
    // Each text, read back document by document and written again by yaml, is the same text.
    const asYamlWritesIt = (text: string) =>
      parseAllDocuments(text)
        .map((d) => yamlOf((d as { toJS(): unknown }).toJS()))
        .join("---\n");
    let texts = 0;
    for (const cluster of clusters)
      for (const definition of cluster.generations) {
        const generation = resolveGeneration(cluster, definition);
        const configs = [
          initConfiguration(generation),
          controllerJoinConfiguration(generation),
          ...generation.workerPools.map((pool) => workerJoinConfiguration(generation, pool)),
          authenticatorConfig(generation),
          renderPrometheusConfig({ clusterName: generation.fullName, scrapeInterval: "30s" }),
        ];
        for (const text of configs) {
          texts++;
          expect(text).toBe(asYamlWritesIt(text));
        }
      }
    expect(texts).toBeGreaterThan(20);
  });

  it("writes prometheus.yml from its template (the cluster name's scalar written in) as yaml's stringify writes the config", () => {
    // The first file of a scrape interval is written whole, the next ones from the template (prometheus-config.ts).
    for (const clusterName of ["first-cluster", ...HARD_STRINGS, "last-cluster"]) {
      const props = { clusterName, scrapeInterval: "17s" };
      expect({ clusterName, yaml: renderPrometheusConfig(props) }).toEqual({ clusterName, yaml: yamlOf(prometheusConfig(props)) });
    }
  });

  it("writes hard strings, as keys and values at any depth, as yaml's stringify does", () => {
    for (const value of HARD_VALUES) expect({ value, yaml: yamlDocument(value) }).toEqual({ value, yaml: yamlOf(value) });
  });

  it("writes empty and nested collections, numbers, booleans and null as yaml's stringify does", () => {
    for (const value of HARD_SHAPES) expect({ value, yaml: yamlDocument(value) }).toEqual({ value, yaml: yamlOf(value) });
    expect(yamlDocument({ a: {}, b: [], c: [{}] })).toBe("a: {}\nb: []\nc:\n  - {}\n");
  });

  it("writes objects and arrays held more than once as yaml does: an anchor, then aliases, cycles included", () => {
    const shared = { x: 1 };
    const empty = {};
    const list: unknown[] = [1, { y: 2 }];
    const cycle: Record<string, unknown> = { n: 1 };
    cycle.self = cycle;
    const inner = { k: "v" };
    const outer = { i: inner, j: [inner] };
    const cases: unknown[] = [
      { a: shared, b: shared },
      { a: shared, b: [shared, shared], c: { d: shared } },
      { a: empty, b: empty },
      { a: [empty, empty] },
      { a: list, b: list, c: [list] },
      { a: [], b: [[]] },
      { a: cycle },
      { a: outer, b: outer, c: inner },
      { a: [shared, { z: shared }], b: shared },
      { list: [[shared], [shared]] },
    ];
    for (const value of cases) expect(yamlDocument(value)).toBe(yamlOf(value));
    expect(yamlDocument({ a: shared, b: shared })).toBe("a: &a1\n  x: 1\nb: *a1\n");
  });

  it("hands what it does not mirror to yaml whole: undefined, non-plain objects, long keys, a root held in itself, non-maps", () => {
    const root: Record<string, unknown> = {};
    root.me = root;
    const cases: unknown[] = [
      { a: undefined, b: 1 },
      { a: -0 },
      { a: Number.NaN },
      { a: Number.POSITIVE_INFINITY },
      { a: new Date(0) },
      { ["k".repeat(1030)]: 1 },
      root,
      [1, { a: 2 }],
      "text",
      null,
    ];
    for (const value of cases) expect(yamlDocument(value)).toBe(yamlOf(value));
  });
});
