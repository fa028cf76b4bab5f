// Owns the commands' Kubernetes API client: requests (GET, and the POST/DELETE of validate's DNS check pod) over node:https with a kubeconfig's server, CA and user
// (bearer token, exec credential plugin, or client certificate), the way kubectl reads them (kubeconfig v1 fields:
// k8s.io/client-go tools/clientcmd/api/v1/types.go). TLS is always verified: a context with insecure-skip-tls-verify is
// refused. Why not @kubernetes/client-node: see the header of validate.ts.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { parse } from "yaml";

/** Access to the API: reads, and the few writes `validate` makes (its short-lived DNS check pod). */
export interface KubeClient {
  /** GETs a path; `undefined` on 404 when `allowNotFound`. Throws {@link ApiUnreachableError} or a configuration error. */
  get(path: string, options?: { allowNotFound?: boolean }): Promise<unknown>;
  /** GETs a path whose answer is text (a pod's log). */
  getText(path: string): Promise<string>;
  /** POSTs a JSON object (create); the created object. */
  post(path: string, body: unknown): Promise<unknown>;
  /** DELETEs a path; `undefined` on 404 when `allowNotFound`. */
  delete(path: string, options?: { allowNotFound?: boolean }): Promise<unknown>;
}

/** The API did not answer (connection refused, timeout, 5xx): the cluster may still be coming up. */
export class ApiUnreachableError extends Error {}

/** The API refused the caller (HTTP 401 or 403): a missing right, not a broken cluster. */
export class ApiRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

export interface KubeClientOptions {
  /** @default $KUBECONFIG (first path) or ~/.kube/config */
  readonly file?: string;
  /** @default `preferredContext` when the file has it, else current-context */
  readonly context?: string;
  readonly preferredContext?: string;
  readonly command: string;
  /** Per request, in milliseconds. @default 15000 */
  readonly timeoutMs?: number;
}

/** A client for a kubeconfig file's context. */
export function loadKubeClient(options: KubeClientOptions): KubeClient {
  const file = options.file ?? process.env.KUBECONFIG?.split(delimiter).find(Boolean) ?? join(homedir(), ".kube", "config");
  if (!existsSync(file))
    throw new Error(
      `${options.command}: kubeconfig ${file} not found; write one with "immutable-clusters kubeconfig <cluster>/<generation> --out ${file}" or pass --kubeconfig`,
    );
  return kubeClientFromConfig(parse(readFileSync(file, "utf8")) as Record<string, unknown>, { ...options, file });
}

/** A client for a parsed kubeconfig (see {@link loadKubeClient}). */
export function kubeClientFromConfig(config: Record<string, unknown>, options: KubeClientOptions & { file?: string }): KubeClient {
  const where = options.file ?? "kubeconfig";
  const fail = (message: string): never => {
    throw new Error(`${options.command}: ${where}: ${message}`);
  };
  const list = (key: string) => (Array.isArray(config[key]) ? (config[key] as NamedEntry<unknown>[]) : []);
  const contexts = list("contexts");
  const contextName =
    options.context ??
    (options.preferredContext && contexts.some((c) => c.name === options.preferredContext)
      ? options.preferredContext
      : (config["current-context"] as string | undefined));
  if (!contextName) fail("no current-context; pass --context");
  const context = (contexts.find((c) => c.name === contextName)?.context ??
    fail(`no context "${contextName}"; pass --context with one of ${contexts.map((c) => c.name).join(", ")}`)) as Record<string, string>;
  const cluster = (list("clusters").find((c) => c.name === context.cluster)?.cluster ??
    fail(`context "${contextName}" names cluster "${context.cluster}", which is not in the file`)) as Record<string, unknown>;
  const user = (list("users").find((u) => u.name === context.user)?.user ?? {}) as Record<string, unknown>;
  if (cluster["insecure-skip-tls-verify"] === true)
    fail(`cluster "${context.cluster}" sets insecure-skip-tls-verify; give it certificate-authority-data instead`);
  const server = String(cluster.server ?? fail(`cluster "${context.cluster}" has no server`));
  if (!server.startsWith("https://")) fail(`cluster "${context.cluster}" server ${server} is not https://`);
  const ca = cluster["certificate-authority-data"]
    ? Buffer.from(String(cluster["certificate-authority-data"]), "base64")
    : cluster["certificate-authority"]
      ? readFileSync(String(cluster["certificate-authority"]))
      : undefined;
  const cert = user["client-certificate-data"] ? Buffer.from(String(user["client-certificate-data"]), "base64") : undefined;
  const key = user["client-key-data"] ? Buffer.from(String(user["client-key-data"]), "base64") : undefined;
  let cached: { token: string; expires: number } | undefined;
  const token = (): string | undefined => {
    if (typeof user.token === "string") return user.token;
    const exec = user.exec as { command?: string; args?: string[]; env?: { name: string; value: string }[] } | undefined;
    if (!exec?.command) return undefined;
    if (cached && cached.expires > Date.now() + 60_000) return cached.token;
    let out: string;
    try {
      out = execFileSync(exec.command, exec.args ?? [], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) },
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      return fail(`the exec credential plugin "${exec.command}" failed${stderr ? `: ${stderr}` : ""}`);
    }
    const status = (JSON.parse(out) as { status?: { token?: string; expirationTimestamp?: string } }).status;
    if (!status?.token) return fail(`the exec credential plugin "${exec.command}" printed no status.token`);
    cached = { token: status.token, expires: status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : 0 };
    return status.token;
  };
  type Method = "GET" | "POST" | "DELETE";
  const send = (method: Method, path: string, sendOptions: { allowNotFound?: boolean; body?: unknown; text?: boolean } = {}) =>
    new Promise<unknown>((resolvePromise, reject) => {
      let bearer: string | undefined;
      try {
        bearer = token();
      } catch (error) {
        reject(error as Error);
        return;
      }
      const payload = sendOptions.body === undefined ? undefined : JSON.stringify(sendOptions.body);
      const req = request(
        new URL(path, server),
        {
          method,
          ca,
          cert,
          key,
          headers: {
            Accept: sendOptions.text ? "text/plain" : "application/json",
            ...(payload !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {}),
            ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
          },
          timeout: options.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            const what = method === "GET" ? path : `${method} ${path}`;
            if (status === 404 && sendOptions.allowNotFound) resolvePromise(undefined);
            else if (status >= 200 && status < 300) resolvePromise(sendOptions.text ? body : JSON.parse(body));
            else if (status === 401 || status === 403)
              reject(
                new ApiRefusedError(
                  method === "GET"
                    ? `${options.command}: the API refused ${what} (HTTP ${status}); your identity needs read access to nodes, workloads and EndpointSlices (the viewers group of the definition's access field)`
                    : `${options.command}: the API refused ${what} (HTTP ${status})`,
                  status,
                ),
              );
            else if (status >= 500) reject(new ApiUnreachableError(`${method} ${path}: HTTP ${status}`));
            else reject(new Error(`${options.command}: ${method} ${path} answered HTTP ${status}: ${body.slice(0, 200)}`));
          });
        },
      );
      req.on("timeout", () => req.destroy(new ApiUnreachableError(`${method} ${path}: no answer within the timeout`)));
      req.on("error", (error) =>
        reject(
          error instanceof ApiUnreachableError || (error as NodeJS.ErrnoException).code?.startsWith("E")
            ? new ApiUnreachableError(`${server}: ${error.message}`)
            : error,
        ),
      );
      req.end(payload);
    });
  return {
    get: (path, getOptions = {}) => send("GET", path, getOptions),
    getText: (path) => send("GET", path, { text: true }) as Promise<string>,
    post: (path, body) => send("POST", path, { body }),
    delete: (path, deleteOptions = {}) => send("DELETE", path, deleteOptions),
  };
}
