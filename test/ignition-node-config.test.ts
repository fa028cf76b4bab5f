// What each role's node config carries: the Kubernetes binaries pinned by hash, containerd on the systemd cgroup
// driver, kubeadm configs rendered from the definition, cluster.env per the node runtime contract, the bootstrap
// scripts and units (enabled where they must be), and Flatcar updates and SSH off unless the definition asks.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { resolveGeneration } from "../constructs/definition/resolve";
import { serviceAccountIssuer } from "../constructs/definition/service-account-issuer";
import type { GenerationDefinition } from "../constructs/definition/types";
import { definitionProblems } from "../constructs/definition/validate";
import { pauseImage, RUNTIME_PLACEHOLDERS } from "../constructs/ignition/kubeadm-config";
import { KUBERNETES_NODE_BINARIES, SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import { renderNodeIgnition, type NodeRole } from "../constructs/ignition/node-config";
import { renderTemplate } from "../constructs/ignition/templates";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { exampleNodeConfigs, fileText, unit, type ParsedIgnition } from "./support/ignition";

const FILES = join(__dirname, "..", "constructs", "ignition", "files");
const configs = exampleNodeConfigs();
const prodA = configs.filter((c) => c.gen.fullName === "prod-a");
const controller = prodA.find((c) => c.role.kind === "controller")!;
const taintedWorker = prodA.find((c) => c.role.kind === "worker" && c.role.pool.taints.length > 0)!;
const workers = configs.filter((c) => c.role.kind === "worker");
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0lnx8nQp0d6hQ0F1b1Q2m8wH8xv6Hq0dY6bX5e5Qk ops@example";

function sampleConfig(overrides: Partial<GenerationDefinition>, role: "controller" | "worker" = "controller"): ParsedIgnition {
  const cluster = sampleCluster({ generations: [sampleGeneration(overrides)] });
  const gen = resolveGeneration(cluster, cluster.generations[0]);
  const nodeRole: NodeRole = role === "controller" ? { kind: "controller" } : { kind: "worker", pool: gen.workerPools[0] };
  return JSON.parse(renderNodeIgnition(gen, nodeRole)) as ParsedIgnition;
}
const kinds = (yamlText: string) => Object.fromEntries(parseAllDocuments(yamlText).map((d) => [d.toJSON().kind, d.toJSON()]));
const masked = (c: ParsedIgnition) => c.systemd!.units.filter((u) => u.mask).map((u) => u.name);

test("the example clusters run versions of the pinned-release table", () => {
  for (const { gen } of configs) expect(SUPPORTED_KUBERNETES_VERSIONS).toContain(gen.kubernetesVersion);
});

test("rendering is deterministic: the same generation gives the same bytes", () => {
  const again = exampleNodeConfigs();
  expect(again.map((c) => c.text)).toEqual(configs.map((c) => c.text));
});

describe("Kubernetes binaries", () => {
  test.each([
    ["amd64", {}],
    // A node's architecture is its instance type's (the control plane's here), not a generation-wide setting.
    ["arm64", { controlPlane: { count: 3 as const, instanceType: "m7g.large" } }],
  ])("%s nodes download kubernetes-node-linux-<arch>.tar.gz from dl.k8s.io pinned by its SHA-512", (arch, overrides) => {
    const config = sampleConfig(overrides);
    const download = config.storage!.files!.find((f) => f.path === "/opt/immutable-clusters/downloads/kubernetes-node.tar.gz")!;
    expect(download.contents).toEqual({
      source: `https://dl.k8s.io/v1.31.0/kubernetes-node-linux-${arch}.tar.gz`,
      verification: { hash: `sha512-${KUBERNETES_NODE_BINARIES["1.31.0"][arch as "amd64" | "arm64"]}` },
    });
    expect(unit(config, "kubernetes-binaries.service")).toMatchObject({ enabled: true });
    // Unpacked into a folder beside /opt/bin, then renamed into place (kubelet last), so an interrupted boot repairs itself.
    const binaries = unit(config, "kubernetes-binaries.service").contents!;
    expect(binaries).toMatch(/-C \/opt\/bin\/\.kubernetes-unpack .*kubeadm .*kubelet .*kubectl/);
    expect(binaries).toMatch(/mv -f \/opt\/bin\/\.kubernetes-unpack\/kubelet \/opt\/bin\/kubelet/);
  });

  test("a version without a pinned hash is refused before anything renders, naming the field and the versions there are", () => {
    const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.30.2" })] });
    const problems = definitionProblems(cluster);
    expect(problems.map((p) => p.field)).toContain("generations[0].kubernetesVersion");
    expect(problems.find((p) => p.field === "generations[0].kubernetesVersion")!.message).toContain(
      SUPPORTED_KUBERNETES_VERSIONS.join(", "),
    );
    const gen = resolveGeneration(cluster, cluster.generations[0]);
    expect(() => renderNodeIgnition(gen, { kind: "controller" })).toThrow(/kubernetesVersion: no pinned hash for Kubernetes 1\.30\.2/);
  });
});

describe("kubeadm configs", () => {
  test("init.yaml of the control plane follows the definition", () => {
    const gen = controller.gen;
    const docs = kinds(fileText(controller.config, "/etc/immutable-clusters/kubeadm/init.yaml"));
    expect(Object.keys(docs).sort()).toEqual([
      "ClusterConfiguration",
      "InitConfiguration",
      "KubeProxyConfiguration",
      "KubeletConfiguration",
    ]);
    expect(docs.InitConfiguration).toMatchObject({
      apiVersion: "kubeadm.k8s.io/v1beta4",
      skipPhases: ["addon/coredns"],
      certificateKey: "@@CERTIFICATE_KEY@@",
      localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@", bindPort: 6443 },
      nodeRegistration: { name: "@@NODE_NAME@@", criSocket: "unix:///run/containerd/containerd.sock" },
    });
    expect(docs.InitConfiguration.nodeRegistration.kubeletExtraArgs).toEqual([
      { name: "cloud-provider", value: "external" },
      { name: "node-ip", value: "@@NODE_IP@@" },
    ]);
    expect(docs.ClusterConfiguration).toMatchObject({
      clusterName: gen.fullName,
      kubernetesVersion: `v${gen.kubernetesVersion}`,
      controlPlaneEndpoint: `${gen.apiEndpoint}:6443`,
      networking: { podSubnet: gen.podCidr, serviceSubnet: gen.serviceCidr },
      dns: { disabled: true },
    });
    expect(gen.apiEndpoint).toBe("api.a.prod.internal.example.com");
    expect(docs.ClusterConfiguration.apiServer.certSANs).toContain(gen.apiEndpoint);
    expect(docs.ClusterConfiguration.controllerManager.extraArgs).toContainEqual({ name: "cloud-provider", value: "external" });
    // kube-apiserver has no --cloud-provider since 1.33: setting it would break the next upgrade.
    expect(docs.ClusterConfiguration.apiServer.extraArgs.map((a: { name: string }) => a.name)).not.toContain("cloud-provider");
    expect(docs.KubeletConfiguration).toMatchObject({
      cgroupDriver: "systemd",
      clusterDNS: [gen.clusterDnsIp],
      evictionHard: { "memory.available": expect.any(String), "nodefs.available": expect.any(String) },
      systemReserved: { cpu: expect.any(String), memory: expect.any(String) },
      kubeReserved: { cpu: expect.any(String), memory: expect.any(String) },
    });
    expect(docs.KubeProxyConfiguration).toMatchObject({ clusterCIDR: gen.podCidr });
  });

  test("clusterDNS is each generation's cluster DNS IP (10th address of its service CIDR)", () => {
    for (const c of configs.filter((x) => x.role.kind === "controller")) {
      expect(kinds(fileText(c.config, "/etc/immutable-clusters/kubeadm/init.yaml")).KubeletConfiguration.clusterDNS).toEqual([
        c.gen.clusterDnsIp,
      ]);
    }
    const custom = sampleConfig({ networking: { serviceCidr: "172.20.0.0/16" } });
    expect(kinds(fileText(custom, "/etc/immutable-clusters/kubeadm/init.yaml")).KubeletConfiguration.clusterDNS).toEqual(["172.20.0.10"]);
  });

  test("join-controller.yaml joins as a control-plane node with the published certificate key", () => {
    const join = parse(fileText(controller.config, "/etc/immutable-clusters/kubeadm/join-controller.yaml"));
    expect(join).toMatchObject({
      kind: "JoinConfiguration",
      controlPlane: { certificateKey: "@@CERTIFICATE_KEY@@", localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@" } },
      discovery: {
        bootstrapToken: {
          apiServerEndpoint: `${controller.gen.apiEndpoint}:6443`,
          token: "@@BOOTSTRAP_TOKEN@@",
          caCertHashes: ["@@CA_CERT_HASH@@"],
        },
      },
    });
    expect(join.nodeRegistration.taints).toBeUndefined(); // kubeadm's standard control-plane taint
  });

  test.each(workers.map((w) => [w.label, w]))("%s joins with its pool's labels and taints, and has no control-plane config", (_l, w) => {
    const pool = w.role.kind === "worker" ? w.role.pool : undefined!;
    const join = parse(fileText(w.config, "/etc/immutable-clusters/kubeadm/join-worker.yaml"));
    expect(join.controlPlane).toBeUndefined();
    const labels = (join.nodeRegistration.kubeletExtraArgs.find((a: { name: string }) => a.name === "node-labels").value as string).split(
      ",",
    );
    expect(labels).toContain(`immutable-clusters.io/pool=${pool.name}`);
    expect(labels.includes("immutable-clusters.io/ingress=true")).toBe(pool.ingress);
    for (const [k, v] of Object.entries(pool.labels)) expect(labels).toContain(`${k}=${v}`);
    expect(join.nodeRegistration.kubeletExtraArgs).toContainEqual({ name: "cloud-provider", value: "external" });
    if (pool.taints.length)
      expect(join.nodeRegistration.taints).toEqual(pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })));
    const paths = w.config.storage!.files!.map((f) => f.path);
    expect(paths).not.toContain("/etc/immutable-clusters/kubeadm/init.yaml");
    expect(paths).not.toContain("/etc/immutable-clusters/kubeadm/join-controller.yaml");
  });

  test("the example has a tainted pool, so the taint assertion above ran", () => {
    expect(taintedWorker).toBeDefined();
  });
});

describe("files and placeholders", () => {
  test.each(configs.map((c) => [c.label, c]))("%s: no template placeholder is left, only the runtime ones", (_l, c) => {
    for (const file of c.config.storage!.files!.filter((f) => f.contents.source.startsWith("data:"))) {
      const body = fileText(c.config, file.path);
      if (!file.path.startsWith("/opt/immutable-clusters/bin/"))
        expect([file.path, body]).not.toEqual([file.path, expect.stringMatching(/\{\{[A-Z0-9_]+\}\}/)]);
      if (file.path.startsWith("/etc/")) for (const p of body.match(/@@[A-Z_]+@@/g) ?? []) expect(RUNTIME_PLACEHOLDERS).toContain(p);
    }
    for (const u of c.config.systemd!.units)
      expect(`${u.contents ?? ""}${(u.dropins ?? []).map((d) => d.contents).join("")}`).not.toMatch(/\{\{|@@/);
  });

  test("cluster.env carries the contract's settings for each role (no secrets)", () => {
    const env = (c: ParsedIgnition) =>
      Object.fromEntries(
        fileText(c, "/etc/immutable-clusters/cluster.env")
          .split("\n")
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => l.split(/=(.*)/s).slice(0, 2)),
      );
    const gen = controller.gen;
    expect(env(controller.config)).toEqual({
      CLUSTER_NAME: "prod-a",
      NODE_ROLE: "controller",
      AWS_REGION: gen.region,
      SSM_PREFIX: "/immutable-clusters/prod/a",
      KMS_KEY_ID: "alias/immutable-clusters/prod-a",
      NODE_BUCKET: gen.bucketName,
      API_ENDPOINT: gen.apiEndpoint,
      API_PORT: "6443",
      KUBERNETES_VERSION: `v${gen.kubernetesVersion}`,
      CONTROL_PLANE_COUNT: String(gen.controlPlane.count),
      ETCD_SNAPSHOT_INTERVAL_MINUTES: "30",
      // Contract 3: where the cluster's service-account signing key is and where its JWKS goes (names only).
      SA_ISSUER_BUCKET: serviceAccountIssuer(gen.cluster).bucketName,
      SA_SIGNING_KEY_PARAMETER: "/immutable-clusters-identity/prod/service-account-signing-key",
      SA_KMS_KEY_ID: "alias/immutable-clusters/prod/service-account-issuer",
    });
    const pool = taintedWorker.role.kind === "worker" ? taintedWorker.role.pool.name : "";
    expect(env(taintedWorker.config)).toMatchObject({ NODE_ROLE: "worker", POOL_NAME: pool });
    expect(env(taintedWorker.config)).not.toHaveProperty("ETCD_SNAPSHOT_INTERVAL_MINUTES");
    expect(env(taintedWorker.config)).not.toHaveProperty("SA_SIGNING_KEY_PARAMETER");
    expect(controller.config.storage!.files!.find((f) => f.path === "/etc/immutable-clusters/cluster.env")!.mode).toBe(0o644);
  });

  test("a restoring generation's controllers (not its workers) name the snapshot and the generation in cluster.env", () => {
    const restore = { fromGeneration: "a", snapshot: "snapshots/20250101T120000Z.db" };
    const lines = (c: ParsedIgnition) => fileText(c, "/etc/immutable-clusters/cluster.env").split("\n");
    const restoring = { id: "b", controlPlane: { count: 3 as const, restore } };
    expect(lines(sampleConfig(restoring))).toEqual(
      expect.arrayContaining(["RESTORE_FROM_GENERATION=a", "RESTORE_SNAPSHOT=snapshots/20250101T120000Z.db"]),
    );
    expect(lines(sampleConfig(restoring, "worker")).filter((l) => l.startsWith("RESTORE_"))).toEqual([]);
    expect(lines(sampleConfig({ id: "b" })).filter((l) => l.startsWith("RESTORE_"))).toEqual([]);
  });

  test("kubeadm templates are readable by root only, in a 0700 directory", () => {
    for (const f of controller.config.storage!.files!.filter((x) => x.path.startsWith("/etc/immutable-clusters/kubeadm/")))
      expect(f.mode).toBe(0o600);
    expect(controller.config.storage!.directories).toContainEqual(
      expect.objectContaining({ path: "/etc/immutable-clusters/kubeadm", mode: 0o700 }),
    );
  });

  test("every bootstrap script in files/bin is embedded byte for byte, executable, and nothing else from there", () => {
    const scripts = readdirSync(join(FILES, "bin"))
      .filter((n) => n.endsWith(".sh"))
      .sort();
    expect(scripts.length).toBeGreaterThan(0);
    for (const { config } of [controller, taintedWorker]) {
      const embedded = config.storage!.files!.filter((f) => f.path.startsWith("/opt/immutable-clusters/bin/"));
      expect(embedded.map((f) => f.path)).toEqual(scripts.map((s) => `/opt/immutable-clusters/bin/${s}`));
      for (const f of embedded) {
        expect(f.mode).toBe(0o755);
        expect(fileText(config, f.path)).toBe(readFileSync(join(FILES, "bin", f.path.split("/").pop()!), "utf8"));
      }
    }
  });

  test("every supported Kubernetes minor has a known pause image; an unknown minor is refused", () => {
    for (const v of SUPPORTED_KUBERNETES_VERSIONS) expect(pauseImage(v)).toMatch(/^registry\.k8s\.io\/pause:\d+\.\d+(\.\d+)?$/);
    expect(() => pauseImage("1.40.0")).toThrow(/no pause image known for Kubernetes 1\.40/);
  });

  test("templates refuse a placeholder without a value and a value without a placeholder", () => {
    expect(renderTemplate("config/containerd.toml", { PAUSE_IMAGE: "registry.k8s.io/pause:3.10" })).toMatch(
      /sandbox_image = "registry\.k8s\.io\/pause:3\.10"/,
    );
    expect(() => renderTemplate("config/containerd.toml", {})).toThrow(
      /files\/config\/containerd\.toml needs a value for \{\{PAUSE_IMAGE\}\}/,
    );
    expect(() => renderTemplate("config/containerd.toml", { PAUSE_IMAGE: "x", EXTRA: "y" })).toThrow(/has no placeholder for EXTRA/);
  });

  test("units are the files in files/units, unchanged", () => {
    for (const name of ["kubelet.service", "kubernetes-binaries.service", "immutable-clusters-bootstrap.service"]) {
      expect(unit(controller.config, name).contents).toBe(readFileSync(join(FILES, "units", name), "utf8"));
    }
    expect(unit(controller.config, "kubelet.service").dropins).toEqual([
      { name: "10-kubeadm.conf", contents: readFileSync(join(FILES, "units", "kubelet-kubeadm.conf"), "utf8") },
    ]);
  });
});

describe("runtime: containerd, kubelet, kernel", () => {
  test("containerd runs our config, with runc under the systemd cgroup driver like the kubelet", () => {
    expect(unit(controller.config, "containerd.service")).toMatchObject({
      enabled: true,
      dropins: [{ name: "10-immutable-clusters.conf" }],
    });
    expect(unit(controller.config, "containerd.service").dropins![0].contents).toMatch(
      /^Environment=CONTAINERD_CONFIG=\/etc\/containerd\/config\.toml$/m,
    );
    const toml = fileText(controller.config, "/etc/containerd/config.toml");
    expect(toml).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.runc\.options\]\nSystemdCgroup = true/);
    expect(toml).toMatch(/sandbox_image = "registry\.k8s\.io\/pause:3\.10"/);
    expect(kinds(fileText(controller.config, "/etc/immutable-clusters/kubeadm/init.yaml")).KubeletConfiguration.cgroupDriver).toBe(
      "systemd",
    );
  });

  test("the kernel settings the kubelet protects are set, so protectKernelDefaults does not stop it", () => {
    const init = kinds(fileText(controller.config, "/etc/immutable-clusters/kubeadm/init.yaml"));
    expect(init.KubeletConfiguration.protectKernelDefaults).toBe(true);
    const sysctl = Object.fromEntries(
      fileText(controller.config, "/etc/sysctl.d/90-kubernetes.conf")
        .split("\n")
        .filter((l) => /^[a-z]/.test(l))
        .map((l) => l.split(/\s*=\s*/)),
    );
    // Values from kubernetes pkg/util/sysctl (VMOvercommitMemoryAlways, KernelPanicRebootTimeout, RootMaxKeysSetting, ...).
    expect(sysctl).toMatchObject({
      "vm.overcommit_memory": "1",
      "vm.panic_on_oom": "0",
      "kernel.panic": "10",
      "kernel.panic_on_oops": "1",
      "kernel.keys.root_maxkeys": "1000000",
      "kernel.keys.root_maxbytes": "25000000",
      "net.ipv4.ip_forward": "1",
      "net.bridge.bridge-nf-call-iptables": "1",
    });
    expect(fileText(controller.config, "/etc/modules-load.d/kubernetes.conf")).toMatch(/^br_netfilter$/m);
  });

  test("units every node needs are enabled; the join-material refresh timer only on the control plane", () => {
    for (const c of [controller, taintedWorker]) {
      for (const name of ["kubelet.service", "containerd.service", "kubernetes-binaries.service", "immutable-clusters-bootstrap.service"]) {
        expect([name, unit(c.config, name).enabled]).toEqual([name, true]);
      }
    }
    expect(unit(controller.config, "immutable-clusters-join-refresh.timer").enabled).toBe(true);
    expect(unit(controller.config, "immutable-clusters-join-refresh.service").enabled).toBeUndefined(); // started by its timer
    const workerUnits = taintedWorker.config.systemd!.units.map((u) => u.name);
    expect(workerUnits).not.toContain("immutable-clusters-join-refresh.timer");
    expect(workerUnits).not.toContain("immutable-clusters-join-refresh.service");
  });
});

describe("what the definition switches", () => {
  test("Flatcar updates are masked by default and left alone with osUpdates: true", () => {
    expect(masked(sampleConfig({}))).toEqual(expect.arrayContaining(["locksmithd.service", "update-engine.service"]));
    expect(masked(sampleConfig({ osUpdates: true }))).not.toEqual(expect.arrayContaining(["update-engine.service"]));
    expect(masked(sampleConfig({ osUpdates: true }))).not.toContain("locksmithd.service");
    expect(masked(sampleConfig({}, "worker"))).toEqual(expect.arrayContaining(["locksmithd.service", "update-engine.service"]));
  });

  test("no SSH by default: sshd masked and no login user; with keys, core gets them and sshd stays", () => {
    const none = sampleConfig({});
    expect(masked(none)).toEqual(expect.arrayContaining(["sshd.service", "sshd.socket"]));
    expect(none.passwd).toBeUndefined();
    const withKeys = sampleConfig({ sshAuthorizedKeys: [KEY] }, "worker");
    expect(withKeys.passwd).toEqual({ users: [{ name: "core", sshAuthorizedKeys: [KEY] }] });
    expect(masked(withKeys)).not.toContain("sshd.socket");
    for (const c of configs) expect(masked(c.config)).toContain("sshd.socket");
  });

  test("a malformed SSH key is refused by validation, naming the field", () => {
    const problems = definitionProblems(
      sampleCluster({ generations: [sampleGeneration({ sshAuthorizedKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] })] }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ field: "generations[0].sshAuthorizedKeys[0]", message: expect.stringMatching(/OpenSSH public key/) }),
    );
  });
});
