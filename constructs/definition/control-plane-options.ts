// Owns the API server settings a team may legitimately change in its definition (extra kube-apiserver flags, the audit
// level, the cluster-wide Pod Security default), their zod schema, and the list of flags this project sets for
// security, which an extra flag may replace only when the definition names it in `acknowledgeSecurityOverrides`.
import { z } from "zod";

/** Levels of the audit policy's catch-all rule (https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy). */
export const AUDIT_LEVELS = ["Metadata", "Request", "RequestResponse"] as const;
/** Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** `controlPlane.apiServer` of a generation: the few kube-apiserver settings a team may change. */
export interface ApiServerOptions {
  /**
   * Extra kube-apiserver flags, by name without the leading dashes, e.g. `{ "request-timeout": "2m" }`. A flag this
   * project sets for security (PROTECTED_API_SERVER_FLAGS) is refused unless also listed in `acknowledgeSecurityOverrides`.
   * @default {}
   */
  readonly extraArgs?: Readonly<Record<string, string>>;
  /**
   * Flags of `extraArgs` that knowingly replace one of this project's security settings (e.g. `["tls-min-version"]`);
   * the replacement is then the team's to justify (it shows in the pull request's diff).
   * @default []
   */
  readonly acknowledgeSecurityOverrides?: readonly string[];
  /**
   * Audit level of every request no other rule of the audit policy matches. Secrets, ConfigMaps, ServiceAccount tokens
   * and TokenReviews stay at `Metadata` whatever this says.
   * @default "Metadata"
   */
  readonly auditLevel?: (typeof AUDIT_LEVELS)[number];
  /**
   * Pod Security level enforced in namespaces that carry no `pod-security.kubernetes.io/enforce` label (warn and audit
   * stay `restricted`).
   * @default "baseline"
   */
  readonly podSecurityDefault?: (typeof POD_SECURITY_LEVELS)[number];
}

/** ApiServerOptions with every default filled in. */
export interface ResolvedApiServerOptions {
  readonly extraArgs: Readonly<Record<string, string>>;
  readonly acknowledgeSecurityOverrides: readonly string[];
  readonly auditLevel: (typeof AUDIT_LEVELS)[number];
  readonly podSecurityDefault: (typeof POD_SECURITY_LEVELS)[number];
}

/**
 * kube-apiserver flags set for security, by this project (constructs/ignition/kubeadm-config.ts; a test keeps the two in
 * step) or by kubeadm (its static pod manifest: certificates, etcd, authorization). An extra flag of the same name is
 * refused unless acknowledged. The value says why, for the error message.
 */
export const PROTECTED_API_SERVER_FLAGS: Readonly<Record<string, string>> = {
  profiling: "CIS 1.2.15",
  "audit-log-path": "CIS 1.2.16",
  "audit-log-maxage": "CIS 1.2.17",
  "audit-log-maxbackup": "CIS 1.2.18",
  "audit-log-maxsize": "CIS 1.2.19",
  "kubelet-certificate-authority": "CIS 1.2.5",
  "tls-cipher-suites": "CIS 1.2.29",
  "tls-min-version": "CIS 1.2.29",
  "enable-admission-plugins": "CIS 1.2.3, 1.2.14 (NodeRestriction keeps kubelets off other nodes' labels)",
  "authorization-mode": "CIS 1.2.6-1.2.8 (set by kubeadm)",
  "client-ca-file": "CIS 1.2.25 (set by kubeadm)",
  "kubelet-client-certificate": "CIS 1.2.4 (set by kubeadm)",
  "kubelet-client-key": "CIS 1.2.4 (set by kubeadm)",
  "service-account-key-file": "CIS 1.2.22 (set by kubeadm)",
  "etcd-certfile": "CIS 1.2.23 (set by kubeadm)",
  "etcd-keyfile": "CIS 1.2.23 (set by kubeadm)",
  "etcd-cafile": "CIS 1.2.26 (set by kubeadm)",
  "tls-cert-file": "CIS 1.2.24 (set by kubeadm)",
  "tls-private-key-file": "CIS 1.2.24 (set by kubeadm)",
  "token-auth-file": "CIS 1.2.2",
  "service-account-lookup": "CIS 1.2.21",
  // A Service given a gateway listener's port would take the ingress load balancer's traffic (node-port-range.ts).
  "service-node-port-range": "keeps Services off the gateway's host-network listener ports (Kubernetes 1.33+)",
};

/**
 * Flags no definition may set, acknowledged or not: they point at files this project writes on the nodes, or (for
 * `anonymous-auth`) conflict with `--authentication-config`, which kube-apiserver refuses to start with.
 */
export const FIXED_API_SERVER_FLAGS: Readonly<Record<string, string>> = {
  "anonymous-auth": "anonymous access is limited to the health endpoints by --authentication-config (Kubernetes >= 1.32)",
  "authentication-config": "the file is written by Ignition",
  "audit-policy-file": "set controlPlane.apiServer.auditLevel instead",
  "admission-control-config-file": "set controlPlane.apiServer.podSecurityDefault instead",
  "encryption-provider-config": "the key is generated on the nodes (see docs/security.md)",
  "authentication-token-webhook-config-file": "aws-iam-authenticator's webhook follows the cluster's access field",
  "authentication-token-webhook-version": "aws-iam-authenticator's webhook follows the cluster's access field",
  "service-account-issuer": "every generation signs with the cluster's service-account issuer (docs/workload-identity.md)",
  "service-account-jwks-uri": "the JWKS is published in the cluster's issuer bucket (docs/workload-identity.md)",
  // The legacy OIDC flags (kube-apiserver reference, https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/):
  // kube-apiserver refuses them beside --authentication-config ("authentication-config file and oidc-* flags are
  // mutually exclusive", pkg/kubeapiserver/options/authentication.go), which every generation of 1.32+ and every
  // generation with access.oidc passes.
  ...Object.fromEntries(
    [
      "ca-file",
      "client-id",
      "groups-claim",
      "groups-prefix",
      "issuer-url",
      "required-claim",
      "signing-algs",
      "username-claim",
      "username-prefix",
    ].map((name) => [
      `oidc-${name}`,
      "OIDC issuers are configured in access.oidc (kube-apiserver refuses --oidc-* beside --authentication-config)",
    ]),
  ),
};

const FLAG_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The zod schema of `controlPlane.apiServer`; its issues name the field and the fix. */
export const apiServerOptionsSchema = z
  .object({
    extraArgs: z
      .record(
        z.string().regex(FLAG_NAME, { error: 'must be a kube-apiserver flag name without leading dashes, e.g. "request-timeout"' }),
        z.string({ error: 'must be the flag\'s value as a string, e.g. "2m"' }),
      )
      .optional(),
    acknowledgeSecurityOverrides: z.array(z.string()).optional(),
    auditLevel: z.enum(AUDIT_LEVELS, { error: `must be one of ${AUDIT_LEVELS.map((l) => `"${l}"`).join(", ")}` }).optional(),
    podSecurityDefault: z
      .enum(POD_SECURITY_LEVELS, { error: `must be one of ${POD_SECURITY_LEVELS.map((l) => `"${l}"`).join(", ")}` })
      .optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    const acknowledged = new Set(options.acknowledgeSecurityOverrides ?? []);
    for (const flag of Object.keys(options.extraArgs ?? {})) {
      if (flag in FIXED_API_SERVER_FLAGS) {
        ctx.addIssue({
          code: "custom",
          path: ["extraArgs", flag],
          message: `"${flag}" cannot be set here: ${FIXED_API_SERVER_FLAGS[flag]}; remove it`,
        });
      } else if (flag in PROTECTED_API_SERVER_FLAGS && !acknowledged.has(flag)) {
        ctx.addIssue({
          code: "custom",
          path: ["extraArgs", flag],
          message:
            `"${flag}" is set by immutable-clusters for security (${PROTECTED_API_SERVER_FLAGS[flag]}); remove it, or add "${flag}" ` +
            "to controlPlane.apiServer.acknowledgeSecurityOverrides to replace that setting knowingly",
        });
      }
    }
    (options.acknowledgeSecurityOverrides ?? []).forEach((flag, i) => {
      if (!(flag in PROTECTED_API_SERVER_FLAGS)) {
        ctx.addIssue({
          code: "custom",
          path: ["acknowledgeSecurityOverrides", i],
          message: `"${flag}" is not a flag immutable-clusters sets for security; remove it from the list`,
        });
      } else if (!(flag in (options.extraArgs ?? {}))) {
        ctx.addIssue({
          code: "custom",
          path: ["acknowledgeSecurityOverrides", i],
          message: `"${flag}" is acknowledged but not set in controlPlane.apiServer.extraArgs; set it there or remove it from the list`,
        });
      }
    });
  });

/** `controlPlane.apiServer` with defaults filled in (the input is assumed valid: validateDefinition ran first). */
export function resolveApiServerOptions(options: ApiServerOptions | undefined): ResolvedApiServerOptions {
  return {
    extraArgs: options?.extraArgs ?? {},
    acknowledgeSecurityOverrides: options?.acknowledgeSecurityOverrides ?? [],
    auditLevel: options?.auditLevel ?? "Metadata",
    podSecurityDefault: options?.podSecurityDefault ?? "baseline",
  };
}
