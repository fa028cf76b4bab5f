// publish-ca.sh under bash against moto_server's SSM, as on a control-plane node: the parameter pre-created by
// Terraform with the placeholder, then overwritten with ca.crt once kubeadm wrote it, once (later runs compare a local
// hash), never with a file that is not one certificate; and `immutable-clusters kubeconfig` reads it back with the AWS
// SDK's SSM client (end to end: what the node publishes is what the kubeconfig trusts).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { buildKubeconfig } from "../apps/commands/kubeconfig";
import { CA_CERTIFICATE_PLACEHOLDER } from "../constructs/cluster/ca-certificate-parameter";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { startMoto, type Moto } from "./support/moto";
import { selfSignedCertificate } from "./support/certificates";

const SCRIPT = join(__dirname, "../constructs/ignition/files/bin/publish-ca.sh");
const REGION = "eu-west-1";
const PREFIX = "/immutable-clusters/demo/a";
const NAME = `${PREFIX}/ca-certificate`;

let moto: Moto;
let ssm: SSMClient;
const root = mkdtempSync(join(tmpdir(), "publish-ca-"));
const trace = join(root, "trace");
const caFile = join(root, "etc/kubernetes/pki/ca.crt");

function run(): { status: number | null; stderr: string; calls: string[] } {
  writeFileSync(trace, "");
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      IC_ROOT: root,
      SSM_PREFIX: PREFIX,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      IC_AWS_TRACE_FILE: trace,
    },
  });
  return { status: result.status, stderr: result.stderr, calls: readFileSync(trace, "utf8").split("\n").filter(Boolean) };
}
const value = async () => (await ssm.send(new GetParameterCommand({ Name: NAME }))).Parameter?.Value;

beforeAll(async () => {
  moto = await startMoto(REGION);
  ssm = new SSMClient(moto.clientConfig);
  // As Terraform creates it (ca-certificate-parameter.ts).
  await ssm.send(new PutParameterCommand({ Name: NAME, Type: "String", Value: CA_CERTIFICATE_PLACEHOLDER }));
}, 60_000);
afterAll(async () => {
  ssm?.destroy();
  await moto?.stop();
});

test("before kubeadm wrote ca.crt: nothing published, success (the timer runs again)", () => {
  const { status, stderr, calls } = run();
  expect(status).toBe(0);
  expect(calls).toEqual([]);
  expect(stderr).toContain("does not exist yet");
});

test("a file that is not one certificate is never published", async () => {
  mkdirSync(join(root, "etc/kubernetes/pki"), { recursive: true });
  writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
  const { status, stderr, calls } = run();
  expect(status).toBe(1);
  expect(calls).toEqual([]);
  expect(stderr).toContain("is not one PEM certificate");
  expect(await value()).toBe(CA_CERTIFICATE_PLACEHOLDER);
});

test("publishes ca.crt over the placeholder once, then only when it changes; kubeconfig reads it back", async () => {
  selfSignedCertificate({ keyFile: join(root, "ca.key"), certFile: caFile, subject: "/CN=kubernetes" });
  const pem = readFileSync(caFile, "utf8");
  const first = run();
  expect([first.status, first.calls]).toEqual([0, [`ssm PutParameter ${NAME}`]]);
  expect(await value()).toBe(pem.trimEnd());
  const again = run();
  expect([again.status, again.calls]).toEqual([0, []]);

  const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a" })] });
  const config = await buildKubeconfig({
    target: "demo/a",
    clusters: [cluster],
    readParameter: async (name, region) => {
      const client = new SSMClient({ ...moto.clientConfig, region });
      try {
        return (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      } finally {
        client.destroy();
      }
    },
  });
  expect(Buffer.from(config.clusters[0].cluster["certificate-authority-data"] as string, "base64").toString()).toBe(pem.trimEnd() + "\n");
});
