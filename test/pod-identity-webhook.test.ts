// The pod identity webhook addon (aws/amazon-eks-pod-identity-webhook, IAM roles for service accounts): opt-in, its
// manifests (the digest-pinned image recorded in image-architectures, flags, placement on the control plane, security
// context, RBAC, PDB, the MutatingWebhookConfiguration with failurePolicy Ignore, kube-system excluded and no caBundle);
// pod-identity-webhook-cert.sh against a fake kubectl with the real openssl (the Secret made when absent and verified
// as a chain for the Service's names, kept when present, the caBundle set and kept in step, failures fail only the run
// and leave no key behind); and the wiring (only control-plane nodes of generations that enable it run the timer).
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IMAGE_ARCHITECTURES } from "../constructs/addons/image-architectures";
import {
  POD_IDENTITY_WEBHOOK_CERT_SECRET,
  POD_IDENTITY_WEBHOOK_ENTRY,
  POD_IDENTITY_WEBHOOK_NAME,
  POD_IDENTITY_WEBHOOK_NAMESPACE,
} from "../constructs/addons/pod-identity-webhook/chart";
import { POD_IDENTITY_WEBHOOK_IMAGE } from "../constructs/addons/pod-identity-webhook/settings";
import { renderAddonManifests } from "../constructs/addons/render";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { GenerationDefinition } from "../constructs/definition/types";
import { definitionProblems } from "../constructs/definition/validate";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { kubernetesObjects, type KubernetesObject } from "../constructs/testing/manifests";
import type { ParsedIgnition } from "./support/ignition";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const SCRIPT = join(__dirname, "../constructs/ignition/files/bin/pod-identity-webhook-cert.sh");
const FAKE_BIN = join(__dirname, "support/pod-identity-webhook");
const FILE = "35-pod-identity-webhook.yaml";

function generation(extra: Partial<GenerationDefinition> = {}) {
  const cluster = sampleCluster({ generations: [sampleGeneration(extra)] });
  return { cluster, gen: resolveGeneration(cluster, cluster.generations[0]) };
}
const ENABLED = { addons: { podIdentityWebhook: { enabled: true } } };

/* eslint-disable @typescript-eslint/no-explicit-any */
describe("the addon's manifests", () => {
  const { cluster, gen } = generation(ENABLED);
  const files = renderAddonManifests(gen);
  const objects = kubernetesObjects(files.filter((f) => f.name === FILE));
  const one = (kind: string) => objects.find((o) => o.kind === kind) as KubernetesObject & Record<string, any>;

  test("off unless enabled; the definition that enables it is valid", () => {
    expect(renderAddonManifests(generation().gen).map((f) => f.name)).not.toContain(FILE);
    expect(definitionProblems(cluster)).toEqual([]);
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        "ClusterRole",
        "ClusterRoleBinding",
        "Deployment",
        "MutatingWebhookConfiguration",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
      ].sort(),
    );
  });

  test("the image is pinned by digest and its architectures are recorded", () => {
    const pod = one("Deployment").spec.template.spec;
    expect(pod.containers[0].image).toBe(POD_IDENTITY_WEBHOOK_IMAGE);
    expect(POD_IDENTITY_WEBHOOK_IMAGE).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(IMAGE_ARCHITECTURES[POD_IDENTITY_WEBHOOK_IMAGE]?.architectures).toEqual(["amd64"]);
  });

  test("flags, two replicas on the control plane, restricted, with resources and a PDB", () => {
    const deployment = one("Deployment");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.command).toEqual(
      expect.arrayContaining([
        "/webhook",
        "--in-cluster=false",
        "--annotation-prefix=eks.amazonaws.com",
        "--token-audience=sts.amazonaws.com",
        "--aws-default-region=eu-west-1",
        "--sts-regional-endpoint=true",
        "--port=8443",
        "--tls-cert=/etc/webhook/certs/tls.crt",
        "--tls-key=/etc/webhook/certs/tls.key",
      ]),
    );
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.nodeSelector).toMatchObject({ "node-role.kubernetes.io/control-plane": "" });
    expect(pod.tolerations).toContainEqual({ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources).toEqual({ requests: { cpu: "25m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
    expect(pod.volumes).toEqual([{ name: "cert", secret: { secretName: POD_IDENTITY_WEBHOOK_CERT_SECRET } }]);
    expect(one("Service").spec.ports).toEqual([{ name: "https", port: 443, targetPort: 8443, protocol: "TCP" }]);
    expect(one("PodDisruptionBudget").spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: POD_IDENTITY_WEBHOOK_NAME } } });
  });

  test("RBAC: it reads ServiceAccounts, nothing else", () => {
    expect(one("ClusterRole").rules).toEqual([{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "watch", "list"] }]);
    expect(one("ClusterRoleBinding").subjects).toEqual([
      { kind: "ServiceAccount", name: POD_IDENTITY_WEBHOOK_NAME, namespace: POD_IDENTITY_WEBHOOK_NAMESPACE },
    ]);
  });

  test("the webhook configuration: pod CREATE, Ignore, kube-system excluded, no caBundle (set on the control plane)", () => {
    const [webhook] = one("MutatingWebhookConfiguration").webhooks;
    expect(webhook).toMatchObject({
      name: POD_IDENTITY_WEBHOOK_ENTRY,
      failurePolicy: "Ignore",
      sideEffects: "None",
      admissionReviewVersions: ["v1beta1"],
      clientConfig: { service: { name: POD_IDENTITY_WEBHOOK_NAME, namespace: "kube-system", path: "/mutate", port: 443 } },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "*" }],
      namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] },
    });
    expect(webhook.clientConfig.caBundle).toBeUndefined();
    expect(files.map((f) => f.yaml).join("\n")).not.toMatch(/PRIVATE KEY/);
  });

  test("the script's names are the chart's", () => {
    const script = readFileSync(SCRIPT, "utf8");
    expect(script).toContain(`NAMESPACE="${POD_IDENTITY_WEBHOOK_NAMESPACE}"`);
    expect(script).toContain(`SERVICE="${POD_IDENTITY_WEBHOOK_NAME}"`);
    expect(script).toContain(`SECRET="${POD_IDENTITY_WEBHOOK_CERT_SECRET}"`);
    expect(script).toContain(`WEBHOOK_CONFIGURATION="${POD_IDENTITY_WEBHOOK_NAME}"`);
    expect(script).toContain(`WEBHOOK_ENTRY="${POD_IDENTITY_WEBHOOK_ENTRY}"`);
  });
});

interface StoredSecret {
  metadata: { name: string; namespace: string };
  data: Record<string, string>;
}
const SECRET_FILE = `secret_kube-system_${POD_IDENTITY_WEBHOOK_CERT_SECRET}.json`;
const CONFIG_FILE = `mutatingwebhookconfiguration_${POD_IDENTITY_WEBHOOK_NAME}.json`;
const WEBHOOK_CONFIGURATION = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name: POD_IDENTITY_WEBHOOK_NAME },
  webhooks: [
    { name: POD_IDENTITY_WEBHOOK_ENTRY, clientConfig: { service: { name: POD_IDENTITY_WEBHOOK_NAME, namespace: "kube-system" } } },
  ],
};

/** A fake control-plane node: admin.conf, /run, and the fake API's store (with the applied webhook configuration). */
function fakeNode(withConfiguration = true) {
  const root = mkdtempSync(join(tmpdir(), "pod-identity-webhook-"));
  mkdirSync(join(root, "etc/kubernetes"), { recursive: true });
  mkdirSync(join(root, "run"));
  mkdirSync(join(root, "store"));
  writeFileSync(join(root, "etc/kubernetes/admin.conf"), "apiVersion: v1\nkind: Config\n");
  writeFileSync(join(root, "kubectl.log"), "");
  if (withConfiguration) writeFileSync(join(root, "store", CONFIG_FILE), JSON.stringify(WEBHOOK_CONFIGURATION));
  return root;
}
function run(root: string, env: Record<string, string> = {}) {
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
      IC_ROOT: root,
      FAKE_STORE: join(root, "store"),
      FAKE_LOG: join(root, "kubectl.log"),
      ...env,
    },
  });
  const calls = readFileSync(join(root, "kubectl.log"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
  writeFileSync(join(root, "kubectl.log"), "");
  return { status: result.status, stderr: result.stderr, calls };
}
/**
 * A fake control-plane node after the script's first run on it, with that run's result: the node is made and the script
 * run (two keys generated by openssl) once per file, and each test gets its own copy of the node, so none sees another's
 * changes.
 */
let firstRun: { root: string; result: ReturnType<typeof run> } | undefined;
function afterFirstRun() {
  if (!firstRun) {
    const root = fakeNode();
    firstRun = { root, result: run(root) };
  }
  const copy = mkdtempSync(join(tmpdir(), "pod-identity-webhook-"));
  cpSync(firstRun.root, copy, { recursive: true });
  return { root: copy, first: firstRun.result };
}
const secret = (root: string) => JSON.parse(readFileSync(join(root, "store", SECRET_FILE), "utf8")) as StoredSecret;
const caBundle = (root: string) =>
  (
    JSON.parse(readFileSync(join(root, "store", CONFIG_FILE), "utf8")) as typeof WEBHOOK_CONFIGURATION & {
      webhooks: Array<{ clientConfig: { caBundle?: string } }>;
    }
  ).webhooks[0].clientConfig.caBundle;
const pem = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const verbs = (calls: string[][]) => calls.map((c) => c.find((a) => ["get", "create", "patch"].includes(a)));

describe("pod-identity-webhook-cert.sh (fake kubectl, real openssl)", () => {
  test("absent: a CA and a serving certificate for the Service's names, the caBundle set; a re-run changes nothing", () => {
    const { root, first } = afterFirstRun();
    expect(first.stderr).not.toMatch(/PRIVATE KEY/);
    expect(first.status).toBe(0);
    const { data } = secret(root);
    const ca = new X509Certificate(pem(data["ca.crt"]));
    const serving = new X509Certificate(pem(data["tls.crt"]));
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.ca).toBe(false);
    expect(ca.ca).toBe(true);
    expect(serving.subjectAltName).toBe(
      "DNS:pod-identity-webhook, DNS:pod-identity-webhook.kube-system, DNS:pod-identity-webhook.kube-system.svc, DNS:pod-identity-webhook.kube-system.svc.cluster.local",
    );
    expect(serving.checkPrivateKey(createPrivateKey(pem(data["tls.key"])))).toBe(true);
    expect(new Date(serving.validTo).getTime() - Date.now()).toBeGreaterThan(3600 * 24 * 3600 * 1000);
    expect(caBundle(root)).toBe(data["ca.crt"]);
    // The keys were made under /run and are gone; the CA key was never sent.
    expect(readdirSync(join(root, "run"))).toEqual([]);
    expect(Object.keys(data).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);

    const again = run(root);
    expect(again.status).toBe(0);
    expect(verbs(again.calls)).toEqual(["get", "get", "get"]);
    expect(secret(root).data).toEqual(data);
  });

  test("present: never replaced; a stale caBundle (the manifests re-applied) is set again from its ca.crt", () => {
    const { root } = afterFirstRun();
    const before = secret(root).data;
    const config = JSON.parse(readFileSync(join(root, "store", CONFIG_FILE), "utf8"));
    writeFileSync(join(root, "store", CONFIG_FILE), JSON.stringify(WEBHOOK_CONFIGURATION));
    expect(config.webhooks[0].clientConfig.caBundle).toBe(before["ca.crt"]);
    const result = run(root);
    expect(result.status).toBe(0);
    expect(verbs(result.calls)).toEqual(["get", "get", "get", "patch"]);
    expect(secret(root).data).toEqual(before);
    expect(caBundle(root)).toBe(before["ca.crt"]);
  });

  test("a Secret of yours without ca.crt is kept and the caBundle left to you", () => {
    const root = fakeNode();
    const yours = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: POD_IDENTITY_WEBHOOK_CERT_SECRET, namespace: "kube-system" },
      data: { "tls.crt": "eW91cnM=", "tls.key": "eW91cnM=" },
    };
    writeFileSync(join(root, "store", SECRET_FILE), JSON.stringify(yours));
    const result = run(root);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/has no ca\.crt/);
    expect(verbs(result.calls)).toEqual(["get", "get"]);
    expect(secret(root)).toEqual(yours);
    expect(caBundle(root)).toBeUndefined();
  });

  test("the addons not applied yet: the Secret is made, the run fails, the next one sets the caBundle", () => {
    const root = fakeNode(false);
    const first = run(root);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/does not exist yet/);
    writeFileSync(join(root, "store", CONFIG_FILE), JSON.stringify(WEBHOOK_CONFIGURATION));
    expect(run(root).status).toBe(0);
    expect(caBundle(root)).toBe(secret(root).data["ca.crt"]);
  });

  test("API down or no admin.conf: the run fails, nothing made, no key left", () => {
    const root = fakeNode();
    const down = run(root, { FAKE_API_DOWN: "1" });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/will retry/);
    expect(readdirSync(join(root, "store"))).toEqual([CONFIG_FILE]);
    expect(readdirSync(join(root, "run"))).toEqual([]);
    const noConf = mkdtempSync(join(tmpdir(), "pod-identity-webhook-"));
    writeFileSync(join(noConf, "kubectl.log"), "");
    const early = run(noConf);
    expect(early.status).toBe(1);
    expect(early.calls).toEqual([]);
  });
});

describe("wiring", () => {
  const units = (text: string) => (JSON.parse(text) as ParsedIgnition).systemd?.units.map((u) => u.name) ?? [];
  test("only control-plane nodes of generations that enable it run the timer", () => {
    const on = generation(ENABLED).gen;
    const off = generation().gen;
    expect(units(renderNodeIgnition(on, { kind: "controller" }))).toEqual(
      expect.arrayContaining(["pod-identity-webhook-cert.service", "pod-identity-webhook-cert.timer"]),
    );
    const pool = on.workerPools[0];
    expect(units(renderNodeIgnition(on, { kind: "worker", pool }))).not.toContain("pod-identity-webhook-cert.timer");
    expect(units(renderNodeIgnition(off, { kind: "controller" }))).not.toContain("pod-identity-webhook-cert.timer");
  });
});
