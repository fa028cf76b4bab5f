// Tests access by OIDC (issue 15): `access.oidc` validation (kube-apiserver's rules and this project's prefixes), the
// structured AuthenticationConfiguration rendered per supported Kubernetes minor (file in the controller's Ignition
// config, --authentication-config flag, mount), the RBAC bindings of OIDC groups beside the IAM webhook, and the guard
// refusing OIDC on a locked generation.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition } from "../constructs/definition/types";
import { definitionProblems } from "../constructs/definition/validate";
import { oidcVersionProblem, structuredAuthenticationApiVersion } from "../constructs/definition/oidc";
import { serviceAccountIssuer } from "../constructs/definition/service-account-issuer";
import { initConfiguration } from "../constructs/ignition/kubeadm-config";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import type { KubernetesObject } from "../constructs/testing/manifests";
import { addClusters, DefinitionError, EMPTY_LOCK, fingerprintGeneration, immutabilityViolations, withGeneration } from "../constructs";
import { changedInputs, immutableInputs } from "../constructs/fleet/immutable-inputs";
import { App } from "../constructs/platform/terraform";
import { checkedAddonObjects } from "./support/addon-objects";
import { selfSignedCertificate } from "./support/certificates";
import { fileText, type ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const ADMIN = "arn:aws:iam::123456789012:role/platform-admin";
const ISSUER = {
  issuerUrl: "https://login.example.com/realms/platform",
  clientId: "kubernetes",
  usernameClaim: "email",
  usernamePrefix: "oidc:",
  groupsClaim: "groups",
  groupsPrefix: "oidc:",
  adminGroups: ["platform-admins"],
  viewerGroups: ["support"],
};
const withOidc = (oidc: unknown, access: object = {}, version = "1.33.5") =>
  sampleCluster({
    access: { ...access, oidc } as ClusterDefinition["access"],
    generations: [sampleGeneration({ kubernetesVersion: version })],
  });
const problems = (oidc: unknown) => definitionProblems(withOidc(oidc)).map((p) => `${p.field}: ${p.message}`);
const generation = (cluster: ClusterDefinition) => resolveGeneration(cluster, cluster.generations[0]);

/** The controller's Ignition file at `path`, decoded, or undefined when the config has none. */
function controllerFile(cluster: ClusterDefinition, path: string): string | undefined {
  const ign = JSON.parse(renderNodeIgnition(generation(cluster), { kind: "controller" })) as ParsedIgnition;
  return ign.storage?.files?.some((f) => f.path === path) ? fileText(ign, path) : undefined;
}
const AUTH_FILE = "/etc/kubernetes/apiserver/authentication-config.yaml";

function apiServerOf(cluster: ClusterDefinition) {
  const config = parseAllDocuments(initConfiguration(generation(cluster)))
    .map((d) => d.toJSON() as Record<string, unknown>)
    .find((d) => d.kind === "ClusterConfiguration") as {
    apiServer: {
      extraArgs: Array<{ name: string; value: string }>;
      extraVolumes: Array<{ hostPath: string; mountPath: string; readOnly: boolean }>;
    };
  };
  return { args: Object.fromEntries(config.apiServer.extraArgs.map((a) => [a.name, a.value])), volumes: config.apiServer.extraVolumes };
}

describe("access.oidc validation", () => {
  const outdir = mkdtempSync(join(tmpdir(), "oidc-refused-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("a complete issuer, and one with only the required fields, are accepted", () => {
    expect(problems([ISSUER])).toEqual([]);
    expect(problems([{ issuerUrl: "https://idp.example.com", clientId: "k8s", usernamePrefix: "idp:" }])).toEqual([]);
  });

  test.each<[string, unknown, string, RegExp]>([
    [
      "http issuer",
      [{ ...ISSUER, issuerUrl: "http://login.example.com" }],
      "access.oidc[0].issuerUrl",
      /must use https.*write "https:\/\/login\.example\.com"/,
    ],
    [
      "issuer with a query",
      [{ ...ISSUER, issuerUrl: "https://login.example.com/?tenant=a" }],
      "access.oidc[0].issuerUrl",
      /has a query .*remove it/,
    ],
    [
      "issuer with a fragment",
      [{ ...ISSUER, issuerUrl: "https://login.example.com/#x" }],
      "access.oidc[0].issuerUrl",
      /has a fragment .*remove it/,
    ],
    [
      "issuer with credentials",
      [{ ...ISSUER, issuerUrl: "https://u:p@login.example.com" }],
      "access.oidc[0].issuerUrl",
      /carries credentials; remove/,
    ],
    ["not a URL", [{ ...ISSUER, issuerUrl: "login.example.com" }], "access.oidc[0].issuerUrl", /is not a URL; write the issuer exactly/],
    [
      "the service-account issuer",
      [{ ...ISSUER, issuerUrl: "https://kubernetes.default.svc.cluster.local" }],
      "access.oidc[0].issuerUrl",
      /service-account issuer/,
    ],
    [
      "the same issuer twice",
      [ISSUER, { ...ISSUER, usernamePrefix: "b:", groupsPrefix: "b:" }],
      "access.oidc[1].issuerUrl",
      /is listed twice \(also \[0\]\); list each issuer once/,
    ],
    ["no usernamePrefix", [{ ...ISSUER, usernamePrefix: undefined }], "access.oidc[0].usernamePrefix", /is required: .* e\.g\. "oidc:"/],
    [
      "an empty usernamePrefix with the sub claim",
      [{ ...ISSUER, usernameClaim: "sub", usernamePrefix: "" }],
      "access.oidc[0].usernamePrefix",
      /is empty with usernameClaim "sub".*set a prefix such as "oidc:"/,
    ],
    [
      "a system: usernamePrefix",
      [{ ...ISSUER, usernamePrefix: "system:x:" }],
      "access.oidc[0].usernamePrefix",
      /starts with "system:", which is reserved/,
    ],
    [
      "an iam: usernamePrefix",
      [{ ...ISSUER, usernamePrefix: "iam:" }],
      "access.oidc[0].usernamePrefix",
      /starts with "iam:", which is reserved/,
    ],
    [
      "groupsClaim without groupsPrefix",
      [{ ...ISSUER, groupsPrefix: undefined }],
      "access.oidc[0].groupsPrefix",
      /is required with groupsClaim/,
    ],
    [
      "an empty groupsPrefix",
      [{ ...ISSUER, groupsPrefix: "" }],
      "access.oidc[0].groupsPrefix",
      /must not be empty; set a prefix such as "oidc:"/,
    ],
    [
      "a system: groupsPrefix",
      [{ ...ISSUER, groupsPrefix: "system:" }],
      "access.oidc[0].groupsPrefix",
      /starts with "system:", which is reserved/,
    ],
    [
      "an immutable-clusters: groupsPrefix",
      [{ ...ISSUER, groupsPrefix: "immutable-clusters:" }],
      "access.oidc[0].groupsPrefix",
      /reserved/,
    ],
    [
      "two issuers with one groupsPrefix",
      [ISSUER, { ...ISSUER, issuerUrl: "https://other.example.com", usernamePrefix: "other:" }],
      "access.oidc[1].groupsPrefix",
      /also the groupsPrefix of \[0\].*give each issuer its own prefix/,
    ],
    [
      "admin groups without a groups claim",
      [{ ...ISSUER, groupsClaim: undefined, groupsPrefix: undefined }],
      "access.oidc[0].adminGroups",
      /no groupsClaim.*set groupsClaim/,
    ],
    ["no audience", [{ ...ISSUER, audiences: [] }], "access.oidc[0].audiences", /list at least one audience/],
    [
      "audiences without the client",
      [{ ...ISSUER, audiences: ["other"] }],
      "access.oidc[0].audiences",
      /does not contain clientId "kubernetes".*add it/,
    ],
    ["an audience twice", [{ ...ISSUER, audiences: ["kubernetes", "kubernetes"] }], "access.oidc[0].audiences[1]", /listed twice/],
    [
      "a group both admin and viewer",
      [{ ...ISSUER, viewerGroups: ["platform-admins"] }],
      "access.oidc[0].viewerGroups[0]",
      /also in adminGroups/,
    ],
    [
      "a CA that is not PEM",
      [{ ...ISSUER, certificateAuthority: "not a certificate" }],
      "access.oidc[0].certificateAuthority",
      /PEM certificates/,
    ],
    ["an unknown field", [{ ...ISSUER, clientSecret: "s3cret" }], "access.oidc[0]", /unknown field "clientSecret"/],
    ["no clientId", [{ ...ISSUER, clientId: undefined }], "access.oidc[0].clientId", /must be text, e.g. "kubernetes"/],
  ])("%s: refused at the field, naming the fix, nothing written", (_name, oidc, field, message) => {
    const found = problems(oidc).filter((p) => p.startsWith(`${field}: `));
    expect(found).toEqual([expect.stringMatching(message)]);
    const app = new App({ outdir });
    expect(() => addClusters(app, [withOidc(oidc)])).toThrow(DefinitionError);
    expect(app.node.children).toHaveLength(0);
    expect(readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
  });

  test("every cross-field problem is listed at once", () => {
    expect(problems([{ ...ISSUER, audiences: ["other"], groupsPrefix: "system:" }])).toEqual([
      expect.stringMatching(/^access\.oidc\[0\]\.audiences: /),
      expect.stringMatching(/^access\.oidc\[0\]\.groupsPrefix: /),
    ]);
  });

  test("the cluster's own service-account issuer (workload identity) is refused as an OIDC issuer", () => {
    // kube-apiserver refuses a JWT issuer equal to one of its --service-account-issuer values (validation.go
    // validateURL, "URL must not overlap with disallowed issuers") and would not start; generations rendered now set
    // that flag to the cluster's issuer bucket URL (kubeadm-config.ts apiServerArgs), not kubeadm's default.
    const url = serviceAccountIssuer(sampleCluster()).url;
    expect(problems([{ ...ISSUER, issuerUrl: url }])).toEqual([
      expect.stringMatching(
        /^access\.oidc\[0\]\.issuerUrl: ".*" is the cluster's own service-account issuer .*use your identity provider's URL/,
      ),
    ]);
    expect(problems([{ ...ISSUER, issuerUrl: `${url}/` }])).toHaveLength(1);
    expect(problems([ISSUER])).toEqual([]);
  });

  test("legacy --oidc-* flags cannot be set through controlPlane.apiServer.extraArgs", () => {
    const cluster = sampleCluster({
      generations: [sampleGeneration({ controlPlane: { apiServer: { extraArgs: { "oidc-issuer-url": "https://idp.example.com" } } } })],
    });
    expect(definitionProblems(cluster).map((p) => `${p.field}: ${p.message}`)).toContainEqual(
      expect.stringMatching(
        /controlPlane\.apiServer\.extraArgs\["oidc-issuer-url"\]: "oidc-issuer-url" cannot be set here: OIDC issuers are configured in access\.oidc/,
      ),
    );
  });

  test("the configuration's API version per Kubernetes minor; before 1.30 access.oidc is refused", () => {
    expect(structuredAuthenticationApiVersion("1.29.9")).toBeUndefined();
    expect(structuredAuthenticationApiVersion("1.30.0")).toBe("apiserver.config.k8s.io/v1beta1");
    expect(structuredAuthenticationApiVersion("1.33.5")).toBe("apiserver.config.k8s.io/v1beta1");
    expect(structuredAuthenticationApiVersion("1.34.7")).toBe("apiserver.config.k8s.io/v1");
    expect(oidcVersionProblem("1.29.9")).toMatch(/use Kubernetes 1\.30 or later, or remove access\.oidc/);
    expect(definitionProblems(withOidc([ISSUER], {}, "1.29.9")).map((p) => `${p.field}: ${p.message}`)).toContainEqual(
      expect.stringMatching(/^generations\[0\]\.kubernetesVersion: Kubernetes 1\.29\.9 has no structured authentication/),
    );
  });
});

describe("the rendered authentication configuration", () => {
  test.each([
    ["1.31.0", "apiserver.config.k8s.io/v1beta1", false],
    ["1.32.8", "apiserver.config.k8s.io/v1beta1", true],
    ["1.33.5", "apiserver.config.k8s.io/v1beta1", true],
    ["1.34.7", "apiserver.config.k8s.io/v1", true],
    ["1.35.4", "apiserver.config.k8s.io/v1", true],
  ])("Kubernetes %s: %s, anonymous limited to health endpoints: %s; flag and mount", (version, apiVersion, anonymous) => {
    const cluster = withOidc([ISSUER], {}, version);
    const file = parse(controllerFile(cluster, AUTH_FILE)!) as Record<string, unknown>;
    expect(file.apiVersion).toBe(apiVersion);
    expect(file.kind).toBe("AuthenticationConfiguration");
    expect("anonymous" in file).toBe(anonymous);
    expect(file.jwt).toEqual([
      {
        issuer: { url: ISSUER.issuerUrl, audiences: ["kubernetes"] },
        claimMappings: { username: { claim: "email", prefix: "oidc:" }, groups: { claim: "groups", prefix: "oidc:" } },
        userValidationRules: [
          { expression: "!user.username.startsWith('system:')", message: expect.any(String) },
          { expression: "user.groups.all(group, !group.startsWith('system:'))", message: expect.any(String) },
        ],
      },
    ]);
    const { args, volumes } = apiServerOf(cluster);
    expect(args["authentication-config"]).toBe(AUTH_FILE);
    expect(Object.keys(args).filter((a) => a.startsWith("oidc-"))).toEqual([]);
    expect(volumes).toContainEqual(
      expect.objectContaining({ hostPath: "/etc/kubernetes/apiserver", mountPath: "/etc/kubernetes/apiserver", readOnly: true }),
    );
  });

  test("Kubernetes 1.31 without OIDC gets neither the file nor the flag (unchanged); 1.33 without OIDC keeps the fixed file", () => {
    const plain = sampleCluster();
    expect(controllerFile(plain, AUTH_FILE)).toBeUndefined();
    expect(apiServerOf(plain).args["authentication-config"]).toBeUndefined();
    const file = controllerFile(sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.33.5" })] }), AUTH_FILE)!;
    expect(file).toMatch(/^# kube-apiserver structured authentication configuration/);
    expect(parse(file)).toEqual({
      apiVersion: "apiserver.config.k8s.io/v1beta1",
      kind: "AuthenticationConfiguration",
      anonymous: { enabled: true, conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }] },
    });
  });

  test("several audiences match any; the CA and required claims are carried; the IAM webhook stays beside it", () => {
    const dir = mkdtempSync(join(tmpdir(), "oidc-ca-"));
    selfSignedCertificate({ keyFile: join(dir, "ca.key"), certFile: join(dir, "ca.crt"), subject: "/CN=idp-ca" });
    const certPem = readFileSync(join(dir, "ca.crt"), "utf8");
    const cluster = withOidc(
      [{ ...ISSUER, audiences: ["kubernetes", "kubectl"], certificateAuthority: certPem, requiredClaims: { hd: "example.com" } }],
      { admins: [ADMIN] },
    );
    const jwt = (parse(controllerFile(cluster, AUTH_FILE)!) as { jwt: Array<Record<string, unknown>> }).jwt[0];
    expect(jwt.issuer).toEqual({
      url: ISSUER.issuerUrl,
      audiences: ["kubernetes", "kubectl"],
      audienceMatchPolicy: "MatchAny",
      certificateAuthority: certPem,
    });
    expect(jwt.claimValidationRules).toEqual([{ claim: "hd", requiredValue: "example.com" }]);
    const { args } = apiServerOf(cluster);
    expect(args["authentication-token-webhook-config-file"]).toBe("/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml");
    expect(args["authentication-config"]).toBe(AUTH_FILE);
  });
});

describe("RBAC of OIDC groups", () => {
  // The objects the rendered YAML manifests carry, without writing and parsing the YAML (support/addon-objects.ts).
  const ofKind = (objects: readonly KubernetesObject[], kind: string) => objects.filter((o) => o.kind === kind);
  const bindings = (objects: readonly KubernetesObject[]) =>
    Object.fromEntries(
      ofKind(objects, "ClusterRoleBinding")
        .filter((b) => ["immutable-clusters:admins", "immutable-clusters:viewers"].includes(b.metadata.name))
        .map((b) => [b.metadata.name, (b as never as { subjects: Array<{ name: string }> }).subjects.map((s) => s.name)]),
    );

  test("adminGroups and viewerGroups join the IAM groups' bindings, prefixed as the API server names them", () => {
    expect(bindings(checkedAddonObjects(generation(withOidc([ISSUER], { admins: [ADMIN] }))))).toEqual({
      "immutable-clusters:admins": ["immutable-clusters:admins", "oidc:platform-admins"],
      "immutable-clusters:viewers": ["immutable-clusters:viewers", "oidc:support"],
    });
  });

  test("without any IAM role the bindings are rendered alone, with no authenticator", () => {
    const objects = checkedAddonObjects(generation(withOidc([ISSUER])));
    expect(bindings(objects)["immutable-clusters:admins"]).toEqual(["immutable-clusters:admins", "oidc:platform-admins"]);
    expect(ofKind(objects, "DaemonSet").map((d) => d.metadata.name)).not.toContain("aws-iam-authenticator");
    expect(ofKind(objects, "ConfigMap").map((d) => d.metadata.name)).not.toContain("aws-iam-authenticator");
  });
});

describe("the guard", () => {
  const cluster = sampleCluster();
  const withIssuer: ClusterDefinition = { ...cluster, access: { oidc: [ISSUER] } };

  test("adding access.oidc to a generation locked by hash is refused: the controllers' config changes", () => {
    const lock = withGeneration(EMPTY_LOCK, "demo", "a", fingerprintGeneration(cluster, "a"));
    expect(immutabilityViolations([cluster], lock)).toEqual([]);
    expect(immutabilityViolations([withIssuer], lock).map((v) => `${v.generation} ${v.field}`)).toContain("a generations[0].controlPlane");
  });

  test("for a frozen generation, access.oidc is an immutable input", () => {
    const frozen = immutableInputs(cluster, cluster.generations[0]);
    expect(changedInputs(frozen, cluster, cluster.generations[0])).toEqual([]);
    expect(changedInputs(frozen, withIssuer, withIssuer.generations[0]).map((c) => c.field)).toEqual(["access"]);
  });
});
