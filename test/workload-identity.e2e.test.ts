// End to end on the local AWS emulator (docs/workload-identity.md): a cluster's identity stack is applied with the real
// terraform CLI and AWS provider (issuer bucket and policy, discovery document, cluster key, OIDC provider, workload
// role); then the node script of contract 3 (service-account-issuer.sh) runs under bash as the first controller of
// generation a, which creates the signing key and publishes the JWKS, and as the first controller of generation b,
// which reuses the same key; two controllers racing for a new key end with one. Tokens signed on a and on b verify
// with the published JWKS. The key is in no Terraform state, plan or script output; the destroy removes the stack.
import { execFile } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreatePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
} from "@aws-sdk/client-iam";
import { GetBucketPolicyCommand, GetObjectCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteParameterCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { serviceAccountIssuer, type ClusterDefinition } from "../constructs";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { startMoto, type Moto } from "./support/moto";
import { startProviderServer, type ProviderServer } from "./support/provider-server";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { synthClusters } from "./support/synth";
import { runTerraform, terraform } from "./support/terraform";
import { readStackState } from "./support/terraform-state";

const run = promisify(execFile);
const SCRIPT = join(__dirname, "..", "constructs", "ignition", "files", "bin", "service-account-issuer.sh");

const definition: ClusterDefinition = sampleCluster({
  name: "wi",
  generations: [sampleGeneration({ id: "a", weight: 100 }), sampleGeneration({ id: "b", weight: 0, kubernetesVersion: "1.35.4" })],
  // A customer managed policy the test creates first (moto has no AWS managed policies to attach); moto's account id.
  serviceAccounts: [{ namespace: "payments", name: "invoice-exporter", policyArns: ["arn:aws:iam::123456789012:policy/wi-invoices-read"] }],
});
const issuer = serviceAccountIssuer(definition);

interface Jwks {
  keys: Array<JsonWebKey & { kid: string; alg: string; use: string }>;
}

describe("the cluster issuer on the AWS emulator", () => {
  let moto: Moto;
  /** The AWS provider every terraform run of this suite attaches to (test/support/provider-server.ts). */
  let providerServer: ProviderServer;
  let providerStarting: Promise<ProviderServer> | undefined;
  /** The environment of every terraform run: the emulator and the provider process. */
  const tfEnv = () => ({ ...moto.env, ...providerServer.env });
  let workDir: string;
  let stackDir: string;
  let s3: S3Client;
  let ssm: SSMClient;
  let iam: IAMClient;
  /** Everything the node script printed, for the secret scan. */
  const scriptOutput: string[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    // The provider boots (a 675 MB binary) while the workload's policy is made and the stack is synthesized.
    providerStarting = startProviderServer(moto.env);
    providerStarting.catch(() => undefined); // awaited at the end of beforeAll, whose failure it then is
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    ssm = new SSMClient(moto.clientConfig);
    iam = new IAMClient(moto.clientConfig);
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: "wi-invoices-read",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }),
      }),
    );
    workDir = mkdtempSync(join(tmpdir(), "workload-identity-"));
    // As the cdktf app synthesizes (constructs/fleet/fleet-app.ts): cdktf's token stack captures left unformatted; the
    // Terraform JSON is the same.
    const outdir = withCheapCaptures(() => synthClusters([definition], join(workDir, "cdktf.out"))).outdir;
    stackDir = join(outdir, "stacks", "wi-identity");
    providerServer = await providerStarting;
  });

  afterAll(async () => {
    // Also when beforeAll failed before it awaited the provider: the process is stopped either way.
    await (providerServer ?? (await providerStarting?.catch(() => undefined)))?.stop();
    await moto?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** Runs the node script as the init winner of `generation`, with the names its cluster.env carries. */
  async function controller(generation: string, parameter = issuer.signingKeyParameter): Promise<string> {
    const root = join(workDir, `node-${generation}`);
    mkdirSync(join(root, "etc", "immutable-clusters"), { recursive: true });
    const env = join(root, "etc", "immutable-clusters", "cluster.env");
    writeFileSync(
      env,
      [
        `AWS_REGION=${definition.region}`,
        `SA_ISSUER_BUCKET=${issuer.bucketName}`,
        `SA_SIGNING_KEY_PARAMETER=${parameter}`,
        `SA_KMS_KEY_ID=${issuer.kmsAlias}`,
      ].join("\n") + "\n",
    );
    const result = await run("bash", [SCRIPT], {
      env: { ...process.env, ...moto.env, IC_ROOT: root, IC_CLUSTER_ENV: env, IC_IMDS_URL: "http://127.0.0.1:9" },
      encoding: "utf8",
    });
    scriptOutput.push(result.stdout, result.stderr);
    return root;
  }
  const saKey = (root: string) => readFileSync(join(root, "etc", "kubernetes", "pki", "sa.key"), "utf8");
  const jwks = async (): Promise<Jwks> =>
    JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: issuer.bucketName, Key: "keys.json" }))).Body!.transformToString(),
    ) as Jwks;
  /** The JWK kube-apiserver derives from a key: kid = base64url(SHA-256 of the public key's DER), n and e as JWK. */
  const expectedJwk = (privateKeyPem: string) => {
    const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
    const kid = createHash("sha256")
      .update(publicKey.export({ format: "der", type: "spki" }))
      .digest("base64url");
    const { n, e } = publicKey.export({ format: "jwk" });
    return { kid, kty: "RSA", alg: "RS256", use: "sig", n, e };
  };
  /** A service-account token signed with `privateKeyPem` (RS256, kid in the header) and whether the JWKS verifies it. */
  const verifiesWithJwks = (privateKeyPem: string, published: Jwks) => {
    const kid = expectedJwk(privateKeyPem).kid;
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const input = `${encode({ alg: "RS256", kid })}.${encode({ iss: issuer.url, sub: "system:serviceaccount:payments:invoice-exporter", aud: ["sts.amazonaws.com"] })}`;
    const signature = sign("sha256", Buffer.from(input), createPrivateKey(privateKeyPem));
    const jwk = published.keys.find((k) => k.kid === kid);
    return jwk !== undefined && verify("sha256", Buffer.from(input), createPublicKey({ key: jwk, format: "jwk" }), signature);
  };

  test("terraform apply creates the issuer bucket, its discovery document, the OIDC provider and the workload role", async () => {
    terraform(stackDir, ["init", "-no-color"], tfEnv());
    terraform(stackDir, ["apply", "-auto-approve", "-no-color", "-parallelism=20"], tfEnv());
    await s3.send(new HeadBucketCommand({ Bucket: issuer.bucketName }));
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: issuer.bucketName }))).Policy!) as {
      Statement: Array<{ Effect: string; Principal: unknown; Resource: string[] }>;
    };
    expect(policy.Statement.filter((s) => s.Effect === "Allow")).toEqual([
      expect.objectContaining({
        Principal: "*",
        Resource: [`arn:aws:s3:::${issuer.bucketName}/.well-known/openid-configuration`, `arn:aws:s3:::${issuer.bucketName}/keys.json`],
      }),
    ]);
    const discovery = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: issuer.bucketName, Key: ".well-known/openid-configuration" }))
      ).Body!.transformToString(),
    ) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: issuer.url, jwks_uri: `${issuer.url}/keys.json` });
    const providers = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList!.map((p) => p.Arn!);
    expect(providers).toHaveLength(1);
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providers[0] }));
    expect(provider.Url).toBe(issuer.host);
    expect(provider.ClientIDList).toEqual(["sts.amazonaws.com"]);
    const role = (await iam.send(new GetRoleCommand({ RoleName: "wi-sa-payments-invoice-exporter" }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: Array<Record<string, unknown>> };
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "wi-sa-payments-invoice-exporter" }));
    expect(attached.AttachedPolicies!.map((p) => p.PolicyArn)).toEqual(definition.serviceAccounts![0].policyArns);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Federated: providers[0] },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${issuer.host}:sub`]: "system:serviceaccount:payments:invoice-exporter",
          [`${issuer.host}:aud`]: "sts.amazonaws.com",
        },
      },
    });
  });

  test("generation a's first controller creates the signing key and publishes its JWK; generation b's reuses it", async () => {
    const a = await controller("a");
    const parameter = (await ssm.send(new GetParameterCommand({ Name: issuer.signingKeyParameter, WithDecryption: true }))).Parameter!;
    expect(parameter.Type).toBe("SecureString");
    expect(saKey(a).trim()).toBe(parameter.Value!.trim());
    expect(statSync(join(a, "etc", "kubernetes", "pki", "sa.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(a, "etc", "kubernetes", "pki", "sa.pub"), "utf8")).toBe(
      createPublicKey(createPrivateKey(saKey(a))).export({ format: "pem", type: "spki" }),
    );
    expect((await jwks()).keys).toEqual([expectedJwk(saKey(a))]);

    const b = await controller("b");
    expect(saKey(b)).toBe(saKey(a));
    expect((await jwks()).keys).toEqual([expectedJwk(saKey(a))]);
    // A token of generation a and one of generation b (same issuer, same key) verify with the published JWKS.
    expect(verifiesWithJwks(saKey(a), await jwks())).toBe(true);
    expect(verifiesWithJwks(saKey(b), await jwks())).toBe(true);
  });

  test("two controllers racing for a new key (a rotation) end with one key, published beside the old one", async () => {
    const old = expectedJwk(saKey(join(workDir, "node-a")));
    const rotated = `${issuer.signingKeyParameter}-2`;
    const before = scriptOutput.length;
    const [c1, c2] = await Promise.all([controller("c1", rotated), controller("c2", rotated)]);
    expect(saKey(c1)).toBe(saKey(c2));
    // Exactly one of the two created the parameter; the other found it (taken first, or already there).
    const created = scriptOutput.slice(before).filter((text) => text.includes("created the cluster's service-account signing key"));
    expect(created).toHaveLength(1);
    const published = await jwks();
    expect(published.keys.map((k) => k.kid).sort()).toEqual([old.kid, expectedJwk(saKey(c1)).kid].sort());
    expect(verifiesWithJwks(saKey(c1), published)).toBe(true);
    expect(verifiesWithJwks(saKey(join(workDir, "node-a")), published)).toBe(true);
    await ssm.send(new DeleteParameterCommand({ Name: rotated }));
  });

  test("the key is in no Terraform state, plan or script output; the next plan is clean", () => {
    const keys = [saKey(join(workDir, "node-a")), saKey(join(workDir, "node-c1"))];
    // The base64 body of each key, a line at a time: any fragment of it in an output is a leak.
    const fragments = keys.flatMap((k) => k.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----")));
    expect(fragments.length).toBeGreaterThan(20);
    const plan = runTerraform(stackDir, ["plan", "-refresh=true", "-detailed-exitcode", "-no-color"], tfEnv());
    expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: "" });
    // The latest state snapshot, read from the state file (test/support/terraform-state.ts): every value `terraform show
    // -json` would print of it, and more, without a terraform run that decodes the provider's schema. It names the bucket.
    const state = readStackState(stackDir).text;
    expect(state).toContain(issuer.bucketName);
    const outputs = [state, plan.stdout, ...scriptOutput];
    for (const text of outputs) {
      expect(text).not.toContain("PRIVATE KEY");
      for (const fragment of fragments) expect(text).not.toContain(fragment);
    }
  });

  test("terraform destroy removes the issuer (with the JWKS the nodes wrote), the provider and the role", async () => {
    // Without a refresh: the plan just before read the emulator and found nothing to change; the checks below prove the
    // destroy removed it all.
    terraform(stackDir, ["destroy", "-auto-approve", "-refresh=false", "-no-color", "-parallelism=20"], tfEnv());
    await expect(s3.send(new HeadBucketCommand({ Bucket: issuer.bucketName }))).rejects.toThrow();
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).toEqual([]);
    await expect(iam.send(new GetRoleCommand({ RoleName: "wi-sa-payments-invoice-exporter" }))).rejects.toThrow();
  });
});
