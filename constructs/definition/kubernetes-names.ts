// Owns the parsers of Kubernetes names a definition carries: DNS labels and subdomains, label keys and values, and the
// node-label namespaces kubelet refuses at start. Each returns why a value is invalid (naming the fix) or undefined.
//
// Rules from kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (IsQualifiedName,
// IsValidLabelValue, IsDNS1123Label, IsDNS1123Subdomain): a qualified name is an optional DNS-1123 subdomain prefix of at
// most 253 characters, "/", and a name of at most 63 alphanumerics, '-', '_' and '.' starting and ending alphanumeric.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Why `value` is not a DNS-1123 label (at most `max` characters); undefined when it is one. */
export function dnsLabelProblem(value: string, example: string, max = 63): string | undefined {
  if (value.length === 0) return `must not be empty; use a DNS label such as "${example}"`;
  if (value.length > max) return `"${value}" is ${value.length} characters; a DNS label here has at most ${max} (e.g. "${example}")`;
  if (!DNS1123_LABEL.test(value)) {
    return `"${value}" is not a DNS label: use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "${example}")`;
  }
  return undefined;
}

/** Why `value` is not a DNS-1123 subdomain (dot-separated labels, at most 253 characters); undefined when it is one. */
export function dnsSubdomainProblem(value: string, example: string): string | undefined {
  if (value.length === 0) return `must not be empty; use a DNS name such as "${example}"`;
  if (value.length > 253) return `is ${value.length} characters; a DNS name has at most 253 (e.g. "${example}")`;
  for (const label of value.split(".")) {
    const problem = dnsLabelProblem(label, example.split(".")[0]);
    if (problem) return `"${value}" is not a DNS name: label ${problem}`;
  }
  return undefined;
}

/** Why `key` is not a Kubernetes label (or taint) key; undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length > 253)
      return `key prefix is ${prefix.length} characters; a prefix is a DNS name of at most 253 (e.g. "example.com/team")`;
    const problem = dnsSubdomainProblem(prefix, "example.com");
    if (problem) return `key ${JSON.stringify(key)}: the prefix before "/" ${problem.replace(/^"[^"]*" /, "")}`;
  }
  if (name.length === 0) return `key ${JSON.stringify(key)} has an empty name; write "prefix/name" or "name", e.g. "example.com/team"`;
  if (name.length > 63) return `key ${JSON.stringify(key)}: the name after the prefix is ${name.length} characters; at most 63 are allowed`;
  if (!QUALIFIED_NAME.test(name)) {
    return `key ${JSON.stringify(key)} is not a label key: the name must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. "example.com/team")`;
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label (or taint) value; undefined when it is one. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `value is ${value.length} characters; label values have at most 63`;
  if (value !== "" && !QUALIFIED_NAME.test(value)) {
    return `value ${JSON.stringify(value)} must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Labels kubelet may set on its own Node with --node-labels in the kubernetes.io / k8s.io namespaces:
 * kubernetes/kubernetes staging/src/k8s.io/kubelet/pkg/apis/well_known_labels.go (kubeletLabels, kubeletLabelNamespaces,
 * IsKubeletLabel at commit e319c541f144e9bee6160f1dd8671638a9029f4c) and staging/src/k8s.io/api/core/v1/well_known_labels.go.
 */
const KUBELET_LABELS = [
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
];
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

const inNamespace = (namespace: string, suffix: string) => namespace === suffix || namespace.endsWith(`.${suffix}`);

/**
 * Why kubelet would refuse to start with `key` in --node-labels; undefined when it accepts it. kubelet refuses any key in
 * the kubernetes.io or k8s.io namespaces that IsKubeletLabel does not allow (kubernetes/kubernetes
 * cmd/kubelet/app/options/options.go, ValidateKubeletFlags and isKubernetesLabel, commit 4bed36e03e7bd699b089d33da6f7d7c9ef9eb661).
 */
export function nodeLabelNamespaceProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const namespace = slash >= 0 ? key.slice(0, slash) : "";
  const kubernetes = inNamespace(namespace, "kubernetes.io") || inNamespace(namespace, "k8s.io");
  if (!kubernetes || KUBELET_LABELS.includes(key) || KUBELET_LABEL_NAMESPACES.some((ns) => inNamespace(namespace, ns))) return undefined;
  return (
    `kubelet refuses to start with label ${JSON.stringify(key)}: the kubernetes.io and k8s.io namespaces are reserved except ` +
    `${KUBELET_LABEL_NAMESPACES.map((ns) => `"${ns}/..."`).join(" and ")}; use your own prefix (e.g. "example.com/${key.slice(slash + 1)}") ` +
    `or "node.kubernetes.io/${key.slice(slash + 1)}"`
  );
}
