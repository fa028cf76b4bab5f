// Owns the split of a generation's addon manifests into two layers. The immutable layer (CNI, DNS, cloud controller and
// the other platform addons) is applied once, at `kubeadm init`, and frozen with the generation. The policy layer
// (tenant namespaces, quotas, limit ranges, network policies, RBAC bindings: the `tenants` addon) is, from node
// contract 2 on, uploaded to `policy/manifests.yaml` in the node bucket on every synth and reconciled on the running
// generation by reconcile-policy.sh (a kubectl ApplySet: server-side apply, and prune of what was removed).
import { yamlDocument } from "./yaml-document";
import type { ManifestFile } from "./render";
import { ADDONS } from "./registry";

/** Addons (registry keys) whose objects form the policy layer. */
export const POLICY_LAYER_ADDONS: readonly string[] = ["tenants"];

export { POLICY_MANIFESTS_KEY, POLICY_RECONCILE_MINUTES, POLICY_REPORT_KEY } from "./policy-layer-keys";

/**
 * The ApplySet parent (KEP-3659, https://git.k8s.io/enhancements/keps/sig-cli/3659-kubectl-apply-prune): a
 * cluster-scoped custom resource, because kubectl's built-in parents (Secret, ConfigMap) are namespaced and then every
 * member must be in the parent's namespace (kubectl pkg/cmd/apply/apply.go at dee3483a: the parent takes the
 * namespace of `-n`, which kubectl also enforces on every object), while tenants span many namespaces. kubectl does not
 * create custom-resource parents ("custom resource ApplySet parents cannot be created automatically", applyset.go
 * fetchParent), so reconcile-policy.sh creates the CRD and the parent (files/config/policy-applyset.yaml) first.
 */
export const POLICY_APPLYSET = {
  group: "immutable-clusters.io",
  kind: "ApplySet",
  resource: "applysets",
  name: "policy",
} as const;

/** `--applyset=` value: `[RESOURCE][.GROUP]/NAME` (kubectl applyset.go ParseApplySetParentRef). */
export const POLICY_APPLYSET_FLAG = `${POLICY_APPLYSET.resource}.${POLICY_APPLYSET.group}/${POLICY_APPLYSET.name}`;

/** A marker object always in the layer: kubectl refuses an apply with no objects ("no objects passed to apply",
 * apply.go), so without it removing the last tenant could never prune. */
export const POLICY_MARKER = { namespace: "kube-system", name: "immutable-clusters-policy-layer" } as const;

const policyFiles = new Set(ADDONS.filter((a) => POLICY_LAYER_ADDONS.includes(a.key)).map((a) => `${a.file}.yaml`));

/** Whether a manifest file (e.g. `80-tenants.yaml`) belongs to the policy layer. */
export function isPolicyLayerFile(name: string): boolean {
  return policyFiles.has(name);
}

/** Splits manifest files into the immutable layer and the policy layer, each in apply order. */
export function splitLayers(files: readonly ManifestFile[]): { immutable: ManifestFile[]; policy: ManifestFile[] } {
  return {
    immutable: files.filter((f) => !isPolicyLayerFile(f.name)),
    policy: files.filter((f) => isPolicyLayerFile(f.name)),
  };
}

/** The text of `policy/manifests.yaml`: the marker ConfigMap, then the policy-layer files in apply order. */
export function policyManifest(policy: readonly ManifestFile[]): string {
  const marker = yamlDocument({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: POLICY_MARKER.name, namespace: POLICY_MARKER.namespace },
    data: { files: policy.map((f) => f.name).join(","), reconciler: "reconcile-policy.sh (immutable-clusters-policy.timer)" },
  });
  return [marker, ...policy.map((f) => f.yaml)].map((t) => t.trimEnd()).join("\n---\n") + "\n";
}
