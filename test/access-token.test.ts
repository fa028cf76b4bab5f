// Tests `immutable-clusters token` against the rules aws-iam-authenticator's server applies to a token before and while
// it asks STS (kubernetes-sigs/aws-iam-authenticator pkg/token/token.go Verify, tag v0.7.18, commit
// c0e2ecd6c9e352db19435db4d2c7e64282554d2f), ported below, and a fake STS on loopback that checks the SigV4 query
// signature independently (HMAC chain of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// with the cluster ID header the authenticator adds, as STS does, and answers GetCallerIdentity.
import { createHash, createHmac } from "node:crypto";
import { createServer, request, type IncomingMessage } from "node:http";
import { clusterIdOf, execCredential, generateToken } from "../apps/commands/token";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token",
};
const NOW = new Date("2026-03-01T10:00:00Z");
const WHITELIST = [
  "action",
  "version",
  "x-amz-algorithm",
  "x-amz-credential",
  "x-amz-date",
  "x-amz-expires",
  "x-amz-security-token",
  "x-amz-signature",
  "x-amz-signedheaders",
];

/** token.go Verify's checks before the STS call; returns the URL to call or throws the upstream message. */
function verifyFormat(token: string, region: string, now: Date): URL {
  if (token.length > 4096) throw new Error("token is too large");
  if (!token.startsWith("k8s-aws-v1.")) throw new Error('token is missing expected "k8s-aws-v1." prefix');
  const body = token.slice("k8s-aws-v1.".length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new Error("illegal base64 data (RawURLEncoding)");
  const url = new URL(Buffer.from(body, "base64url").toString("utf8"));
  if (url.protocol !== "https:") throw new Error(`unexpected scheme "${url.protocol}" in pre-signed URL`);
  if (url.host !== `sts.${region}.amazonaws.com`) throw new Error(`unexpected hostname "${url.host}" in pre-signed URL`);
  if (url.pathname !== "/") throw new Error("unexpected path in pre-signed URL");
  const lower = new Map<string, string>();
  for (const key of new Set(url.searchParams.keys())) {
    if (!WHITELIST.includes(key.toLowerCase())) throw new Error(`non-whitelisted query parameter "${key}"`);
    if (url.searchParams.getAll(key).length !== 1) throw new Error("query parameter with multiple values not supported");
    lower.set(key.toLowerCase(), url.searchParams.get(key)!);
  }
  if (lower.get("action") !== "GetCallerIdentity") throw new Error("unexpected action parameter in pre-signed URL");
  if (!(lower.get("x-amz-signedheaders") ?? "").split(";").some((h) => h.toLowerCase() === "x-k8s-aws-id"))
    throw new Error("client did not sign the x-k8s-aws-id header in the pre-signed URL");
  const expires = Number(lower.get("x-amz-expires"));
  if (!Number.isInteger(expires) || expires < 0 || expires > 900) throw new Error("invalid X-Amz-Expires parameter in pre-signed URL");
  const date = lower.get("x-amz-date");
  if (!date) throw new Error("X-Amz-Date parameter must be present in pre-signed URL");
  const signedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (now.getTime() > signedAt + 15 * 60 * 1000) throw new Error("X-Amz-Date parameter is expired (15 minute expiration)");
  return url;
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** STS's side: recompute the presigned request's signature from the request it receives. */
function stsAccepts(req: IncomingMessage, secret: string): boolean {
  const url = new URL(req.url!, "https://placeholder");
  const params = [...url.searchParams.entries()];
  const signature = url.searchParams.get("X-Amz-Signature");
  const [, date, region, service] = url.searchParams.get("X-Amz-Credential")!.split("/");
  const signedHeaders = url.searchParams.get("X-Amz-SignedHeaders")!.split(";");
  const query = params
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? "").trim()}\n`).join("");
  const canonical = ["GET", "/", query, headers, signedHeaders.join(";"), createHash("sha256").update("").digest("hex")].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", url.searchParams.get("X-Amz-Date"), scope, createHash("sha256").update(canonical).digest("hex")].join(
    "\n",
  );
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  return hmac(key, toSign).toString("hex") === signature;
}

/** The authenticator's STS call, sent to a fake STS on loopback (with the Host of the real endpoint, as signed). */
async function authenticate(token: string, clusterId: string, region = "eu-west-1", now = NOW): Promise<{ status: number; body: string }> {
  const url = verifyFormat(token, region, now);
  const server = createServer((req, res) => {
    const ok = stsAccepts(req, CREDENTIALS.secretAccessKey);
    res.writeHead(ok ? 200 : 403, { "content-type": "application/json" });
    res.end(
      ok
        ? JSON.stringify({
            GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: "arn:aws:sts::123456789012:assumed-role/platform-admin/alice" } },
          })
        : JSON.stringify({ Error: { Code: "SignatureDoesNotMatch" } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    // node:http, not fetch: fetch does not send a Host header of the caller's choosing.
    return await new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: `${url.pathname}${url.search}`,
          headers: { host: url.host, "x-k8s-aws-id": clusterId, accept: "application/json" },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk)).on("end", () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on("error", reject).end();
    });
  } finally {
    server.close();
  }
}

describe("immutable-clusters token", () => {
  test("passes every format rule of the authenticator and STS accepts its signature for the right cluster ID", async () => {
    const { token, expirationTimestamp } = await generateToken({
      clusterId: "prod-b",
      region: "eu-west-1",
      credentials: CREDENTIALS,
      now: NOW,
    });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(expirationTimestamp).toBe("2026-03-01T10:14:00Z");
    const answer = await authenticate(token, "prod-b");
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("assumed-role/platform-admin/alice");
  });

  test("a token for another generation is refused by STS (the cluster ID is signed)", async () => {
    const { token } = await generateToken({ clusterId: "prod-a", region: "eu-west-1", credentials: CREDENTIALS, now: NOW });
    expect((await authenticate(token, "prod-b")).status).toBe(403);
  });

  test("the verifier's refusals apply to it: another region's endpoint, an expired date", async () => {
    const { token } = await generateToken({ clusterId: "prod-b", region: "eu-west-1", credentials: CREDENTIALS, now: NOW });
    await expect(authenticate(token, "prod-b", "us-east-1")).rejects.toThrow('unexpected hostname "sts.eu-west-1.amazonaws.com"');
    await expect(authenticate(token, "prod-b", "eu-west-1", new Date(NOW.getTime() + 16 * 60 * 1000))).rejects.toThrow("expired");
  });

  test("the ported verifier refuses a URL carrying the cluster ID in its query instead of a signed header", () => {
    const url = "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&x-k8s-aws-id=prod-b&X-Amz-Expires=60";
    expect(() => verifyFormat("k8s-aws-v1." + Buffer.from(url).toString("base64url"), "eu-west-1", NOW)).toThrow(
      'non-whitelisted query parameter "x-k8s-aws-id"',
    );
  });

  test("prints an ExecCredential kubectl reads; a target that is not <cluster>/<generation> is refused with the fix", () => {
    expect(JSON.parse(execCredential({ token: "k8s-aws-v1.x", expirationTimestamp: "2026-03-01T10:14:00Z" }))).toEqual({
      kind: "ExecCredential",
      apiVersion: "client.authentication.k8s.io/v1beta1",
      spec: {},
      status: { expirationTimestamp: "2026-03-01T10:14:00Z", token: "k8s-aws-v1.x" },
    });
    expect(clusterIdOf("prod/b", "token")).toBe("prod-b");
    expect(() => clusterIdOf("prod-b", "token")).toThrow('token: "prod-b" is not <cluster>/<generation>; write it like "prod/b"');
  });
});
