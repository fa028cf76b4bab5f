// The cluster's service-account issuer through the node bootstrap (node contract 3, docs/workload-identity.md):
// node-bootstrap.sh on the init winner of generation a and then of generation b, under bash against moto_server (each
// generation's own versioned, SSE-KMS node bucket; the cluster's issuer bucket and key named as the definition resolves
// them), with the fake kubeadm/kubectl of test/support/fake-node (credentials from the fake IMDS). a's controller creates
// the signing key and publishes its JWK before kubeadm init, which keeps it; b's controller reuses it. The key is in no
// script output.
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { serviceAccountIssuer } from "../constructs/definition/service-account-issuer";
import type { ClusterDefinition } from "../constructs/definition/types";
import { startMoto, type Moto } from "./support/moto";
import { startFakeImds, type FakeImds } from "./support/fake-node/imds";
import { FakeNode, type FakeCluster, type ScriptRun } from "./support/fake-node/node";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const REGION = "eu-west-1";
const definition: ClusterDefinition = sampleCluster({
  generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0 })],
});
const issuer = serviceAccountIssuer(definition);

let moto: Moto;
let imds: FakeImds;
let s3: S3Client;
let ssm: SSMClient;

async function kms(action: string, body: object): Promise<{ KeyMetadata?: { KeyId: string } }> {
  const res = await fetch(`${moto.endpoint}/`, {
    method: "POST",
    headers: {
      "X-Amz-Target": `TrentService.${action}`,
      "Content-Type": "application/x-amz-json-1.1",
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/kms/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`KMS ${action}: HTTP ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? (JSON.parse(text) as { KeyMetadata?: { KeyId: string } }) : {};
}

/** A KMS key with an alias, as the stacks create them. */
async function keyWithAlias(alias: string): Promise<void> {
  const key = await kms("CreateKey", { Description: alias });
  await kms("CreateAlias", { AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId });
}

/** A generation's node bucket as its stack creates it (versioned, SSE-KMS), its addons uploaded, and its fake cluster. */
async function generation(gen: ResolvedGeneration): Promise<FakeCluster> {
  await keyWithAlias(gen.kmsAlias);
  await s3.send(new CreateBucketCommand({ Bucket: gen.bucketName, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: gen.bucketName, VersioningConfiguration: { Status: "Enabled" } }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: gen.bucketName,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: gen.kmsAlias }, BucketKeyEnabled: true }],
      },
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: gen.bucketName,
      Key: "addons/manifests.yaml",
      Body: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
    }),
  );
  const stateDir = mkdtempSync(path.join(tmpdir(), `ic-wi-${gen.generationId}-`));
  writeFileSync(path.join(stateDir, "api-up"), "");
  return {
    clusterName: gen.fullName,
    region: REGION,
    ssmPrefix: gen.ssmPrefix,
    kmsKeyId: gen.kmsAlias,
    bucket: gen.bucketName,
    endpoint: moto.endpoint,
    stateDir,
    apiEndpoint: "localhost",
    apiPort: 6443,
  };
}

/** A contract-3 control-plane node of a generation: its cluster.env names the cluster's issuer (node-config.ts issuerEnv). */
function controller(name: string, c: FakeCluster): FakeNode {
  const node = new FakeNode(name, "controller", c, imds);
  imds.register(name, { instanceId: `i-0${name.replace(/\W/g, "")}`, hostname: `${name}.internal`, ip: "10.0.1.10" });
  writeFileSync(
    node.file("etc/immutable-clusters/cluster.env"),
    `SA_ISSUER_BUCKET=${issuer.bucketName}\nSA_SIGNING_KEY_PARAMETER=${issuer.signingKeyParameter}\nSA_KMS_KEY_ID=${issuer.kmsAlias}\n`,
    { flag: "a" },
  );
  return node;
}

const expectOk = (r: ScriptRun) => expect(`exit ${r.code}\n${r.stderr}`).toMatch(/^exit 0\n/);
const jwks = async () =>
  JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: issuer.bucketName, Key: "keys.json" }))).Body!.transformToString()) as {
    keys: Array<{ kid: string }>;
  };
const kidOf = (pem: string) =>
  createHash("sha256")
    .update(createPublicKey(createPrivateKey(pem)).export({ format: "der", type: "spki" }))
    .digest("base64url");

beforeAll(async () => {
  moto = await startMoto(REGION);
  imds = await startFakeImds({ accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" });
  const clientConfig = { region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  ssm = new SSMClient(clientConfig);
  // The identity stack's issuer bucket (SSE-S3) and cluster key.
  await keyWithAlias(issuer.kmsAlias);
  await s3.send(new CreateBucketCommand({ Bucket: issuer.bucketName, CreateBucketConfiguration: { LocationConstraint: REGION } }));
}, 60000);

afterAll(async () => {
  s3?.destroy();
  ssm?.destroy();
  await imds?.stop();
  await moto?.stop();
});

test("generation a's init winner creates the key before kubeadm init; generation b's reuses it; no output carries it", async () => {
  const a = controller("cp-a", await generation(resolveGeneration(definition, definition.generations[0])));
  const runA = await a.run("node-bootstrap.sh");
  expectOk(runA);
  const key = (await ssm.send(new GetParameterCommand({ Name: issuer.signingKeyParameter, WithDecryption: true }))).Parameter!.Value!;
  // kubeadm init (the fake keeps the service-account pair it finds, as kubeadm does) ran with the cluster's key in place.
  expect(readFileSync(a.file("etc/kubernetes/pki/sa.key"), "utf8").trim()).toBe(key.trim());
  expect(a.calls("kubeadm init").length).toBeGreaterThan(0);
  expect(a.awsCalls("ssm PutParameter")).toEqual([`ssm PutParameter ${issuer.signingKeyParameter}`]);
  expect((await jwks()).keys.map((k) => k.kid)).toEqual([kidOf(key)]);

  const b = controller("cp-b", await generation(resolveGeneration(definition, definition.generations[1])));
  const runB = await b.run("node-bootstrap.sh");
  expectOk(runB);
  expect(readFileSync(b.file("etc/kubernetes/pki/sa.key"), "utf8")).toBe(readFileSync(a.file("etc/kubernetes/pki/sa.key"), "utf8"));
  expect(b.awsCalls("ssm PutParameter")).toEqual([]);
  expect(runB.stderr).toContain(`reusing the cluster's service-account signing key ${issuer.signingKeyParameter}`);
  expect((await jwks()).keys.map((k) => k.kid)).toEqual([kidOf(key)]);

  const body = key.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----"));
  for (const run of [...a.runs, ...b.runs])
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain("PRIVATE KEY");
      for (const line of body) expect(text).not.toContain(line);
    }
}, 240000);
