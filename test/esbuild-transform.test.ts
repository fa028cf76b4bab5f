// The jest transformer (test/support/esbuild-transform.js) and the stack format (test/support/stack-format.ts): errors
// point at TypeScript lines, class fields keep tsc's ES2022 semantics, default imports interoperate as with
// esModuleInterop, the cache key changes with what the output depends on, and stacks captured into plain objects (as
// cdktf does for every token) still list their frames.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

// Type-only lines that esbuild removes, so a stack mapped to the JavaScript output would name another line.
interface Unused {
  readonly a: string;
}
type AlsoUnused = Unused | undefined;

const thrown = (): Error => new Error("here");
/** The line of `new Error` above, in the TypeScript source. */
const THROW_LINE =
  readFileSync(__filename, "utf8")
    .split("\n")
    .findIndex((line) => line.includes('=> new Error("here")')) + 1;

class WithField {
  // tsc with target ES2022 defines class fields (useDefineForClassFields), so an own property exists even when unset.
  declared?: string;
  initialised = 1;
}

const transformer = require("./support/esbuild-transform") as {
  process(source: string, path: string): { code: string };
  getCacheKey(source: string, path: string, options: { configString: string }): string;
};

describe("the esbuild transformer", () => {
  test("an error's stack names this TypeScript file and line", () => {
    const unused: AlsoUnused = undefined;
    expect(unused).toBeUndefined();
    expect(thrown().stack).toContain(`esbuild-transform.test.ts:${THROW_LINE}:`);
  });

  test("class fields are defined as tsc defines them for ES2022", () => {
    const instance = new WithField();
    expect(Object.prototype.hasOwnProperty.call(instance, "declared")).toBe(true);
    expect(instance.initialised).toBe(1);
  });

  test("a default import of a CommonJS module is its exports, as with esModuleInterop", () => {
    expect(YAML.stringify({ a: 1 })).toBe("a: 1\n");
  });

  test("writes CommonJS with an inline source map, and keys the cache on the text, the path and jest's config", () => {
    const source = readFileSync(__filename, "utf8");
    const { code } = transformer.process(source, __filename);
    expect(code).toMatch(/require\("node:fs"\)/);
    expect(code).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    const key = transformer.getCacheKey(source, __filename, { configString: "{}" });
    expect(transformer.getCacheKey(source, __filename, { configString: "{}" })).toBe(key);
    expect(transformer.getCacheKey(`${source}\n`, __filename, { configString: "{}" })).not.toBe(key);
    expect(transformer.getCacheKey(source, join(__dirname, "other.test.ts"), { configString: "{}" })).not.toBe(key);
    expect(transformer.getCacheKey(source, __filename, { configString: "{ }" })).not.toBe(key);
  });
});

describe("stack captures into plain objects", () => {
  test("still list every frame, unmapped; an error's frames stay mapped", () => {
    const capture = { stack: "" };
    Error.captureStackTrace(capture);
    const frames = capture.stack.split("\n").slice(1);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((line) => line.startsWith("    at "))).toBe(true);
    expect(frames[0]).toContain("esbuild-transform.test.ts");
    expect(thrown().stack).toContain(`esbuild-transform.test.ts:${THROW_LINE}:`);
  });
});
