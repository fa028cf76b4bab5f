// `immutable-clusters init`: starts a definitions repo from the template with the cluster name substituted, whose
// example definition validates and synthesizes, whose TypeScript type-checks against the library and whose own test
// passes; a folder that already has files is refused.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateDefinition, type ClusterDefinition } from "../constructs";
import { resourceConfigs, synthClusters } from "../constructs/testing";
import { packageRoot } from "./support/pack";

/** The CLI compiled (scripts/run-compiled.mjs, as `npm run synth` runs the app): a quarter of tsx's CPU per start. */
const cli = (args: string[]) =>
  spawnSync(process.execPath, [join(packageRoot, "scripts/run-compiled.mjs"), join(packageRoot, "apps/cli.ts"), ...args], {
    encoding: "utf8",
  });

/** `text` matched literally inside a regular expression. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every file under a folder, as absolute paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("init", () => {
  let work: string;
  let repo: string;
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "init-"));
    repo = join(work, "platform-clusters");
    const run = cli(["init", repo, "--name", "prod-eu"]);
    if (run.status !== 0) throw new Error(`init failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("writes the example, its app, a test, the review workflow and the project files", () => {
    for (const file of [
      "package.json",
      "cdktf.json",
      "tsconfig.json",
      "jest.config.js",
      "clusters/prod-eu.ts",
      "clusters/index.ts",
      "apps/synth.ts",
      "test/cluster.test.ts",
      ".github/workflows/review.yml",
      "README.md",
      ".gitignore",
      ".gitattributes",
      ".prettierignore",
    ]) {
      expect(existsSync(join(repo, file))).toBe(true);
    }
    expect(existsSync(join(repo, "gitignore"))).toBe(false);
    // Frozen generations are checked byte for byte: git must not convert them, formatters must not touch them.
    expect(readFileSync(join(repo, ".gitattributes"), "utf8")).toMatch(/^clusters\/deployed\/\*\* -text$/m);
    expect(readFileSync(join(repo, ".prettierignore"), "utf8")).toMatch(/^clusters\/deployed$/m);
  });

  it("substitutes the cluster and project names and pins the versions this library is built with", () => {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    expect(pkg.name).toBe("platform-clusters");
    expect(pkg.dependencies["immutable-clusters"]).toBe(`^${manifest.version}`);
    for (const peer of ["cdktf", "cdk8s", "constructs"]) expect(pkg.dependencies[peer]).toBe(manifest.devDependencies[peer]);
    expect(pkg.devDependencies["cdktf-cli"]).toBe(manifest.devDependencies["cdktf-cli"]);
    // Both compilers: the JavaScript one for ts-jest, TypeScript 7's native one for `npm run typecheck` and the review.
    expect(pkg.devDependencies.typescript).toBe(manifest.devDependencies.typescript);
    expect(pkg.devDependencies["typescript-7"]).toBe(manifest.devDependencies["typescript-7"]);
    expect(pkg.devDependencies["typescript-7"]).toMatch(/^npm:typescript@7\./);
    expect(pkg.scripts.typecheck).toBe("node node_modules/typescript-7/bin/tsc -p tsconfig.json --noEmit");
    expect(JSON.parse(readFileSync(join(repo, "cdktf.json"), "utf8")).app).toMatch(/apps\/synth\.ts/);
    expect(readFileSync(join(repo, "clusters/index.ts"), "utf8")).toContain('from "./prod-eu"');
    const leftOver = filesUnder(repo).filter((file) => /__[A-Z][A-Z0-9_]*__/.test(readFileSync(file, "utf8")));
    expect(leftOver).toEqual([]);
  });

  it("gives an example definition that validates and synthesizes both pools", () => {
    // The definition files only import types from the library, so they load as plain modules.
    const { clusters } = require(join(repo, "clusters/index.ts")) as { clusters: ClusterDefinition[] };
    expect(clusters.map((c) => c.name)).toEqual(["prod-eu"]);
    expect(() => validateDefinition(clusters[0])).not.toThrow();
    const out = synthClusters(clusters);
    const groups = resourceConfigs(out.stacks["prod-eu-a"], "aws_autoscaling_group").map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(["prod-eu-a-general", "prod-eu-a-batch"]));
  });

  it("type-checks and passes its own test against the library", () => {
    // Resolve the project's imports as an installed package would: the library from our sources, the rest from ours.
    symlinkSync(join(packageRoot, "node_modules"), join(repo, "node_modules"), "dir");
    const paths = {
      "immutable-clusters": [join(packageRoot, "constructs/index.ts")],
      "immutable-clusters/testing": [join(packageRoot, "constructs/testing/index.ts")],
    };
    // No baseUrl: TypeScript 7 removed it; `paths` entries resolve from the config's folder (they are absolute here).
    writeFileSync(join(repo, "tsconfig.check.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { paths } }));
    // With the compiler the project's `npm run typecheck` runs: TypeScript 7, from the linked node_modules.
    const tsc = spawnSync(process.execPath, [join(repo, "node_modules/typescript-7/bin/tsc"), "-p", "tsconfig.check.json", "--noEmit"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
    expect(tsc.status).toBe(0);

    const config = {
      rootDir: repo,
      roots: ["<rootDir>/test"],
      testEnvironment: "node",
      transform: {
        // The library's sources stand in for the package's compiled JavaScript (a team's jest never transpiles it): this
        // repository's own esbuild transform, as its jest.config.js uses, half ts-jest's CPU here (4.6-5.7 against
        // 8.9-11.6 CPU s for this jest run, no transform cache). Jest takes the first pattern that matches a file
        // (jestjs/jest packages/jest-transform/src/ScriptTransformer.ts, _getTransformPatternAndPath).
        [`^${escapeRegExp(packageRoot)}/.+\\.ts$`]: join(packageRoot, "test/support/esbuild-transform.js"),
        // The project's own test, as its jest.config.js (the template) transforms it.
        "^.+\\.ts$": ["ts-jest", { isolatedModules: true }],
      },
      moduleNameMapper: {
        "^immutable-clusters$": paths["immutable-clusters"][0],
        "^immutable-clusters/testing$": paths["immutable-clusters/testing"][0],
      },
    };
    const jest = spawnSync(
      process.execPath,
      [join(packageRoot, "node_modules/jest/bin/jest.js"), "--config", JSON.stringify(config), "--ci"],
      {
        cwd: repo,
        encoding: "utf8",
      },
    );
    expect({ status: jest.status, output: jest.stderr }).toEqual({
      status: 0,
      output: expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/),
    });
  });

  it("refuses a folder that already has files, naming it", () => {
    const busy = join(work, "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "notes.txt"), "mine\n");
    const run = cli(["init", busy]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${busy} is not empty (notes.txt)`);
    expect(readFileSync(join(busy, "notes.txt"), "utf8")).toBe("mine\n");
    expect(existsSync(join(busy, "package.json"))).toBe(false);
  });

  it("refuses a cluster name the definition would refuse", () => {
    const run = cli(["init", join(work, "bad"), "--name", "Prod_EU"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--name: "Prod_EU" is not a valid cluster name');
    expect(existsSync(join(work, "bad"))).toBe(false);
  });
});
