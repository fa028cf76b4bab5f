// Tests constructs/platform/deferred-packages.ts: the stand-ins carry exactly the real modules' exports (same names,
// same values once read); a one-generation synth in a plain node process loads none of the deferred packages (nor
// the yaml package: constructs/addons/yaml-document.ts writes its YAML)
// and writes the same files as without the stand-ins; and each stand-in loads the real module when used (a failed
// kubernetes-models validation is worded by ajv-i18n's English locale, cdk8s's Yaml writes YAML, a zod locale is a
// locale, a user's own zod configured with `z.locales` words errors as without them); IMMUTABLE_CLUSTERS_DEFER_PACKAGES=off
// (or 0) makes none of them: the packages load as before, and the synth writes the same files.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  assignedExportNames,
  formatRequires,
  deferredAjvI18n,
  deferredFormats,
  deferredObjectExports,
  deferredYaml,
  deferredZodLocales,
  deferPackagesEnabled,
  DEFER_PACKAGES_ENV,
  localeRequires,
  objectExportNames,
  zodLocaleRequires,
} from "../constructs/platform/deferred-packages";

const root = join(__dirname, "..");
const requireHere = createRequire(__filename);
const cdk8sYamlPath = createRequire(requireHere.resolve("cdk8s/lib/yaml")).resolve("yaml");
const validateIndex = createRequire(
  createRequire(requireHere.resolve("kubernetes-models/v1/ConfigMap")).resolve("@kubernetes-models/base"),
).resolve("@kubernetes-models/validate");
const ajvI18nPath = createRequire(join(validateIndex, "..", "validate.js")).resolve("ajv-i18n");
const zodLocalesPath = requireHere.resolve("zod/v4/locales");
const formatsPath = createRequire(join(validateIndex, "..", "formats.js")).resolve("ajv-formats-draft2019/formats/index.js");
const semverPath = createRequire(requireHere.resolve("cdktf/lib/validations/validate-binary-version")).resolve("semver");

/**
 * Runs a script in a plain node process (TypeScript through tsx's CommonJS hook), from the repository root, with
 * IMMUTABLE_CLUSTERS_DEFER_PACKAGES unset unless `env` sets it.
 */
function node(script: string, args: string[] = [], preload: string[] = [], env: Record<string, string> = {}): string {
  const requires = ["tsx/cjs", ...preload].flatMap((r) => ["-r", r]);
  const { [DEFER_PACKAGES_ENV]: _unset, ...inherited } = process.env;
  return execFileSync(process.execPath, [...requires, "-e", script, "--", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...inherited, ...env },
  });
}

/** Every file under `dir` with its bytes, by relative path. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, "latin1"));
    }
  };
  walk(dir);
  return out;
}

describe("deferred packages: the stand-ins", () => {
  it("cdk8s's yaml stand-in has the real module's export names, in order, and hands out its values", () => {
    const real = requireHere(cdk8sYamlPath) as Record<string, unknown>;
    const standIn = deferredYaml(cdk8sYamlPath, () => real)!;
    expect(assignedExportNames(readFileSync(cdk8sYamlPath, "utf8"))).toEqual(Object.keys(real));
    expect(Object.keys(standIn)).toEqual(Object.keys(real));
    for (const name of Object.keys(real)) expect(standIn[name]).toBe(real[name]);
  });

  it("ajv-i18n's stand-in has the real index's locales, in order, each the same module", () => {
    const real = requireHere(ajvI18nPath) as Record<string, unknown>;
    const standIn = deferredAjvI18n(ajvI18nPath)!;
    expect(Object.keys(standIn)).toEqual(Object.keys(real));
    expect(Object.keys(real)).toContain("en");
    for (const name of Object.keys(real)) expect(standIn[name]).toBe(real[name]);
  });

  it("zod's locales stand-in has the real index's locales, in order, each the same function, and reads as an ES module", () => {
    const real = requireHere(zodLocalesPath) as Record<string, unknown>;
    const standIn = deferredZodLocales(zodLocalesPath)!;
    expect(Object.keys(standIn)).toEqual(Object.keys(real));
    expect(Object.keys(real).length).toBeGreaterThan(50);
    for (const name of Object.keys(real)) expect(standIn[name]).toBe(real[name]);
    expect((standIn as { __esModule?: boolean }).__esModule).toBe(true);
  });

  it("cdktf's semver stand-in has the real module's export names, in order, and hands out its values", () => {
    const real = requireHere(semverPath) as Record<string, unknown>;
    const standIn = deferredObjectExports(semverPath, () => real)!;
    expect(Object.keys(standIn)).toEqual(Object.keys(real));
    expect(Object.keys(real)).toContain("satisfies");
    for (const name of Object.keys(real)) expect(standIn[name]).toBe(real[name]);
  });

  it("ajv-formats-draft2019's stand-in has the real formats, in order, each giving the real one's verdicts", () => {
    const real = requireHere(formatsPath) as Record<string, unknown>;
    const standIn = deferredFormats(formatsPath)!;
    expect(Object.keys(standIn)).toEqual(Object.keys(real));
    const samples = [
      "http://example.com/a?b#c",
      "//x",
      "mailto:a@b.c",
      "a@example.com",
      "ä@例え.jp",
      "xn--bcher-kva.example",
      "bad host",
      "P1D",
      "",
    ];
    for (const name of Object.keys(real)) {
      const r = real[name];
      const verdict = (f: unknown, v: string) => (typeof f === "function" ? (f as (x: string) => unknown)(v) : (f as RegExp).test(v));
      if (typeof r !== "function") expect(standIn[name]).toBe(r);
      for (const sample of samples)
        expect({ name, sample, ok: verdict(standIn[name], sample) }).toEqual({ name, sample, ok: verdict(r, sample) });
    }
  });

  it(`${DEFER_PACKAGES_ENV} turns the stand-ins off with "off" or "0", and only with those`, () => {
    for (const value of ["off", "0", "OFF", " Off "])
      expect({ value, on: deferPackagesEnabled({ [DEFER_PACKAGES_ENV]: value }) }).toEqual({ value, on: false });
    for (const value of [undefined, "", "1", "on", "true"])
      expect({ value, on: deferPackagesEnabled({ [DEFER_PACKAGES_ENV]: value }) }).toEqual({ value, on: true });
  });

  it("an index of another shape gets no stand-in", () => {
    expect(localeRequires('module.exports = { en: require("./en"), other: compute() }')).toBeUndefined();
    expect(localeRequires("exports.en = 1;")).toBeUndefined();
    expect(assignedExportNames("module.exports = {};")).toEqual([]);
    expect(objectExportNames("module.exports = {\n  a,\n  b: compute(1, 2),\n}")).toBeUndefined();
    expect(objectExportNames("module.exports = {\n  a,\n  b: c.d,\n}")).toEqual(["a", "b"]);
    expect(formatRequires("module.exports.iri = require('./iri');\nmodule.exports.x = 1;")).toBeUndefined();
    expect(formatRequires("module.exports['a-b'] = require('./a-b');")).toEqual([["a-b", "./a-b"]]);
    expect(zodLocaleRequires('var a_js_1 = require("./a.cjs");\nexports.b = somethingElse;')).toBeUndefined();
  });
});

describe("deferred packages: in a plain node process", () => {
  // Prints, at exit, which of the deferred packages node loaded for real, which as stand-ins.
  const probe = join(tmpdir(), `deferred-packages-probe-${process.pid}.js`);
  beforeAll(() => {
    const paths = {
      archiver: createRequire(requireHere.resolve("cdktf/lib/private/fs")).resolve("archiver"),
      cdk8sYaml: cdk8sYamlPath,
      ajvI18n: ajvI18nPath,
      zodLocales: zodLocalesPath,
      semver: semverPath,
      formats: formatsPath,
      // Not deferred: the library's own yaml, which yaml-document.ts loads only for what it does not write itself.
      yaml: requireHere.resolve("yaml"),
    };
    require("node:fs").writeFileSync(
      probe,
      `const paths = ${JSON.stringify(paths)};
process.on("exit", () => {
  const loaded = {};
  for (const [name, path] of Object.entries(paths)) {
    const m = require.cache[path];
    // A stand-in requires nothing; each real module requires its own files.
    loaded[name] = m === undefined ? "not loaded" : m.children.length > 0 ? "real" : "stand-in";
  }
  process.stdout.write("\\nLOADED " + JSON.stringify(loaded) + "\\n");
});`,
    );
  });
  afterAll(() => {
    rmSync(probe, { force: true });
    if (standInsRun !== undefined) rmSync(standInsRun.dir, { recursive: true, force: true });
  });

  // The bench app reads its output folder from argv[2], as `node app.js <out>` has it.
  const app = "process.argv.splice(1, 0, 'app'); require('./bench/apps/synth-one-generation.ts')";
  let standInsRun: { dir: string; out: string } | undefined;
  /** The one-generation synth with the stand-ins (the default): its folder and output, run once for the tests below. */
  function synthWithStandIns(): { dir: string; out: string } {
    if (standInsRun === undefined) {
      const dir = mkdtempSync(join(tmpdir(), "deferred-on-"));
      standInsRun = { dir, out: node(app, [dir], [probe]) };
    }
    return standInsRun;
  }

  /** The files of `a` and `b` are the same, byte for byte. */
  function expectSameFiles(a: Map<string, string>, b: Map<string, string>): void {
    expect(a.size).toBeGreaterThan(5);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) expect({ path, same: bytes === b.get(path) }).toEqual({ path, same: true });
  }

  it("a one-generation synth loads none of them and writes the same files as with them loaded", () => {
    const withReal = mkdtempSync(join(tmpdir(), "deferred-off-"));
    try {
      const { dir: withStandIns, out: on } = synthWithStandIns();
      expect(JSON.parse(/LOADED (.*)/.exec(on)![1])).toEqual({
        archiver: "stand-in",
        cdk8sYaml: "stand-in",
        ajvI18n: "stand-in",
        zodLocales: "stand-in",
        semver: "stand-in",
        formats: "stand-in",
        yaml: "not loaded",
      });
      // The same synth with the three packages loaded first (no stand-in can be made then).
      const preload = [
        "require(require('node:module').createRequire(require.resolve('cdktf/lib/private/fs')).resolve('archiver'))",
        `require(${JSON.stringify(cdk8sYamlPath)})`,
        `require(${JSON.stringify(ajvI18nPath)})`,
        `require(${JSON.stringify(zodLocalesPath)})`,
        `require(${JSON.stringify(semverPath)})`,
        `require(${JSON.stringify(formatsPath)})`,
      ].join(";");
      const off = node(`${preload};${app}`, [withReal], [probe]);
      expect(JSON.parse(/LOADED (.*)/.exec(off)![1])).toEqual({
        archiver: "real",
        cdk8sYaml: "real",
        ajvI18n: "real",
        zodLocales: "real",
        semver: "real",
        formats: "real",
        yaml: "not loaded",
      });
      expectSameFiles(files(withStandIns), files(withReal));
    } finally {
      rmSync(withReal, { recursive: true, force: true });
    }
  });

  it(`with ${DEFER_PACKAGES_ENV}=off (or 0) makes no stand-in: the packages load as before, and the synth writes the same files`, () => {
    const withoutStandIns = mkdtempSync(join(tmpdir(), "deferred-env-off-"));
    try {
      const off = node(app, [withoutStandIns], [probe], { [DEFER_PACKAGES_ENV]: "0" });
      expect(JSON.parse(/LOADED (.*)/.exec(off)![1])).toEqual({
        archiver: "real",
        cdk8sYaml: "real",
        ajvI18n: "real",
        zodLocales: "real",
        semver: "real",
        formats: "real",
        yaml: "not loaded",
      });
      expectSameFiles(files(synthWithStandIns().dir), files(withoutStandIns));
      // "off" too, in a process that only loads the library.
      const loadOnly = node('require("./constructs/platform/terraform"); require("./constructs/platform/k8s")', [], [probe], {
        [DEFER_PACKAGES_ENV]: "off",
      });
      expect(JSON.parse(/LOADED (.*)/.exec(loadOnly)![1])).toMatchObject({ archiver: "real", cdk8sYaml: "real", semver: "real" });
    } finally {
      rmSync(withoutStandIns, { recursive: true, force: true });
    }
  });

  it("a user's own zod, configured with a locale from z.locales, words errors as it does without the stand-ins", () => {
    // After the library loads (stand-ins on, then off): zod's German locale configured the way zod documents it.
    const script = `
      require("./constructs/platform/terraform");
      const { z } = require("zod");
      z.config(z.locales.de());
      const result = z.object({ port: z.number() }).safeParse({ port: "80" });
      console.log(JSON.stringify({ message: result.error.issues[0].message, locales: Object.keys(z.locales).length, same: require("zod/v4/locales").de === z.locales.de }));
    `;
    const outputOf = (text: string) => JSON.parse(text.split("\n").find((line) => line.startsWith("{"))!);
    const on = node(script, [], [probe]);
    const off = node(script, [], [probe], { [DEFER_PACKAGES_ENV]: "off" });
    expect(JSON.parse(/LOADED (.*)/.exec(on)![1])).toMatchObject({ zodLocales: "stand-in" });
    expect(JSON.parse(/LOADED (.*)/.exec(off)![1])).toMatchObject({ zodLocales: "real" });
    expect(outputOf(on)).toEqual(outputOf(off));
    expect(outputOf(on)).toMatchObject({ locales: Object.keys(requireHere(zodLocalesPath) as object).length, same: true });
    // German, not zod's English "Invalid input: expected number, received string".
    expect(outputOf(on).message).toMatch(/^Ungültige Eingabe/);
  });

  it("each stand-in loads the real module when used", () => {
    const out = node(
      `
      require("./constructs/platform/terraform");
      require("./constructs/platform/k8s");
      const { Yaml } = require("cdk8s");
      const { DaemonSet } = require("kubernetes-models/apps/v1/DaemonSet");
      let message;
      try { new DaemonSet({ metadata: { name: "x" }, spec: { selector: {}, template: { spec: { containers: "no" } } } }).validate(); }
      catch (error) { message = error.message; }
      const { z } = require("zod");
      const german = z.locales.de;
      const { ValidateBinaryVersion } = require("cdktf/lib/validations/validate-binary-version");
      const { formats } = require("@kubernetes-models/validate");
      const iri = [formats.iri("http://example.com/a"), formats.iri("not an iri"), formats["idn-email"]("a@example.com")];
      const semverSatisfies = require(${JSON.stringify(semverPath)}).satisfies("1.2.3", ">=1.2.0");
      console.log(JSON.stringify({ message, yaml: Yaml.stringify({ a: [1, "b"] }), german: typeof german, localeError: typeof german().localeError, semverSatisfies, validation: typeof ValidateBinaryVersion, iri }));
      `,
      [],
      [probe],
    );
    const result = JSON.parse(out.split("\n").find((line) => line.startsWith("{"))!);
    // ajv-i18n's English wording ("must be array"), not ajv's raw error object.
    expect(result.message).toContain("data/spec/template/spec/containers must be array");
    expect(result.yaml).toBe("a:\n  - 1\n  - b\n");
    expect([result.german, result.localeError]).toEqual(["function", "function"]);
    expect([result.semverSatisfies, result.validation]).toEqual([true, "function"]);
    expect(result.iri).toEqual([true, false, true]);
    // cdk8s's yaml and semver are now loaded for real; ajv-i18n stays a stand-in that loaded its English locale alone.
    expect(JSON.parse(/LOADED (.*)/.exec(out)![1])).toMatchObject({ cdk8sYaml: "real", ajvI18n: "stand-in", semver: "real" });
  });
});
