// Owns the kubeadm configuration of each node role, rendered from the generation as YAML documents (kubeadm API
// v1beta4): InitConfiguration + ClusterConfiguration + KubeletConfiguration (+ KubeProxyConfiguration unless Cilium
// replaces kube-proxy) for the node that wins the election, JoinConfiguration for the other control-plane nodes and for
// each worker pool. Values only a node knows at boot are `@@NAME@@` placeholders that node-bootstrap.sh fills in (token,
// CA hash, certificate key, name, IP).
import { yamlDocument } from "../addons/yaml-document";
import { resolveApiServerOptions } from "../definition/control-plane-options";
import { formatPortRange, gatewayNodePortRange, NODE_PORT_RANGE_FLAG } from "../definition/node-port-range";
import type { ResolvedGeneration, ResolvedWorkerPool } from "../definition/resolve";
import { AUTHENTICATOR_KUBECONFIG, AUTHENTICATOR_KUBECONFIG_DIR, runsIamAuthenticator } from "../addons/access/settings";
import { runsGateway } from "../addons/gateway/settings";
import { AUTHENTICATION_CONFIG_FILE, usesAuthenticationConfig } from "./authentication-config";
import { kubernetesMinor } from "./kubernetes-releases";
import { serviceAccountIssuer } from "../definition/service-account-issuer";

/** The runtime placeholders node-bootstrap.sh substitutes; no other `@@…@@` may appear. */
export const RUNTIME_PLACEHOLDERS = [
  "@@NODE_NAME@@",
  "@@NODE_IP@@",
  "@@BOOTSTRAP_TOKEN@@",
  "@@CA_CERT_HASH@@",
  "@@CERTIFICATE_KEY@@",
  // Only in encryption-config.yaml: the Secrets encryption key, generated on the first control-plane node.
  "@@SECRETS_ENCRYPTION_KEY@@",
] as const;

/**
 * The pause image kubeadm expects for each Kubernetes minor (kubeadm's constants.PauseVersion); kubeadm warns when the
 * runtime's sandbox image differs. 1.33 kept 3.10; 1.34 moved to 3.10.1 ("Updated pause version to
 * `registry.k8s.io/pause:3.10.1`", #130713, in the v1.34.0 notes of
 * kubernetes/kubernetes/blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.34.md#feature-5); the 1.35
 * notes (same commit, CHANGELOG-1.35.md#v1350) record no further change.
 */
export const PAUSE_IMAGE: Readonly<Record<string, string>> = {
  "1.31": "registry.k8s.io/pause:3.10",
  "1.32": "registry.k8s.io/pause:3.10",
  "1.33": "registry.k8s.io/pause:3.10",
  "1.34": "registry.k8s.io/pause:3.10.1",
  "1.35": "registry.k8s.io/pause:3.10.1",
};

/** The sandbox image containerd uses; refuses a minor this table does not know (add it beside its release hashes). */
export function pauseImage(kubernetesVersion: string): string {
  const minor = kubernetesMinor(kubernetesVersion);
  const image = PAUSE_IMAGE[minor];
  if (!image)
    throw new Error(
      `kubernetesVersion: no pause image known for Kubernetes ${minor}; add it to PAUSE_IMAGE in constructs/ignition/kubeadm-config.ts`,
    );
  return image;
}

const API = "kubeadm.k8s.io/v1beta4";
const arg = (name: string, value: string) => ({ name, value });

/** Labels of a worker pool's nodes (see docs/node-boot.md); the ingress label selects ingress-nginx's nodes. */
export function poolNodeLabels(pool: ResolvedWorkerPool): Record<string, string> {
  return { ...pool.labels, "immutable-clusters.io/pool": pool.name, ...(pool.ingress ? { "immutable-clusters.io/ingress": "true" } : {}) };
}

function nodeRegistration(extraLabels: Record<string, string> | undefined, taints: ResolvedWorkerPool["taints"] | undefined) {
  const kubeletExtraArgs = [arg("cloud-provider", "external"), arg("node-ip", "@@NODE_IP@@")];
  if (extraLabels && Object.keys(extraLabels).length) {
    const labels = Object.keys(extraLabels)
      .sort()
      .map((k) => `${k}=${extraLabels[k]}`)
      .join(",");
    kubeletExtraArgs.push(arg("node-labels", labels));
  }
  return {
    name: "@@NODE_NAME@@",
    criSocket: "unix:///run/containerd/containerd.sock",
    kubeletExtraArgs,
    ...(taints
      ? { taints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) }
      : {}),
  };
}

/** Where Ignition writes the API server's audit policy, authentication, admission and encryption configs (controllers only). */
export const API_SERVER_CONFIG_DIR = "/etc/kubernetes/apiserver";
/** Where the API server writes its audit log (fluent-bit ships /var/log from every node). */
export const AUDIT_LOG_DIR = "/var/log/kubernetes/audit";

/**
 * The cipher suites the API server and the kubelets accept on TLS 1.2: the kubelet list of the CIS Kubernetes Benchmark
 * 1.12 (aquasecurity/kube-bench cfg/cis-1.12/node.yaml, check 4.2.12, commit a73ce378418c71c5861e6963753f50dec3badadf),
 * which is also a subset of its API server list (cfg/cis-1.12/master.yaml, check 1.2.29). Names as Kubernetes accepts
 * them (kubernetes/component-base cli/flag/ciphersuites_flag.go). TLS 1.3 suites are not configurable in Go.
 */
export const STRONG_TLS_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
] as const;
/** No TLS 1.0/1.1 (`--tls-min-version` / `tlsMinVersion`; values from component-base cli/flag/ciphersuites_flag.go). */
export const TLS_MIN_VERSION = "VersionTLS12";

/** The kube-apiserver flags this project sets (kubeadm adds its own), then the definition's extra flags, sorted by name. */
export function apiServerArgs(gen: ResolvedGeneration): Array<{ name: string; value: string }> {
  const options = resolveApiServerOptions(gen.definition.controlPlane?.apiServer);
  const args = new Map<string, string>([
    // CIS 1.2.15.
    ["profiling", "false"],
    // CIS 1.2.16-1.2.19: the benchmark's values (30 days, 10 files, 100 MB).
    ["audit-policy-file", `${API_SERVER_CONFIG_DIR}/audit-policy.yaml`],
    ["audit-log-path", `${AUDIT_LOG_DIR}/audit.log`],
    ["audit-log-maxage", "30"],
    ["audit-log-maxbackup", "10"],
    ["audit-log-maxsize", "100"],
    // CIS 1.2.27/1.2.28: Secrets encrypted at rest (secretbox; the file is rendered on the node, see encryption-config.yaml).
    ["encryption-provider-config", `${API_SERVER_CONFIG_DIR}/encryption-config.yaml`],
    // CIS 1.2.5: kubelet serving certificates are signed by the cluster CA (serverTLSBootstrap + the serving approver).
    ["kubelet-certificate-authority", "/etc/kubernetes/pki/ca.crt"],
    // CIS 1.2.29.
    ["tls-cipher-suites", STRONG_TLS_CIPHER_SUITES.join(",")],
    ["tls-min-version", TLS_MIN_VERSION],
    // CIS 1.2.3 and 1.2.14 (kubeadm's default is NodeRestriction alone; this list replaces it, so it must keep it).
    ["enable-admission-plugins", "NodeRestriction,DenyServiceExternalIPs"],
    // Pod Security defaults (baseline enforced, restricted warned and audited).
    ["admission-control-config-file", `${API_SERVER_CONFIG_DIR}/admission-config.yaml`],
  ]);
  // CIS 1.2.1: anonymous requests only on /livez, /readyz, /healthz (1.32+); and the OIDC issuers of access.oidc.
  if (usesAuthenticationConfig(gen)) args.set("authentication-config", `${API_SERVER_CONFIG_DIR}/${AUTHENTICATION_CONFIG_FILE}`);
  // Access by AWS identity: bearer tokens are checked by aws-iam-authenticator on the node (upstream README, "Kubernetes
  // API server configuration", tag v0.7.18). Its server decodes TokenReview as authentication.k8s.io/v1beta1
  // (pkg/server/server.go), the version kube-apiserver sends by default; said explicitly
  // (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/, --authentication-token-webhook-version).
  if (runsIamAuthenticator(gen)) {
    args.set("authentication-token-webhook-config-file", AUTHENTICATOR_KUBECONFIG);
    args.set("authentication-token-webhook-version", "v1beta1");
  }
  // Node contract 3: tokens are signed for the cluster's issuer, shared by every generation (docs/workload-identity.md),
  // with the key pair node-bootstrap.sh puts in /etc/kubernetes/pki before kubeadm init. "--service-account-issuer:
  // Identifier of the service account token issuer. The issuer will assert this identifier in "iss" claim of issued
  // tokens"; "--service-account-jwks-uri: Overrides the URI for the JSON Web Key Set in the discovery doc served at
  // /.well-known/openid-configuration" (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/).
  // --api-audiences stays unset, so it defaults to the issuer URL (aws/amazon-eks-pod-identity-webhook SELF_HOSTED_SETUP.md).
  const issuer = serviceAccountIssuer(gen.cluster);
  args.set("service-account-issuer", issuer.url);
  args.set("service-account-jwks-uri", issuer.jwksUri);
  // Gateway generations: Services get no NodePort a host-network listener of the gateway binds (30444-32767 for the
  // listeners 30080/30443; why in constructs/definition/node-port-range.ts). Others keep the default 30000-32767.
  if (runsGateway(gen)) args.set(NODE_PORT_RANGE_FLAG, formatPortRange(gatewayNodePortRange(gen.ingressNodePorts)));
  // Validation refused unacknowledged overrides of protected flags and any fixed flag.
  for (const [name, value] of Object.entries(options.extraArgs)) args.set(name, value);
  return [...args.keys()].sort().map((name) => arg(name, args.get(name)!));
}

function clusterConfiguration(gen: ResolvedGeneration) {
  return {
    apiVersion: API,
    kind: "ClusterConfiguration",
    clusterName: gen.fullName,
    kubernetesVersion: `v${gen.kubernetesVersion}`,
    // The private Route53 alias of the generation's internal API Network Load Balancer: stable across control-plane nodes.
    controlPlaneEndpoint: `${gen.apiEndpoint}:${gen.apiPort}`,
    networking: { podSubnet: gen.podCidr, serviceSubnet: gen.serviceCidr, dnsDomain: "cluster.local" },
    // No cloud-provider flag on the API server: not needed since 1.31 (in-tree providers are gone), an unknown flag in 1.33.
    apiServer: {
      certSANs: [gen.apiEndpoint],
      extraArgs: apiServerArgs(gen),
      extraVolumes: [
        // The audit policy, authentication, admission and encryption configs (docs/security.md, "CIS Kubernetes Benchmark").
        {
          name: "apiserver-config",
          hostPath: API_SERVER_CONFIG_DIR,
          mountPath: API_SERVER_CONFIG_DIR,
          readOnly: true,
          pathType: "Directory",
        },
        // The audit log, on the node's disk, where the logging addon's fluent-bit reads it.
        { name: "audit-log", hostPath: AUDIT_LOG_DIR, mountPath: AUDIT_LOG_DIR, readOnly: false, pathType: "DirectoryOrCreate" },
        // The authenticator's webhook kubeconfig, written before kubeadm runs (access-webhook-init.sh).
        ...(runsIamAuthenticator(gen)
          ? [
              {
                name: "aws-iam-authenticator",
                hostPath: AUTHENTICATOR_KUBECONFIG_DIR,
                mountPath: AUTHENTICATOR_KUBECONFIG_DIR,
                readOnly: true,
                pathType: "Directory",
              },
            ]
          : []),
      ],
    },
    controllerManager: {
      extraArgs: [arg("cloud-provider", "external"), arg("allocate-node-cidrs", "true"), arg("profiling", "false")],
    },
    scheduler: { extraArgs: [arg("profiling", "false")] },
    // CoreDNS ships as this project's addon (constructs/addons/coredns), not kubeadm's.
    dns: { disabled: true },
  };
}

/** The KubeletConfiguration: a function of the cluster DNS address alone (its YAML is kept by it, keptYamlDocument). */
function kubeletConfiguration(clusterDnsIp: string) {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    cgroupDriver: "systemd",
    clusterDNS: [clusterDnsIp],
    clusterDomain: "cluster.local",
    // Serving certificates signed by the cluster CA, so metrics-server and Prometheus can verify kubelets.
    serverTLSBootstrap: true,
    rotateCertificates: true,
    protectKernelDefaults: true,
    readOnlyPort: 0,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
    authorization: { mode: "Webhook" },
    // CIS 4.2.12: only strong cipher suites on the kubelet's server (KubeletConfiguration tlsCipherSuites/tlsMinVersion,
    // https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/).
    tlsCipherSuites: [...STRONG_TLS_CIPHER_SUITES],
    tlsMinVersion: TLS_MIN_VERSION,
    systemReserved: { cpu: "100m", memory: "256Mi" },
    kubeReserved: { cpu: "100m", memory: "256Mi" },
    evictionHard: { "memory.available": "200Mi", "nodefs.available": "10%", "imagefs.available": "15%" },
  };
}

const yamlDocs = (docs: object[]) => docs.map((d) => yamlDocument(d)).join("---\n");

/**
 * The YAML of the documents that are functions of a few values alone (the kubelet's of the cluster DNS address, the
 * InitConfiguration's of the API port and skipped phases, kube-proxy's of the pod CIDR), kept by those values: most
 * generations of a fleet write them byte for byte alike, and writing YAML was most of initConfiguration's cost (issue
 * 17). They are kept per builder function, by the JSON of every argument it takes (strings, numbers, lists of
 * strings: JSON tells them apart), and the builder is called with exactly those arguments and reads nothing else, so
 * a kept text is yamlDocument of the very document the builder would return now (yamlDocument writes a document from
 * its data alone). Bounded: cleared whole at 1,000 texts.
 */
type KeyArgument = string | number | readonly string[];
const keptYaml = new Map<object, Map<string, string>>();
let keptCount = 0;
function keptYamlDocument<A extends readonly KeyArgument[]>(build: (...args: A) => object, ...args: A): string {
  let byArguments = keptYaml.get(build);
  if (byArguments === undefined) keptYaml.set(build, (byArguments = new Map()));
  const key = JSON.stringify(args);
  let text = byArguments.get(key);
  if (text === undefined) {
    if (keptCount >= 1000) {
      for (const kept of keptYaml.values()) kept.clear();
      keptCount = 0;
    }
    text = yamlDocument(build(...args));
    byArguments.set(key, text);
    keptCount++;
  }
  return text;
}

/** The InitConfiguration document (kept by its arguments: keptYamlDocument). */
function initDocument(apiPort: number, skipPhases: readonly string[]) {
  return {
    apiVersion: API,
    kind: "InitConfiguration",
    certificateKey: "@@CERTIFICATE_KEY@@",
    localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@", bindPort: apiPort },
    nodeRegistration: nodeRegistration(undefined, undefined),
    skipPhases: [...skipPhases],
  };
}

/** The KubeProxyConfiguration document (kept by its argument: keptYamlDocument). */
function kubeProxyConfiguration(podCidr: string) {
  return { apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration", mode: "iptables", clusterCIDR: podCidr };
}

/**
 * The kubeadm init phases skipped: CoreDNS always (the coredns addon ships it); kube-proxy where Cilium replaces it
 * (generations that run the gateway addon: constructs/addons/cni/gateway-config.ts). `addon/kube-proxy` is the phase
 * `kubeadm init phase addon kube-proxy` runs (kubernetes.io/docs/reference/setup-tools/kubeadm/generated/kubeadm_init/
 * kubeadm_init_phase_addon_kube-proxy); InitConfiguration.skipPhases takes phase names as `--skip-phases` does.
 */
export function skippedInitPhases(gen: ResolvedGeneration): string[] {
  return runsGateway(gen) ? ["addon/coredns", "addon/kube-proxy"] : ["addon/coredns"];
}

/** init.yaml: the configuration of `kubeadm init` on the elected control-plane node. */
export function initConfiguration(gen: ResolvedGeneration): string {
  const kubeProxy = !runsGateway(gen);
  // yamlDocs of the same four (three) documents: each one's YAML joined by "---\n"; the ones that are functions of a
  // few values are kept by them (keptYamlDocument).
  return [
    keptYamlDocument(initDocument, gen.apiPort, skippedInitPhases(gen)),
    yamlDocument(clusterConfiguration(gen)),
    keptYamlDocument(kubeletConfiguration, gen.clusterDnsIp),
    // No kube-proxy, no configuration for it: nothing would read it.
    ...(kubeProxy ? [keptYamlDocument(kubeProxyConfiguration, gen.podCidr)] : []),
  ].join("---\n");
}

const discovery = (gen: ResolvedGeneration) => ({
  bootstrapToken: {
    apiServerEndpoint: `${gen.apiEndpoint}:${gen.apiPort}`,
    token: "@@BOOTSTRAP_TOKEN@@",
    caCertHashes: ["@@CA_CERT_HASH@@"],
  },
});

/** join-controller.yaml: `kubeadm join` of the other control-plane nodes. */
export function controllerJoinConfiguration(gen: ResolvedGeneration): string {
  return yamlDocs([
    {
      apiVersion: API,
      kind: "JoinConfiguration",
      discovery: discovery(gen),
      nodeRegistration: nodeRegistration(undefined, undefined),
      controlPlane: { certificateKey: "@@CERTIFICATE_KEY@@", localAPIEndpoint: { advertiseAddress: "@@NODE_IP@@", bindPort: gen.apiPort } },
    },
  ]);
}

/** join-worker.yaml: `kubeadm join` of a worker of `pool`, with the pool's labels and taints. */
export function workerJoinConfiguration(gen: ResolvedGeneration, pool: ResolvedWorkerPool): string {
  return yamlDocs([
    {
      apiVersion: API,
      kind: "JoinConfiguration",
      discovery: discovery(gen),
      nodeRegistration: nodeRegistration(poolNodeLabels(pool), pool.taints),
    },
  ]);
}
