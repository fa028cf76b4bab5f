// The node configs: every generated Ignition config (each role of each example generation, and the user-data pointer)
// passes `ignition-validate`; the builder encodes, sorts and refuses as documented; each role's config carries what its
// node needs to boot into Kubernetes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { resolveGeneration } from "../constructs";
import { dataUrl, IgnitionConfig } from "../constructs/ignition/builder";
import { RUNTIME_PLACEHOLDERS } from "../constructs/ignition/kubeadm-config";
import { KUBERNETES_NODE_BINARIES } from "../constructs/ignition/kubernetes-releases";
import { renderNodeIgnition, userDataPointer } from "../constructs/ignition/node-config";
import { decodeDataUrl } from "./support/example-synth";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { exampleNodeConfigs, fileText, type ParsedIgnition } from "./support/ignition";

function ignitionValidate(text: string): { status: number | null; output: string } {
  const which = spawnSync("sh", ["-c", "command -v ignition-validate"], { encoding: "utf8" });
  if (which.status !== 0) throw new Error("ignition-validate is not installed: apt-get install -y ignition");
  const file = join(mkdtempSync(join(tmpdir(), "ign-")), "config.ign");
  writeFileSync(file, text);
  const run = spawnSync("ignition-validate", [file], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

const configs = exampleNodeConfigs();

describe("ignition-validate", () => {
  test.each(configs.map((c) => [c.label, c.text]))("%s is valid Ignition 3.3.0 with no warnings", (_label, text) => {
    expect(ignitionValidate(text)).toEqual({ status: 0, output: "" });
  });

  test("the user-data pointer of every role is valid and well under the 16 KB user-data limit", () => {
    for (const { gen, text } of configs) {
      const pointer = userDataPointer(gen.bucketName, "ignition/controller.ign", text);
      expect(ignitionValidate(pointer)).toEqual({ status: 0, output: "" });
      expect(Buffer.byteLength(Buffer.from(pointer).toString("base64"))).toBeLessThan(1024);
    }
  });

  test("the validator does reject a broken config", () => {
    const broken = JSON.stringify({ ignition: { version: "3.3.0" }, storage: { files: [{ path: "relative/path" }] } });
    expect(ignitionValidate(broken).status).not.toBe(0);
  });
});

describe("the Ignition builder", () => {
  test("inline contents round-trip, gzip+base64 only when shorter", () => {
    const short = dataUrl("a=b\n");
    expect(short.compression).toBeUndefined();
    expect(decodeDataUrl(short.source)).toBe("a=b\n");
    const long = "line of a long repetitive file\n".repeat(200);
    const packed = dataUrl(long);
    expect(packed.compression).toBe("gzip");
    expect(decodeDataUrl(packed.source, "gzip")).toBe(long);
  });

  test("entries come out sorted, so equal configs are equal bytes", () => {
    const a = new IgnitionConfig()
      .addFile({ path: "/b", contents: "2" })
      .addFile({ path: "/a", contents: "1" })
      .addUnit({ name: "z.service", mask: true })
      .addUnit({ name: "a.service", mask: true });
    const b = new IgnitionConfig()
      .addUnit({ name: "a.service", mask: true })
      .addFile({ path: "/a", contents: "1" })
      .addUnit({ name: "z.service", mask: true })
      .addFile({ path: "/b", contents: "2" });
    expect(a.toJson()).toBe(b.toJson());
    expect((a.toObject() as unknown as ParsedIgnition).storage!.files!.map((f) => f.path)).toEqual(["/a", "/b"]);
  });

  test("refuses unverified or insecure downloads, relative paths, duplicates and bad unit names", () => {
    const c = new IgnitionConfig();
    expect(() => c.addRemoteFile({ path: "/x", url: "https://example.com/x", sha512: "abc" })).toThrow(/sha512 must be 128 hex digits/);
    expect(() => c.addRemoteFile({ path: "/x", url: "http://example.com/x", sha512: "a".repeat(128) })).toThrow(/https only/);
    expect(() => c.addFile({ path: "etc/x", contents: "" })).toThrow(/absolute path/);
    c.addFile({ path: "/etc/x", contents: "" });
    expect(() => c.addFile({ path: "/etc/x", contents: "" })).toThrow(/added twice/);
    expect(() => c.addUnit({ name: "kubelet" })).toThrow(/not a systemd unit name/);
  });
});

describe("node configs", () => {
  const prod = configs.filter((c) => c.gen.fullName === "prod-a");
  const controller = JSON.parse(prod.find((c) => c.role.kind === "controller")!.text) as ParsedIgnition;
  const worker = prod.find((c) => c.role.kind === "worker" && c.role.pool.taints.length > 0)!;
  const workerConfig = JSON.parse(worker.text) as ParsedIgnition;

  test("Kubernetes binaries are downloaded from dl.k8s.io and verified by the pinned SHA-512", () => {
    const download = controller.storage!.files!.find((f) => f.path === "/opt/immutable-clusters/downloads/kubernetes-node.tar.gz")!;
    const gen = prod[0].gen;
    expect(download.contents.source).toBe(`https://dl.k8s.io/v${gen.kubernetesVersion}/kubernetes-node-linux-amd64.tar.gz`);
    expect(download.contents.verification!.hash).toBe(`sha512-${KUBERNETES_NODE_BINARIES[gen.kubernetesVersion].amd64}`);
  });

  test("the controller's kubeadm init config follows the definition", () => {
    const gen = prod[0].gen;
    const docs = parseAllDocuments(fileText(controller, "/etc/immutable-clusters/kubeadm/init.yaml")).map((d) => d.toJSON());
    const byKind = Object.fromEntries(docs.map((d) => [d.kind, d]));
    expect(byKind.InitConfiguration.skipPhases).toEqual(["addon/coredns"]);
    expect(byKind.InitConfiguration.certificateKey).toBe("@@CERTIFICATE_KEY@@");
    expect(byKind.ClusterConfiguration).toMatchObject({
      kubernetesVersion: `v${gen.kubernetesVersion}`,
      controlPlaneEndpoint: `${gen.apiEndpoint}:6443`,
      networking: { podSubnet: gen.podCidr, serviceSubnet: gen.serviceCidr },
    });
    expect(byKind.ClusterConfiguration.controllerManager.extraArgs).toContainEqual({ name: "cloud-provider", value: "external" });
    expect(byKind.KubeletConfiguration).toMatchObject({
      cgroupDriver: "systemd",
      clusterDNS: [gen.clusterDnsIp],
      serverTLSBootstrap: true,
    });
    expect(byKind.InitConfiguration.nodeRegistration.kubeletExtraArgs).toContainEqual({ name: "cloud-provider", value: "external" });
  });

  test("a worker joins with its pool's labels and taints", () => {
    const pool = worker.role.kind === "worker" ? worker.role.pool : undefined!;
    const join = parse(fileText(workerConfig, "/etc/immutable-clusters/kubeadm/join-worker.yaml"));
    const labels = join.nodeRegistration.kubeletExtraArgs.find((a: { name: string }) => a.name === "node-labels").value as string;
    expect(labels.split(",")).toContain(`immutable-clusters.io/pool=${pool.name}`);
    for (const [k, v] of Object.entries(pool.labels)) expect(labels.split(",")).toContain(`${k}=${v}`);
    expect(join.nodeRegistration.taints).toEqual(pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })));
    expect(join.discovery.bootstrapToken).toEqual({
      apiServerEndpoint: `${worker.gen.apiEndpoint}:6443`,
      token: "@@BOOTSTRAP_TOKEN@@",
      caCertHashes: ["@@CA_CERT_HASH@@"],
    });
    expect(workerConfig.storage!.files!.some((f) => f.path.endsWith("init.yaml"))).toBe(false);
  });

  test("ingress pools carry the ingress label the ingress controller selects", () => {
    const ingress = configs.find((c) => c.role.kind === "worker" && c.role.pool.ingress)!;
    const join = parse(fileText(JSON.parse(ingress.text), "/etc/immutable-clusters/kubeadm/join-worker.yaml"));
    expect(join.nodeRegistration.kubeletExtraArgs.find((a: { name: string }) => a.name === "node-labels").value).toContain(
      "immutable-clusters.io/ingress=true",
    );
  });

  test("only the runtime placeholders remain, and cluster.env names this generation", () => {
    for (const { text } of configs) {
      const config = JSON.parse(text) as ParsedIgnition;
      for (const file of config.storage!.files!.filter((f) => f.path.startsWith("/etc/"))) {
        const body = fileText(config, file.path);
        expect(body).not.toMatch(/\{\{[A-Z_]+\}\}/);
        for (const placeholder of body.match(/@@[A-Z_]+@@/g) ?? []) expect(RUNTIME_PLACEHOLDERS).toContain(placeholder);
      }
    }
    const env = fileText(controller, "/etc/immutable-clusters/cluster.env");
    expect(env).toMatch(/^CLUSTER_NAME=prod-a$/m);
    expect(env).toMatch(/^SSM_PREFIX=\/immutable-clusters\/prod\/a$/m);
    expect(env).toMatch(/^NODE_ROLE=controller$/m);
  });

  test("the bootstrap scripts are embedded executable, the timer only on controllers", () => {
    const scripts = controller.storage!.files!.filter((f) => f.path.startsWith("/opt/immutable-clusters/bin/"));
    expect(scripts.map((f) => f.path.split("/").pop()).sort()).toEqual([
      "aws-api.sh",
      "bootstrap-lib.sh",
      "node-bootstrap.sh",
      "refresh-join-material.sh",
    ]);
    for (const s of scripts) expect(s.mode).toBe(0o755);
    const unitNames = (c: ParsedIgnition) => c.systemd!.units!.map((u) => u.name);
    expect(unitNames(controller)).toEqual(
      expect.arrayContaining(["kubelet.service", "immutable-clusters-bootstrap.service", "immutable-clusters-join-refresh.timer"]),
    );
    expect(unitNames(workerConfig)).not.toContain("immutable-clusters-join-refresh.timer");
    const containerd = controller.systemd!.units!.find((u) => u.name === "containerd.service")!;
    expect(containerd.dropins![0].contents).toContain("CONTAINERD_CONFIG=/etc/containerd/config.toml");
    expect(fileText(controller, "/etc/containerd/config.toml")).toMatch(/SystemdCgroup = true/);
  });

  test("Flatcar updates are masked unless the generation opts in", () => {
    const masked = (osUpdates: boolean | undefined) => {
      const cluster = sampleCluster({ generations: [sampleGeneration({ osUpdates })] });
      const gen = resolveGeneration(cluster, cluster.generations[0]);
      const config = JSON.parse(renderNodeIgnition(gen, { kind: "controller" })) as ParsedIgnition;
      return config.systemd!.units!.filter((u) => u.mask).map((u) => u.name);
    };
    expect(masked(undefined)).toEqual(["locksmithd.service", "update-engine.service"]);
    expect(masked(true)).toEqual([]);
  });

  test("a Kubernetes version without a pinned hash is refused, naming the field and the versions there are", () => {
    const cluster = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion: "1.30.2" })] });
    const gen = resolveGeneration(cluster, cluster.generations[0]);
    expect(() => renderNodeIgnition(gen, { kind: "controller" })).toThrow(
      /kubernetesVersion: no pinned hash for Kubernetes 1\.30\.2 .*use one of 1\.31\.0, 1\.32\.8/,
    );
  });

  test("ignition-validate is the Debian build of Ignition", () => {
    expect(execFileSync("ignition-validate", ["--version"], { encoding: "utf8" })).toMatch(/Ignition/);
  });
});
