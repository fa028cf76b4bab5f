// The platform addons' CIS-related defaults, read from the synthesized manifests: Pod Security labels per namespace
// (privileged only where a host-level component needs it), NetworkPolicies evaluated with Kubernetes' semantics (a pod
// selected by an Ingress policy accepts only what some rule allows), Prometheus verifying kubelet certificates, and
// fluent-bit shipping the API server's audit log.
import { parse } from "yaml";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { resolveGeneration } from "../constructs/definition/resolve";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const objectsOf = (kubernetesVersion: string): Obj[] => {
  const def = sampleCluster({ generations: [sampleGeneration({ kubernetesVersion })] });
  return synthesizeAddonObjects(resolveGeneration(def, def.generations[0])).flatMap((a) => a.objects as Obj[]);
};
// 1.35 runs the gateway; ingress-nginx is checked on 1.32, the newest minor that still runs it.
const objects: Obj[] = [
  ...objectsOf("1.35.4"),
  ...objectsOf("1.32.8").filter((o) => o.metadata?.namespace === "ingress-nginx" || o.metadata?.name === "ingress-nginx"),
];
const namespaces = new Map<string, Obj>(objects.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o]));
const policies = objects.filter((o) => o.kind === "NetworkPolicy");

interface Pod {
  namespace: string;
  labels: Record<string, string>;
}
const matchLabels = (selector: Obj, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
/** Whether `from` may open a TCP connection to `to` on `port` under the synthesized policies (pod network only). */
function allowed(from: Pod, to: Pod, port: number): boolean {
  const selecting = policies.filter(
    (p) => p.metadata.namespace === to.namespace && p.spec.policyTypes.includes("Ingress") && matchLabels(p.spec.podSelector, to.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule: Obj) =>
        (rule.ports ?? [{ port }]).some((r: Obj) => r.port === port) &&
        (rule.from === undefined ||
          rule.from.some(
            (peer: Obj) =>
              matchLabels(peer.namespaceSelector, { "kubernetes.io/metadata.name": from.namespace }) &&
              matchLabels(peer.podSelector, from.labels),
          )),
    ),
  );
}
const pod = (namespace: string, name: string): Pod => ({ namespace, labels: { "app.kubernetes.io/name": name } });
const tenant = pod("team-a", "app");
const prometheus = pod("monitoring", "prometheus");
const grafana = pod("monitoring", "grafana");

describe("Pod Security levels of the platform namespaces", () => {
  test.each([
    ["monitoring", "restricted"],
    ["ingress-nginx", "restricted"],
    ["ingress-gateway", "restricted"],
    ["node-exporter", "privileged"],
    ["logging", "privileged"],
  ])("%s enforces %s", (name, level) => {
    expect(namespaces.get(name)?.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe(level);
  });

  test("the gateway's namespace holds no workload (Envoy runs inside the Cilium agents)", () => {
    expect(objects.filter((o) => o.spec?.template && o.metadata.namespace === "ingress-gateway")).toEqual([]);
  });

  test("node-exporter is the only workload in its privileged namespace", () => {
    const workloads = objects.filter((o) => o.spec?.template && o.metadata.namespace === "node-exporter");
    expect(workloads.map((o) => o.metadata.name)).toEqual(["node-exporter"]);
  });
});

describe("NetworkPolicies", () => {
  test("every platform namespace with pod-network workloads denies ingress by default", () => {
    for (const ns of ["monitoring", "logging", "ingress-nginx"]) {
      expect(policies.some((p) => p.metadata.namespace === ns && Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress)).toBe(
        true,
      );
    }
  });

  test("Prometheus is reachable only from Grafana; Grafana from no pod", () => {
    expect(allowed(grafana, prometheus, 9090)).toBe(true);
    expect(allowed(tenant, prometheus, 9090)).toBe(false);
    expect(allowed(pod("ingress-nginx", "ingress-nginx"), prometheus, 9090)).toBe(false);
    expect(allowed(tenant, grafana, 3000)).toBe(false);
    expect(allowed(prometheus, grafana, 3000)).toBe(false);
  });

  test("Prometheus can still scrape what it scrapes on the pod network", () => {
    expect(allowed(prometheus, pod("monitoring", "kube-state-metrics"), 8080)).toBe(true);
    expect(allowed(prometheus, pod("logging", "fluent-bit"), 2020)).toBe(true);
    expect(
      allowed(
        prometheus,
        { namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
        10254,
      ),
    ).toBe(true);
    expect(allowed(tenant, pod("logging", "fluent-bit"), 2020)).toBe(false);
  });

  test("the ingress controller takes web traffic from anywhere, its metrics only from Prometheus", () => {
    const controller = {
      namespace: "ingress-nginx",
      labels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
    };
    expect(allowed(tenant, controller, 80)).toBe(true);
    expect(allowed(tenant, controller, 443)).toBe(true);
    expect(allowed(tenant, controller, 10254)).toBe(false);
  });

  test("no policy restricts egress (DNS and the API server stay reachable)", () => {
    expect(policies.filter((p) => p.spec.policyTypes.includes("Egress"))).toEqual([]);
  });
});

describe("Prometheus and fluent-bit", () => {
  const prometheusYml = objects.find(
    (o) => o.kind === "ConfigMap" && o.metadata.namespace === "monitoring" && o.metadata.name === "prometheus",
  );
  test("kubelet scrapes verify the serving certificate with the cluster CA; nothing skips verification", () => {
    const text = JSON.stringify(prometheusYml.data);
    expect(text).not.toMatch(/insecure_skip_verify/);
    const config = parse(Object.values(prometheusYml.data as Record<string, string>).find((v) => v.includes("scrape_configs"))!) as Obj;
    for (const name of ["kubernetes-kubelet", "kubernetes-cadvisor"]) {
      const job = config.scrape_configs.find((j: Obj) => j.job_name === name);
      expect(job.tls_config).toEqual({ ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" });
    }
  });

  test("fluent-bit tails the API server's audit log where the API server writes it", () => {
    const conf = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "fluent-bit").data["fluent-bit.conf"] as string;
    expect(conf).toMatch(/^\s+Path\s+\/var\/log\/kubernetes\/audit\/\*\.log$/m);
  });
});
