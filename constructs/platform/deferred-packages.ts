// Owns deferring, until first use, packages that our dependencies load as they load but that a synth never calls:
// 403 of the ~1,100 modules a one-generation synth loaded, about a tenth of its CPU (docs/using-the-library.md
// "Synth cost per generation"). Each is put in node's module cache, before its requirer loads, as a stand-in whose
// every export loads the real module (or the one real file it needs) on first use, so behaviour is unchanged:
// - `archiver` (7.0.1, with its 202 dependency modules), bundled in cdktf 0.21.0 and required at load by
//   lib/private/fs.js, which calls it only when run as its own process (`node lib/private/fs.js <src> <dest>`, how
//   archiveSync zips a TerraformAsset of type ARCHIVE), never in the process that loads it.
// - cdk8s 2.70.106's own copy of `yaml` (72 modules), required by lib/yaml.js for `Yaml.load`/`Yaml.stringify`
//   (Include, Helm, App.synth to files); the library renders charts with `chart.toJson()` and never calls them.
// - `ajv-i18n` 4.2.0's index (all 23 locales, 24 modules), required by @kubernetes-models/validate 4.0.0's
//   dist/validate.js to word a failed validation (`ajv_i18n.en(errors)`): each locale is loaded alone, when read.
// - `semver` (7.7.2, 45 modules), bundled in cdktf 0.21.0 and required at load by
//   lib/validations/validate-binary-version.js, which calls `semver.satisfies` only when such a validation runs (a
//   check of an installed binary's version, which the library never adds).
// - ajv-formats-draft2019 1.6.1's format validators that load packages (iri, iri-reference, idn-email, idn-hostname,
//   with uri-js, schemes, smtp-address-parser, nearley and punycode: 15 modules), which @kubernetes-models/validate
//   4.0.0's dist/formats.js spreads into the formats it offers; no kubernetes-models schema uses them. Each is a
//   function standing in for the real one, loaded on its first call.
// - zod 4.6.7's locales index (v4/locales/index.cjs, 63 locale modules), which zod's classic API loads to export
//   `z.locales`; zod itself configures English from v4/locales/en.cjs directly: each locale is loaded alone, when read.
// The stand-ins are made only where node's module cache is real (not under jest, whose registry ignores writes to
// require.cache) and only when neither the package nor its requirer is loaded yet; any surprise in the installed
// files (a path that does not resolve, an index of another shape) leaves that package to load as before.
// IMMUTABLE_CLUSTERS_DEFER_PACKAGES=off (or 0) in the environment makes none of them: every package loads as before
// (docs/using-the-library.md, "Synth cost per generation").
import Module, { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const requireHere = createRequire(__filename);

/** Set to `off` or `0` to make no stand-in: every package loads when its requirer loads, as without this module. */
export const DEFER_PACKAGES_ENV = "IMMUTABLE_CLUSTERS_DEFER_PACKAGES";

/** True unless the environment turns the stand-ins off (DEFER_PACKAGES_ENV `off` or `0`, any case, spaces ignored). */
export function deferPackagesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env[DEFER_PACKAGES_ENV]?.trim().toLowerCase();
  return setting !== "off" && setting !== "0";
}

/** Node's module cache, by resolved file name. */
const moduleCache = (Module as unknown as { _cache: Record<string, NodeModule | undefined> })._cache;

/**
 * Puts `exportsOf(load)` in node's module cache as the module at `path`, where `load` requires the real one (taking
 * the stand-in out of the cache first). Does nothing when `path` or `requirer` is loaded already, or when `exportsOf`
 * gives undefined.
 */
function defer(path: string, requirer: string, exportsOf: (load: () => unknown) => object | undefined): void {
  if (moduleCache[path] !== undefined || moduleCache[requirer] !== undefined) return;
  let real: unknown;
  const load = () => {
    if (real === undefined) {
      if (moduleCache[path] === standIn) delete moduleCache[path];
      real = createRequire(requirer)(path);
    }
    return real;
  };
  const standInExports = exportsOf(load);
  if (standInExports === undefined) return; // the installed files are not of the shape read here: loaded as before
  const standIn = new Module(path) as NodeModule & { filename: string; loaded: boolean };
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = standInExports;
  moduleCache[path] = standIn;
}

/** An object with one enumerable getter per name, each reading `valueOf(name)` on first use. */
function lazyExports(names: readonly string[], valueOf: (name: string) => unknown): Record<string, unknown> {
  const standIn: Record<string, unknown> = {};
  for (const name of names) Object.defineProperty(standIn, name, { enumerable: true, configurable: true, get: () => valueOf(name) });
  return standIn;
}

/** The names a CommonJS index assigns as `exports.<name> = ` (yaml's dist/index.js), in order. */
export function assignedExportNames(source: string): string[] {
  return [...source.matchAll(/^exports\.([A-Za-z_$][\w$]*) = /gm)].map((m) => m[1]);
}

/** The names of a CommonJS index's `module.exports = { name, name: value, ... }` (semver's index.js), in order. */
export function objectExportNames(source: string): string[] | undefined {
  const body = /^module\.exports = \{\n([^}]*)\n\}/m.exec(source)?.[1];
  if (body === undefined) return undefined;
  const names = body.split("\n").map((line) => /^\s*([A-Za-z_$][\w$]*)(?::[^,]*)?,?$/.exec(line)?.[1]);
  return names.every((name) => name !== undefined) ? (names as string[]) : undefined;
}

/** The stand-in exports of a CommonJS index at `index` that exports an object literal: each read from the real one. */
export function deferredObjectExports(index: string, load: () => unknown): Record<string, unknown> | undefined {
  const names = objectExportNames(readFileSync(index, "utf8"));
  if (names === undefined || names.length === 0) return undefined;
  return lazyExports(names, (name) => (load() as Record<string, unknown>)[name]);
}

/** ajv-i18n's index, one `<locale>: require(<"./locale">),` line per locale in `module.exports = {...}`: name -> file. */
export function localeRequires(source: string): Array<[string, string]> | undefined {
  const body = /module\.exports = \{([^}]*)\}/.exec(source)?.[1];
  if (body === undefined) return undefined;
  const entries = body
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const parsed = entries.map((line) => /^"?([\w-]+)"?: require\("(\.\/[\w-]+)"\),?$/.exec(line));
  return parsed.every((m) => m !== null) ? parsed.map((m) => [m![1], m![2]]) : undefined;
}

/** The stand-in exports of ajv-i18n's index at `index`: each locale required alone when read. */
export function deferredAjvI18n(index: string): Record<string, unknown> | undefined {
  const locales = localeRequires(readFileSync(index, "utf8"));
  if (locales === undefined || locales.length === 0) return undefined;
  const files = new Map(locales);
  const requireLocale = createRequire(index);
  return lazyExports([...files.keys()], (name) => requireLocale(files.get(name)!));
}

/** The stand-in exports of a yaml index at `index`: each export of the real module, loaded on first read. */
export function deferredYaml(index: string, load: () => unknown): Record<string, unknown> | undefined {
  const names = assignedExportNames(readFileSync(index, "utf8"));
  if (names.length === 0) return undefined;
  return lazyExports(names, (name) => (load() as Record<string, unknown>)[name]);
}

/**
 * zod's locales index (TypeScript's CommonJS output: `var <v> = require("./<file>.cjs");` then a getter
 * `Object.defineProperty(exports, "<name>", ... __importDefault(<v>).default ...)` per locale): name -> file.
 */
export function zodLocaleRequires(source: string): Array<[string, string]> | undefined {
  const files = new Map([...source.matchAll(/^var (\w+) = require\("(\.\/[\w-]+\.cjs)"\);$/gm)].map((m) => [m[1], m[2]]));
  const getters = [
    ...source.matchAll(
      /^Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return __importDefault\((\w+)\)\.default; \} \}\);$/gm,
    ),
  ];
  if (files.size === 0 || getters.length !== files.size || getters.some((m) => !files.has(m[2]))) return undefined;
  return getters.map((m) => [m[1], files.get(m[2])!]);
}

/** The stand-in exports of zod's locales index at `index`: each locale's default export, its module loaded when read. */
export function deferredZodLocales(index: string): Record<string, unknown> | undefined {
  const locales = zodLocaleRequires(readFileSync(index, "utf8"));
  if (locales === undefined) return undefined;
  const files = new Map(locales);
  const requireLocale = createRequire(index);
  const standIn = lazyExports([...files.keys()], (name) => {
    // As TypeScript's __importDefault in the index.
    const module = requireLocale(files.get(name)!) as { __esModule?: boolean; default?: unknown };
    return module?.__esModule ? module.default : module;
  });
  // As the index marks itself, so that importers read it as an ES module (zod's `__importStar` keeps it as is).
  Object.defineProperty(standIn, "__esModule", { value: true });
  return standIn;
}

/**
 * ajv-formats-draft2019's formats index (one `module.exports.<name>` or `module.exports['<name>']` ` = require('./<file>');`
 * line per format): name -> file.
 */
export function formatRequires(source: string): Array<[string, string]> | undefined {
  const lines = source.split("\n").filter((line) => line.trim() !== "");
  const parsed = lines.map((line) => /^module\.exports(?:\.([\w$]+)|\['([\w-]+)'\]) = require\('(\.\/[\w-]+)'\);$/.exec(line.trim()));
  return parsed.length > 0 && parsed.every((m) => m !== null) ? parsed.map((m) => [m![1] ?? m![2], m![3]]) : undefined;
}

/**
 * The stand-in exports of ajv-formats-draft2019's formats index at `index`: a format module that requires nothing is
 * loaded as it is (e.g. duration, a RegExp); one that requires packages must export `(value) => ...` and is stood in
 * for by a function calling the real one, loaded on first call. Any other shape: no stand-in.
 */
export function deferredFormats(index: string): Record<string, unknown> | undefined {
  const formats = formatRequires(readFileSync(index, "utf8"));
  if (formats === undefined) return undefined;
  const requireFormat = createRequire(index);
  const standIn: Record<string, unknown> = {};
  for (const [name, file] of formats) {
    const path = requireFormat.resolve(file);
    const source = readFileSync(path, "utf8");
    if (!/\brequire\(/.test(source)) standIn[name] = requireFormat(file);
    else if (/^module\.exports = \(value\) => \{$/m.test(source)) {
      let real: ((value: unknown) => unknown) | undefined;
      standIn[name] = (value: unknown) => (real ??= requireFormat(file) as (value: unknown) => unknown)(value);
    } else return undefined;
  }
  return standIn;
}

/** Resolves `request` as `from` would require it; undefined when it does not resolve. */
function resolveFrom(from: string, request: string): string | undefined {
  try {
    return createRequire(from).resolve(request);
  } catch {
    return undefined;
  }
}

function installDeferredPackages(): void {
  if (!deferPackagesEnabled()) return;
  // Under jest, require.cache is the test runtime's, not node's: nothing to defer there.
  if (requireHere.cache !== moduleCache) return;
  const cdktfFs = resolveFrom(__filename, "cdktf/lib/private/fs");
  const archiver = cdktfFs && resolveFrom(cdktfFs, "archiver");
  if (cdktfFs && archiver)
    defer(archiver, cdktfFs, (load) => {
      // cdktf only calls it, and only where lib/private/fs.js is the main module.
      return function deferredArchiver(this: unknown, ...args: unknown[]) {
        return (load() as (...a: unknown[]) => unknown).apply(this, args);
      };
    });

  const binaryVersion = resolveFrom(__filename, "cdktf/lib/validations/validate-binary-version");
  const semver = binaryVersion && resolveFrom(binaryVersion, "semver");
  if (binaryVersion && semver) defer(semver, binaryVersion, (load) => deferredObjectExports(semver, load));

  const cdk8sYamlModule = resolveFrom(__filename, "cdk8s/lib/yaml");
  const cdk8sYaml = cdk8sYamlModule && resolveFrom(cdk8sYamlModule, "yaml");
  if (cdk8sYamlModule && cdk8sYaml) defer(cdk8sYaml, cdk8sYamlModule, (load) => deferredYaml(cdk8sYaml, load));

  // The validate module is not in @kubernetes-models/validate's exports map: found beside its index. Resolved from
  // here, not through kubernetes-models (whose exports map alone took ~5 ms to resolve through): where the install
  // nests it elsewhere, the stand-in is made at a path nothing requires, and ajv-i18n loads as before.
  const validateIndex = resolveFrom(__filename, "@kubernetes-models/validate");
  const validateModule = validateIndex && join(dirname(validateIndex), "validate.js");
  const ajvI18n = validateModule && resolveFrom(validateModule, "ajv-i18n");
  if (validateModule && ajvI18n) defer(ajvI18n, validateModule, () => deferredAjvI18n(ajvI18n));
  const formatsModule = validateIndex && join(dirname(validateIndex), "formats.js");
  const draft2019 = formatsModule && resolveFrom(formatsModule, "ajv-formats-draft2019/formats/index.js");
  if (formatsModule && draft2019) defer(draft2019, formatsModule, () => deferredFormats(draft2019));

  const zod = resolveFrom(__filename, "zod");
  const zodLocales = zod && resolveFrom(__filename, "zod/v4/locales");
  if (zod && zodLocales) defer(zodLocales, zod, () => deferredZodLocales(zodLocales));
}

installDeferredPackages();
