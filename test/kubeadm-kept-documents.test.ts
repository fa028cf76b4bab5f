// initConfiguration keeps the YAML of the documents that are functions of a few values (kubeadm-config.ts
// keptYamlDocument): rendered for generations that differ in exactly those values, in every order (so each one is
// served from what an earlier one kept), every document must still be the generation's own, as `yaml` writes it.
import { parseAllDocuments, stringify } from "yaml";
import type { ClusterDefinition } from "../constructs";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { initConfiguration, skippedInitPhases } from "../constructs/ignition/kubeadm-config";
import { runsGateway } from "../constructs/addons/gateway/settings";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

function resolved(name: string, generation: Parameters<typeof sampleGeneration>[0]): ResolvedGeneration {
  const definition: ClusterDefinition = sampleCluster({ name, generations: [sampleGeneration(generation)] });
  return resolveGeneration(definition, definition.generations[0]);
}

const variants = [
  resolved("alpha", {}),
  // Another service CIDR (the kubelet's cluster DNS address) and pod CIDR (kube-proxy's clusterCIDR).
  resolved("beta", { networking: { podCidr: "10.250.0.0/16", serviceCidr: "10.100.0.0/16" } }),
  // The gateway addon: kube-proxy's phase skipped and no KubeProxyConfiguration.
  resolved("gamma", { kubernetesVersion: "1.35.4", flatcar: { channel: "stable", version: "4230.2.1" } }),
  // Same values as alpha under another name: the kept documents are shared, the cluster's own are not.
  resolved("delta", {}),
];

/** The fields of init.yaml's documents read here. */
interface KubeadmDocument {
  readonly kind: string;
  readonly skipPhases?: string[];
  readonly localAPIEndpoint?: { bindPort: number };
  readonly clusterName?: string;
  readonly clusterDNS?: string[];
  readonly clusterCIDR?: string;
}

/** The documents of init.yaml, each written by yaml itself (what yamlDocument must match), joined as kubeadm reads them. */
function byYaml(text: string): string {
  return parseAllDocuments(text)
    .map((document) => stringify(document.toJS(), { lineWidth: 0 }))
    .join("---\n");
}

test("the kept documents vary as the values they are kept by", () => {
  const [alpha, beta, gamma] = variants;
  expect(beta.clusterDnsIp).not.toBe(alpha.clusterDnsIp);
  expect(beta.podCidr).not.toBe(alpha.podCidr);
  expect(runsGateway(gamma)).toBe(true);
  expect(skippedInitPhases(gamma)).not.toEqual(skippedInitPhases(alpha));
});

test.each([
  ["in order", [0, 1, 2, 3]],
  ["reversed", [3, 2, 1, 0]],
  ["interleaved", [1, 0, 2, 1, 3, 0, 2]],
])("each generation's init.yaml holds its own values, rendered %s", (_name, order) => {
  for (const index of order) {
    const gen = variants[index];
    const text = initConfiguration(gen);
    const documents = parseAllDocuments(text).map((d) => d.toJS() as KubeadmDocument);
    const kind = (k: string) => documents.find((d) => d.kind === k)!;
    expect(kind("InitConfiguration").skipPhases).toEqual(skippedInitPhases(gen));
    expect(kind("InitConfiguration").localAPIEndpoint?.bindPort).toBe(gen.apiPort);
    expect(kind("ClusterConfiguration").clusterName).toBe(gen.fullName);
    expect(kind("KubeletConfiguration").clusterDNS).toEqual([gen.clusterDnsIp]);
    if (runsGateway(gen)) expect(documents.map((d) => d.kind)).not.toContain("KubeProxyConfiguration");
    else expect(kind("KubeProxyConfiguration").clusterCIDR).toBe(gen.podCidr);
    // Byte for byte what yaml writes for the same documents.
    expect(text).toBe(byYaml(text));
  }
});
