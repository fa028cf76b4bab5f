// The `init` subcommand: starts a cluster definitions repo from the project template (templates/definitions-repo/):
// an example cluster, its cdktf app, a test using the testing helpers, and the pull request review workflow.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";

/** The project template, beside the code in the repo and in the built package (lib/templates). */
const TEMPLATE_DIR = join(__dirname, "..", "..", "templates", "definitions-repo");
/** Cluster names follow the definition's rule: a DNS label of at most 16 characters. */
const CLUSTER_NAME = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;
/** Template files whose real name npm would not ship (it drops or renames them in a tarball). */
const RENAMED: Readonly<Record<string, string>> = {
  gitignore: ".gitignore",
  gitattributes: ".gitattributes",
  prettierignore: ".prettierignore",
};

/** Options of {@link initProject}. */
export interface InitOptions {
  /**
   * Name of the example cluster (a DNS label, at most 16 characters).
   * @default "main"
   */
  readonly name?: string;
}

/** Writes a new definitions repo into `dir` (created if missing; refused if it has any file). Returns the files written. */
export function initProject(dir: string, options: InitOptions = {}): string[] {
  const name = options.name ?? "main";
  if (!CLUSTER_NAME.test(name)) {
    throw new Error(
      `--name: "${name}" is not a valid cluster name; use 1-16 lower-case letters, digits and "-", starting with a letter, e.g. "prod"`,
    );
  }
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new Error(`init: ${target} is a file; pass a new or empty folder`);
    const present = readdirSync(target);
    if (present.length > 0) {
      throw new Error(
        `init: ${target} is not empty (${present.slice(0, 5).join(", ")}${present.length > 5 ? ", ..." : ""}); pass a new or empty folder`,
      );
    }
  }
  const values = placeholderValues(name, basename(target));
  const written: string[] = [];
  for (const source of templateFiles(TEMPLATE_DIR)) {
    const path = relative(TEMPLATE_DIR, source)
      .split("/")
      .map((part) => RENAMED[part] ?? part.replaceAll("__CLUSTER_NAME__", name))
      .join("/");
    const text = readFileSync(source, "utf8").replace(/__([A-Z][A-Z0-9_]*)__/g, (match, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`init: template ${relative(TEMPLATE_DIR, source)} uses unknown placeholder ${match}`);
      return value;
    });
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), text);
    written.push(path);
  }
  return written.sort();
}

/** What the template's `__NAME__` placeholders stand for: the cluster, the project and the exact versions we build with. */
function placeholderValues(name: string, projectName: string): Record<string, string> {
  const manifest = ownPackageJson();
  const dev: Record<string, string> = { ...manifest.dependencies, ...manifest.devDependencies };
  const version = (pkg: string): string => {
    const v = dev[pkg];
    if (!v) throw new Error(`init: immutable-clusters' package.json pins no version of ${pkg}`);
    return v;
  };
  return {
    CLUSTER_NAME: name,
    CLUSTER_IDENTIFIER: name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) + "Cluster",
    PROJECT_NAME:
      projectName
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^[._-]+/, "") || `${name}-clusters`,
    IMMUTABLE_CLUSTERS_VERSION: manifest.version,
    CDKTF_VERSION: version("cdktf"),
    CDKTF_CLI_VERSION: version("cdktf-cli"),
    CDK8S_VERSION: version("cdk8s"),
    CONSTRUCTS_VERSION: version("constructs"),
    TYPESCRIPT_VERSION: version("typescript"),
    // TypeScript 7, the native compiler, under an npm alias beside the JavaScript TypeScript above: the template's
    // `npm run typecheck` and the review's type check use it, while ts-jest keeps the JavaScript compiler API that
    // TypeScript 7.0 does not have (https://devblogs.microsoft.com/typescript/announcing-typescript-7-0/, "Running
    // Side-by-Side with TypeScript 6.0"). The value is the alias itself, e.g. "npm:typescript@7.0.2".
    TYPESCRIPT_7_VERSION: version("typescript-7"),
    TSX_VERSION: version("tsx"),
    JEST_VERSION: version("jest"),
    TS_JEST_VERSION: version("ts-jest"),
    TYPES_JEST_VERSION: version("@types/jest"),
    TYPES_NODE_VERSION: version("@types/node"),
  };
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** This package's package.json: the nearest one up from this file (repo root from sources, package root from lib/). */
function ownPackageJson(): PackageJson {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
      if (manifest.name === "immutable-clusters") return manifest;
    }
  }
  throw new Error("init: cannot find the package.json of immutable-clusters above " + __dirname);
}

/** Every file under the template folder. */
function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("start a cluster definitions repo: an example cluster, its cdktf app, a test and the pull request review workflow")
    .argument("<dir>", "folder to create the repo in (new or empty)")
    .option("--name <cluster>", "name of the example cluster", "main")
    .action((dir: string, options: { name: string }) => {
      const files = initProject(dir, { name: options.name });
      console.log(`Created ${files.length} files in ${resolve(dir)}:`);
      for (const file of files) console.log(`  ${file}`);
      console.log(`\nNext: cd ${dir} && git init && npm install && npm test && npm run synth`);
    });
}
