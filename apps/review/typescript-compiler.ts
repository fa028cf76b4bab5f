// Owns choosing the TypeScript compiler the review type-checks a definitions repository with (apps/review/revision.ts
// typeCheck): TypeScript 7, the native compiler (a Go port of the JavaScript compiler, shipped as a per-platform
// executable in the `typescript` package from 7.0), when the repository's node_modules has it, else the repository's
// JavaScript TypeScript as before. Sources: https://devblogs.microsoft.com/typescript/announcing-typescript-7-0/ and
// the package typescript@7.0.2 itself (its lib/getExePath.js and optionalDependencies).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Where a repository keeps TypeScript 7, the native compiler, in its node_modules: as `typescript` itself, or beside a
 * JavaScript TypeScript under the alias this package and the project template use (`"typescript-7":
 * "npm:typescript@7.0.2"`), since TypeScript 7.0 has no JavaScript compiler API and ts-jest, typescript-eslint and
 * typedoc keep needing 5.x/6.x as `typescript` ("Running Side-by-Side with TypeScript 6.0",
 * https://devblogs.microsoft.com/typescript/announcing-typescript-7-0/#running-side-by-side-with-typescript-6-0).
 */
export const NATIVE_TYPESCRIPT_PACKAGES = ["typescript", "typescript-7"] as const;

/** The TypeScript compiler a review type-checks a repository with. */
export interface TypeScriptCompiler {
  /** The program to run: the native executable, or the JavaScript compiler's `bin/tsc` run by node. */
  readonly command: string;
  readonly args: readonly string[];
  /** Its version (package.json of the package it comes from). */
  readonly version: string;
  /** TypeScript 7's native compiler. */
  readonly native: boolean;
}

function installedTypeScript(modules: string, name: string): { readonly dir: string; readonly version: string } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
    return manifest.name === "typescript" && typeof manifest.version === "string"
      ? { dir: join(modules, name), version: manifest.version }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The native executable of the TypeScript 7 package in `dir`, found as its own launcher finds it (typescript@7.0.2
 * lib/getExePath.js: the platform package `@typescript/typescript-<platform>-<arch>`, an optionalDependency, resolved
 * from the package, executable `lib/tsc`); undefined when that platform package is not installed.
 */
function nativeExecutable(dir: string): string | undefined {
  try {
    const manifest = createRequire(join(dir, "package.json")).resolve(
      `@typescript/typescript-${process.platform}-${process.arch}/package.json`,
    );
    const exe = join(dirname(manifest), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The compiler to type-check the repository in `appDir` with: TypeScript 7's native compiler when its node_modules has
 * one (`typescript` at 7 or later, else the `typescript-7` alias) with its platform's executable, else its
 * `typescript` as before; undefined when it has neither. The native compiler reports the same errors in the same
 * `file(line,col): error TSnnnn: message` form (`--pretty false`) and keeps the same incremental state
 * (`incremental`, `tsBuildInfoFile`), in a fraction of the time (measured in docs/review.md).
 */
export function typeScriptCompiler(appDir: string): TypeScriptCompiler | undefined {
  const modules = join(appDir, "node_modules");
  for (const name of NATIVE_TYPESCRIPT_PACKAGES) {
    const installed = installedTypeScript(modules, name);
    if (!installed || Number.parseInt(installed.version, 10) < 7) continue;
    const exe = nativeExecutable(installed.dir);
    if (exe) return { command: exe, args: [], version: installed.version, native: true };
  }
  const classic = installedTypeScript(modules, "typescript");
  if (!classic || Number.parseInt(classic.version, 10) >= 7) return undefined;
  return { command: process.execPath, args: [join(classic.dir, "bin", "tsc")], version: classic.version, native: false };
}
