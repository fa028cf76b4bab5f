// Benchmark peer: AWS EKS Blueprints, one cluster with the 8 addons of issue 17 (VpcCni, CoreDns, KubeProxy,
// MetricsServer, KubeStateMetrics, PrometheusNodeExporter, AwsForFluentBit, AwsLoadBalancerController), installed from
// the npm registry into .bench/peer/ on first use and synthesized offline: account and region are fixed in the app (no
// context lookup), the three EKS core addons are given the version the installed package's own versionMap lists for
// Kubernetes 1.32 (so no DescribeAddonVersions call), the Helm addons use the chart versions the package pins, and
// every HTTP(S) request is pointed at a closed port.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

/**
 * The peer's packages. @aws-quickstart/eks-blueprints 1.19.0 declares aws-cdk-lib 2.261.0 as its peer dependency
 * (its package.json "peerDependencies", npm registry) and constructs ^10.6.0 as a dependency.
 */
const PEER_PACKAGES = { "@aws-quickstart/eks-blueprints": "1.19.0", "aws-cdk-lib": "2.261.0", constructs: "10.6.0" };

/**
 * The app. Core addon versions: @aws-quickstart/eks-blueprints 1.19.0 dist/addons/{vpc-cni,coredns,kube-proxy}/index.js,
 * `versionMap` entry for KubernetesVersion.V1_32 (awslabs/cdk-eks-blueprints lib/addons/<addon>/index.ts).
 */
const PEER_APP = `import * as cdk from "aws-cdk-lib";
import { KubernetesVersion } from "aws-cdk-lib/aws-eks";
import * as blueprints from "@aws-quickstart/eks-blueprints";

async function main(): Promise<void> {
  const app = new cdk.App({ outdir: process.argv[2] });
  await blueprints.EksBlueprint.builder()
    .account("123456789012")
    .region("eu-west-1")
    .version(KubernetesVersion.V1_32)
    .addOns(
      new blueprints.addons.VpcCniAddOn({ version: "v1.20.4-eksbuild.2" }),
      new blueprints.addons.CoreDnsAddOn("v1.11.4-eksbuild.2"),
      new blueprints.addons.KubeProxyAddOn("v1.32.6-eksbuild.12"),
      new blueprints.addons.MetricsServerAddOn(),
      new blueprints.addons.KubeStateMetricsAddOn(),
      new blueprints.addons.PrometheusNodeExporterAddOn(),
      new blueprints.addons.AwsForFluentBitAddOn(),
      new blueprints.addons.AwsLoadBalancerControllerAddOn(),
    )
    .buildAsync(app, "peer-cluster");
  app.synth();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** Environment of a peer run: no credentials, no metadata service, every HTTP(S) request to a closed port. */
export const OFFLINE_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_EC2_METADATA_DISABLED: "true",
  HTTP_PROXY: "http://127.0.0.1:9",
  HTTPS_PROXY: "http://127.0.0.1:9",
  CDK_DISABLE_VERSION_CHECK: "1",
};

/** The installed peer: its folder, its app as TypeScript and as compiled JS, and the versions that were installed. */
export interface Peer {
  readonly dir: string;
  readonly appTs: string;
  readonly appJs: string;
  readonly versions: string;
}

/** Installs the peer into `<benchDir>/peer` unless it is there with the pinned versions, and writes its app. */
export function preparePeer(benchDir: string): Peer {
  const dir = join(benchDir, "peer");
  mkdirSync(dir, { recursive: true });
  const installed = (name: string): string | undefined => {
    const file = join(dir, "node_modules", name, "package.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : undefined;
  };
  if (Object.entries(PEER_PACKAGES).some(([name, version]) => installed(name) !== version)) {
    console.log(
      `installing the peer (${Object.entries(PEER_PACKAGES)
        .map(([n, v]) => `${n}@${v}`)
        .join(", ")}) into ${dir} ...`,
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-peer", private: true }) + "\n");
    execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--save-exact", ...Object.entries(PEER_PACKAGES).map(([n, v]) => `${n}@${v}`)],
      {
        cwd: dir,
        stdio: "ignore",
      },
    );
  }
  const appTs = join(dir, "app.ts");
  const appJs = join(dir, "app.js");
  writeFileSync(appTs, PEER_APP);
  writeFileSync(
    appJs,
    transformSync(PEER_APP, { loader: "ts", format: "cjs", platform: "node", target: `node${process.versions.node}` }).code,
  );
  const versions = Object.keys(PEER_PACKAGES)
    .map((name) => `${name} ${installed(name)}`)
    .join(", ");
  return { dir, appTs, appJs, versions };
}
