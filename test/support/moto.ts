// Test support: starts moto_server (the local AWS API emulator) on a free loopback port, with the patches in
// moto-patches/ that make it read back what AWS reads back, and stops it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Folder with the sitecustomize.py that patches moto_server (see that file). */
export const MOTO_PATCHES = join(__dirname, "moto-patches");

/** A running emulator. */
export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  /** Environment that points the AWS provider and SDK at the emulator, with dummy credentials. */
  readonly env: Record<string, string>;
  /** The same settings as an AWS SDK client configuration. */
  readonly clientConfig: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/** Starts moto_server; fails loudly (never skips) when it is not installed. */
export async function startMoto(region = "eu-west-1"): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // moto logs every request. Its output goes to a file, not a pipe: tests block the event loop in execFileSync
  // (terraform runs), and an undrained pipe fills up and freezes moto mid-request.
  const logFile = join(mkdtempSync(join(tmpdir(), "moto-")), "moto.log");
  const log = openSync(logFile, "a");
  // moto-patches/sitecustomize.py is imported by moto_server's Python at start-up (PYTHONPATH) and fixes what moto
  // 5.2.1 reads back differently from AWS; each patch there names the moto behaviour it corrects.
  const env = {
    ...process.env,
    PYTHONPATH: [MOTO_PATCHES, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", log, log], env });
  closeSync(log);
  const logTail = () => {
    try {
      return readFileSync(logFile, "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  const spawnError = new Promise<never>((_, reject) =>
    child.on("error", (e) => reject(new Error(`cannot start moto_server (install it: pip install "moto[server]==5.2.1"): ${e.message}`))),
  );
  try {
    // 120 s, as for the provider (provider-server.ts): moto_server imports its backends at start-up, and with eight
    // suites' processes on the 2-core machine (load 25-30) it took 20-48 s, so a 30 s limit failed whole suites.
    await Promise.race([waitUntilUp(endpoint, child, 120_000), spawnError]);
    const startLog = readFileSync(logFile, "utf8");
    if (!startLog.includes("moto-patches: loaded") || /moto-patches: .*not patched/.test(startLog)) {
      throw new Error(`moto_server did not load ${MOTO_PATCHES}/sitecustomize.py completely`);
    }
  } catch (e) {
    child.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${logTail()}`);
  }
  return {
    endpoint,
    port,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "testing",
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    clientConfig: { region, endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing", sessionToken: "testing" } },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
