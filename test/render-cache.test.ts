// Render sharing (issue 17): an object is serialized and schema-checked once per process by its content key, and only
// when its JSON says everything that decides its YAML and its verdict; a node config's file is gzipped once per text.
import { stringify } from "yaml";
import { toYaml } from "../constructs/addons/render";
import { contentKey, withSharedContentKeys } from "../constructs/addons/render-cache";
import { schemaProblems } from "../constructs/addons/validate-schema";
import { dataUrl, decodeDataUrl } from "../constructs/ignition/builder/contents";

describe("contentKey", () => {
  it("is the JSON text of a plain object, equal for equal objects in the same key order", () => {
    const a = { kind: "ConfigMap", metadata: { name: "x", labels: { app: "x" } }, data: { n: "1" }, list: [1, true, null] };
    expect(contentKey(a)).toBe(JSON.stringify(a));
    expect(contentKey(structuredClone(a))).toBe(contentKey(a));
    expect(contentKey({ b: 1, a: 2 })).not.toBe(contentKey({ a: 2, b: 1 }));
  });

  it("has no key when the same object appears twice (yaml writes an anchor and an alias)", () => {
    const shared = { app: "x" };
    expect(contentKey({ a: shared, b: shared })).toBeUndefined();
    expect(contentKey({ a: [shared], b: [{ app: "x" }] })).toBeDefined();
  });

  it.each([
    ["undefined", { a: undefined }],
    ["undefined in a list", { a: [undefined] }],
    ["NaN", { a: NaN }],
    ["Infinity", { a: Infinity }],
    ["-0", { a: -0 }],
    ["a Date (converted by toJSON)", { a: new Date(0) }],
    ["a Map", { a: new Map([["k", "v"]]) }],
    ["a class instance", { a: new (class Thing {})() }],
    ["a function", { a: () => 1 }],
    ["a bigint", { a: BigInt(1) }],
    ["a symbol", { a: Symbol("s") }],
    ["an array with its own toJSON", { a: Object.assign(["x"], { toJSON: () => "y" }) }],
    ["an object with its own toJSON", { a: { toJSON: () => "y" } }],
  ])("has no key for %s, which JSON does not carry one to one", (_what, object) => {
    expect(contentKey(object)).toBeUndefined();
  });
});

describe("withSharedContentKeys", () => {
  it("keys each object once while it runs, and afresh outside", () => {
    const object: Record<string, unknown> = { kind: "ConfigMap", data: { n: "1" } };
    const inside = withSharedContentKeys(() => {
      const first = contentKey(object);
      object.data = { n: "2" }; // not allowed inside; shows the key is not computed again
      return [first, contentKey(object)];
    });
    expect(inside).toEqual([
      JSON.stringify({ kind: "ConfigMap", data: { n: "1" } }),
      JSON.stringify({ kind: "ConfigMap", data: { n: "1" } }),
    ]);
    expect(contentKey(object)).toBe(JSON.stringify(object));
    expect(withSharedContentKeys(() => contentKey({ a: undefined }))).toBeUndefined();
  });
});

describe("toYaml with shared documents", () => {
  it("writes each object as yaml's stringify does, the second of two equal objects included", () => {
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } },
    ];
    const expected = objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
    expect(toYaml(objects)).toBe(expected);
    expect(toYaml(objects)).toBe(expected);
  });

  it("keeps anchors of an object with a shared part after rendering an equal object without one", () => {
    const labels = { app: "x" };
    const plain = { kind: "Thing", a: { app: "x" }, b: { app: "x" } };
    const shared = { kind: "Thing", a: labels, b: labels };
    expect(toYaml([plain])).not.toContain("&");
    expect(toYaml([shared])).toBe(stringify(shared, { lineWidth: 0 }));
    expect(toYaml([shared])).toContain("&");
  });
});

describe("schemaProblems with shared verdicts", () => {
  it("gives an equal object the same verdict, as a list the caller may change", () => {
    const bad = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { n: 1 } };
    const first = schemaProblems(bad);
    expect(first.length).toBeGreaterThan(0);
    first.push("changed by the caller");
    expect(schemaProblems(structuredClone(bad))).toEqual(first.slice(0, -1));
    expect(schemaProblems({ ...bad, data: { n: "1" } })).toEqual([]);
  });
});

describe("dataUrl with shared encodings", () => {
  it("encodes a text the same way every time and hands out copies", () => {
    const text = "#!/bin/sh\n" + "echo hello\n".repeat(200);
    const first = dataUrl(text);
    const second = dataUrl(text);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(first.compression).toBe("gzip");
    expect(decodeDataUrl(second.source, second.compression)).toBe(text);
  });
});
