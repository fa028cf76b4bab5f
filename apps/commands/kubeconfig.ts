// The `kubeconfig` subcommand: writes a kubeconfig context per generation (or, with --traffic, per generation serving
// traffic): the API endpoint and port from the definitions, the cluster CA published by the generation's control plane
// to `<ssm prefix>/ca-certificate` (constructs/cluster/ca-certificate-parameter.ts; or --ca-file), and a user whose
// exec credential runs `immutable-clusters token <cluster>/<generation> --region R`, as `aws eks update-kubeconfig`
// writes one running `aws eks get-token` (aws/aws-cli awscli/customizations/eks/update_kubeconfig.py, tag 2.27.0:
// exec with apiVersion client.authentication.k8s.io/v1beta1, command, args); with --oidc <issuer>, a user whose exec
// credential runs `kubectl oidc-login get-token` (int128/kubelogin) for one of the cluster's access.oidc issuers. No
// static credential, and TLS is always verified against the CA (never insecure-skip-tls-verify).
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { parse, stringify } from "yaml";
import { CA_CERTIFICATE_PLACEHOLDER, caCertificateParameterName } from "../../constructs/cluster/ca-certificate-parameter";
import { validateDefinitions } from "../../constructs/definition/arguments";
import type { OidcIssuerDefinition } from "../../constructs/definition/oidc";
import type { ClusterDefinition } from "../../constructs/definition/types";
import { validateDefinition } from "../../constructs/definition/validate";
import { DEFAULT_DEFINITIONS_MODULE, findGeneration, loadDefinitions, parseTarget, type FoundGeneration } from "./target";

/** kubectl's exec credential API version (k8s.io/client-go/pkg/apis/clientauthentication/v1beta1), as the token command prints. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

/**
 * The exec credential of an OIDC user: int128/kubelogin's `kubectl oidc-login get-token` with the issuer and client ID,
 * as its README documents the kubeconfig ("Getting Started", commit aa912fe40c3e532b818085967142f51ae1a5212e: command
 * `kubectl`, args `oidc-login`, `get-token`, `--oidc-issuer-url=…`, `--oidc-client-id=…`, apiVersion
 * client.authentication.k8s.io/v1beta1). No client secret: it would be a credential in the file; register a public
 * client with the redirect URIs http://localhost:8000 and http://localhost:18000 (kubelogin's default ports).
 * kubelogin requests the scope `openid` plus its `--oidc-extra-scope`s only (pkg/oidc/client/factory.go, commit
 * 905238ce07ee483b1e7a783307630c3d9b8fdf22: `Scopes: append(p.ExtraScopes, gooidc.ScopeOpenID)`), and an identity
 * provider puts the standard claims in the ID token only for their scope (OpenID Connect Core 1.0, section 5.4), so the
 * username claim's scope is asked for: without it the token lacks the claim and kube-apiserver refuses every login.
 * An issuer with its own `certificateAuthority` gets it as `--certificate-authority-data` (base64 of the PEM; kubelogin
 * docs/usage.md, commit 2188e25dd50375ebcb8afbff1a074694d38dbf88, "CA certificate"): the login runs on the user's
 * machine, which trusts only public CAs otherwise. A CA certificate is public; no key is ever written.
 */
export function oidcExecCredential(
  issuer: Pick<OidcIssuerDefinition, "issuerUrl" | "clientId" | "usernameClaim" | "certificateAuthority">,
): Record<string, unknown> {
  const scope = standardClaimScope(issuer.usernameClaim ?? "sub");
  const ca = issuer.certificateAuthority;
  return {
    apiVersion: EXEC_API_VERSION,
    command: "kubectl",
    args: [
      "oidc-login",
      "get-token",
      `--oidc-issuer-url=${issuer.issuerUrl}`,
      `--oidc-client-id=${issuer.clientId}`,
      ...(scope ? [`--oidc-extra-scope=${scope}`] : []),
      ...(ca ? [`--certificate-authority-data=${Buffer.from(ca).toString("base64")}`] : []),
    ],
  };
}

/**
 * The scope that requests a standard claim (OpenID Connect Core 1.0 section 5.4,
 * https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims); undefined for `sub` (always present) and for
 * claims no standard scope names (a provider's own, such as Entra ID's `upn`: configured at the provider instead).
 */
function standardClaimScope(claim: string): string | undefined {
  if (claim === "email" || claim === "email_verified") return "email";
  if (claim === "phone_number" || claim === "phone_number_verified") return "phone";
  const profile = ["name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture"];
  const profileRest = ["website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"];
  return [...profile, ...profileRest].includes(claim) ? "profile" : undefined;
}

/** Reads one SSM parameter's value; `undefined` when it does not exist. Throws with the AWS error otherwise. */
export type ParameterReader = (name: string, region: string) => Promise<string | undefined>;

/** What {@link buildKubeconfig} needs. */
export interface KubeconfigOptions {
  /** `<cluster>/<generation>`, or with `traffic` also just `<cluster>`. */
  readonly target: string;
  /** One context per generation of the cluster with weight > 0, instead of the named one. @default false */
  readonly traffic?: boolean;
  /** Region of the token's STS endpoint and of the CA parameter. @default the generation's region in the definitions */
  readonly region?: string;
  /** A PEM file with the cluster CA instead of the published parameter (only without `traffic`). @default undefined */
  readonly caFile?: string;
  /** The command kubectl runs for a token. @default "immutable-clusters" */
  readonly execCommand?: string;
  /** The definitions, when the caller has them. @default loaded from `definitionsModule` under `root` */
  readonly clusters?: readonly ClusterDefinition[];
  /** Root of the definitions repository. @default process.cwd() */
  readonly root?: string;
  /** @default "clusters/index.ts" */
  readonly definitionsModule?: string;
  /** How the CA parameter is read. @default the AWS SDK's SSM client with the default credential chain */
  readonly readParameter?: ParameterReader;
  /**
   * Log in through this issuer of the definition's `access.oidc` (its issuerUrl) with `kubectl oidc-login` instead of
   * the AWS identity; contexts and users are then named `<cluster>-<generation>-oidc`. @default undefined
   */
  readonly oidc?: string;
}

/** A kubeconfig (kubectl's v1 Config), with what this command writes in it. */
export interface Kubeconfig {
  apiVersion: "v1";
  kind: "Config";
  preferences: Record<string, unknown>;
  "current-context": string;
  clusters: { name: string; cluster: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
}

/** The kubeconfig for the target (see the file header); refusals name the argument and the fix. */
export async function buildKubeconfig(options: KubeconfigOptions): Promise<Kubeconfig> {
  const command = "kubeconfig";
  const targets = resolveTargets(options, command);
  if (options.caFile && targets.length !== 1)
    throw new Error(`${command}: --ca-file names one generation's CA; drop --traffic or --ca-file`);
  const entries = [];
  for (const found of targets) {
    const gen = found.resolved;
    const region = options.region ?? gen.region;
    const name = gen.fullName;
    const issuer = options.oidc === undefined ? undefined : oidcIssuer(found, options.oidc, command);
    const userName = issuer ? `${name}-oidc` : name;
    const ca = options.caFile
      ? readCaFile(options.caFile, command)
      : await publishedCa(found, region, options.readParameter ?? ssmParameterReader);
    entries.push({
      cluster: {
        name,
        cluster: { server: `https://${gen.apiEndpoint}:${gen.apiPort}`, "certificate-authority-data": Buffer.from(ca).toString("base64") },
      },
      context: { name: userName, context: { cluster: name, user: userName } },
      user: {
        name: userName,
        user: {
          exec: issuer
            ? oidcExecCredential(issuer)
            : {
                apiVersion: EXEC_API_VERSION,
                command: options.execCommand ?? "immutable-clusters",
                args: ["token", `${gen.clusterName}/${gen.generationId}`, "--region", region],
              },
        },
      },
    });
  }
  // The current context: the named generation, or under --traffic the one with the most weight (the first on a tie).
  const suffix = options.oidc === undefined ? "" : "-oidc";
  const current = [...targets].sort((a, b) => b.resolved.weight - a.resolved.weight)[0].resolved.fullName + suffix;
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": options.traffic ? current : targets[0].resolved.fullName + suffix,
    clusters: entries.map((e) => e.cluster),
    contexts: entries.map((e) => e.context),
    users: entries.map((e) => e.user),
  };
}

/** The issuer of the cluster's access.oidc named by --oidc (its issuerUrl, a trailing slash aside). */
function oidcIssuer(found: FoundGeneration, issuerUrl: string, command: string) {
  const issuers = found.resolved.cluster.access?.oidc ?? [];
  const trim = (url: string) => url.replace(/\/$/, "");
  const issuer = issuers.find((i) => trim(i.issuerUrl) === trim(issuerUrl));
  if (!issuer)
    throw new Error(
      issuers.length
        ? `${command}: --oidc ${issuerUrl} is not an issuer of cluster "${found.resolved.clusterName}"; use one of ${issuers.map((i) => i.issuerUrl).join(", ")}`
        : `${command}: cluster "${found.resolved.clusterName}" has no access.oidc issuers; add one to the definition, or drop --oidc`,
    );
  return issuer;
}

function resolveTargets(options: KubeconfigOptions, command: string): FoundGeneration[] {
  const clusters =
    options.clusters ??
    loadDefinitions(resolve(options.root ?? process.cwd()), options.definitionsModule ?? DEFAULT_DEFINITIONS_MODULE, command);
  if (!options.traffic) return [findGeneration(clusters, parseTarget(options.target, command), command)];
  const clusterName = options.target.includes("/") ? parseTarget(options.target, command).cluster : options.target;
  if (!/^[a-z][a-z0-9-]*$/.test(clusterName))
    throw new Error(`${command}: "${options.target}" is not <cluster> or <cluster>/<generation>; write it like "prod"`);
  validateDefinitions(clusters, command);
  const named = clusters.find((c) => c.name === clusterName);
  if (!named)
    throw new Error(
      `${command}: no cluster named "${clusterName}" in the definitions; use one of ${clusters.map((c) => `"${c.name}"`).join(", ")}`,
    );
  const all = validateDefinition(named).generations.map((g) =>
    findGeneration(clusters, parseTarget(`${clusterName}/${g.id}`, command), command),
  );
  const live = all.filter((f) => f.resolved.weight > 0);
  if (live.length === 0)
    throw new Error(
      `${command}: no generation of cluster "${clusterName}" has a weight above 0; name one instead, e.g. ${clusterName}/${all[0].resolved.generationId}`,
    );
  return live;
}

function readCaFile(file: string, command: string): string {
  if (!existsSync(file))
    throw new Error(`${command}: --ca-file ${file} does not exist; copy /etc/kubernetes/pki/ca.crt of a control-plane node`);
  return checkedCa(readFileSync(file, "utf8"), `--ca-file ${file}`, command);
}

async function publishedCa(found: FoundGeneration, region: string, read: ParameterReader): Promise<string> {
  const command = "kubeconfig";
  const gen = found.resolved;
  const name = caCertificateParameterName(gen.ssmPrefix);
  let value: string | undefined;
  try {
    value = await read(name, region);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(
      `${command}: cannot read the cluster CA of ${gen.clusterName}/${gen.generationId} from SSM parameter ${name} in ${region} (${reason}); your AWS identity needs ssm:GetParameter on arn:aws:ssm:${region}:<account>:parameter${name} (docs/operations.md), or pass --ca-file`,
    );
  }
  if (value === undefined)
    throw new Error(
      `${command}: SSM parameter ${name} does not exist in ${region}: ${gen.clusterName}/${gen.generationId} is not deployed there, or was frozen with node contract 1 (no published CA); pass --region or --ca-file`,
    );
  if (value.trim() === CA_CERTIFICATE_PLACEHOLDER)
    throw new Error(
      `${command}: ${gen.clusterName}/${gen.generationId} has not published its cluster CA yet (${name} holds the placeholder): wait until its first control-plane node ran kubeadm init (a few minutes after deploy), or pass --ca-file`,
    );
  return checkedCa(value, `SSM parameter ${name}`, command);
}

/** Exactly one PEM certificate that parses (node's X509Certificate), returned with one trailing newline. */
function checkedCa(pem: string, source: string, command: string): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1)
    throw new Error(
      `${command}: ${source} does not hold exactly one PEM certificate (found ${blocks.length}); it must be the cluster's ca.crt`,
    );
  try {
    new X509Certificate(blocks[0]);
  } catch {
    throw new Error(`${command}: ${source} holds a PEM block that is not a certificate; it must be the cluster's ca.crt`);
  }
  return blocks[0] + "\n";
}

/** The AWS SDK's SSM client (loaded only when used): GetParameter, ParameterNotFound as undefined. */
export const ssmParameterReader: ParameterReader = async (name, region) => {
  const { SSMClient, GetParameterCommand, ParameterNotFound } = require("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
  const client = new SSMClient({ region });
  try {
    const out = await client.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  } finally {
    client.destroy();
  }
};

/**
 * Merges `generated` into an existing kubeconfig text (entries of the same name replaced, others kept, its current
 * context set to ours), as `aws eks update-kubeconfig` does with ~/.kube/config.
 */
export function mergeKubeconfig(existingText: string | undefined, generated: Kubeconfig, file = "kubeconfig"): Kubeconfig {
  if (existingText === undefined || existingText.trim() === "") return generated;
  const existing = parse(existingText) as Partial<Kubeconfig> | null;
  if (!existing || typeof existing !== "object" || (existing.kind !== undefined && existing.kind !== "Config"))
    throw new Error(`kubeconfig: ${file} is not a kubeconfig (kind: Config); choose another --out`);
  const merge = <T extends { name: string }>(old: T[] | undefined, ours: T[]) => [
    ...(old ?? []).filter((e) => !ours.some((o) => o.name === e.name)),
    ...ours,
  ];
  return {
    ...generated,
    preferences: existing.preferences ?? {},
    clusters: merge(existing.clusters, generated.clusters),
    contexts: merge(existing.contexts, generated.contexts),
    users: merge(existing.users, generated.users),
  };
}

export function registerKubeconfig(program: Command): void {
  program
    .command("kubeconfig")
    .description(
      "write a kubeconfig context for a generation (or, with --traffic, each generation serving traffic), authenticated by your AWS identity",
    )
    .argument("<cluster/generation>", 'the generation, e.g. "prod/b" (with --traffic, "prod" is enough)')
    .option("--traffic", "one context per generation with a weight above 0", false)
    .option("--out <file>", "merge into this kubeconfig file (created with mode 0600) instead of printing")
    .option("--region <region>", "the cluster's AWS region (default: the definition's)")
    .option("--ca-file <file>", "the cluster CA (PEM) instead of the published SSM parameter")
    .option("--exec-command <command>", "the command kubectl runs for a token", "immutable-clusters")
    .option("--oidc <issuer-url>", "log in through this access.oidc issuer with kubectl oidc-login (int128/kubelogin) instead")
    .option("--definitions <module>", 'module exporting "clusters"', DEFAULT_DEFINITIONS_MODULE)
    .action(
      async (
        target: string,
        opts: {
          traffic: boolean;
          out?: string;
          region?: string;
          caFile?: string;
          execCommand: string;
          oidc?: string;
          definitions: string;
        },
      ) => {
        const config = await buildKubeconfig({
          target,
          traffic: opts.traffic,
          region: opts.region,
          caFile: opts.caFile,
          execCommand: opts.execCommand,
          oidc: opts.oidc,
          definitionsModule: opts.definitions,
        });
        if (!opts.out) {
          process.stdout.write(stringify(config));
          return;
        }
        const file = resolve(opts.out);
        const merged = mergeKubeconfig(existsSync(file) ? readFileSync(file, "utf8") : undefined, config, opts.out);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, stringify(merged), { mode: 0o600 });
        chmodSync(file, 0o600);
        console.log(`wrote ${config.contexts.map((c) => c.name).join(", ")} to ${opts.out} (current context ${config["current-context"]})`);
      },
    );
}
