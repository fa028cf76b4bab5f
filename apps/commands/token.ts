// The `token` subcommand: prints an ExecCredential for kubectl with a bearer token for one generation's API, made the
// way aws-iam-authenticator's `token` command makes it (so no static credential exists anywhere): an STS
// GetCallerIdentity request presigned with the caller's AWS credentials, with the generation's cluster ID in the signed
// `x-k8s-aws-id` header, base64url-encoded without padding after the prefix "k8s-aws-v1.". The authenticator on the
// control plane replays the URL to STS and maps the returned role. Format: kubernetes-sigs/aws-iam-authenticator
// pkg/token/token.go GetWithSTS and Verify, tag v0.7.18 (commit c0e2ecd6c9e352db19435db4d2c7e64282554d2f).
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Command } from "commander";
import { parseTarget } from "./target";

/** token.go v1Prefix. */
export const TOKEN_PREFIX = "k8s-aws-v1.";
/** token.go clusterIDHeader: the header the token must sign, holding the cluster ID (a generation's full name). */
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** token.go requestPresignParam: X-Amz-Expires 60 ("ignored by STS"; the verifier accepts 0-900). */
const PRESIGN_EXPIRES_SECONDS = 60;
/** token.go presignedURLExpiration (15 minutes after X-Amz-Date); the credential says it expires a minute earlier, as upstream. */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

/** What a token is made from. */
export interface TokenOptions {
  /** The cluster ID: the generation's full name, e.g. `prod-b`. */
  readonly clusterId: string;
  /** The region whose STS endpoint signs (and verifies) the request, e.g. `eu-west-1`. */
  readonly region: string;
  /** AWS credentials. @default the AWS SDK's default chain (environment, profile/SSO, web identity, instance role) */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Signing time. @default now */
  readonly now?: Date;
}

/** A token and when kubectl should ask for a new one. */
export interface Token {
  readonly token: string;
  readonly expirationTimestamp: string;
}

/** A bearer token for a generation's API (see the file header). */
export async function generateToken(options: TokenOptions): Promise<Token> {
  const now = options.now ?? new Date();
  const hostname = `sts.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: "sts",
    region: options.region,
    sha256: Hash.bind(null, "sha256"),
    credentials: options.credentials ?? defaultProvider(),
  });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: options.clusterId },
    },
    // The cluster ID stays a signed header (the signer hoists only x-amz-* headers into the query): token.go refuses a
    // URL whose query has any parameter besides its whitelist.
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  return {
    token: TOKEN_PREFIX + Buffer.from(url, "utf8").toString("base64url"),
    expirationTimestamp: new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

/** The ExecCredential kubectl reads from an exec plugin (token.go FormatJSON; client.authentication.k8s.io/v1beta1). */
export function execCredential(token: Token): string {
  return JSON.stringify({
    kind: "ExecCredential",
    apiVersion: "client.authentication.k8s.io/v1beta1",
    spec: {},
    status: { expirationTimestamp: token.expirationTimestamp, token: token.token },
  });
}

/** `<cluster>/<generation>` to the cluster ID the tokens carry (`<cluster>-<generation>`, the generation's full name). */
export function clusterIdOf(target: string, command: string): string {
  return parseTarget(target, command).fullName;
}

export function registerToken(program: Command): void {
  program
    .command("token")
    .description("print a kubectl ExecCredential with a token for a generation's API, signed with your AWS identity")
    .argument("<cluster/generation>", 'the generation, e.g. "prod/b"')
    .requiredOption("--region <region>", "the cluster's AWS region (its STS endpoint signs the token)")
    .action(async (target: string, opts: { region: string }) => {
      const token = await generateToken({ clusterId: clusterIdOf(target, "token"), region: opts.region });
      process.stdout.write(execCredential(token) + "\n");
    });
}
