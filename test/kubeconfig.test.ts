// `immutable-clusters kubeconfig`: the written kubeconfig parsed back with the yaml library, every field checked (server
// from the definitions, CA data from the published parameter, the exec credential running the token command), the
// refusals (placeholder, missing parameter, no access, a file that is not a CA), --traffic, --oidc (kubelogin) and
// merging into a file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { buildKubeconfig, mergeKubeconfig, oidcExecCredential, type ParameterReader } from "../apps/commands/kubeconfig";
import { CA_CERTIFICATE_PLACEHOLDER } from "../constructs/cluster/ca-certificate-parameter";
import { resolveGeneration } from "../constructs/definition/resolve";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { selfSignedCertificate } from "./support/certificates";

const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
// A real CA certificate, as kubeadm makes one (self-signed, CN kubernetes), made by openssl for this run.
selfSignedCertificate({ keyFile: join(dir, "ca.key"), certFile: join(dir, "ca.crt"), subject: "/CN=kubernetes" });
const CA = readFileSync(join(dir, "ca.crt"), "utf8");

const cluster = sampleCluster({
  generations: [
    sampleGeneration({ id: "a", weight: 20 }),
    sampleGeneration({ id: "b", weight: 80 }),
    sampleGeneration({ id: "c", weight: 0 }),
  ],
});
const clusters = [cluster];
const genB = resolveGeneration(cluster, cluster.generations[1]);

/** A fake parameter store: values by name, and the calls it got. */
function store(values: Record<string, string>): { read: ParameterReader; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    read: async (name, region) => {
      calls.push(`${region} ${name}`);
      return values[name];
    },
  };
}
const published = () =>
  store(Object.fromEntries(["a", "b", "c"].map((id) => [`/immutable-clusters/${cluster.name}/${id}/ca-certificate`, CA])));

test("one context for the named generation: server, CA data, exec credential, names", async () => {
  const ssm = published();
  const config = await buildKubeconfig({ target: `${cluster.name}/b`, clusters, readParameter: ssm.read });
  const parsed = parse(stringify(config));
  expect(parsed).toEqual({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": `${cluster.name}-b`,
    clusters: [
      {
        name: `${cluster.name}-b`,
        cluster: {
          server: `https://${genB.apiEndpoint}:${genB.apiPort}`,
          "certificate-authority-data": Buffer.from(CA.trimEnd() + "\n").toString("base64"),
        },
      },
    ],
    contexts: [{ name: `${cluster.name}-b`, context: { cluster: `${cluster.name}-b`, user: `${cluster.name}-b` } }],
    users: [
      {
        name: `${cluster.name}-b`,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "immutable-clusters",
            args: ["token", `${cluster.name}/b`, "--region", genB.region],
          },
        },
      },
    ],
  });
  expect(ssm.calls).toEqual([`${genB.region} /immutable-clusters/${cluster.name}/b/ca-certificate`]);
  expect(stringify(config)).not.toMatch(/insecure-skip-tls-verify|token:|client-key/);
  // The CA data decodes to a certificate.
  expect(Buffer.from(parsed.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toContain("BEGIN CERTIFICATE");
});

test("--region and --exec-command reach the exec credential and the parameter read", async () => {
  const ssm = published();
  const config = await buildKubeconfig({
    target: `${cluster.name}/a`,
    clusters,
    readParameter: ssm.read,
    region: "us-east-2",
    execCommand: "/opt/ic/bin/immutable-clusters",
  });
  expect(config.users[0].user.exec).toEqual({
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "/opt/ic/bin/immutable-clusters",
    args: ["token", `${cluster.name}/a`, "--region", "us-east-2"],
  });
  expect(ssm.calls).toEqual([`us-east-2 /immutable-clusters/${cluster.name}/a/ca-certificate`]);
});

test("--traffic: one context per generation with weight > 0, the heaviest current", async () => {
  const config = await buildKubeconfig({ target: cluster.name, traffic: true, clusters, readParameter: published().read });
  expect(config.contexts.map((c) => c.name)).toEqual([`${cluster.name}-a`, `${cluster.name}-b`]);
  expect(config.users.map((u) => (u.user.exec as { args: string[] }).args[1])).toEqual([`${cluster.name}/a`, `${cluster.name}/b`]);
  expect(config["current-context"]).toBe(`${cluster.name}-b`);
});

test("--ca-file instead of the parameter; refused with --traffic", async () => {
  const ssm = store({});
  const config = await buildKubeconfig({ target: `${cluster.name}/b`, clusters, readParameter: ssm.read, caFile: join(dir, "ca.crt") });
  expect(Buffer.from(config.clusters[0].cluster["certificate-authority-data"] as string, "base64").toString()).toBe(CA.trimEnd() + "\n");
  expect(ssm.calls).toEqual([]);
  await expect(buildKubeconfig({ target: cluster.name, traffic: true, clusters, caFile: join(dir, "ca.crt") })).rejects.toThrow(
    "kubeconfig: --ca-file names one generation's CA; drop --traffic or --ca-file",
  );
});

test("refusals name the cause and the fix", async () => {
  const name = `/immutable-clusters/${cluster.name}/b/ca-certificate`;
  const target = `${cluster.name}/b`;
  await expect(buildKubeconfig({ target, clusters, readParameter: store({ [name]: CA_CERTIFICATE_PLACEHOLDER }).read })).rejects.toThrow(
    /has not published its cluster CA yet .*holds the placeholder.*or pass --ca-file/,
  );
  await expect(buildKubeconfig({ target, clusters, readParameter: store({}).read })).rejects.toThrow(
    new RegExp(`SSM parameter ${name} does not exist in ${genB.region}.*node contract 1.*pass --region or --ca-file`),
  );
  const denied: ParameterReader = async () => {
    throw Object.assign(new Error("User is not authorized to perform: ssm:GetParameter"), { name: "AccessDeniedException" });
  };
  await expect(buildKubeconfig({ target, clusters, readParameter: denied })).rejects.toThrow(
    /AccessDeniedException: .*needs ssm:GetParameter on arn:aws:ssm:.*parameter\/immutable-clusters\/.*\/b\/ca-certificate/,
  );
  await expect(buildKubeconfig({ target, clusters, readParameter: store({ [name]: CA + CA }).read })).rejects.toThrow(
    "does not hold exactly one PEM certificate (found 2)",
  );
  const notACert = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
  await expect(buildKubeconfig({ target, clusters, readParameter: store({ [name]: notACert }).read })).rejects.toThrow(
    "holds a PEM block that is not a certificate",
  );
  await expect(buildKubeconfig({ target: "prod", clusters, readParameter: published().read })).rejects.toThrow(
    'kubeconfig: "prod" is not <cluster>/<generation>; write it like "prod/b"',
  );
  await expect(buildKubeconfig({ target: `${cluster.name}/z`, clusters, readParameter: published().read })).rejects.toThrow(
    `generation: cluster "${cluster.name}" has no generation "z"`,
  );
});

test("merging into an existing kubeconfig replaces our entries and keeps the others", async () => {
  const ours = await buildKubeconfig({ target: `${cluster.name}/b`, clusters, readParameter: published().read });
  const other = { name: "kind", cluster: { server: "https://127.0.0.1:6443" } };
  const stale = { name: `${cluster.name}-b`, cluster: { server: "https://old:443" } };
  const file = join(dir, "config");
  writeFileSync(
    file,
    stringify({ apiVersion: "v1", kind: "Config", "current-context": "kind", clusters: [other, stale], contexts: [], users: [] }),
  );
  const merged = mergeKubeconfig(readFileSync(file, "utf8"), ours, file);
  expect(merged.clusters).toEqual([other, ours.clusters[0]]);
  expect(merged["current-context"]).toBe(`${cluster.name}-b`);
  expect(() => mergeKubeconfig("kind: Pod\n", ours, "x.yaml")).toThrow(
    "kubeconfig: x.yaml is not a kubeconfig (kind: Config); choose another --out",
  );
});

test("--oidc: kubelogin asks for the standard scope of the username claim (it requests only openid otherwise)", () => {
  // int128/kubelogin pkg/oidc/client/factory.go: Scopes = extra scopes + "openid"; OpenID Connect Core 1.0 section 5.4:
  // the email claim comes with the "email" scope, preferred_username and the other profile claims with "profile".
  const args = (usernameClaim?: string) =>
    oidcExecCredential({ issuerUrl: "https://idp.example.com", clientId: "k8s", usernameClaim }).args;
  expect(args("email")).toEqual([
    "oidc-login",
    "get-token",
    "--oidc-issuer-url=https://idp.example.com",
    "--oidc-client-id=k8s",
    "--oidc-extra-scope=email",
  ]);
  expect(args("preferred_username")).toContain("--oidc-extra-scope=profile");
  expect(args("sub")).toEqual(["oidc-login", "get-token", "--oidc-issuer-url=https://idp.example.com", "--oidc-client-id=k8s"]);
  expect(args(undefined)).toEqual(args("sub"));
  expect(args("upn")).toEqual(args("sub"));
  // An issuer behind a private CA: kubelogin verifies it with that CA (base64 of the PEM), on the user's machine.
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const withCa = oidcExecCredential({ issuerUrl: "https://idp.example.com", clientId: "k8s", certificateAuthority: pem }).args as string[];
  expect(withCa.filter((a) => a.startsWith("--certificate-authority-data="))).toEqual([
    `--certificate-authority-data=${Buffer.from(pem).toString("base64")}`,
  ]);
  expect((args("sub") as string[]).some((a) => a.startsWith("--certificate-authority"))).toBe(false);
});

test("--oidc: a context whose user logs in through the issuer with kubectl oidc-login; an unknown issuer is refused", async () => {
  const issuer = { issuerUrl: "https://login.example.com/realms/platform", clientId: "kubernetes", usernamePrefix: "oidc:" };
  const withOidc = { ...cluster, access: { oidc: [issuer] } };
  const config = await buildKubeconfig({
    target: `${cluster.name}/b`,
    clusters: [withOidc],
    readParameter: published().read,
    oidc: "https://login.example.com/realms/platform/",
  });
  const parsed = parse(stringify(config)) as { "current-context": string; contexts: unknown[]; users: unknown[] };
  expect(parsed["current-context"]).toBe(`${cluster.name}-b-oidc`);
  expect(parsed.contexts).toEqual([
    { name: `${cluster.name}-b-oidc`, context: { cluster: `${cluster.name}-b`, user: `${cluster.name}-b-oidc` } },
  ]);
  expect(parsed.users).toEqual([
    {
      name: `${cluster.name}-b-oidc`,
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1beta1",
          command: "kubectl",
          args: ["oidc-login", "get-token", "--oidc-issuer-url=https://login.example.com/realms/platform", "--oidc-client-id=kubernetes"],
        },
      },
    },
  ]);
  await expect(
    buildKubeconfig({
      target: `${cluster.name}/b`,
      clusters: [withOidc],
      readParameter: published().read,
      oidc: "https://other.example.com",
    }),
  ).rejects.toThrow(
    'kubeconfig: --oidc https://other.example.com is not an issuer of cluster "demo"; use one of https://login.example.com/realms/platform',
  );
  await expect(
    buildKubeconfig({ target: `${cluster.name}/b`, clusters, readParameter: published().read, oidc: "https://other.example.com" }),
  ).rejects.toThrow('kubeconfig: cluster "demo" has no access.oidc issuers; add one to the definition, or drop --oidc');
});
