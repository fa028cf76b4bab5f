// Owns `access.oidc`: the OpenID Connect issuers whose ID tokens the API server accepts (kube-apiserver's structured
// authentication configuration, KEP-3331), their validation rules (kube-apiserver's own, plus the prefixes this project
// requires so an identity provider can never mint a system, IAM or admin identity), the Kubernetes groups they bind to
// cluster-admin and view, and which Kubernetes versions accept the configuration in which API version.
import { X509Certificate } from "node:crypto";
import { z } from "zod";

/**
 * One OpenID Connect issuer (an identity provider such as Dex, Keycloak, Okta, Entra ID, Google). Its ID tokens are
 * checked by kube-apiserver itself (signature from the issuer's discovery document and JWKS, `iss`, `aud`, expiry);
 * users log in with `kubectl oidc-login` (int128/kubelogin) through the kubeconfig `immutable-clusters kubeconfig
 * --oidc <issuerUrl>` writes. The user is `<usernamePrefix><usernameClaim>`, the groups `<groupsPrefix><each group>`.
 */
export interface OidcIssuerDefinition {
  /** The issuer's URL, exactly as the tokens' `iss` claim: https, no query, fragment or credentials. */
  readonly issuerUrl: string;
  /** The OAuth client ID users log in with; ID tokens carry it as their audience (`aud`). */
  readonly clientId: string;
  /**
   * The audiences the API server accepts (any one must be in a token's `aud`). Must contain `clientId`.
   * @default [clientId]
   */
  readonly audiences?: readonly string[];
  /** The claim that is the user's name. @default "sub" */
  readonly usernameClaim?: string;
  /**
   * Put before every username from this issuer, e.g. `"oidc:"`; required (kube-apiserver requires a prefix with a
   * claim). Only with `usernameClaim: "email"` may it be `""`.
   */
  readonly usernamePrefix: string;
  /** The claim holding the user's groups (a list or a string), e.g. `"groups"`. Without it users get no groups. */
  readonly groupsClaim?: string;
  /** Put before every group from this issuer, e.g. `"oidc:"`; required with `groupsClaim`, never empty. */
  readonly groupsPrefix?: string;
  /** PEM certificates that sign the issuer's TLS certificate, when it is not a public CA (the nodes' roots otherwise). */
  readonly certificateAuthority?: string;
  /** Claims every token must carry with exactly this value, e.g. `{ hd: "example.com" }`. @default {} */
  readonly requiredClaims?: Readonly<Record<string, string>>;
  /** Groups of this issuer (as the token carries them, without the prefix) bound to `cluster-admin`. @default [] */
  readonly adminGroups?: readonly string[];
  /** Groups of this issuer (without the prefix) bound to the built-in `view` ClusterRole. @default [] */
  readonly viewerGroups?: readonly string[];
}

/**
 * The most JWT authenticators kube-apiserver accepts (staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/
 * validation.go ValidateAuthenticationConfiguration, `len(c.JWT) > 64`, kubernetes/kubernetes commit
 * 008b3652959ca58af8be3fb5b6ecfe9ae7638282).
 */
export const MAX_OIDC_ISSUERS = 64;

/**
 * The service-account issuer kubeadm gives the API server (`https://kubernetes.default.svc.<dnsDomain>`, our dnsDomain
 * is cluster.local: kubeadm's default --service-account-issuer, cmd/kubeadm/app/phases/controlplane/manifests.go
 * getAPIServerCommand). kube-apiserver refuses a JWT issuer equal to it (validation.go validateURL, "disallowed issuers",
 * which pkg/kubeapiserver/options/authentication.go fills with the service-account issuers).
 */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** Username prefixes no issuer may use: Kubernetes' reserved names, and aws-iam-authenticator's users (`iam:<role>:…`). */
const RESERVED_USER_PREFIXES = ["system:", "iam:"];
/** Group prefixes no issuer may use: Kubernetes' reserved groups, and this project's access groups. */
const RESERVED_GROUP_PREFIXES = ["system:", "immutable-clusters:"];

/**
 * Why `url` cannot be an issuer URL, with the fix; undefined when it can. kube-apiserver's rules (validation.go
 * validateURL, commit above): parseable, scheme https, no user info, no query, no fragment; and not the
 * service-account issuer.
 */
export function issuerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; write the issuer exactly as its tokens' "iss" claim, e.g. "https://login.example.com/realms/platform"`;
  }
  if (parsed.protocol !== "https:")
    return `"${url}" must use https (kube-apiserver fetches the issuer's keys over TLS only); write "https://${parsed.host}${parsed.pathname === "/" && !url.endsWith("/") ? "" : parsed.pathname}"`;
  if (parsed.username || parsed.password) return `"${url}" carries credentials; remove the user and password from the URL`;
  if (parsed.search) return `"${url}" has a query ("${parsed.search}"); an issuer URL has none, remove it`;
  if (parsed.hash) return `"${url}" has a fragment ("${parsed.hash}"); an issuer URL has none, remove it`;
  if (url.replace(/\/$/, "") === SERVICE_ACCOUNT_ISSUER)
    return `"${url}" is the cluster's own service-account issuer, which kube-apiserver refuses as an OIDC issuer; use your identity provider's URL`;
  return undefined;
}

/**
 * Issuers equal to the cluster's own service-account issuer (docs/workload-identity.md), with the fix; fields are
 * relative to `access.oidc`. kube-apiserver refuses a JWT issuer equal to one of its --service-account-issuer values
 * and does not start (validation.go validateURL, "URL must not overlap with disallowed issuers"; the same rule as
 * SERVICE_ACCOUNT_ISSUER in issuerUrlProblem), and generations rendered by this version set that flag to the cluster's
 * issuer bucket URL (ignition/kubeadm-config.ts apiServerArgs), not kubeadm's default.
 */
export function oidcServiceAccountIssuerProblems(
  issuers: readonly OidcIssuerDefinition[],
  serviceAccountIssuerUrl: string,
): Array<{ field: string; message: string }> {
  return issuers.flatMap((issuer, i) =>
    issuer.issuerUrl.replace(/\/$/, "") === serviceAccountIssuerUrl
      ? [
          {
            field: `[${i}].issuerUrl`,
            message: `"${issuer.issuerUrl}" is the cluster's own service-account issuer (workload identity), which kube-apiserver refuses as an OIDC issuer; use your identity provider's URL`,
          },
        ]
      : [],
  );
}

/** Why `pem` is not a usable CA bundle (one or more PEM certificates), with the fix; undefined when it is one. */
export function certificateAuthorityProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    return 'must be one or more PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----"); paste the CA that signs the issuer\'s TLS certificate';
  if (/PRIVATE KEY-----/.test(pem)) return "contains a private key; paste only the CA certificate (never a key) and rotate that key";
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${i + 1} is not a valid X.509 certificate; paste it again from the CA's PEM file`;
    }
  }
  return undefined;
}

const nonEmpty = (example: string) =>
  z.string({ error: `must be text, e.g. ${example}` }).refine((v) => v.trim() !== "" && v === v.trim(), {
    error: `must be non-empty without surrounding spaces, e.g. ${example}`,
  });
const claimName = nonEmpty('"groups"');
const groupList = z.array(nonEmpty('"platform-admins"'), { error: 'must be a list of group names, e.g. ["platform-admins"]' });

const issuerSchema = z
  .object({
    issuerUrl: z.string({ error: 'is required, e.g. "https://login.example.com/realms/platform"' }).superRefine((url, ctx) => {
      const problem = issuerUrlProblem(url);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    clientId: nonEmpty('"kubernetes"'),
    audiences: z.array(nonEmpty('"kubernetes"'), { error: 'must be a list of audiences, e.g. ["kubernetes"]' }).optional(),
    usernameClaim: claimName.optional(),
    usernamePrefix: z.string({ error: 'is required: what to put before every username of this issuer, e.g. "oidc:"' }),
    groupsClaim: claimName.optional(),
    groupsPrefix: z.string({ error: 'must be text, e.g. "oidc:"' }).optional(),
    certificateAuthority: z
      .string({ error: "must be PEM text" })
      .superRefine((pem, ctx) => {
        const problem = certificateAuthorityProblem(pem);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
    requiredClaims: z
      .record(claimName, nonEmpty('"example.com"'), { error: 'must be an object of claim to required value, e.g. { hd: "example.com" }' })
      .optional(),
    adminGroups: groupList.optional(),
    viewerGroups: groupList.optional(),
  })
  .strict();

/** The schema of `access.oidc` (per-field problems); rules across fields and issuers are in {@link oidcCrossProblems}. */
export const oidcSchema = z
  .array(issuerSchema, {
    error: 'must be a list of issuers, e.g. [{ issuerUrl: "https://login.example.com", clientId: "kubernetes", usernamePrefix: "oidc:" }]',
  })
  .max(MAX_OIDC_ISSUERS, { error: `list at most ${MAX_OIDC_ISSUERS} issuers (kube-apiserver's limit)` });

const startsWithAny = (value: string, prefixes: readonly string[]) => prefixes.find((p) => value.startsWith(p));

/** Problems across the fields of parsed issuers; fields are relative to `access.oidc`. */
export function oidcCrossProblems(issuers: readonly OidcIssuerDefinition[]): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const seenIssuers = new Map<string, number>();
  const seenUserPrefixes = new Map<string, number>();
  const seenGroupPrefixes = new Map<string, number>();
  issuers.forEach((issuer, i) => {
    const at = `[${i}]`;
    const first = seenIssuers.get(issuer.issuerUrl);
    if (first !== undefined) add(`${at}.issuerUrl`, `"${issuer.issuerUrl}" is listed twice (also [${first}]); list each issuer once`);
    else seenIssuers.set(issuer.issuerUrl, i);

    // kube-apiserver: audiences non-empty and unique (validation.go validateAudiences); ours: the client's own ID among them.
    const audiences = issuer.audiences ?? [issuer.clientId];
    if (audiences.length === 0) add(`${at}.audiences`, `list at least one audience, e.g. ["${issuer.clientId}"], or leave the field out`);
    else if (!audiences.includes(issuer.clientId))
      add(
        `${at}.audiences`,
        `does not contain clientId "${issuer.clientId}", the audience of the ID tokens users log in with; add it to the list`,
      );
    const seenAudiences = new Set<string>();
    audiences.forEach((aud, a) => {
      if (seenAudiences.has(aud)) add(`${at}.audiences[${a}]`, `"${aud}" is listed twice; list each audience once`);
      seenAudiences.add(aud);
    });

    // The username: kube-apiserver requires a prefix with a claim (validation.go validatePrefixClaimOrExpression); an
    // empty one is allowed upstream, here only for the email claim, as the legacy --oidc-username-prefix default
    // prefixed every other claim with the issuer (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/).
    const usernameClaim = issuer.usernameClaim ?? "sub";
    const reservedUser = startsWithAny(issuer.usernamePrefix, RESERVED_USER_PREFIXES);
    if (reservedUser)
      add(
        `${at}.usernamePrefix`,
        `"${issuer.usernamePrefix}" starts with "${reservedUser}", which is reserved (Kubernetes system users, IAM users of access.admins/viewers); use a prefix of your own such as "oidc:"`,
      );
    else if (issuer.usernamePrefix === "" && usernameClaim !== "email")
      add(
        `${at}.usernamePrefix`,
        `is empty with usernameClaim "${usernameClaim}", so this issuer's users could take any name; set a prefix such as "oidc:" (an empty prefix is allowed only with usernameClaim "email")`,
      );
    if (issuer.usernamePrefix !== "") {
      const other = seenUserPrefixes.get(issuer.usernamePrefix);
      if (other !== undefined)
        add(
          `${at}.usernamePrefix`,
          `"${issuer.usernamePrefix}" is also the usernamePrefix of [${other}], so the two issuers' users could impersonate each other; give each issuer its own prefix`,
        );
      else seenUserPrefixes.set(issuer.usernamePrefix, i);
    }

    // Groups: kube-apiserver requires a prefix with a claim; ours must be non-empty and unreserved, so no token can
    // carry system:masters or immutable-clusters:admins, and unique, so one issuer cannot claim another's groups.
    if (issuer.groupsClaim !== undefined) {
      const prefix = issuer.groupsPrefix;
      if (prefix === undefined || prefix === "")
        add(`${at}.groupsPrefix`, `is required with groupsClaim and must not be empty; set a prefix such as "oidc:"`);
      else {
        const reserved = startsWithAny(prefix, RESERVED_GROUP_PREFIXES);
        if (reserved)
          add(
            `${at}.groupsPrefix`,
            `"${prefix}" starts with "${reserved}", which is reserved (Kubernetes system groups, this project's access groups); use a prefix of your own such as "oidc:"`,
          );
        const other = seenGroupPrefixes.get(prefix);
        if (other !== undefined)
          add(
            `${at}.groupsPrefix`,
            `"${prefix}" is also the groupsPrefix of [${other}], so one issuer's users could claim the other's groups; give each issuer its own prefix`,
          );
        else seenGroupPrefixes.set(prefix, i);
      }
    } else {
      if (issuer.groupsPrefix !== undefined)
        add(`${at}.groupsPrefix`, `is set without groupsClaim; set groupsClaim (e.g. "groups") or remove it`);
      for (const key of ["adminGroups", "viewerGroups"] as const)
        if ((issuer[key] ?? []).length)
          add(`${at}.${key}`, `binds groups, but the issuer has no groupsClaim, so its users carry none; set groupsClaim (e.g. "groups")`);
    }
    const admins = new Set(issuer.adminGroups ?? []);
    (issuer.viewerGroups ?? []).forEach((group, g) => {
      if (admins.has(group))
        add(`${at}.viewerGroups[${g}]`, `"${group}" is also in adminGroups; a group has one level of access: keep it in one list`);
    });
  });
  return problems;
}

/**
 * The `apiserver.config.k8s.io` version of AuthenticationConfiguration a Kubernetes minor accepts with JWT
 * authenticators on by default, or undefined when it has none. The StructuredAuthenticationConfiguration feature gate
 * (staging/src/k8s.io/apiserver/pkg/features/kube_features.go, KEP-3331 https://kep.k8s.io/3331): alpha (off) 1.29,
 * beta (on) 1.30 with v1beta1, GA 1.34 with v1 (https://kubernetes.io/docs/reference/config-api/apiserver-config.v1/
 * lists AuthenticationConfiguration under apiserver.config.k8s.io/v1). A 1.29 API server would need the gate turned on.
 */
export function structuredAuthenticationApiVersion(kubernetesVersion: string): string | undefined {
  const [major, minor] = kubernetesVersion.split(".").map(Number);
  if (major !== 1) return major > 1 ? "apiserver.config.k8s.io/v1" : undefined;
  if (minor >= 34) return "apiserver.config.k8s.io/v1";
  if (minor >= 30) return "apiserver.config.k8s.io/v1beta1";
  return undefined;
}

/** Why a generation of `kubernetesVersion` cannot use `access.oidc`, with the fix; undefined when it can. */
export function oidcVersionProblem(kubernetesVersion: string): string | undefined {
  if (structuredAuthenticationApiVersion(kubernetesVersion)) return undefined;
  return `Kubernetes ${kubernetesVersion} has no structured authentication configuration on by default (beta from 1.30), so access.oidc cannot reach it; use Kubernetes 1.30 or later, or remove access.oidc`;
}

/**
 * The Kubernetes groups (prefix + group, as kube-apiserver names them) that `adminGroups` and `viewerGroups` of every
 * issuer bind to cluster-admin and view, in definition order, each once.
 */
export function oidcBoundGroups(issuers: readonly OidcIssuerDefinition[] | undefined): { admins: string[]; viewers: string[] } {
  const admins = new Set<string>();
  const viewers = new Set<string>();
  for (const issuer of issuers ?? []) {
    for (const group of issuer.adminGroups ?? []) admins.add(`${issuer.groupsPrefix ?? ""}${group}`);
    for (const group of issuer.viewerGroups ?? []) viewers.add(`${issuer.groupsPrefix ?? ""}${group}`);
  }
  return { admins: [...admins], viewers: [...viewers] };
}
