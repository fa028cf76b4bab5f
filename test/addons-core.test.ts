// Tests of the core addons (cni, coredns, cloud-controller, metrics-server, ingress-nginx): key properties of the
// synthesized objects, stable names, explicit resources/probes/security contexts, pinned images, settings errors.
import { CILIUM_RELEASES } from "../constructs/addons/cni/settings";
import { renderAddonManifests, type ManifestFile } from "../constructs/addons/render";
import { definitionProblems } from "../constructs/definition/validate";
import { resolveGeneration } from "../constructs/definition/resolve";
import type { GenerationDefinition } from "../constructs/definition/types";
import { findKubernetesObject, kubernetesObjects, type KubernetesObject } from "../constructs/testing/manifests";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const CORE_FILES = ["10-cni.yaml", "20-coredns.yaml", "30-cloud-controller.yaml", "40-metrics-server.yaml", "50-ingress-nginx.yaml"];

/** Renders the addons of a one-generation sample cluster, every time (the determinism test renders again with it). */
function renderFresh(overrides: Partial<GenerationDefinition> = {}, cluster = {}): ManifestFile[] {
  const def = sampleCluster({ ...cluster, generations: [sampleGeneration(overrides)] });
  return renderAddonManifests(resolveGeneration(def, def.generations[0]));
}

/**
 * renderFresh once per distinct definition in this file: several tests read the same Kubernetes version's manifests
 * (1.32.8 and 1.35.4 each render for two describes). A definition that is refused throws on every call (nothing is
 * kept). The files are text (name and YAML); the objects parsed from them are each caller's own.
 */
const renderedFiles = new Map<string, readonly ManifestFile[]>();
function render(overrides: Partial<GenerationDefinition> = {}, cluster = {}): ManifestFile[] {
  const key = JSON.stringify(sampleCluster({ ...cluster, generations: [sampleGeneration(overrides)] }));
  const files = renderedFiles.get(key) ?? renderFresh(overrides, cluster);
  renderedFiles.set(key, files);
  return [...files];
}

function coreFiles(files: ManifestFile[]): ManifestFile[] {
  return files.filter((f) => CORE_FILES.includes(f.name));
}

type Container = {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: { name?: string; containerPort: number; hostPort?: number; protocol?: string }[];
  startupProbe?: { httpGet?: { port: number | string }; failureThreshold?: number };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { port: number | string } };
  readinessProbe?: { httpGet?: { port: number | string } };
  securityContext?: Record<string, unknown>;
};
type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  priorityClassName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; value?: string; effect?: string; operator?: string }[];
  hostNetwork?: boolean;
};

function podSpec(o: KubernetesObject): PodSpec {
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

function workloads(files: ManifestFile[]): KubernetesObject[] {
  return kubernetesObjects(files).filter((o) => ["Deployment", "DaemonSet"].includes(o.kind));
}

describe("core addons of a generation", () => {
  const files = render({ networking: { podCidr: "10.50.0.0/16", serviceCidr: "10.100.0.0/16" } });

  test("ship in apply order, one file per addon", () => {
    expect(files.map((f) => f.name).slice(0, 5)).toEqual(CORE_FILES);
  });

  test("kube-dns is a ClusterIP Service at the generation's cluster DNS IP, selecting the CoreDNS pods", () => {
    const service = findKubernetesObject(files, "Service", "kube-dns", "kube-system");
    const spec = service.spec as { clusterIP: string; selector: Record<string, string>; ports: { port: number; protocol: string }[] };
    expect(spec.clusterIP).toBe("10.100.0.10");
    expect(spec.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual(["53/UDP", "53/TCP", "9153/TCP"]);
    const labels = (
      findKubernetesObject(files, "Deployment", "coredns", "kube-system").spec as {
        template: { metadata: { labels: Record<string, string> } };
      }
    ).template.metadata.labels;
    expect(labels).toMatchObject(spec.selector);
  });

  test("CoreDNS has anti-affinity, a PDB and an autoscaler with the linear parameters", () => {
    const deployment = findKubernetesObject(files, "Deployment", "coredns", "kube-system");
    expect(JSON.stringify(podSpec(deployment))).toContain("podAntiAffinity");
    const pdb = findKubernetesObject(files, "PodDisruptionBudget", "coredns", "kube-system");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: { "k8s-app": "kube-dns" } } });
    const params = JSON.parse(
      (findKubernetesObject(files, "ConfigMap", "coredns-autoscaler", "kube-system").data as { linear: string }).linear,
    );
    expect(params).toEqual({
      coresPerReplica: 256,
      nodesPerReplica: 16,
      min: 2,
      max: 10,
      preventSinglePointFailure: true,
      includeUnschedulableNodes: true,
    });
    const tuned = render({ addons: { coredns: { replicas: { min: 3, max: 7 }, autoscaler: { nodesPerReplica: 4 } } } });
    const tunedParams = JSON.parse(
      (findKubernetesObject(tuned, "ConfigMap", "coredns-autoscaler", "kube-system").data as { linear: string }).linear,
    );
    expect(tunedParams).toMatchObject({ min: 3, max: 7, nodesPerReplica: 4 });
    expect((findKubernetesObject(tuned, "Deployment", "coredns", "kube-system").spec as { replicas: number }).replicas).toBe(3);
  });

  test("Cilium allocates pod addresses from the generation's pod CIDR, tunnels with VXLAN, enforces NetworkPolicy, keeps kube-proxy", () => {
    const config = findKubernetesObject(files, "ConfigMap", "cilium-config", "kube-system").data as Record<string, string>;
    expect(config).toMatchObject({
      ipam: "cluster-pool",
      "cluster-pool-ipv4-cidr": "10.50.0.0/16",
      "cluster-pool-ipv4-mask-size": "24",
      "routing-mode": "tunnel",
      "tunnel-protocol": "vxlan",
      "enable-policy": "default",
      "kube-proxy-replacement": "false",
      "cluster-name": "demo-a",
    });
    const agent = findKubernetesObject(files, "DaemonSet", "cilium", "kube-system");
    expect(podSpec(agent)).toMatchObject({
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      tolerations: [{ operator: "Exists" }],
    });
    expect(findKubernetesObject(files, "Deployment", "cilium-operator", "kube-system")).toBeDefined();
  });

  test("what runs before CoreDNS resolves through the node: Cilium agent and operator, cloud controller (issue 11)", () => {
    for (const [kind, name] of [
      ["DaemonSet", "cilium"],
      ["Deployment", "cilium-operator"],
      ["DaemonSet", "aws-cloud-controller-manager"],
    ]) {
      const spec = podSpec(findKubernetesObject(files, kind, name, "kube-system")) as PodSpec & { dnsPolicy?: string };
      expect({ name, hostNetwork: spec.hostNetwork, dnsPolicy: spec.dnsPolicy }).toEqual({ name, hostNetwork: true, dnsPolicy: "Default" });
    }
  });

  test("CoreDNS tolerates the control-plane taint, as kubeadm's, but not not-ready: it needs the pod network", () => {
    const spec = podSpec(findKubernetesObject(files, "Deployment", "coredns", "kube-system"));
    expect(spec.tolerations).toContainEqual({ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" });
    expect(JSON.stringify(spec.tolerations)).not.toContain("not-ready");
  });

  test("the cloud controller manager runs on control-plane nodes with the generation's cluster name and no cloud routes", () => {
    const ccm = findKubernetesObject(files, "DaemonSet", "aws-cloud-controller-manager", "kube-system");
    const spec = podSpec(ccm);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.nodeSelector).toMatchObject({ "node-role.kubernetes.io/control-plane": "" });
    expect(spec.tolerations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }),
        expect.objectContaining({ key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" }),
      ]),
    );
    expect(spec.containers[0].args).toEqual(
      expect.arrayContaining(["--cloud-provider=aws", "--cluster-name=demo-a", "--configure-cloud-routes=false"]),
    );
    expect(spec.containers[0].image).toMatch(/cloud-controller-manager:v1\.31\.\d+@sha256:[0-9a-f]{64}$/);
    const newer = render({ kubernetesVersion: "1.32.8" });
    expect(podSpec(findKubernetesObject(newer, "DaemonSet", "aws-cloud-controller-manager", "kube-system")).containers[0].image).toMatch(
      /:v1\.32\./,
    );
  });

  test("metrics-server prefers InternalIP, is registered as the metrics API and is highly available", () => {
    const deployment = findKubernetesObject(files, "Deployment", "metrics-server", "kube-system");
    const args = podSpec(deployment).containers[0].args ?? [];
    expect(args).toContain("--kubelet-preferred-address-types=InternalIP");
    expect(args).not.toContain("--kubelet-insecure-tls");
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const api = findKubernetesObject(files, "APIService", "v1beta1.metrics.k8s.io");
    expect(api.spec).toMatchObject({
      group: "metrics.k8s.io",
      version: "v1beta1",
      service: { name: "metrics-server", namespace: "kube-system" },
    });
  });

  test("an approver accepts serving certificates of this generation's nodes only (EC2 names, VPC addresses)", () => {
    const approver = podSpec(findKubernetesObject(files, "Deployment", "kubelet-serving-approver", "kube-system"))
      .containers[0] as Container & {
      env: { name: string; value: string }[];
    };
    const env = Object.fromEntries(approver.env.map((e) => [e.name, e.value]));
    expect(env.PROVIDER_IP_PREFIXES).toBe("10.0.0.0/16");
    const regex = new RegExp(env.PROVIDER_REGEX);
    expect(regex.test("ip-10-0-1-23.eu-west-1.compute.internal")).toBe(true);
    expect(regex.test("i-0123456789abcdef0.eu-west-1.compute.internal")).toBe(true);
    expect(regex.test("ip-10-0-1-23.us-west-2.compute.internal")).toBe(false);
    expect(regex.test("evil.example.com")).toBe(false);
    const rules = findKubernetesObject(files, "ClusterRole", "immutable-clusters:kubelet-serving-approver").rules as {
      resourceNames?: string[];
    }[];
    expect(rules.flatMap((r) => r.resourceNames ?? [])).toEqual(["kubernetes.io/kubelet-serving"]);
  });

  test("ingress-nginx listens on the generation's NodePorts, runs on ingress nodes and is the default IngressClass", () => {
    const service = findKubernetesObject(files, "Service", "ingress-nginx-controller", "ingress-nginx");
    const spec = service.spec as { type: string; ports: { name: string; nodePort: number }[]; externalTrafficPolicy: string };
    expect(spec.type).toBe("NodePort");
    expect(Object.fromEntries(spec.ports.map((p) => [p.name, p.nodePort]))).toEqual({ http: 30080, https: 30443 });
    const controller = podSpec(findKubernetesObject(files, "DaemonSet", "ingress-nginx-controller", "ingress-nginx"));
    // A label kubelets cannot set on themselves (NodeRestriction), applied by the control plane's ingress labeler.
    expect(controller.nodeSelector).toMatchObject({ "node-restriction.kubernetes.io/ingress": "true" });
    expect(controller.containers[0].args).toEqual(expect.arrayContaining(["--ingress-class=nginx"]));
    const ingressClass = findKubernetesObject(files, "IngressClass", "nginx");
    expect(ingressClass.metadata.annotations).toEqual({ "ingressclass.kubernetes.io/is-default-class": "true" });
  });

  test("the ingress controller tolerates the taints of the ingress pools only", () => {
    const tainted = render({
      workerPools: [
        { name: "edge", ingress: true, taints: [{ key: "example.com/edge", value: "true", effect: "NoSchedule" }] },
        { name: "batch", ingress: false, taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }] },
      ],
    });
    const tolerations = podSpec(findKubernetesObject(tainted, "DaemonSet", "ingress-nginx-controller", "ingress-nginx")).tolerations;
    expect(tolerations).toEqual([{ key: "example.com/edge", operator: "Equal", value: "true", effect: "NoSchedule" }]);
  });

  test("names are stable: the exact names given, no generated hash suffixes", () => {
    for (const o of kubernetesObjects(coreFiles(files))) {
      expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      expect(o.metadata.name).not.toMatch(/-[0-9a-f]{8}$/);
    }
    expect(
      kubernetesObjects(files.filter((f) => f.name === "20-coredns.yaml"))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual(
      [
        "ServiceAccount/coredns",
        "ClusterRole/system:coredns",
        "ClusterRoleBinding/system:coredns",
        "ConfigMap/coredns",
        "Deployment/coredns",
        "Service/kube-dns",
        "PodDisruptionBudget/coredns",
        "ServiceAccount/coredns-autoscaler",
        "ClusterRole/immutable-clusters:coredns-autoscaler",
        "ClusterRoleBinding/immutable-clusters:coredns-autoscaler",
        "Role/coredns-autoscaler",
        "RoleBinding/coredns-autoscaler",
        "ConfigMap/coredns-autoscaler",
        "Deployment/coredns-autoscaler",
      ].sort(),
    );
  });

  test("every container has explicit requests and limits and a security context; long-running ones have probes", () => {
    // cluster-proportional-autoscaler has no health endpoint: it exits after --max-sync-failures instead.
    const probeExempt = new Set(["coredns-autoscaler/autoscaler"]);
    const core = workloads(coreFiles(files));
    expect(core.length).toBeGreaterThanOrEqual(7);
    for (const w of core) {
      const spec = podSpec(w);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const where = `${w.metadata.name}/${c.name}`;
        expect({ where, cpu: c.resources?.requests?.cpu, memory: c.resources?.requests?.memory }).toEqual({
          where,
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect({ where, cpu: c.resources?.limits?.cpu, memory: c.resources?.limits?.memory }).toEqual({
          where,
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect({ where, securityContext: typeof c.securityContext }).toEqual({ where, securityContext: "object" });
      }
      for (const c of spec.containers) {
        const where = `${w.metadata.name}/${c.name}`;
        if (probeExempt.has(where)) continue;
        expect({ where, liveness: !!c.livenessProbe, readiness: !!c.readinessProbe }).toEqual({ where, liveness: true, readiness: true });
      }
      expect({ name: w.metadata.name, priority: spec.priorityClassName }).toEqual({
        name: w.metadata.name,
        priority: expect.stringMatching(/^system-(cluster|node)-critical$/),
      });
    }
  });

  test("only Cilium's bpf mount step is privileged; the other core containers drop all capabilities", () => {
    for (const w of workloads(coreFiles(files))) {
      const spec = podSpec(w);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const where = `${w.metadata.name}/${c.name}`;
        if (where === "cilium/mount-bpf-fs") {
          expect(c.securityContext?.privileged).toBe(true);
          continue;
        }
        expect({ where, privileged: c.securityContext?.privileged ?? false }).toEqual({ where, privileged: false });
        expect({ where, drop: (c.securityContext?.capabilities as { drop?: string[] } | undefined)?.drop }).toEqual({
          where,
          drop: ["ALL"],
        });
      }
    }
  });

  test("images are pinned by exact tag, and by digest where upstream publishes one we ship", () => {
    const images = workloads(coreFiles(files)).flatMap((w) =>
      [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers].map((c) => c.image),
    );
    for (const image of images) expect(image).toMatch(/^[a-z0-9.-]+\/[a-z0-9._/-]+:v?[0-9][A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?$/);
    for (const name of [
      "cilium/cilium:",
      "operator-generic:",
      "cloud-controller-manager:",
      "metrics-server:",
      "ingress-nginx/controller:",
    ]) {
      expect(images.filter((i) => i.includes(name)).every((i) => /@sha256:[0-9a-f]{64}$/.test(i))).toBe(true);
    }
  });

  test("rendering is deterministic", () => {
    const again = renderFresh({ networking: { podCidr: "10.50.0.0/16", serviceCidr: "10.100.0.0/16" } });
    expect(again).toEqual(files);
  });

  test("searching the manifests again gives fresh objects (the parse is kept, the objects are the caller's)", () => {
    const first = findKubernetesObject(files, "Deployment", "coredns", "kube-system") as { metadata: { labels?: Record<string, string> } };
    first.metadata.labels = { changed: "by the caller" };
    expect(findKubernetesObject(files, "Deployment", "coredns", "kube-system").metadata.labels).not.toEqual({ changed: "by the caller" });
    const [listed] = kubernetesObjects(files, "Deployment") as { metadata: { name: string } }[];
    listed.metadata.name = "renamed";
    expect(kubernetesObjects(files, "Deployment")[0].metadata.name).not.toBe("renamed");
    expect(() => kubernetesObjects([{ name: "99-broken.yaml", yaml: "a: [\n" }])).toThrow(/^99-broken\.yaml: /);
  });

  test("a disabled addon ships no file", () => {
    const names = render({ addons: { metricsServer: { enabled: false }, ingressNginx: { enabled: false } } }).map((f) => f.name);
    expect(names).not.toContain("40-metrics-server.yaml");
    expect(names).not.toContain("50-ingress-nginx.yaml");
    expect(names).toContain("20-coredns.yaml");
  });
});

describe("core addon settings errors", () => {
  const fieldsOf = (addons: unknown) =>
    definitionProblems(sampleCluster({ generations: [sampleGeneration({ addons: addons as never })] })).map(
      (p) => `${p.field}: ${p.message}`,
    );

  test.each([
    [{ coredns: { replicas: { min: 5, max: 2 } } }, "generations[0].addons.coredns.replicas.min: must not exceed replicas.max (2)"],
    [{ corends: {} }, 'generations[0].addons: unknown field "corends"'],
    [{ cni: { image: "quay.io/cilium/cilium:latest" } }, 'generations[0].addons.cni.image: must not use the "latest" tag'],
    [{ cni: { nodeMaskSize: 40 } }, "generations[0].addons.cni.nodeMaskSize: must be from 16 to 28"],
    [{ coredns: { upstreams: ["dns.google"] } }, "generations[0].addons.coredns.upstreams[0]: must be a resolv.conf path"],
    [{ metricsServer: { enabled: "yes" } }, "generations[0].addons.metricsServer.enabled"],
    [
      { ingressNginx: { resources: { limits: { cpu: "lots" } } } },
      "generations[0].addons.ingressNginx.resources.limits.cpu: must be a Kubernetes quantity",
    ],
  ])("%j is refused naming the field", (addons, expected) => {
    expect(fieldsOf(addons).join("\n")).toContain(expected);
  });

  test("a pod CIDR too small for the per-node slice is refused naming the setting and the fix", () => {
    expect(() => render({ networking: { podCidr: "10.50.0.0/24" } })).toThrow(
      /addons\.cni\.nodeMaskSize 24: must be longer than the pod CIDR's prefix \(10\.50\.0\.0\/24\)/,
    );
  });

  test("a Kubernetes minor without a known cloud controller image asks for one", () => {
    // 1.36 has no row in the image tables (nor a pinned node-binary hash): each image must then be named explicitly.
    const coredns = { image: "registry.k8s.io/coredns/coredns:v1.12.4" };
    const cni = { image: CILIUM_RELEASES["1.35"].image, operatorImage: CILIUM_RELEASES["1.35"].operatorImage };
    expect(() => render({ kubernetesVersion: "1.36.1", addons: { coredns, cni } })).toThrow(
      /addons\.cloudController\.image: no default .* for Kubernetes 1\.36/,
    );
    const files = render({
      kubernetesVersion: "1.36.1",
      addons: { coredns, cni, cloudController: { image: "registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.0" } },
    });
    expect(podSpec(findKubernetesObject(files, "DaemonSet", "aws-cloud-controller-manager", "kube-system")).containers[0].image).toBe(
      "registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.0",
    );
  });

  test("a health path ingress-nginx cannot answer is refused", () => {
    expect(() => render({}, { traffic: { healthPath: "/ready" } })).toThrow(
      /traffic\.healthPath "\/ready": ingress-nginx answers .* only on "\/healthz"/,
    );
  });
});

describe("Cilium's manifests follow the upstream chart of the release the generation runs", () => {
  // 1.32 runs Cilium 1.17.18 (manifests after the 1.17.18 chart), 1.35 runs 1.19.8 (after the 1.19 chart); each case
  // is one place the 1.19 chart (cilium-1.19.6.tgz of cilium/charts) renders differently for our settings.
  const old = render({ kubernetesVersion: "1.32.8" });
  const current = render({ kubernetesVersion: "1.35.4" });
  const agent = (files: ManifestFile[]) => findKubernetesObject(files, "DaemonSet", "cilium", "kube-system");
  const agentContainer = (files: ManifestFile[], name = "cilium-agent") =>
    [...(podSpec(agent(files)).initContainers ?? []), ...podSpec(agent(files)).containers].find((c) => c.name === name)!;
  const operator = (files: ManifestFile[]) => podSpec(findKubernetesObject(files, "Deployment", "cilium-operator", "kube-system"));
  const config = (files: ManifestFile[]) =>
    findKubernetesObject(files, "ConfigMap", "cilium-config", "kube-system").data as Record<string, string>;
  const annotations = (files: ManifestFile[]) =>
    (agent(files).spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
  const capabilitiesOf = (c: Container) => (c.securityContext?.capabilities as { add: string[] }).add;

  test("1.31 and 1.32 run Cilium 1.17.18, 1.33 to 1.35 run 1.19.8", () => {
    for (const [version, tag] of [
      ["1.31.0", "v1.17.18"],
      ["1.32.8", "v1.17.18"],
      ["1.33.5", "v1.19.8"],
      ["1.34.7", "v1.19.8"],
      ["1.35.4", "v1.19.8"],
    ]) {
      const files = render({ kubernetesVersion: version });
      expect(agentContainer(files).image).toMatch(new RegExp(`^quay\\.io/cilium/cilium:${tag}@sha256:[0-9a-f]{64}$`));
      expect(operator(files).containers[0].image).toMatch(new RegExp(`^quay\\.io/cilium/operator-generic:${tag}@sha256:[0-9a-f]{64}$`));
    }
  });

  test("1.19: the agent pod names cilium-agent as kubectl's default container", () => {
    expect(annotations(old)["kubectl.kubernetes.io/default-container"]).toBeUndefined();
    expect(annotations(current)["kubectl.kubernetes.io/default-container"]).toBe("cilium-agent");
  });

  test("1.19: the cgroup mount and sysctl init scripts run under bash", () => {
    for (const name of ["mount-cgroup", "apply-sysctl-overwrites"]) {
      expect(agentContainer(old, name).command?.slice(0, 2)).toEqual(["sh", "-ec"]);
      expect(agentContainer(current, name).command?.slice(0, 2)).toEqual(["bash", "-ec"]);
    }
  });

  test("1.19: the config init container keeps NET_ADMIN and drops the rest", () => {
    expect(capabilitiesOf(agentContainer(old, "config"))).toEqual([]);
    expect(capabilitiesOf(agentContainer(current, "config"))).toEqual(["NET_ADMIN"]);
    expect((agentContainer(current, "config").securityContext?.capabilities as { drop: string[] }).drop).toEqual(["ALL"]);
  });

  test("1.19: the agent also gets SYSLOG", () => {
    expect(capabilitiesOf(agentContainer(old))).not.toContain("SYSLOG");
    expect(capabilitiesOf(agentContainer(current))).toEqual([...capabilitiesOf(agentContainer(old)), "SYSLOG"]);
  });

  test("1.19: the agent declares its health port by name and probes it by name", () => {
    const probePorts = (c: Container) => [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p?.httpGet?.port);
    expect(probePorts(agentContainer(old))).toEqual([9879, 9879, 9879]);
    expect(agentContainer(old).ports?.map((p) => p.name)).toEqual(["prometheus"]);
    expect(probePorts(agentContainer(current))).toEqual(["health", "health", "health"]);
    expect(agentContainer(current).ports?.[0]).toEqual({ name: "health", containerPort: 9879, hostPort: 9879, protocol: "TCP" });
  });

  test("1.19: the agent may take up to 600 s to start (startup probe 300 x 2 s)", () => {
    expect(agentContainer(old).startupProbe?.failureThreshold).toBe(105);
    expect(agentContainer(current).startupProbe?.failureThreshold).toBe(300);
  });

  test("1.19: the agent's Kubernetes client backs off exponentially (1 s base, 120 s max)", () => {
    const backoff = (files: ManifestFile[]) =>
      (agentContainer(files) as Container & { env: { name: string }[] }).env.filter((e) => e.name.startsWith("KUBE_CLIENT_BACKOFF_"));
    expect(backoff(old)).toEqual([]);
    expect(backoff(current)).toEqual([
      { name: "KUBE_CLIENT_BACKOFF_BASE", value: "1" },
      { name: "KUBE_CLIENT_BACKOFF_DURATION", value: "120" },
    ]);
  });

  test("1.19: the operator declares its health port by name and probes it by name", () => {
    const c = (files: ManifestFile[]) => operator(files).containers[0];
    expect([c(old).livenessProbe?.httpGet?.port, c(old).readinessProbe?.httpGet?.port]).toEqual([9234, 9234]);
    expect([c(current).livenessProbe?.httpGet?.port, c(current).readinessProbe?.httpGet?.port]).toEqual(["health", "health"]);
    expect(c(current).ports?.[0]).toEqual({ name: "health", containerPort: 9234, hostPort: 9234, protocol: "TCP" });
  });

  test("1.19: the operator tolerates control-plane, not-ready, uninitialized and agent-not-ready nodes instead of every taint", () => {
    expect(operator(old).tolerations).toEqual([{ operator: "Exists" }]);
    expect(operator(current).tolerations).toEqual(
      [
        "node-role.kubernetes.io/control-plane",
        "node-role.kubernetes.io/master",
        "node.kubernetes.io/not-ready",
        "node.cloudprovider.kubernetes.io/uninitialized",
        "node.cilium.io/agent-not-ready",
      ].map((key) => ({ key, operator: "Exists" })),
    );
  });

  test("1.19: the operator may manage DaemonSets in kube-system (its ztunnel controller)", () => {
    expect(() => findKubernetesObject(old, "Role", "cilium-operator-ztunnel", "kube-system")).toThrow();
    expect(findKubernetesObject(current, "Role", "cilium-operator-ztunnel", "kube-system").rules).toEqual([
      { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["create", "delete", "get", "list", "watch"] },
    ]);
    const binding = findKubernetesObject(current, "RoleBinding", "cilium-operator-ztunnel", "kube-system");
    expect(binding).toMatchObject({
      roleRef: { kind: "Role", name: "cilium-operator-ztunnel" },
      subjects: [{ kind: "ServiceAccount", name: "cilium-operator", namespace: "kube-system" }],
    });
  });

  test("1.19: the unmanaged-pod watcher interval is a duration", () => {
    expect(config(old)["unmanaged-pod-watcher-interval"]).toBe("15");
    expect(config(current)["unmanaged-pod-watcher-interval"]).toBe("15s");
  });

  test("1.19: policies select the local cluster's endpoints unless they name another", () => {
    expect(config(old)["policy-default-local-cluster"]).toBeUndefined();
    expect(config(current)["policy-default-local-cluster"]).toBe("true");
  });

  test("1.19: the agent reads cilium-config dynamically and reports drift", () => {
    expect([config(old)["enable-dynamic-config"], config(old)["enable-drift-checker"]]).toEqual([undefined, undefined]);
    expect([config(current)["enable-dynamic-config"], config(current)["enable-drift-checker"]]).toEqual(["true", "true"]);
  });

  test("the rest of cilium-config is the same on both releases (apart from the gateway's keys, test/addons-gateway.test.ts)", () => {
    const changed = ["unmanaged-pod-watcher-interval", "policy-default-local-cluster", "enable-dynamic-config", "enable-drift-checker"];
    const without = (data: Record<string, string>) => Object.fromEntries(Object.entries(data).filter(([k]) => !changed.includes(k)));
    const noGateway = render({ kubernetesVersion: "1.35.4", addons: { gateway: { enabled: false } } });
    expect(without(config(noGateway))).toEqual(without(config(old)));
  });

  test("a set image picks the chart by its own release, whatever the Kubernetes minor", () => {
    const cni = { image: CILIUM_RELEASES["1.35"].image, operatorImage: CILIUM_RELEASES["1.35"].operatorImage };
    const files = render({ kubernetesVersion: "1.32.8", addons: { cni } });
    expect(agentContainer(files).image).toBe(cni.image);
    expect(config(files)["unmanaged-pod-watcher-interval"]).toBe("15s");
    // Without the gateway: a Cilium 1.17 image cannot serve it (refused, test/addons-gateway.test.ts).
    const back = render({
      kubernetesVersion: "1.35.4",
      addons: { cni: { image: CILIUM_RELEASES["1.32"].image }, gateway: { enabled: false } },
    });
    expect(config(back)["unmanaged-pod-watcher-interval"]).toBe("15");
  });

  test("an agent image whose tag names no Cilium release is refused naming the setting", () => {
    expect(() => render({ addons: { cni: { image: "registry.example.com/cilium/cilium:custom-build" } } })).toThrow(
      /addons\.cni\.image "registry\.example\.com\/cilium\/cilium:custom-build": its tag must name the Cilium release/,
    );
  });
});
