// Owns the Gateway API CustomResourceDefinitions the gateway addon installs: the standard channel of Gateway API
// v1.4.1, vendored byte for byte from the upstream tag (crds/), pinned by SHA-256 here and loaded as data, once.
//
// Source: https://github.com/kubernetes-sigs/gateway-api/tree/v1.4.1/config/crd/standard (tag v1.4.1, commit
// 477d172e6ac5eccb82b65781ddb8f924afec4170). The release asset
// https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.1/standard-install.yaml is exactly these files
// concatenated by hack/build-install-yaml.sh (a license header, then `---`, a comment with the path, the file, for each
// config/crd/standard/gateway*.yaml in name order); its own SHA-256 could not be fetched here, so the pins are per file:
// the SHA-256 below and the git blob id each file has at the tag (`git ls-tree v1.4.1 config/crd/standard/`).
//
// Why v1.4: Cilium 1.19 (the release of Kubernetes 1.33-1.35 here) implements Gateway API v1.4 (cilium/cilium#41936
// "Update Gateway API dependency for Gateway API v1.4.0"; the conformance report
// conformance/reports/v1.4.0/cilium/experimental-v1.19.0-pre.2-default-report.yaml in kubernetes-sigs/gateway-api). Its
// operator requires GatewayClass, Gateway, HTTPRoute, GRPCRoute (v1) and ReferenceGrant (v1beta1) and treats TLSRoute
// v1alpha2 as optional (log line quoted in cilium/cilium#45139 for 1.19.2). v1.5 is NOT usable with Cilium 1.19: its
// standard channel ships TLSRoute without serving v1alpha2, and the 1.19 operator then fails to start its gateway
// controller (cilium/cilium#44920, #45139; kubernetes-sigs/kubespray#13222). v1.4.1 is v1.4.0 plus BackendTLSPolicy CRD
// fixes (CHANGELOG/1.4-CHANGELOG.md at the tag).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The Gateway API release the CRDs come from (the `gateway.networking.k8s.io/bundle-version` annotation of each). */
export const GATEWAY_API_VERSION = "v1.4.1";

/** Each vendored file with its SHA-256 (of the upstream bytes) and git blob id at tag v1.4.1. */
export const GATEWAY_API_CRD_FILES: readonly { file: string; sha256: string; gitBlob: string }[] = [
  {
    file: "gateway.networking.k8s.io_backendtlspolicies.yaml",
    sha256: "f94f34b0c19cab6c25b53a6e672d9a684116a4e52193531fe2abcea20b51574f",
    gitBlob: "3ccc71694081ffdcc9ac119a32176d12446e0eba",
  },
  {
    file: "gateway.networking.k8s.io_gatewayclasses.yaml",
    sha256: "7d958ad3965ea4a4996616846d9ecaf1fededbf9351b9752b8b85973936ae8c8",
    gitBlob: "9a1e592c31b567d6d905d2d289904beb67306ff5",
  },
  {
    file: "gateway.networking.k8s.io_gateways.yaml",
    sha256: "a02ea425fc901f197b668c9ddd56375e1f6896994914c6e6b9b4fdb85cf3ba6e",
    gitBlob: "e3801c8bad7618be58809b2e46d8aa2f2c63fbdc",
  },
  {
    file: "gateway.networking.k8s.io_grpcroutes.yaml",
    sha256: "b72068b42cb32051ca609e5a8dfefb16904d164abe2e71d9f3c776fae41c4dab",
    gitBlob: "89b8e6800468a884c857bd25791eec9a4a79a236",
  },
  {
    file: "gateway.networking.k8s.io_httproutes.yaml",
    sha256: "98c6777c22309d319292e9c288ee632006c9ffdd4272383d6f9dffa3fbccaf14",
    gitBlob: "555c9a84853c6caf42d827391d19fb44829c9b9d",
  },
  {
    file: "gateway.networking.k8s.io_referencegrants.yaml",
    sha256: "d74fc2f8e90094f4c4d6dc13a2d720011a40e30e5640b3e2a2051fac820f6584",
    gitBlob: "eb25c383cdcd07ad16834b4bfc1f79bc2ed45b27",
  },
];

/** Where the vendored files are (copied beside the compiled code by scripts/build.mjs). */
export const GATEWAY_API_CRD_DIR = join(__dirname, "crds");

/**
 * crds/standard.json: the six files above parsed into one JSON array, in the same order (written by
 * scripts/gateway-api-crds-json.mjs; test/addons-gateway.test.ts checks it equals the parsed YAML files and their pins).
 * Loading it takes milliseconds where parsing the YAML took 1.5 s per process.
 */
export const GATEWAY_API_CRDS_JSON = { file: "standard.json", sha256: "fd913dbdf14ee23f0050493d76dafa44e8ddaafcc5e8699e30fa75a0c9a316a7" };

let loaded: readonly Record<string, unknown>[] | undefined;

/**
 * The CRD objects, in file order, loaded once per process. The JSON is checked against its pinned SHA-256 first: a
 * vendored file that changed (an edit, a line-ending conversion) throws, naming it, instead of installing CRDs nobody
 * reviewed.
 */
export function gatewayApiCrds(): readonly Record<string, unknown>[] {
  if (loaded) return loaded;
  const path = join(GATEWAY_API_CRD_DIR, GATEWAY_API_CRDS_JSON.file);
  const bytes = readFileSync(path);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== GATEWAY_API_CRDS_JSON.sha256) {
    throw new Error(
      `${path}: SHA-256 ${actual} is not the pinned ${GATEWAY_API_CRDS_JSON.sha256} of Gateway API ${GATEWAY_API_VERSION}; ` +
        "restore it (git checkout), or regenerate it from the vendored YAML with node scripts/gateway-api-crds-json.mjs and update the pin",
    );
  }
  loaded = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>[];
  return loaded;
}
