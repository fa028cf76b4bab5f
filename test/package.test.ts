// The published package: `npm pack` holds the compiled library, its declarations, the CLI and every runtime asset,
// and nothing a user does not need (sources, tests, examples, build and synth output).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageRoot, packPackage, type PackedPackage } from "./support/pack";

/** Every file under a folder of the repo, relative to the package root. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(packageRoot, p));
    }
  };
  walk(join(packageRoot, dir));
  return out;
}

describe("npm package", () => {
  let dir: string;
  let packed: PackedPackage;
  let paths: Set<string>;
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pack-"));
    packed = packPackage(dir);
    paths = new Set(packed.files.map((f) => f.path));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("holds the compiled library with declarations, the testing helpers and the CLI", () => {
    for (const file of [
      "lib/constructs/index.js",
      "lib/constructs/index.d.ts",
      "lib/constructs/testing/index.js",
      "lib/constructs/testing/index.d.ts",
      "lib/apps/cli.js",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "package.json",
    ]) {
      expect(paths).toContain(file);
    }
  });

  it("points every exports entry and the bin at a file in the tarball", () => {
    const targets: string[] = [];
    for (const entry of Object.values(manifest.exports as Record<string, string | Record<string, string>>)) {
      targets.push(...(typeof entry === "string" ? [entry] : Object.values(entry)));
    }
    targets.push(...Object.values(manifest.bin as Record<string, string>));
    expect(targets.length).toBeGreaterThanOrEqual(6);
    for (const target of targets) expect(paths).toContain(target.replace(/^\.\//, ""));
  });

  it("ships the CLI as an executable node script", () => {
    const cli = packed.files.find((f) => f.path === manifest.bin["immutable-clusters"]);
    expect(cli).toBeDefined();
    expect(cli!.mode & 0o111).not.toBe(0);
    expect(readFileSync(join(packageRoot, "lib/apps/cli.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("ships every non-TypeScript asset beside the code and the project template, keeping executable bits", () => {
    const assets = [...filesUnder("constructs"), ...filesUnder("apps")].filter((p) => !/\.(ts|tsx|mts|cts)$/.test(p) || /\.d\.ts$/.test(p));
    for (const asset of assets) expect(paths).toContain(join("lib", asset));
    const template = filesUnder("templates");
    expect(template.length).toBeGreaterThan(5);
    for (const file of template) expect(paths).toContain(join("lib", file));
    for (const script of packed.files.filter((f) => f.path.endsWith(".sh"))) expect(script.mode & 0o111).not.toBe(0);
  });

  it("leaves out sources, tests, examples and build or synth output", () => {
    const unwanted = packed.files
      .map((f) => f.path)
      .filter(
        (p) =>
          /^(test|clusters|bench|scripts|node_modules|dist|cdktf\.out|\.ci|docs|\.github)\//.test(p) ||
          /^lib\/(clusters|test|bench)\//.test(p) ||
          /\/node_modules\//.test(p) ||
          (/\.tsx?$/.test(p) && !/\.d\.ts$/.test(p) && !p.startsWith("lib/templates/")) ||
          /^(tsconfig.*|jest\.config\.js|cdktf\.json|package-lock\.json|typedoc\.json)$/.test(p),
      );
    expect(unwanted).toEqual([]);
  });

  it("loads only the provider classes it uses, never the provider's package index", () => {
    const probe = `require("./lib/constructs"); require("./lib/constructs/testing");
      const loaded = Object.keys(require.cache).filter((k) => k.includes("/@cdktf/provider-aws/"));
      console.log(JSON.stringify({ index: loaded.filter((k) => /provider-aws\\/lib\\/index\\.js$/.test(k)).length, classes: loaded.length }));`;
    const result = spawnSync(process.execPath, ["-e", probe], { cwd: packageRoot, encoding: "utf8" });
    expect(result.stderr).toBe("");
    const { index, classes } = JSON.parse(result.stdout);
    expect(index).toBe(0);
    expect(classes).toBeGreaterThan(0);
    expect(classes).toBeLessThan(100); // the index would load ~1,500 resource modules
  });

  it("generates the API docs of both entry points from the doc comments", () => {
    const out = join(dir, "api");
    // --skipErrorChecking: "Instructs TypeDoc to not run the type checker before converting a project"
    // (typedoc.org/options/other/#skiperrorchecking): the same program (tsconfig.build.json) is type-checked by the
    // prepack build (scripts/build.mjs fails on a type error) of beforeAll's pack or of the kept pack of the same inputs
    // (test/support/pack.ts), and by `npm run typecheck`.
    // Half typedoc's CPU (11.4 against 18.5 CPU s); the pages are the same but for the order of a few union members.
    const typedoc = spawnSync(
      process.execPath,
      [join(packageRoot, "node_modules/typedoc/bin/typedoc"), "--out", out, "--logLevel", "Error", "--skipErrorChecking"],
      {
        cwd: packageRoot,
        encoding: "utf8",
      },
    );
    expect({ status: typedoc.status, output: `${typedoc.stdout}${typedoc.stderr}`.trim() }).toEqual({ status: 0, output: "" });
    const html = readdirSync(out, { recursive: true }).map(String);
    expect(html).toEqual(
      expect.arrayContaining([expect.stringMatching(/addClusters\.html$/), expect.stringMatching(/synthCluster\.html$/)]),
    );
    expect(readFileSync(join(out, html.find((f) => f.endsWith("addClusters.html"))!), "utf8")).toContain("Validates every definition");
  });

  it("declares cdktf, cdk8s and constructs as peer dependencies, not dependencies", () => {
    for (const peer of ["cdktf", "cdk8s", "constructs"]) {
      expect(manifest.peerDependencies[peer]).toBeDefined();
      expect(manifest.dependencies[peer]).toBeUndefined();
      expect(manifest.devDependencies[peer]).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(readFileSync(join(packageRoot, "CHANGELOG.md"), "utf8")).toContain(`## [${manifest.version}]`);
  });
});
