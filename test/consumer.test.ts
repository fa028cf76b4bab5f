// The package as a team uses it: packs this package, installs the tarball into a throwaway project that has only it,
// its peers (cdktf, cdk8s, constructs) and the compiler its app builds with (TypeScript 7, as the init template's
// `npm run typecheck`), synthesizes that project's own cluster with `cdktf synth`, checks the Terraform JSON, and runs the
// project's jest test written with `immutable-clusters/testing`.
//
// The project's tools (cdktf-cli, jest, ts-jest) run from this repository's node_modules, pinned the same: installing
// them was 600 of the 856 packages and two thirds of the suite's CPU (npm install 71 CPU s with them, 21 without),
// and none of them is what the suite tests. They run inside the project, so everything the app and the tests import
// (immutable-clusters, its dependencies, the peers) resolves from the project's own node_modules, as in a team's repo.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import { packageRoot, packPackage } from "./support/pack";

const ours = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
const pin = (pkg: string): string => ours.devDependencies[pkg] ?? ours.dependencies[pkg];
/** A tool's file in this repository's node_modules (the same pinned versions a team's package.json lists). */
const tool = (path: string): string => join(packageRoot, "node_modules", path);

/** The consumer's own cluster: two worker pools (one tainted spot pool) and custom addon settings. */
const CLUSTER_TS = `import type { ClusterDefinition } from "immutable-clusters";

export const payments: ClusterDefinition = {
  name: "payments",
  region: "us-east-1",
  network: {
    vpcId: "vpc-0aaaabbbbccccdddd",
    vpcCidr: "172.16.0.0/16",
    privateSubnets: [
      { id: "subnet-0aaaabbbbcccc0001", availabilityZone: "us-east-1a" },
      { id: "subnet-0aaaabbbbcccc0002", availabilityZone: "us-east-1b" },
    ],
  },
  dns: { privateZoneId: "Z0PAYMENTS000000000", privateZoneName: "payments.internal" },
  tags: { team: "payments" },
  generations: [
    {
      id: "a",
      kubernetesVersion: "1.34.7",
      flatcar: { channel: "stable", version: "4230.2.1" },
      weight: 100,
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "web", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: true },
        {
          name: "jobs",
          instanceTypes: ["c6i.xlarge", "c5.xlarge"],
          minSize: 1,
          maxSize: 8,
          spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
          taints: [{ key: "payments.example/jobs", value: "true", effect: "NoSchedule" }],
        },
      ],
      addons: ${JSON.stringify(customAddons())},
    },
  ],
};
`;

/** Addon settings that differ from the defaults. */
function customAddons(): Record<string, unknown> {
  return { tenants: [{ name: "team-payments", groups: { admins: ["payments-admins"] }, quota: { pods: 30 } }] };
}

const MAIN_TS = `import { App } from "cdktf";
import { addClusters } from "immutable-clusters";
import { payments } from "./cluster";

const app = new App();
addClusters(app, [payments]);
app.synth();
`;

const TEST_TS = `import { findKubernetesObject, onlyResourceOfType, resourceConfigs, synthCluster } from "immutable-clusters/testing";
import { payments } from "../cluster";

describe("payments cluster", () => {
  const out = synthCluster(payments);

  it("has a generation stack, a traffic stack and an identity stack", () => {
    expect(Object.keys(out.stacks).sort()).toEqual(["payments-a", "payments-identity", "payments-traffic"]);
  });

  it("gives each pool its auto scaling group with its sizes", () => {
    const groups = resourceConfigs(out.stacks["payments-a"], "aws_autoscaling_group");
    const jobs = groups.find((g) => g.name === "payments-a-jobs");
    expect(jobs).toMatchObject({ min_size: 1, max_size: 8 });
    expect(groups.find((g) => g.name === "payments-a-web")).toMatchObject({ min_size: 2, max_size: 4 });
  });

  it("ships a node config per role", () => {
    expect(Object.keys(out.ignition["payments-a"]).sort()).toEqual(["controller.ign", "worker-jobs.ign", "worker-web.ign"]);
  });

  it("renders the custom addon settings: the tenant namespace with its own quota and admins", () => {
    const quota = findKubernetesObject(out.manifests["payments-a"], "ResourceQuota", "tenant-quota", "team-payments");
    expect(quota.spec).toMatchObject({ hard: { pods: "30" } });
    const admins = findKubernetesObject(out.manifests["payments-a"], "RoleBinding", "tenant-admins", "team-payments");
    expect(admins.subjects).toEqual([expect.objectContaining({ kind: "Group", name: "payments-admins" })]);
  });

  it("points weighted DNS at the generation", () => {
    expect(onlyResourceOfType(out.stacks["payments-traffic"], "aws_route53_record")).toMatchObject({ set_identifier: "payments-a" });
  });
});
`;

/** Runs a command in the consumer project; throws with its output when it fails. */
function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      // The project's binaries first, as `npm run` and `npx` put them ("npm run adds node_modules/.bin to the PATH
      // provided to scripts", docs.npmjs.com/cli/v10/commands/npm-run-script): the app's `tsc` is the project's.
      PATH: `${join(cwd, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
      CHECKPOINT_DISABLE: "1",
      DISABLE_VERSION_CHECK: "1",
      npm_config_update_notifier: "false",
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `consumer project: \`${command} ${args.join(" ")}\` failed (exit ${result.status}) in ${cwd}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

describe("consumer project", () => {
  let work: string;
  let project: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "consumer-"));
    const { tarball } = packPackage(work);
    project = join(work, "team-clusters");
    mkdirSync(project);
    write(
      project,
      "package.json",
      JSON.stringify(
        {
          name: "team-clusters",
          private: true,
          dependencies: {
            "immutable-clusters": `file:${tarball}`,
            cdktf: pin("cdktf"),
            cdk8s: pin("cdk8s"),
            constructs: pin("constructs"),
          },
          // The compiler of the app (cdktf.json); one package and its platform binary, from the npm cache.
          devDependencies: { "typescript-7": pin("typescript-7") },
        },
        null,
        2,
      ),
    );
    write(
      project,
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          skipLibCheck: true,
          types: [],
          outDir: "build",
        },
        include: ["main.ts", "cluster.ts"],
      }),
    );
    write(
      project,
      "cdktf.json",
      // Compiled, then run as plain JavaScript: TypeScript 7's native tsc type-checks the project against the tarball's
      // declarations and emits build/ (0.7 CPU s here, 2.8 with the JavaScript tsc 5.9).
      JSON.stringify({ language: "typescript", app: "tsc -p tsconfig.json && node build/main.js", sendCrashReports: "false" }),
    );
    write(project, "cluster.ts", CLUSTER_TS);
    write(project, "main.ts", MAIN_TS);
    write(project, "test/cluster.test.ts", TEST_TS);
    write(
      project,
      "jest.config.js",
      // ts-jest as the init template configures it, by path (jest takes a path to the transformer:
      // jestjs.io/docs/29.7/configuration#transform-objectstring-pathtotransformer--pathtotransformer-object).
      `module.exports = { testEnvironment: "node", roots: ["<rootDir>/test"], transform: { "^.+\\\\.ts$": [${JSON.stringify(tool("ts-jest"))}, { isolatedModules: true, tsconfig: { module: "commonjs", esModuleInterop: true } }] } };\n`,
    );
    // From the npm cache where it can (the repo's own install filled it); the registry for anything missing.
    run(project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs only the tarball and its peers, with one construct tree", () => {
    const installed = JSON.parse(readFileSync(join(project, "node_modules/immutable-clusters/package.json"), "utf8"));
    expect(installed.version).toBe(ours.version);
    expect(existsSync(join(project, "node_modules/immutable-clusters/lib/constructs/index.d.ts"))).toBe(true);
    // Peers resolve to the project's single copy, not a private one inside the package.
    for (const peer of ["cdktf", "cdk8s", "constructs"]) {
      expect(existsSync(join(project, "node_modules/immutable-clusters/node_modules", peer))).toBe(false);
      expect(existsSync(join(project, "node_modules", peer, "package.json"))).toBe(true);
    }
  });

  it("synthesizes its own cluster with `cdktf synth`", () => {
    run(project, process.execPath, [tool("cdktf-cli/bundle/bin/cdktf"), "synth"], { CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1" });
    const stacksDir = join(project, "cdktf.out", "stacks");
    expect(readdirSync(stacksDir).sort()).toEqual(["payments-a", "payments-identity", "payments-traffic"]);
    const generation = JSON.parse(readFileSync(join(stacksDir, "payments-a", "cdk.tf.json"), "utf8"));
    const groups = Object.values(generation.resource.aws_autoscaling_group as Record<string, { name: string; max_size: number }>);
    expect(groups.map((g) => g.name).sort()).toEqual(["payments-a-controllers", "payments-a-jobs", "payments-a-web"]);
    expect(groups.find((g) => g.name === "payments-a-jobs")?.max_size).toBe(8);
    expect(generation.provider.aws).toEqual([expect.objectContaining({ region: "us-east-1" })]);
    // The addon manifests travel in the generation's node bucket as one object; the custom tenant is in the policy layer
    // (reconciled on the running generation), an object of its own.
    const objects = Object.values(generation.resource.aws_s3_object as Record<string, { key: string; content_base64?: string }>);
    const addons = storedObjectText(objects.find((o) => o.key === "addons/manifests.yaml") ?? {});
    expect(addons).toContain("name: cilium");
    const policy = storedObjectText(objects.find((o) => o.key === "policy/manifests.yaml") ?? {});
    expect(policy).toContain("name: team-payments");
    expect(addons).not.toContain("name: team-payments");
    const traffic = JSON.parse(readFileSync(join(stacksDir, "payments-traffic", "cdk.tf.json"), "utf8"));
    expect(Object.keys(traffic.resource.aws_route53_record)).toHaveLength(1);
  });

  it("runs its jest test written with immutable-clusters/testing", () => {
    const result = run(project, process.execPath, [tool("jest/bin/jest.js"), "--ci"]);
    expect(result.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
  });

  it("runs the installed CLI: `immutable-clusters init` writes a definitions repo from the shipped template", () => {
    // The bin link npm made, run through its shebang as a shell would (what `npx immutable-clusters` finds and runs).
    const result = run(project, join(project, "node_modules", ".bin", "immutable-clusters"), ["init", "generated", "--name", "web"]);
    expect(result.stdout).toContain("clusters/web.ts");
    const generated = JSON.parse(readFileSync(join(project, "generated", "package.json"), "utf8"));
    expect(generated.dependencies).toMatchObject({ "immutable-clusters": `^${ours.version}`, cdktf: pin("cdktf") });
    for (const file of ["clusters/web.ts", "apps/synth.ts", "test/cluster.test.ts", ".github/workflows/review.yml", ".gitignore"]) {
      expect(existsSync(join(project, "generated", file))).toBe(true);
    }
  });

  it("cannot reach the package's internals past its exports map", () => {
    const result = spawnSync(process.execPath, ["-e", 'require("immutable-clusters/lib/constructs/fleet/fleet")'], {
      cwd: project,
      encoding: "utf8",
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
