// Owns kube-apiserver's structured authentication configuration (`--authentication-config`) of a generation: whether
// its API server gets one, and the file's content: anonymous requests limited to the health endpoints (Kubernetes >=
// 1.32) and the JWT authenticators of `access.oidc`, in the AuthenticationConfiguration API version the generation's
// Kubernetes accepts. aws-iam-authenticator's token webhook is a separate flag and keeps working beside it.
import { yamlDocument } from "../addons/yaml-document";
import { type OidcIssuerDefinition, structuredAuthenticationApiVersion } from "../definition/oidc";
import type { ResolvedGeneration } from "../definition/resolve";
import { kubernetesMinor } from "./kubernetes-releases";
import { nodeFile } from "./templates";

/** The file name in API_SERVER_CONFIG_DIR. */
export const AUTHENTICATION_CONFIG_FILE = "authentication-config.yaml";

/**
 * Whether the API server limits anonymous requests to the health endpoints with `--authentication-config`
 * (KEP-4633, https://www.kubernetes.dev/resources/keps/4633/: beta and on by default from 1.32; the
 * AnonymousAuthConfigurableEndpoints gate in staging/src/k8s.io/apiserver/pkg/features/kube_features.go, kubernetes
 * commit 008b3652959ca58af8be3fb5b6ecfe9ae7638282: alpha 1.31, beta 1.32, GA 1.34). On 1.31 the feature is alpha:
 * anonymous auth stays on (kubeadm's default; the kubelet probes /livez and /readyz without credentials) and RBAC grants
 * anonymous users only system:public-info-viewer (health and version).
 */
export function limitsAnonymousToHealthEndpoints(kubernetesVersion: string): boolean {
  const [major, minor] = kubernetesMinor(kubernetesVersion).split(".").map(Number);
  return major > 1 || minor >= 32;
}

/** Whether a generation's API server gets `--authentication-config`: for the anonymous limits, for OIDC, or both. */
export function usesAuthenticationConfig(gen: ResolvedGeneration): boolean {
  return limitsAnonymousToHealthEndpoints(gen.kubernetesVersion) || (gen.cluster.access?.oidc?.length ?? 0) > 0;
}

/**
 * One JWT authenticator (field names are the same in v1beta1 and v1: https://kubernetes.io/docs/reference/config-api/
 * apiserver-config.v1beta1/ and .v1/, JWTAuthenticator). Two userValidationRules refuse any user or group starting with
 * `system:` whatever the claims say, as the upstream example does
 * (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#using-authentication-configuration).
 */
function jwtAuthenticator(issuer: OidcIssuerDefinition): Record<string, unknown> {
  const audiences = issuer.audiences ?? [issuer.clientId];
  return {
    issuer: {
      url: issuer.issuerUrl,
      audiences: [...audiences],
      // kube-apiserver requires MatchAny with more than one audience (validation.go validateAudiences).
      ...(audiences.length > 1 ? { audienceMatchPolicy: "MatchAny" } : {}),
      ...(issuer.certificateAuthority ? { certificateAuthority: issuer.certificateAuthority } : {}),
    },
    ...(issuer.requiredClaims && Object.keys(issuer.requiredClaims).length
      ? { claimValidationRules: Object.entries(issuer.requiredClaims).map(([claim, requiredValue]) => ({ claim, requiredValue })) }
      : {}),
    claimMappings: {
      username: { claim: issuer.usernameClaim ?? "sub", prefix: issuer.usernamePrefix },
      ...(issuer.groupsClaim !== undefined ? { groups: { claim: issuer.groupsClaim, prefix: issuer.groupsPrefix ?? "" } } : {}),
    },
    userValidationRules: [
      { expression: "!user.username.startsWith('system:')", message: "username cannot use the reserved system: prefix" },
      { expression: "user.groups.all(group, !group.startsWith('system:'))", message: "groups cannot use the reserved system: prefix" },
    ],
  };
}

const HEADER = `# kube-apiserver structured authentication configuration (--authentication-config), written by Ignition on
# control-plane nodes, rendered by immutable-clusters from the cluster's access.oidc (constructs/ignition/authentication-config.ts).
# Schema: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#using-authentication-configuration
`;

/** The anonymous section of the file for 1.32+: the same conditions as files/config/authentication-config.yaml. */
const ANONYMOUS_HEALTH_ONLY = { enabled: true, conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }] };

/**
 * The file's content, or undefined when the generation's API server gets none. Without OIDC issuers it is the fixed
 * anonymous-only file (byte for byte what generations rendered before access.oidc existed).
 */
export function authenticationConfiguration(gen: ResolvedGeneration): string | undefined {
  const issuers = gen.cluster.access?.oidc ?? [];
  const anonymous = limitsAnonymousToHealthEndpoints(gen.kubernetesVersion);
  if (issuers.length === 0) return anonymous ? nodeFile("config/authentication-config.yaml") : undefined;
  const apiVersion = structuredAuthenticationApiVersion(gen.kubernetesVersion);
  // Validation refused such a generation (oidcVersionProblem); reaching here is a caller that skipped it.
  if (!apiVersion)
    throw new Error(`kubernetesVersion: Kubernetes ${gen.kubernetesVersion} does not accept access.oidc; validate the definition first`);
  const document = {
    apiVersion,
    kind: "AuthenticationConfiguration",
    // On 1.31 the anonymous section needs an alpha gate (validation.go: "anonymous is not supported when
    // AnonymousAuthConfigurableEndpoints feature gate is disabled"): left out, anonymous auth stays kubeadm's default.
    ...(anonymous ? { anonymous: ANONYMOUS_HEALTH_ONLY } : {}),
    jwt: issuers.map(jwtAuthenticator),
  };
  return HEADER + yamlDocument(document);
}
