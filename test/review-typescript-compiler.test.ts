// Which TypeScript compiler the review type-checks a repository with (apps/review/typescript-compiler.ts): TypeScript 7's
// native executable when the repository's node_modules has it (as `typescript` or under the `typescript-7` alias) with
// its platform package, else the JavaScript TypeScript as before. Fake node_modules folders, nothing is run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { typeScriptCompiler } from "../apps/review/typescript-compiler";

const PLATFORM_PACKAGE = `@typescript/typescript-${process.platform}-${process.arch}`;
const EXE = process.platform === "win32" ? "tsc.exe" : "tsc";

describe("the review's TypeScript compiler", () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), "review-tsc-choice-"));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  function install(folder: string, manifest: Record<string, unknown>, files: string[] = []): string {
    const dir = join(repo, "node_modules", folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    for (const file of files) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), "");
    }
    return dir;
  }
  const javaScriptTypeScript = () => install("typescript", { name: "typescript", version: "5.9.3" }, ["bin/tsc"]);
  const platformPackage = () => install(PLATFORM_PACKAGE, { name: PLATFORM_PACKAGE, version: "7.0.2" }, [`lib/${EXE}`]);

  it("runs the JavaScript TypeScript's bin/tsc with node when that is all the repository has", () => {
    const dir = javaScriptTypeScript();
    expect(typeScriptCompiler(repo)).toEqual({
      command: process.execPath,
      args: [join(dir, "bin", "tsc")],
      version: "5.9.3",
      native: false,
    });
  });

  it("runs TypeScript 7's native executable when it is installed beside it as typescript-7", () => {
    javaScriptTypeScript();
    install("typescript-7", { name: "typescript", version: "7.0.2" }, ["bin/tsc"]);
    const platform = platformPackage();
    expect(typeScriptCompiler(repo)).toEqual({ command: join(platform, "lib", EXE), args: [], version: "7.0.2", native: true });
  });

  it("runs TypeScript 7's native executable when it is the repository's typescript", () => {
    install("typescript", { name: "typescript", version: "7.0.2" }, ["bin/tsc"]);
    const platform = platformPackage();
    expect(typeScriptCompiler(repo)).toEqual({ command: join(platform, "lib", EXE), args: [], version: "7.0.2", native: true });
  });

  it("falls back to the JavaScript TypeScript when TypeScript 7's platform package is missing (another platform, --omit=optional)", () => {
    const dir = javaScriptTypeScript();
    install("typescript-7", { name: "typescript", version: "7.0.2" }, ["bin/tsc"]);
    expect(typeScriptCompiler(repo)).toMatchObject({ command: process.execPath, args: [join(dir, "bin", "tsc")], native: false });
  });

  it("ignores a typescript-7 folder that is not TypeScript, and finds no compiler in an empty node_modules", () => {
    install("typescript-7", { name: "something-else", version: "7.0.2" }, ["bin/tsc"]);
    platformPackage();
    expect(typeScriptCompiler(repo)).toBeUndefined();
  });
});
