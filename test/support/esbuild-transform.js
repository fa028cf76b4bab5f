// Jest transformer (jest.config.js `transform`): turns each TypeScript file jest loads into CommonJS with esbuild's
// transformSync, one file at a time, types stripped and never checked (type checking is `npm run typecheck`, as it was
// with ts-jest's isolatedModules, which this replaces: ts-jest loads the TypeScript compiler in every worker and
// transpiles with it, about twice the CPU on a cold cache; measurements in jest.config.js).
//
// The transformer interface (`process` returning `{ code }`, `getCacheKey`) is jest's, from
// https://jestjs.io/docs/29.7/code-transformation ("Writing custom transformers"). When `process` returns no `map`,
// jest reads the inline source map from the code (@jest/transform 29.7.0, build/ScriptTransformer.js: "if
// (transformed.map == null ...) convertSourceMap.fromSource(transformed.code)"), so stack traces and coverage point at
// the TypeScript lines.
//
// The options follow tsconfig.json, the settings the code relies on (esbuild's meaning of each:
// https://esbuild.github.io/api/#tsconfig-raw and https://esbuild.github.io/content-types/#tsconfig-json):
// - `target` ES2022: esbuild reads `target` from tsconfigRaw only to pick `useDefineForClassFields`, true from ES2022 as
//   in tsc, so class fields keep their define semantics; the syntax target below is also es2022 (Node.js 20 runs it).
// - `module` commonjs: `format: "cjs"`; jest's runtime is CommonJS (the project has no ESM suites).
// - `esModuleInterop`: esbuild's CommonJS output always interoperates the way tsc's does with esModuleInterop (a
//   default import of a module without `__esModule` is the whole `module.exports`; esbuild docs, "Content types",
//   TypeScript caveats, and https://esbuild.github.io/api/#format-commonjs).
// - `isolatedModules`: esbuild compiles each file alone, which is what isolatedModules guarantees is possible.
// - decorators: tsconfig.json enables neither `experimentalDecorators` nor `emitDecoratorMetadata`, and no source uses
//   decorators; if that changes, tsconfigRaw below passes the setting through.
// jest.mock() calls are not hoisted (babel-jest and ts-jest do hoist them); the suites use jest.doMock inside
// jest.isolateModules, which needs no hoisting. A suite that starts using jest.mock must import what it mocks after the
// call (or with require inside the test).
"use strict";

const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const esbuild = require("esbuild");

const tsconfigPath = join(__dirname, "..", "..", "tsconfig.json");
const tsconfigText = readFileSync(tsconfigPath, "utf8");
const { compilerOptions } = JSON.parse(tsconfigText);

/** esbuild's options for every file; `sourcefile` is added per file. */
const options = {
  loader: "ts",
  format: "cjs",
  // tsconfig.json's target (ES2022), as esbuild spells it.
  target: String(compilerOptions.target).toLowerCase(),
  platform: "node",
  sourcemap: "inline",
  // The source itself is on disk next to the map's `sources` entry; leaving it out keeps cached files small.
  sourcesContent: false,
  tsconfigRaw: {
    compilerOptions: {
      target: compilerOptions.target,
      useDefineForClassFields: compilerOptions.useDefineForClassFields,
      experimentalDecorators: compilerOptions.experimentalDecorators,
      verbatimModuleSyntax: compilerOptions.verbatimModuleSyntax,
      preserveValueImports: compilerOptions.preserveValueImports,
    },
  },
};

/** Identifies this transformer's output: esbuild's version, this file, tsconfig.json and the options. */
const transformerKey = createHash("sha256")
  .update(esbuild.version)
  .update("\0")
  .update(readFileSync(join(__dirname, "esbuild-transform.js")))
  .update("\0")
  .update(tsconfigText)
  .update("\0")
  .update(JSON.stringify(options))
  .digest("hex");

module.exports = {
  process(sourceText, sourcePath) {
    const result = esbuild.transformSync(sourceText, { ...options, sourcefile: sourcePath });
    return { code: result.code };
  },

  /** Jest adds only its cache version to a transformer's key (ScriptTransformer `_buildCacheKeyFromFileInfo`), so the
   * file's text and path are part of it. */
  getCacheKey(sourceText, sourcePath, transformOptions) {
    return createHash("sha256")
      .update(transformerKey)
      .update("\0")
      .update(sourcePath)
      .update("\0")
      .update(sourceText)
      .update("\0")
      .update(transformOptions.configString)
      .digest("hex");
  },
};
