// Tests of the ports where the ingress load balancer meets a gateway generation's nodes (issue 16 item 5): the Gateway's
// host-network listeners, the target groups, the security-group rules and the health check agree; the listener ports lie
// outside the NodePort range the rendered kube-apiserver hands out (so no Service can take them, see
// constructs/definition/node-port-range.ts); and no host-network port of anything rendered, nor of the node components,
// is a listener port. Plus the definition check of a `service-node-port-range` a team sets itself.
import { parseAllDocuments } from "yaml";
import { clusters } from "../clusters";
import { runsGateway } from "../constructs/addons/gateway/settings";
import { CNI_PORTS, NODE_PORTS } from "../constructs/cluster/security-groups";
import {
  DEFAULT_NODE_PORT_RANGE,
  gatewayNodePortRange,
  inPortRange,
  INGRESS_NODE_PORTS,
  NODE_PORT_RANGE_FLAG,
  parsePortRange,
  type PortRange,
} from "../constructs/definition/node-port-range";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { definitionProblems } from "../constructs/definition/validate";
import { decodeDataUrl } from "../constructs/ignition/builder";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import type { KubernetesObject } from "../constructs/testing/manifests";
import type { ClusterDefinition, GenerationDefinition } from "../constructs";
import { checkedAddonObjects } from "./support/addon-objects";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters } from "./support/synth";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const GATEWAY_GEN = { kubernetesVersion: "1.35.4", flatcar: { channel: "stable" as const, version: "4230.2.1" } };
const NGINX_GEN = { kubernetesVersion: "1.32.8", flatcar: { channel: "stable" as const, version: "4152.2.3" } };
const cluster = (generation: Partial<GenerationDefinition>): ClusterDefinition =>
  sampleCluster({ generations: [sampleGeneration(generation)] });
const resolved = (definition: ClusterDefinition, index = 0) => resolveGeneration(definition, definition.generations[index]);

/** The kubeadm documents of the controllers' init.yaml, read back out of the rendered controller Ignition config. */
function renderedKubeadm(gen: ResolvedGeneration): Json[] {
  const ignition = JSON.parse(renderNodeIgnition(gen, { kind: "controller" }));
  const file = ignition.storage.files.find((f: Json) => f.path === "/etc/immutable-clusters/kubeadm/init.yaml");
  return parseAllDocuments(decodeDataUrl(file.contents.source, file.contents.compression)).map((d) => d.toJSON());
}
const clusterConfiguration = (gen: ResolvedGeneration) => renderedKubeadm(gen).find((d) => d.kind === "ClusterConfiguration");

/** The NodePort range the rendered kube-apiserver runs with: its --service-node-port-range, else kube-apiserver's default. */
function renderedNodePortRange(gen: ResolvedGeneration): PortRange {
  const flag = clusterConfiguration(gen).apiServer.extraArgs.find((a: Json) => a.name === NODE_PORT_RANGE_FLAG);
  return flag ? parsePortRange(flag.value)! : DEFAULT_NODE_PORT_RANGE;
}

/** The rendered Gateway's listener ports by name. */
function listenerPorts(objects: readonly KubernetesObject[]): Record<string, number> {
  const gateway = objects.find((o) => o.kind === "Gateway") as Json;
  return Object.fromEntries(gateway.spec.listeners.map((l: Json) => [l.name, l.port]));
}

/**
 * Every TCP port a host-network pod of the rendered manifests declares or is told to listen on: container and host
 * ports, `--…port=N` / `--…address=host:N` arguments, and the `…-addr`/`…-port` keys of the ConfigMaps (cilium-config
 * carries the agent's and operator's listen addresses), by where it was found.
 */
function hostNetworkPorts(objects: readonly KubernetesObject[]): Map<number, string[]> {
  const found = new Map<number, string[]>();
  const note = (port: number, where: string) => found.set(port, [...(found.get(port) ?? []), where]);
  const portIn = (text: string) => /(?:^|[=:\s])(\d{2,5})$/.exec(text)?.[1];
  for (const o of objects as Json[]) {
    const pod = o.kind === "Pod" ? o.spec : o.spec?.template?.spec;
    if (pod?.hostNetwork) {
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const where = `${o.kind}/${o.metadata.name} ${c.name}`;
        for (const p of c.ports ?? []) for (const n of [p.containerPort, p.hostPort]) if (n) note(n, where);
        for (const a of [...(c.command ?? []), ...(c.args ?? [])] as string[]) {
          const m = /^--[\w.-]*(?:port|address|addr|listen)[\w.-]*=(.*)$/.exec(a);
          const n = m && portIn(m[1]);
          if (n) note(Number(n), `${where} ${a}`);
        }
      }
    }
    if (o.kind === "ConfigMap")
      for (const [key, value] of Object.entries((o.data ?? {}) as Record<string, string>)) {
        const n = /(?:port|addr|address)$/.test(key) ? portIn(value) : undefined;
        if (n) note(Number(n), `ConfigMap/${o.metadata.name} ${key}`);
      }
  }
  return found;
}

/**
 * Ports the node components listen on in the host network, which no manifest of ours renders: the API server's from
 * the rendered kubeadm config; kubeadm's defaults for the rest ("Ports and Protocols",
 * https://kubernetes.io/docs/reference/networking/ports-and-protocols/: etcd 2379-2380, kubelet 10250,
 * kube-scheduler 10259, kube-controller-manager 10257; kubernetes/kubernetes cmd/kubeadm/app/constants/constants.go
 * EtcdMetricsPort 2381, KubeletHealthzPort 10248); Cilium's node-to-node health port (security-groups.ts CNI_PORTS),
 * its gops ports 9890/9891 (cilium/cilium commit 7757d31604740a663214678d7469d509c5508bcb, "--gops-port") and the
 * range it allocates L7 proxy (Envoy) ports from, 10000-20000 (cilium/cilium pkg/proxy/cell.go, proxy-portrange-min/max).
 */
function nodeComponentPorts(gen: ResolvedGeneration): Map<number, string> {
  const init = renderedKubeadm(gen).find((d) => d.kind === "InitConfiguration");
  const ports = new Map<number, string>([
    [init.localAPIEndpoint.bindPort, "kube-apiserver (rendered bindPort)"],
    [NODE_PORTS.etcd.from, "etcd client"],
    [NODE_PORTS.etcd.to, "etcd peer"],
    [2381, "etcd metrics (kubeadm)"],
    [NODE_PORTS.kubelet, "kubelet"],
    [10248, "kubelet healthz (kubeadm)"],
    [10257, "kube-controller-manager"],
    [10259, "kube-scheduler"],
    [CNI_PORTS.health.port, "cilium-health"],
    [9890, "cilium-agent gops"],
    [9891, "cilium-operator gops"],
  ]);
  for (let p = 10000; p <= 20000; p++) ports.set(p, "Cilium L7 proxy port range");
  return ports;
}

describe("a gateway generation's ingress ports", () => {
  const definition = cluster({
    ...GATEWAY_GEN,
    workerPools: [
      { name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: false },
      { name: "edge", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, ingress: true },
    ],
  });
  const gen = resolved(definition);
  // The objects the rendered YAML manifests carry, without writing and parsing the YAML (support/addon-objects.ts).
  const objects = checkedAddonObjects(gen);

  test("the Gateway's listeners, the target groups, the security-group rules and the health check use the same two ports", () => {
    const json = synthClusters([definition]).json("demo-a");
    const listeners = listenerPorts(objects);
    expect(listeners).toEqual({ http: gen.ingressNodePorts.http, https: gen.ingressNodePorts.https });
    const groups = Object.values(resourcesOf(json, "aws_lb_target_group")).filter((g) => /-(http|https)$/.test(String(g.name)));
    expect(Object.fromEntries(groups.map((g) => [String(g.name).replace(/^demo-a-/, ""), g.port]))).toEqual(listeners);
    for (const g of groups) {
      const check = (Array.isArray(g.health_check) ? g.health_check[0] : g.health_check) as Json;
      expect(check).toMatchObject({ protocol: "HTTP", port: String(listeners.http), path: gen.healthPath });
    }
    // The ingress NLB's listeners forward 80/443 to those groups (the API load balancer's 6443 listener is not ours).
    const ingressGroups = new Map(
      Object.entries(resourcesOf(json, "aws_lb_target_group"))
        .filter(([, g]) => groups.includes(g))
        .map(([id, g]) => [`\${aws_lb_target_group.${id}.arn}`, g]),
    );
    const forwards = Object.values(resourcesOf(json, "aws_lb_listener"))
      .filter((l: Json) => ingressGroups.has(l.default_action[0].target_group_arn))
      .map((l: Json) => [l.port, ingressGroups.get(l.default_action[0].target_group_arn)!.port]);
    expect(forwards.sort()).toEqual([
      [443, listeners.https],
      [80, listeners.http],
    ]);
    // Workers accept exactly those ports from the load balancer's group, and the load balancer may send only to them.
    const ingressLbGroup = Object.keys(resourcesOf(json, "aws_security_group")).find((id) => id.includes("ingress-lb"))!;
    const fromLb = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).filter((r: Json) =>
      String(r.referenced_security_group_id).includes(ingressLbGroup),
    );
    expect(fromLb.map((r: Json) => [r.from_port, r.to_port]).sort()).toEqual([
      [listeners.http, listeners.http],
      [listeners.https, listeners.https],
    ]);
    const lbEgress = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule")).filter((r: Json) =>
      String(r.security_group_id).includes(ingressLbGroup),
    );
    expect(lbEgress.map((r: Json) => [r.from_port, r.to_port]).sort()).toEqual([
      [listeners.http, listeners.http],
      [listeners.https, listeners.https],
    ]);
  }, 60_000);

  test("lie outside the NodePort range of the rendered kube-apiserver, so no Service can be given them", () => {
    const range = renderedNodePortRange(gen);
    expect(range).toEqual({ min: 30444, max: 32767 });
    for (const port of Object.values(listenerPorts(objects))) expect(inPortRange(port, range)).toBe(false);
    // Every NodePort a rendered Service claims must then lie inside it (kube-apiserver refuses others).
    const nodePorts = objects.flatMap((o: Json) => (o.kind === "Service" ? (o.spec.ports ?? []) : []).map((p: Json) => p.nodePort));
    for (const port of nodePorts.filter(Boolean)) expect(inPortRange(port, range)).toBe(true);
  });

  test("are no port of a host-network pod we render, nor of a node component (sample and example gateway generations)", () => {
    // The sample and the example generation this version renders (staging/b); the frozen ones keep their stored files.
    const staging = clusters.find((c) => c.name === "staging")!;
    const gateways = [gen, resolveGeneration(staging, staging.generations.find((g) => g.id === "b")!)];
    expect(gateways.every(runsGateway)).toBe(true);
    for (const g of gateways) {
      const rendered = checkedAddonObjects(g);
      const host = hostNetworkPorts(rendered);
      // The derivation sees what it must (a regression here means it stopped reading the manifests).
      expect([...host.keys()]).toEqual(expect.arrayContaining([9962, 9963, 9100, 10258]));
      const listeners = Object.values(listenerPorts(rendered));
      const node = nodeComponentPorts(g);
      const range = renderedNodePortRange(g);
      for (const port of listeners) {
        expect({ generation: g.fullName, port, hostNetwork: host.get(port) ?? [] }).toEqual({
          generation: g.fullName,
          port,
          hostNetwork: [],
        });
        expect({ generation: g.fullName, port, node: node.get(port) }).toEqual({ generation: g.fullName, port, node: undefined });
      }
      // Nor does any of those host ports lie in the NodePort range, where a Service could take it the same way.
      const inRange = [...host.keys(), ...node.keys()].filter((p) => inPortRange(p, range));
      expect({ generation: g.fullName, inRange }).toEqual({ generation: g.fullName, inRange: [] });
    }
  });
});

describe("generations without the gateway keep kube-apiserver's default NodePort range", () => {
  test("ingress-nginx (1.32): no --service-node-port-range, and its Service's NodePorts are the ingress ports, inside 30000-32767", () => {
    const gen = resolved(cluster(NGINX_GEN));
    const flags = clusterConfiguration(gen).apiServer.extraArgs.map((a: Json) => a.name);
    expect(flags).not.toContain(NODE_PORT_RANGE_FLAG);
    const service = checkedAddonObjects(gen).find((o) => o.kind === "Service" && o.metadata.name === "ingress-nginx-controller") as Json;
    const nodePorts = service.spec.ports.map((p: Json) => p.nodePort).sort();
    expect(nodePorts).toEqual([INGRESS_NODE_PORTS.http, INGRESS_NODE_PORTS.https]);
    for (const port of nodePorts) expect(inPortRange(port, renderedNodePortRange(gen))).toBe(true);
  });

  test("a 1.33+ generation with the gateway off (its own ingress) keeps the default too", () => {
    const gen = resolved(cluster({ ...GATEWAY_GEN, addons: { gateway: { enabled: false } } }));
    expect(renderedNodePortRange(gen)).toEqual(DEFAULT_NODE_PORT_RANGE);
  });

  test("the gateway range is derived from the ingress ports: the port after the higher one to the default range's end", () => {
    expect(gatewayNodePortRange({ http: 30080, https: 30443 })).toEqual({ min: 30444, max: 32767 });
    expect(gatewayNodePortRange({ http: 31000, https: 30443 })).toEqual({ min: 31001, max: 32767 });
  });
});

describe("controlPlane.apiServer.extraArgs['service-node-port-range'] in a definition", () => {
  const field = 'generations[0].controlPlane.apiServer.extraArgs["service-node-port-range"]';
  const problemsWith = (generation: Partial<GenerationDefinition>, value: string) =>
    definitionProblems(
      cluster({
        ...generation,
        controlPlane: {
          count: 3,
          instanceType: "m6i.large",
          apiServer: { extraArgs: { [NODE_PORT_RANGE_FLAG]: value }, acknowledgeSecurityOverrides: [NODE_PORT_RANGE_FLAG] },
        },
      }),
    ).filter((p) => p.field === field);

  test("is a protected flag: refused unless acknowledged, as the other flags that keep the cluster safe", () => {
    const problems = definitionProblems(
      cluster({ ...GATEWAY_GEN, controlPlane: { count: 3, apiServer: { extraArgs: { [NODE_PORT_RANGE_FLAG]: "31000-32767" } } } }),
    );
    expect(problems.find((p) => p.field === field)?.message).toContain("acknowledgeSecurityOverrides");
  });

  test("on a gateway generation, a range holding a listener port is refused, naming the ports and the fix", () => {
    const [problem, ...more] = problemsWith(GATEWAY_GEN, "30000-32767");
    expect(more).toEqual([]);
    expect(problem.message).toContain("30080 and 30443");
    expect(problem.message).toContain('"30444-32767"');
    expect(problemsWith(GATEWAY_GEN, "30400+100")[0].message).toContain("listener port 30443,");
  });

  test("on a gateway generation, a range above the listener ports is accepted and rendered as written", () => {
    expect(problemsWith(GATEWAY_GEN, "31000-32767")).toEqual([]);
    const definition = cluster({
      ...GATEWAY_GEN,
      controlPlane: {
        count: 3,
        instanceType: "m6i.large",
        apiServer: { extraArgs: { [NODE_PORT_RANGE_FLAG]: "31000-32767" }, acknowledgeSecurityOverrides: [NODE_PORT_RANGE_FLAG] },
      },
    });
    expect(renderedNodePortRange(resolved(definition))).toEqual({ min: 31000, max: 32767 });
  });

  test("where ingress-nginx runs, a range leaving out its NodePorts is refused; with neither ingress anything parsable goes", () => {
    expect(problemsWith(NGINX_GEN, "31000-32767")[0].message).toContain("ingress-nginx's NodePorts 30080 and 30443");
    expect(problemsWith(NGINX_GEN, "30000-35000")).toEqual([]);
    expect(problemsWith({ ...GATEWAY_GEN, addons: { gateway: { enabled: false } } }, "30000-32767")).toEqual([]);
  });

  test("a value kube-apiserver could not parse is refused with the form to write", () => {
    for (const value of ["abc", "32767-30000", "30000-70000", "30000 - 32767"]) {
      expect(problemsWith(GATEWAY_GEN, value)[0].message).toContain("is not a port range; write it as min-max");
    }
    expect(parsePortRange("30444")).toEqual({ min: 30444, max: 30444 });
    expect(parsePortRange("30444+10")).toEqual({ min: 30444, max: 30454 });
  });
});
