// The API server's security settings as rendered into a control-plane node's Ignition config: kubeadm's
// ClusterConfiguration flags and volumes, the audit policy, authentication, admission and encryption files (and that
// no key is in them), the per-minor anonymous-auth choice, and the definition fields a team may change
// (controlPlane.apiServer), with the refusals that name the field and the fix.
import { parseAllDocuments, parse } from "yaml";
import type { ClusterDefinition, GenerationDefinition } from "../constructs";
import { definitionProblems } from "../constructs/definition/validate";
import { PROTECTED_API_SERVER_FLAGS, FIXED_API_SERVER_FLAGS } from "../constructs/definition/control-plane-options";
import { resolveGeneration } from "../constructs/definition/resolve";
import { apiServerArgs } from "../constructs/ignition/kubeadm-config";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { fileText, type ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function cluster(overrides: Partial<GenerationDefinition> = {}): ClusterDefinition {
  return sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.35.4", ...overrides })] });
}
function controller(def: ClusterDefinition): ParsedIgnition {
  return JSON.parse(renderNodeIgnition(resolveGeneration(def, def.generations[0]), { kind: "controller" })) as ParsedIgnition;
}
function clusterConfiguration(config: ParsedIgnition): Obj {
  const docs = parseAllDocuments(fileText(config, "/etc/immutable-clusters/kubeadm/init.yaml")).map((d) => d.toJS() as Obj);
  return docs.find((d) => d.kind === "ClusterConfiguration");
}
function flags(config: ParsedIgnition): Record<string, string> {
  return Object.fromEntries((clusterConfiguration(config).apiServer.extraArgs as Obj[]).map((a) => [a.name, a.value]));
}
const fileMode = (config: ParsedIgnition, path: string) => config.storage?.files?.find((f) => f.path === path)?.mode;

describe("API server files on control-plane nodes", () => {
  const config = controller(cluster());

  test("every file a flag points at is written by Ignition, root-only, and mounted read-only into the API server", () => {
    const f = flags(config);
    for (const flag of ["audit-policy-file", "admission-control-config-file", "authentication-config"]) {
      expect(fileMode(config, f[flag])).toBe(0o600);
    }
    const volumes = clusterConfiguration(config).apiServer.extraVolumes as Obj[];
    expect(volumes).toContainEqual(expect.objectContaining({ hostPath: "/etc/kubernetes/apiserver", readOnly: true }));
    expect(volumes).toContainEqual(expect.objectContaining({ hostPath: "/var/log/kubernetes/audit", readOnly: false }));
    for (const flag of ["audit-policy-file", "admission-control-config-file", "authentication-config", "encryption-provider-config"])
      expect(f[flag].startsWith("/etc/kubernetes/apiserver/")).toBe(true);
    expect(f["audit-log-path"].startsWith("/var/log/kubernetes/audit/")).toBe(true);
  });

  test("the encryption config is a template: secretbox first, a placeholder for the key, no key in the output", () => {
    const template = parse(fileText(config, "/etc/immutable-clusters/kubeadm/encryption-config.yaml")) as Obj;
    expect(template.kind).toBe("EncryptionConfiguration");
    const providers = template.resources[0].providers as Obj[];
    expect(template.resources[0].resources).toEqual(["secrets"]);
    expect(Object.keys(providers[0])).toEqual(["secretbox"]);
    expect(providers[0].secretbox.keys).toEqual([{ name: "key1", secret: "@@SECRETS_ENCRYPTION_KEY@@" }]);
    expect(providers.at(-1)).toEqual({ identity: {} });
    // The rendered file is the node's to write; Ignition must not ship one.
    expect(config.storage?.files?.some((f) => f.path === "/etc/kubernetes/apiserver/encryption-config.yaml")).toBe(false);
  });

  test("workers get none of the API server's files", () => {
    const def = cluster();
    const gen = resolveGeneration(def, def.generations[0]);
    const worker = JSON.parse(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] })) as ParsedIgnition;
    const paths = (worker.storage?.files ?? []).map((f) => f.path);
    expect(paths.filter((p) => p.startsWith("/etc/kubernetes/apiserver") || p.endsWith("encryption-config.yaml"))).toEqual([]);
  });

  test("the audit policy never logs bodies of Secrets, ConfigMaps, tokens or TokenReviews, and drops health probes", () => {
    const policy = parse(fileText(config, flags(config)["audit-policy-file"])) as Obj;
    expect(policy.apiVersion).toBe("audit.k8s.io/v1");
    const rules = policy.rules as Obj[];
    const sensitive = rules.findIndex((r) => r.resources?.some((g: Obj) => g.group === "" && g.resources?.includes("secrets")));
    expect(rules[sensitive].level).toBe("Metadata");
    expect(rules[sensitive].resources).toContainEqual({ group: "authentication.k8s.io", resources: ["tokenreviews"] });
    expect(rules[sensitive].resources[0].resources).toEqual(expect.arrayContaining(["configmaps", "serviceaccounts/token"]));
    // No earlier rule logs those resources at a body level.
    for (const rule of rules.slice(0, sensitive)) expect(rule.level).toBe("None");
    expect(rules.find((r) => r.nonResourceURLs)?.nonResourceURLs).toEqual(expect.arrayContaining(["/livez*", "/readyz*", "/healthz*"]));
    expect(rules.at(-1)).toEqual({ level: "Metadata" });
  });
});

describe("anonymous requests per Kubernetes minor (KEP-4633)", () => {
  test.each(["1.32.8", "1.33.5", "1.34.7", "1.35.4"])("%s: anonymous only on /livez, /readyz, /healthz", (version) => {
    const config = controller(cluster({ kubernetesVersion: version }));
    const f = flags(config);
    expect(f["anonymous-auth"]).toBeUndefined();
    const auth = parse(fileText(config, f["authentication-config"])) as Obj;
    expect(auth.kind).toBe("AuthenticationConfiguration");
    expect(auth.anonymous).toEqual({ enabled: true, conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }] });
  });

  test("1.31: no authentication config (the feature is alpha there); kubeadm's default anonymous auth stays", () => {
    const config = controller(cluster({ kubernetesVersion: "1.31.0" }));
    expect(flags(config)["authentication-config"]).toBeUndefined();
    expect(config.storage?.files?.some((f) => f.path.endsWith("authentication-config.yaml"))).toBe(false);
  });
});

describe("controlPlane.apiServer in the definition", () => {
  const at = "generations[0].controlPlane.apiServer";
  const withApiServer = (apiServer: unknown) => cluster({ controlPlane: { count: 3, apiServer } as GenerationDefinition["controlPlane"] });

  test("a harmless extra flag is added; the defaults stay", () => {
    const def = withApiServer({ extraArgs: { "request-timeout": "2m" } });
    expect(definitionProblems(def)).toEqual([]);
    const f = flags(controller(def));
    expect(f["request-timeout"]).toBe("2m");
    expect(f.profiling).toBe("false");
  });

  test("a protected flag is refused, naming the field and the fix", () => {
    expect(definitionProblems(withApiServer({ extraArgs: { profiling: "true" } }))).toEqual([
      {
        field: `${at}.extraArgs.profiling`,
        message: expect.stringMatching(/set by immutable-clusters for security \(CIS 1\.2\.15\).*acknowledgeSecurityOverrides/),
      },
    ]);
  });

  test("an acknowledged override replaces the value", () => {
    const def = withApiServer({ extraArgs: { "tls-min-version": "VersionTLS13" }, acknowledgeSecurityOverrides: ["tls-min-version"] });
    expect(definitionProblems(def)).toEqual([]);
    expect(flags(controller(def))["tls-min-version"]).toBe("VersionTLS13");
  });

  test("a fixed flag is refused even when acknowledged; a needless acknowledgement is refused too", () => {
    const problems = definitionProblems(
      withApiServer({ extraArgs: { "anonymous-auth": "true" }, acknowledgeSecurityOverrides: ["anonymous-auth", "profiling"] }),
    );
    // A key with a dash may be printed as .key or ["key"] (the field-path format is constructs/definition's).
    expect(problems.map((p) => p.field)).toEqual([
      expect.stringMatching(/\.extraArgs(\.anonymous-auth|\["anonymous-auth"\])$/),
      `${at}.acknowledgeSecurityOverrides[0]`,
      `${at}.acknowledgeSecurityOverrides[1]`,
    ]);
    expect(problems[0].message).toMatch(/cannot be set here.*remove it/);
  });

  test("bad values name the field", () => {
    const problems = definitionProblems(withApiServer({ auditLevel: "None", podSecurityDefault: "strict", extraArgs: { "--v": "2" } }));
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining([`${at}.auditLevel`, `${at}.podSecurityDefault`, expect.stringMatching(/\.extraArgs/)]),
    );
    expect(problems).toHaveLength(3);
  });

  test("auditLevel and podSecurityDefault reach the rendered files", () => {
    const config = controller(withApiServer({ auditLevel: "Request", podSecurityDefault: "restricted" }));
    const policy = parse(fileText(config, "/etc/kubernetes/apiserver/audit-policy.yaml")) as Obj;
    expect(policy.rules.at(-1)).toEqual({ level: "Request" });
    const admission = parse(fileText(config, "/etc/kubernetes/apiserver/admission-config.yaml")) as Obj;
    expect(admission.plugins[0].configuration.defaults.enforce).toBe("restricted");
  });

  test("every flag the renderer sets for security is protected or fixed, so the list cannot drift", () => {
    const def = cluster();
    const names = apiServerArgs(resolveGeneration(def, def.generations[0])).map((a) => a.name);
    for (const name of names) expect(name in PROTECTED_API_SERVER_FLAGS || name in FIXED_API_SERVER_FLAGS).toBe(true);
  });
});
