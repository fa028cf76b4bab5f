// Test support: a tiny EC2 instance metadata service (IMDSv2: session token, identity, role credentials) serving many
// fake nodes at once, each under its own path prefix (`<url>/<node>/latest/...`).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";

const status = (res: ServerResponse, code: number): string => {
  res.statusCode = code;
  return "";
};

/** What one fake node's metadata says about it. */
export interface FakeInstance {
  readonly instanceId: string;
  readonly hostname: string;
  readonly ip: string;
}

/** A running fake metadata service. */
export interface FakeImds {
  /** The IMDS base URL a node with this name uses (the scripts' IC_IMDS_URL). */
  urlFor(node: string): string;
  /** Registers (or returns) the identity of a node. */
  instance(node: string): FakeInstance;
  /** Gives a node the identity of a real (emulated) EC2 instance. */
  register(node: string, identity: FakeInstance): void;
  stop(): Promise<void>;
}

/** Starts the fake metadata service on a free loopback port; role credentials are the given static ones. */
export async function startFakeImds(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}): Promise<FakeImds> {
  const instances = new Map<string, FakeInstance>();
  const instance = (node: string): FakeInstance => {
    let found = instances.get(node);
    if (!found) {
      const n = instances.size + 10;
      found = {
        instanceId: `i-0fake${String(n).padStart(12, "0")}`,
        hostname: `ip-10-0-0-${n}.eu-west-1.compute.internal`,
        ip: `10.0.0.${n}`,
      };
      instances.set(node, found);
    }
    return found;
  };
  const server: Server = createServer((req, res) => {
    res.end(answer(req.method ?? "GET", req.url ?? "", req.headers, res));
  });
  /** Sets the status on `res` and returns the body. */
  const answer = (method: string, url: string, headers: IncomingHttpHeaders, res: ServerResponse): string => {
    const match = /^\/([^/]+)\/latest\/(.*)$/.exec(url);
    if (!match) return status(res, 404);
    const [, node, path] = match;
    const sessionToken = `imds-session-${node}`;
    if (path === "api/token") {
      if (method !== "PUT" || !headers["x-aws-ec2-metadata-token-ttl-seconds"]) return status(res, 400);
      return sessionToken;
    }
    if (headers["x-aws-ec2-metadata-token"] !== sessionToken) return status(res, 401);
    const me = instance(node);
    const answers: Record<string, string> = {
      "meta-data/instance-id": me.instanceId,
      "meta-data/local-hostname": me.hostname,
      "meta-data/local-ipv4": me.ip,
      "meta-data/iam/security-credentials/": "fake-node-role",
      "meta-data/iam/security-credentials/fake-node-role": JSON.stringify({
        Code: "Success",
        Type: "AWS-HMAC",
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
      }),
    };
    return answers[path] ?? status(res, 404);
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    urlFor: (node) => `http://127.0.0.1:${port}/${node}`,
    instance,
    register: (node, identity) => void instances.set(node, identity),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
