// Tests of the gateway addon (Gateway API through Cilium, generations on Kubernetes 1.33+): the vendored CRDs and their
// pins, the Gateway's listeners against the ingress load balancer's target groups and health check, placement on the
// ingress nodes, the Cilium configuration (kube-proxy replacement) and kubeadm's skipped kube-proxy, the policies that let
// load-balancer traffic through, the docs' HTTPRoute against the vendored schema, and which generations get what.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { GATEWAY_API_CRD_DIR, GATEWAY_API_CRD_FILES, GATEWAY_API_CRDS_JSON, gatewayApiCrds } from "../constructs/addons/gateway/crds";
import { resolveGeneration } from "../constructs/definition/resolve";
import { definitionProblems } from "../constructs/definition/validate";
import { initConfiguration } from "../constructs/ignition/kubeadm-config";
import type { KubernetesObject } from "../constructs/testing/manifests";
import type { ClusterDefinition, GenerationDefinition } from "../constructs";
import { checkedAddonFiles } from "./support/addon-objects";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters } from "./support/synth";

/** Manifest and CRD JSON, walked ad hoc by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const GATEWAY_GEN = { kubernetesVersion: "1.35.4", flatcar: { channel: "stable" as const, version: "4230.2.1" } };
const ingressPools: GenerationDefinition["workerPools"] = [
  { name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: false },
  { name: "edge", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: true, taints: [{ key: "edge", effect: "NoSchedule" }] },
];

function clusterWith(generation: Partial<GenerationDefinition> = {}, cluster: Partial<ClusterDefinition> = {}): ClusterDefinition {
  return sampleCluster({ generations: [sampleGeneration({ ...GATEWAY_GEN, ...generation })], ...cluster });
}
const renders = new Map<string, ReturnType<typeof renderNow>>();
function renderNow(generation: Partial<GenerationDefinition>, cluster: Partial<ClusterDefinition>) {
  const definition = clusterWith(generation, cluster);
  const resolved = resolveGeneration(definition, definition.generations[0]);
  // The addon files and the objects their YAML carries, without writing and parsing the YAML (support/addon-objects.ts).
  const addons = checkedAddonFiles(resolved);
  return {
    resolved,
    files: addons.map((addon) => ({ name: addon.file })),
    objects: addons.flatMap((addon) => addon.objects) as unknown as KubernetesObject[],
  };
}
/** The rendering of a sample 1.35 generation with these changes (each rendered once per file; tests do not mutate it). */
function render(generation: Partial<GenerationDefinition> = {}, cluster: Partial<ClusterDefinition> = {}) {
  const key = JSON.stringify([generation, cluster]);
  if (!renders.has(key)) renders.set(key, renderNow(generation, cluster));
  return renders.get(key)!;
}
const find = (objects: readonly KubernetesObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as KubernetesObject & { spec: Json; data?: Record<string, string> };
};
const ciliumConfig = (objects: readonly KubernetesObject[]) => find(objects, "ConfigMap", "cilium-config").data!;

/** The openAPIV3Schema of a vendored CRD's v1 version, compiled (OpenAPI's x-kubernetes-* keywords are ignored). */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function schemaOf(kind: string) {
  if (!validators.has(kind)) {
    const crd = gatewayApiCrds().find((c) => (c.spec as Json).names.kind === kind) as Json;
    const version = crd.spec.versions.find((v: Json) => v.name === "v1");
    validators.set(kind, ajv.compile(version.schema.openAPIV3Schema));
  }
  return validators.get(kind)!;
}
const schemaErrors = (object: unknown) => {
  const validate = schemaOf((object as { kind: string }).kind);
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

describe("the vendored Gateway API CRDs", () => {
  test("each YAML file is upstream's v1.4.1 standard-channel file, byte for byte; standard.json, what synth loads, is them parsed", () => {
    const fromYaml = GATEWAY_API_CRD_FILES.map(({ file, sha256, gitBlob }) => {
      const bytes = readFileSync(join(GATEWAY_API_CRD_DIR, file));
      const blob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
      expect({ file, sha256: createHash("sha256").update(bytes).digest("hex"), blob }).toEqual({ file, sha256, blob: gitBlob });
      const crd = parse(bytes.toString("utf8"));
      expect(crd.metadata.annotations).toMatchObject({
        "gateway.networking.k8s.io/bundle-version": "v1.4.1",
        "gateway.networking.k8s.io/channel": "standard",
      });
      return crd;
    });
    const json = readFileSync(join(GATEWAY_API_CRD_DIR, GATEWAY_API_CRDS_JSON.file));
    expect(createHash("sha256").update(json).digest("hex")).toBe(GATEWAY_API_CRDS_JSON.sha256);
    expect(JSON.parse(json.toString("utf8"))).toEqual(fromYaml);
  });

  test("the addons install them all, and everything Cilium 1.19's operator requires is among them", () => {
    const { files, objects } = render();
    expect(files.map((f) => f.name)).toContain("50-gateway.yaml");
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
    expect(crds.map((c) => c.metadata.name).sort()).toEqual(
      ["backendtlspolicies", "gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map(
        (r) => `${r}.gateway.networking.k8s.io`,
      ),
    );
    // operator/pkg/gateway-api requiredGVKs in 1.19: GatewayClass, Gateway, HTTPRoute, GRPCRoute v1, ReferenceGrant v1beta1.
    const served = (name: string, version: string) =>
      (crds.find((c) => c.metadata.name === `${name}.gateway.networking.k8s.io`)!.spec as Json).versions.some(
        (v: Json) => v.name === version && v.served,
      );
    for (const [name, version] of [
      ["gatewayclasses", "v1"],
      ["gateways", "v1"],
      ["httproutes", "v1"],
      ["grpcroutes", "v1"],
      ["referencegrants", "v1beta1"],
    ])
      expect({ name, version, served: served(name, version) }).toEqual({ name, version, served: true });
  });

  test("every Gateway API CRD is applied before Cilium's operator starts (it looks for them once, at start)", () => {
    // cilium/cilium operator/pkg/gateway-api/cell.go: the operator checks the required Gateway API CRDs when it starts
    // and, when one is missing, logs "Required GatewayAPI resources are not found" and runs no Gateway API controller
    // until it restarts. The first control-plane node applies every file in one `kubectl apply`, in file order, so the
    // CRDs must come before the operator's Deployment, not after it in 50-gateway.
    const { objects } = render();
    const operator = objects.findIndex((o) => o.kind === "Deployment" && o.metadata.name === "cilium-operator");
    const crds = objects.flatMap((o, i) => (o.kind === "CustomResourceDefinition" ? [i] : []));
    expect(operator).toBeGreaterThanOrEqual(0);
    expect(crds).toHaveLength(gatewayApiCrds().length);
    expect(crds.filter((i) => i > operator)).toEqual([]);
    // A generation without the gateway gets none of them.
    expect(render({ addons: { gateway: { enabled: false } } }).objects.filter((o) => o.kind === "CustomResourceDefinition")).toEqual([]);
  });
});

describe("the shared Gateway", () => {
  const { resolved, objects } = render({ workerPools: ingressPools });
  const gateway = find(objects, "Gateway", "ingress");

  test("is Cilium's, in the platform namespace, with routes allowed from every namespace", () => {
    expect(find(objects, "GatewayClass", "cilium").spec.controllerName).toBe("io.cilium/gateway-controller");
    expect(gateway.metadata.namespace).toBe("ingress-gateway");
    expect(gateway.spec.gatewayClassName).toBe("cilium");
    for (const l of gateway.spec.listeners) expect(l.allowedRoutes).toEqual({ namespaces: { from: "All" } });
    // The https listener terminates with a Secret the operator of the cluster creates: nothing secret is synthesized.
    expect(gateway.spec.listeners[1].tls).toEqual({
      mode: "Terminate",
      certificateRefs: [{ group: "", kind: "Secret", name: "ingress-tls" }],
    });
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  test("listens on the ports the ingress load balancer's target groups forward to, and answers its health check", () => {
    // As the cdktf app synthesizes (fleet-app.ts): without collecting cdktf's per-token creation stacks.
    const json = withCheapCaptures(() => synthClusters([clusterWith({ workerPools: ingressPools })])).json("demo-a");
    const groups = Object.values(resourcesOf(json, "aws_lb_target_group")).filter((g) => /-(http|https)$/.test(String(g.name)));
    const ports = Object.fromEntries(groups.map((g) => [String(g.name).replace(/^demo-a-/, ""), g.port]));
    expect(ports).toEqual({ http: resolved.ingressNodePorts.http, https: resolved.ingressNodePorts.https });
    expect(gateway.spec.listeners.map((l: Json) => [l.name, l.port, l.protocol])).toEqual([
      ["http", ports.http, "HTTP"],
      ["https", ports.https, "HTTPS"],
    ]);
    // The load balancer checks HTTP GET <healthPath> on the http port and counts 200-399 healthy; the gateway answers
    // that exact path on that listener with a 302 of its own (no backend).
    const check = groups[0].health_check as Record<string, unknown>[] | Record<string, unknown> as Json;
    const healthCheck = Array.isArray(check) ? check[0] : check;
    expect(healthCheck).toMatchObject({ protocol: "HTTP", port: String(ports.http), path: resolved.healthPath, matcher: "200-399" });
    const route = find(objects, "HTTPRoute", "load-balancer-health");
    expect(route.spec.parentRefs).toEqual([{ name: "ingress", sectionName: "http" }]);
    expect(route.spec.rules).toEqual([
      {
        matches: [{ path: { type: "Exact", value: resolved.healthPath } }],
        filters: [{ type: "RequestRedirect", requestRedirect: { statusCode: 302 } }],
      },
    ]);
    expect(route.spec.rules[0].backendRefs).toBeUndefined();
  }, 60_000);

  test("its listeners are bound on the ingress nodes only: host-network mode restricted to the label the labeler sets", () => {
    const config = ciliumConfig(objects);
    expect(config["gateway-api-hostnetwork-enabled"]).toBe("true");
    expect(config["gateway-api-hostnetwork-nodelabelselector"]).toBe("node-restriction.kubernetes.io/ingress=true");
    expect(resolved.workerPools.filter((p) => p.ingress).map((p) => p.name)).toEqual(["edge"]);
  });

  test("Gateway, GatewayClass and the health route validate against the vendored CRD schemas, which do catch mistakes", () => {
    for (const kind of ["GatewayClass", "Gateway", "HTTPRoute"])
      for (const o of objects.filter((x) => x.kind === kind)) expect({ kind, errors: schemaErrors(o) }).toEqual({ kind, errors: [] });
    const broken = structuredClone(find(objects, "HTTPRoute", "load-balancer-health"));
    broken.spec.rules[0].matches[0].path.type = "Glob";
    expect(schemaErrors(broken).join("\n")).toMatch(/must be equal to one of the allowed values/);
  });

  test("the HTTPRoute example of docs/addons.md validates against the vendored HTTPRoute schema and attaches to the Gateway", () => {
    const docs = readFileSync(join(__dirname, "..", "docs", "addons.md"), "utf8");
    const block = /<!-- httproute-example -->\s*```yaml\n([\s\S]*?)```/.exec(docs);
    expect(block).not.toBeNull();
    const examples = parseAllDocuments(block![1]).map((d) => d.toJS());
    const route = examples.find((o) => o.kind === "HTTPRoute");
    expect(schemaErrors(route)).toEqual([]);
    expect(route.spec.parentRefs).toEqual([{ name: "ingress", namespace: "ingress-gateway" }]);
  });
});

describe("Cilium and kubeadm in a gateway generation", () => {
  test("Cilium replaces kube-proxy and runs the Gateway API controller with Envoy embedded; kubeadm skips kube-proxy", () => {
    const { resolved, objects } = render();
    expect(ciliumConfig(objects)).toMatchObject({
      "kube-proxy-replacement": "true",
      "enable-l7-proxy": "true",
      "external-envoy-proxy": "false",
      "enable-gateway-api": "true",
      "enable-envoy-config": "true",
      "gateway-api-secrets-namespace": "cilium-secrets",
    });
    // The agent reaches the API by the generation's endpoint, never through the kubernetes Service.
    const agent = find(objects, "DaemonSet", "cilium").spec.template.spec;
    expect(agent.containers[0].env).toEqual(expect.arrayContaining([{ name: "KUBERNETES_SERVICE_HOST", value: resolved.apiEndpoint }]));
    const init = parseAllDocuments(initConfiguration(resolved)).map((d) => d.toJS());
    expect(init.find((d) => d.kind === "InitConfiguration").skipPhases).toEqual(["addon/coredns", "addon/kube-proxy"]);
    expect(init.map((d) => d.kind)).not.toContain("KubeProxyConfiguration");
    // No new image: Envoy is in the agent image.
    const images = objects.flatMap((o) => JSON.stringify(o).match(/"image":"[^"]+"/g) ?? []);
    expect(images.filter((i) => i.includes("envoy"))).toEqual([]);
  });

  test("the operator may manage Gateway API objects and sync TLS Secrets into cilium-secrets", () => {
    const { objects } = render();
    const rules = find(objects, "ClusterRole", "cilium-operator").rules as Json[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ apiGroups: ["gateway.networking.k8s.io"], resources: expect.arrayContaining(["gateways/status"]) }),
      ]),
    );
    const role = objects.find((o) => o.kind === "Role" && o.metadata.name === "cilium-operator-gateway-secrets")!;
    expect(role.metadata.namespace).toBe("cilium-secrets");
    expect(objects.some((o) => o.kind === "Namespace" && o.metadata.name === "cilium-secrets")).toBe(true);
  });

  test("a Cilium image before 1.19 cannot serve the gateway: refused, naming the field", () => {
    const old = {
      image: "quay.io/cilium/cilium:v1.17.18@sha256:2f2c611db8de2f9c4846ee80fa3371617218dcd0cce42cf0d7d40b4d06458a23",
      operatorImage: "quay.io/cilium/operator-generic:v1.17.18@sha256:ec68d574d2288f2d8cb0ae50778c1a0b08a6165cfcb6ba5bc5595d99ed3f7bda",
    };
    expect(() => render({ addons: { cni: old } })).toThrow(/addons\.cni\.image: Cilium 1\.17 cannot serve the gateway/);
    expect(() => render({ addons: { cni: old, gateway: { enabled: false } } })).not.toThrow();
  });
});

describe("load-balancer traffic through the gateway's identity", () => {
  test("clients reach the gateway and the gateway reaches every pod, without putting any pod into default deny", () => {
    const { objects } = render({
      addons: { tenants: [{ name: "team-a", groups: { admins: ["a-admins"] } }] } as GenerationDefinition["addons"],
    });
    const entry = find(objects, "CiliumClusterwideNetworkPolicy", "gateway-from-load-balancer").spec;
    expect(entry.endpointSelector).toEqual({ matchExpressions: [{ key: "reserved:ingress", operator: "Exists" }] });
    expect(entry.ingress).toEqual([{ fromEntities: ["all"] }]);
    expect(entry.egress).toEqual([{ toEntities: ["cluster"] }]);
    const backends = find(objects, "CiliumClusterwideNetworkPolicy", "pods-from-gateway").spec;
    expect(backends.endpointSelector).toEqual({});
    expect(backends.ingress).toEqual([{ fromEntities: ["ingress"] }]);
    for (const spec of [entry, backends]) expect(spec.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    // The tenant's namespace denies ingress by default; the gateway's allowance above is what lets routed traffic in.
    expect(
      objects.some(
        (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "team-a" && (o.spec as Json).policyTypes?.includes("Ingress"),
      ),
    ).toBe(true);
  });
});

describe("which generations get the gateway", () => {
  test("1.33 and newer: the gateway, no ingress-nginx; 1.32 and older: ingress-nginx, no gateway, kube-proxy kept", () => {
    for (const [version, flatcar] of [
      ["1.33.5", "4230.2.1"],
      ["1.35.4", "4230.2.1"],
    ]) {
      const names = render({ kubernetesVersion: version, flatcar: { channel: "stable", version: flatcar } }).files.map((f) => f.name);
      expect({ version, gateway: names.includes("50-gateway.yaml"), nginx: names.includes("50-ingress-nginx.yaml") }).toEqual({
        version,
        gateway: true,
        nginx: false,
      });
    }
    const old = render({ kubernetesVersion: "1.32.8", flatcar: { channel: "stable", version: "4152.2.3" } });
    expect(old.files.map((f) => f.name)).toEqual(expect.arrayContaining(["50-ingress-nginx.yaml"]));
    expect(old.files.map((f) => f.name)).not.toContain("50-gateway.yaml");
    expect(ciliumConfig(old.objects)["kube-proxy-replacement"]).toBe("false");
    expect(parseAllDocuments(initConfiguration(old.resolved)).map((d) => d.toJS().kind)).toContain("KubeProxyConfiguration");
  });

  test("addons.gateway.enabled false on 1.35: no gateway, kube-proxy kept, and no ingress controller at all", () => {
    const { resolved, files, objects } = render({ addons: { gateway: { enabled: false } } });
    expect(files.map((f) => f.name).filter((n) => n.startsWith("50-"))).toEqual([]);
    expect(ciliumConfig(objects)["kube-proxy-replacement"]).toBe("false");
    const init = parseAllDocuments(initConfiguration(resolved)).map((d) => d.toJS());
    expect(init.find((d) => d.kind === "InitConfiguration").skipPhases).toEqual(["addon/coredns"]);
  });

  test("addons.ingressNginx has no effect on 1.33+ (nothing of it is rendered); any health path is fine for the gateway", () => {
    // The parsed definition always carries ingressNginx's defaults, so a written entry cannot be told from none: ignored.
    const written = render({ addons: { ingressNginx: { enabled: true, config: { "proxy-body-size": "8m" } } } });
    expect(written.files.map((f) => f.name)).not.toContain("50-ingress-nginx.yaml");
    expect(written.objects.filter((o) => o.metadata.namespace === "ingress-nginx")).toEqual([]);
    const custom = clusterWith({}, { traffic: { healthPath: "/ready" } });
    expect(definitionProblems(custom)).toEqual([]);
    const route = find(render({}, { traffic: { healthPath: "/ready" } }).objects, "HTTPRoute", "load-balancer-health");
    expect(route.spec.rules[0].matches[0].path.value).toBe("/ready");
    // ingress-nginx generations still refuse a path nginx does not answer.
    const nginx = clusterWith(
      { kubernetesVersion: "1.32.8", flatcar: { channel: "stable", version: "4152.2.3" } },
      { traffic: { healthPath: "/ready" } },
    );
    expect(definitionProblems(nginx).map((p) => p.field)).toEqual(["traffic.healthPath"]);
  });
});
