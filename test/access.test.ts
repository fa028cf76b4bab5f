// Tests access by AWS identity (issue 15): the `access` field's validation (role ARNs the authenticator can match,
// reserved groups, a role at two levels), the authenticator addon (config, RBAC, DaemonSet shape), the kube-apiserver
// webhook flags and mount, the control-plane unit, and access-webhook-init.sh run for real with openssl, its files
// then serving TLS that a client trusting the kubeconfig's CA accepts (as kube-apiserver's webhook client would).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { renderAddonManifests } from "../constructs/addons/render";
import { accessEnabled, roleMappings } from "../constructs/definition/access";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { ClusterDefinition } from "../constructs/definition/types";
import { definitionProblems } from "../constructs/definition/validate";
import { initConfiguration } from "../constructs/ignition/kubeadm-config";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { findKubernetesObject, kubernetesObjects } from "../constructs/testing/manifests";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const ADMIN = "arn:aws:iam::123456789012:role/platform-admin";
const VIEWER = "arn:aws:iam::123456789012:role/support";
const TEAM = "arn:aws:iam::123456789012:role/payments-dev";
const withAccess = (access: unknown) => sampleCluster({ access: access as ClusterDefinition["access"] });
const problems = (access: unknown) => definitionProblems(withAccess(access)).map((p) => `${p.field}: ${p.message}`);

describe("the access field", () => {
  test("role ARNs, groups and an empty access are accepted", () => {
    expect(problems({ admins: [ADMIN], viewers: [VIEWER], groups: { "team-payments": [TEAM, ADMIN] } })).toEqual([]);
    expect(problems({})).toEqual([]);
  });

  test("a role ARN with an IAM path is refused with the ARN that would match", () => {
    expect(problems({ admins: ["arn:aws:iam::123456789012:role/teams/platform-admin"] })).toEqual([
      'access.admins[0]: "arn:aws:iam::123456789012:role/teams/platform-admin" has an IAM path, which the caller\'s identity does not carry, so it would never match; write it without the path: "arn:aws:iam::123456789012:role/platform-admin"',
    ]);
  });

  test("a user ARN, an assumed-role ARN and a non-list are refused, each naming its field", () => {
    expect(problems({ viewers: ["arn:aws:iam::123456789012:user/alice"] })[0]).toMatch(
      /^access\.viewers\[0\]: .* is not an IAM role ARN; write it like/,
    );
    expect(problems({ admins: [ADMIN, "arn:aws:sts::123456789012:assumed-role/platform-admin/alice"] })[0]).toMatch(
      /^access\.admins\[1\]: /,
    );
    expect(problems({ admins: ADMIN })[0]).toMatch(/^access\.admins: must be a list of IAM role ARNs/);
    expect(problems({ owners: [ADMIN] })[0]).toMatch(/^access/);
  });

  test("system: and immutable-clusters: groups are refused", () => {
    expect(problems({ groups: { "system:masters": [ADMIN] } })[0]).toMatch(/^access\.groups\["system:masters"\]: .*system group/);
    expect(problems({ groups: { "immutable-clusters:admins": [ADMIN] } })[0]).toMatch(/reserved for access\.admins/);
  });

  test("a role both admin and viewer, or listed twice (case-insensitively, as the authenticator matches), is refused", () => {
    expect(problems({ admins: [ADMIN], viewers: [ADMIN.replace("platform-admin", "Platform-Admin")] })).toEqual([
      expect.stringMatching(/^access\.viewers\[0\]: .* is also in admins\[0\]; a role has one level of access/),
    ]);
    expect(problems({ admins: [ADMIN, ADMIN] })).toEqual([
      expect.stringMatching(/^access\.admins\[1\]: .* is listed twice \(also admins\[0\]\)/),
    ]);
  });

  test("each role maps to one user with the union of its groups", () => {
    const access = { admins: [ADMIN], viewers: [VIEWER], groups: { "team-payments": [TEAM, ADMIN] } };
    expect(roleMappings(access)).toEqual([
      { roleARN: ADMIN, username: "iam:platform-admin:{{SessionName}}", groups: ["immutable-clusters:admins", "team-payments"] },
      { roleARN: VIEWER, username: "iam:support:{{SessionName}}", groups: ["immutable-clusters:viewers"] },
      { roleARN: TEAM, username: "iam:payments-dev:{{SessionName}}", groups: ["team-payments"] },
    ]);
    expect(accessEnabled({})).toBe(false);
    expect(accessEnabled(access)).toBe(true);
  });
});

function generationOf(cluster: ClusterDefinition, overrides = {}) {
  const c = { ...cluster, generations: [sampleGeneration({ kubernetesVersion: "1.33.5", ...overrides })] };
  return resolveGeneration(c, c.generations[0]);
}

describe("the authenticator on a generation", () => {
  const gen = generationOf(withAccess({ admins: [ADMIN], viewers: [VIEWER] }));
  const files = renderAddonManifests(gen);

  test("its config carries the generation's full name as cluster ID and the role mappings", () => {
    const config = findKubernetesObject(files, "ConfigMap", "aws-iam-authenticator", "kube-system") as unknown as {
      data: Record<string, string>;
    };
    expect(parse(config.data["config.yaml"])).toEqual({
      clusterID: "demo-a",
      server: {
        mapRoles: [
          { roleARN: ADMIN, username: "iam:platform-admin:{{SessionName}}", groups: ["immutable-clusters:admins"] },
          { roleARN: VIEWER, username: "iam:support:{{SessionName}}", groups: ["immutable-clusters:viewers"] },
        ],
      },
    });
  });

  test("admins are bound to cluster-admin and viewers to view, by group", () => {
    const bindings = kubernetesObjects(files, "ClusterRoleBinding").filter((b) =>
      ["immutable-clusters:admins", "immutable-clusters:viewers"].includes(b.metadata.name),
    );
    expect(
      bindings.map((b) => [(b as never as { roleRef: { name: string } }).roleRef.name, (b as never as { subjects: unknown[] }).subjects]),
    ).toEqual([
      ["cluster-admin", [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "immutable-clusters:admins" }]],
      ["view", [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "immutable-clusters:viewers" }]],
    ]);
  });

  test("the DaemonSet runs on the control plane on the host network, without a token, reading the node's files", () => {
    const ds = findKubernetesObject(files, "DaemonSet", "aws-iam-authenticator", "kube-system") as never as {
      spec: { template: { spec: Record<string, unknown> & { containers: Array<{ args: string[]; image: string }> } } };
    };
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.nodeSelector).toMatchObject({ "node-role.kubernetes.io/control-plane": "" });
    expect(pod.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: "node-role.kubernetes.io/control-plane" })]));
    expect(pod.containers[0].args).toEqual(
      expect.arrayContaining(["server", "--kubeconfig-pregenerated=true", "--state-dir=/var/aws-iam-authenticator", "--port=21362"]),
    );
    expect(files[0].name).toBe("05-access.yaml");
  });

  test("the API server gets the webhook flags and the kubeconfig's folder, read-only", () => {
    const cluster = parseAllDocuments(initConfiguration(gen))
      .map((d) => d.toJSON() as Record<string, unknown>)
      .find((d) => d.kind === "ClusterConfiguration") as {
      apiServer: { extraArgs: Array<{ name: string; value: string }>; extraVolumes: unknown[] };
    };
    const args = Object.fromEntries(cluster.apiServer.extraArgs.map((a) => [a.name, a.value]));
    expect(args["authentication-token-webhook-config-file"]).toBe("/etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml");
    expect(args["authentication-token-webhook-version"]).toBe("v1beta1");
    expect(cluster.apiServer.extraVolumes).toContainEqual(
      expect.objectContaining({ hostPath: "/etc/kubernetes/aws-iam-authenticator", readOnly: true, pathType: "Directory" }),
    );
  });

  test("control-plane nodes pre-generate the webhook files; workers do not", () => {
    const controller = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as {
      systemd: { units: Array<{ name: string; enabled?: boolean }> };
    };
    const worker = JSON.parse(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] })) as typeof controller;
    expect(controller.systemd.units.find((u) => u.name === "aws-iam-authenticator-init.service")?.enabled).toBe(true);
    expect(worker.systemd.units.map((u) => u.name)).not.toContain("aws-iam-authenticator-init.service");
  });

  test("without a mapped role, or with addons.iamAuthenticator.enabled false, none of it is rendered", () => {
    for (const other of [
      generationOf(sampleCluster()),
      generationOf(withAccess({ admins: [ADMIN] }), { addons: { iamAuthenticator: { enabled: false } } }),
    ]) {
      expect(renderAddonManifests(other).map((f) => f.name)).not.toContain("05-access.yaml");
      expect(initConfiguration(other)).not.toContain("authentication-token-webhook");
      expect(renderNodeIgnition(other, { kind: "controller" })).not.toContain("aws-iam-authenticator-init.service");
    }
  });

  test("the webhook flags cannot be set through controlPlane.apiServer.extraArgs", () => {
    const cluster = sampleCluster({
      generations: [sampleGeneration({ controlPlane: { apiServer: { extraArgs: { "authentication-token-webhook-config-file": "/x" } } } })],
    });
    expect(
      definitionProblems(cluster)
        .map((p) => p.message)
        .join("\n"),
    ).toMatch(/cannot be set here: aws-iam-authenticator's webhook/);
  });
});

describe("access-webhook-init.sh", () => {
  const script = join(__dirname, "..", "constructs", "ignition", "files", "bin", "access-webhook-init.sh");
  const run = (root: string) =>
    execFileSync("bash", [script], {
      env: { ...process.env, IC_ROOT: root, IC_AUTHENTICATOR_OWNER: String(process.getuid?.() ?? 0) },
      stdio: "pipe",
    });

  test("writes upstream's files; a client trusting the kubeconfig's CA reaches a server using the pair on 127.0.0.1", async () => {
    const root = mkdtempSync(join(tmpdir(), "access-init-"));
    run(root);
    const certPem = readFileSync(join(root, "var/aws-iam-authenticator/cert.pem"), "utf8");
    const keyPem = readFileSync(join(root, "var/aws-iam-authenticator/key.pem"), "utf8");
    expect(keyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(statSync(join(root, "var/aws-iam-authenticator/key.pem")).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe("CN=aws-iam-authenticator");
    expect(cert.subjectAltName).toBe("IP Address:127.0.0.1");
    expect(cert.ca).toBe(true);

    const kubeconfig = parse(readFileSync(join(root, "etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml"), "utf8")) as {
      clusters: Array<{ cluster: { server: string; "certificate-authority-data": string } }>;
      "current-context": string;
    };
    expect(kubeconfig["current-context"]).toBe("webhook");
    const { server, "certificate-authority-data": caData } = kubeconfig.clusters[0].cluster;
    expect(server).toBe("https://127.0.0.1:21362/authenticate");

    const tlsServer = createServer({ key: keyPem, cert: certPem }, (socket) => socket.end("ok"));
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    const port = (tlsServer.address() as { port: number }).port;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, ca: Buffer.from(caData, "base64").toString("utf8") }, () => undefined);
      let data = "";
      socket
        .on("data", (chunk) => (data += chunk))
        .on("end", () => resolve(data))
        .on("error", reject);
    });
    tlsServer.close();
    expect(reply).toBe("ok");

    // A second run (a reboot) keeps the pair the running server presents.
    run(root);
    expect(readFileSync(join(root, "var/aws-iam-authenticator/cert.pem"), "utf8")).toBe(certPem);
  });
});
