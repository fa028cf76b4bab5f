// Test support: a fake node for running the bootstrap scripts under bash: its own root directory (IC_ROOT) with
// cluster.env and kubeadm templates, recording fakes of kubeadm/kubectl/systemctl first on PATH, real curl/jq/openssl.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { FakeImds } from "./imds";

/** The repository folder of the scripts the Ignition builder embeds. */
export const SCRIPTS_DIR = path.join(__dirname, "..", "..", "..", "constructs", "ignition", "files", "bin");
/** The recording fakes. */
export const FAKE_BIN = path.join(__dirname, "bin");
const TEMPLATES = path.join(__dirname, "templates");
/** The encryption config template Ignition ships to control-plane nodes. */
const ENCRYPTION_TEMPLATE = path.join(__dirname, "..", "..", "..", "constructs", "ignition", "files", "config", "encryption-config.yaml");

/** The cluster generation a fake node belongs to (the values of its cluster.env). */
export interface FakeCluster {
  readonly clusterName: string;
  readonly region: string;
  readonly ssmPrefix: string;
  readonly kmsKeyId: string;
  readonly bucket: string;
  /** The emulator endpoint (AWS_ENDPOINT_URL of the scripts). */
  readonly endpoint: string;
  /** Folder of the fake cluster's shared state (etcd members, Nodes, tokens, uploaded certificates), one per cluster. */
  readonly stateDir: string;
  /** API endpoint name and port in cluster.env (a name that resolves and a port that answers, unless a test says not). */
  readonly apiEndpoint: string;
  readonly apiPort: number;
}

/** The outcome of one script run. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export type BootstrapScript = "node-bootstrap.sh" | "refresh-join-material.sh";

/** One fake node. */
export class FakeNode {
  readonly root: string;
  readonly log: string;
  /** Every AWS call the scripts made on this node, "<service> <action> <resource>" a line. */
  readonly awsTrace: string;
  /** Every run of a script on this node, for the secret checks. */
  readonly runs: ScriptRun[] = [];

  constructor(
    readonly name: string,
    readonly role: "controller" | "worker",
    private readonly cluster: FakeCluster,
    private readonly imds: FakeImds,
  ) {
    this.root = mkdtempSync(path.join(tmpdir(), `ic-node-${name}-`));
    this.log = path.join(this.root, "fake-calls.log");
    this.awsTrace = path.join(this.root, "aws-calls.log");
    const etc = path.join(this.root, "etc", "immutable-clusters");
    mkdirSync(path.join(etc, "kubeadm"), { recursive: true });
    const env = [
      `CLUSTER_NAME=${cluster.clusterName}`,
      `NODE_ROLE=${role}`,
      ...(role === "worker" ? ["POOL_NAME=general"] : []),
      `AWS_REGION=${cluster.region}`,
      `SSM_PREFIX=${cluster.ssmPrefix}`,
      `KMS_KEY_ID=${cluster.kmsKeyId}`,
      `NODE_BUCKET=${cluster.bucket}`,
      `API_ENDPOINT=${cluster.apiEndpoint}`,
      `API_PORT=${cluster.apiPort}`,
      "KUBERNETES_VERSION=v1.31.0",
      "CONTROL_PLANE_COUNT=3",
    ];
    writeFileSync(path.join(etc, "cluster.env"), env.join("\n") + "\n");
    const templates = role === "controller" ? ["init", "join-controller"] : ["join-worker"];
    for (const t of templates) writeFileSync(path.join(etc, "kubeadm", `${t}.yaml`), readFileSync(path.join(TEMPLATES, `${t}.yaml`)));
    if (role === "controller") {
      // What Ignition writes on a control-plane node besides the kubeadm templates (constructs/ignition/api-server-files.ts):
      // the Secrets encryption config template (the real one, with its key placeholder) and the API server's own config
      // folder with a file in it, which is no kubeadm leftover and must survive a kubeadm reset.
      writeFileSync(path.join(etc, "kubeadm", "encryption-config.yaml"), readFileSync(ENCRYPTION_TEMPLATE));
      mkdirSync(path.join(this.root, "etc", "kubernetes", "apiserver"), { recursive: true, mode: 0o700 });
      writeFileSync(path.join(this.root, "etc", "kubernetes", "apiserver", "audit-policy.yaml"), "kind: Policy\n", { mode: 0o600 });
    }
    writeFileSync(this.log, "");
    writeFileSync(this.awsTrace, "");
  }

  /** The AWS calls the scripts made on this node, optionally only those containing `part`. */
  awsCalls(part = ""): string[] {
    return readFileSync(this.awsTrace, "utf8")
      .split("\n")
      .filter((l) => l !== "" && l.includes(part));
  }

  /** This node's identity in the fake metadata service. */
  get instance() {
    return this.imds.instance(this.name);
  }

  /** Runs a script under bash; never rejects (the exit code is in the result). */
  run(script: BootstrapScript, env: Record<string, string> = {}): Promise<ScriptRun> {
    const started = Date.now();
    const child = spawn("bash", [path.join(SCRIPTS_DIR, script)], {
      env: {
        PATH: `${FAKE_BIN}:${process.env.PATH}`,
        HOME: this.root,
        LANG: "C.UTF-8",
        IC_ROOT: this.root,
        IC_IMDS_URL: this.imds.urlFor(this.name),
        AWS_ENDPOINT_URL: this.cluster.endpoint,
        FAKE_LOG: this.log,
        FAKE_CLUSTER_DIR: this.cluster.stateDir,
        IC_AWS_TRACE_FILE: this.awsTrace,
        IC_BACKOFF_INITIAL_SECONDS: "1",
        IC_BACKOFF_MAX_SECONDS: "2",
        IC_JOIN_TIMEOUT_SECONDS: "60",
        IC_API_WAIT_SECONDS: "20",
        IC_LEASE_RENEW_SECONDS: "1",
        IC_ADDONS_TIMEOUT_SECONDS: "30",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => {
      child.on("close", (code) => {
        const result = { code, stdout, stderr, seconds: (Date.now() - started) / 1000 };
        this.runs.push(result);
        resolve(result);
      });
    });
  }

  /** The recorded calls of the fakes, one argv line each, optionally only those starting with `prefix`. */
  calls(prefix = ""): string[] {
    return readFileSync(this.log, "utf8")
      .split("\n")
      .filter((l) => l !== "" && l.startsWith(prefix));
  }

  /** The documents of a kubeadm config the script rendered into /run (e.g. `join-controller`). */
  rendered(name: string): Array<Record<string, unknown>> {
    const file = this.renderedPath(name);
    return parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJSON() as Record<string, unknown>);
  }

  renderedPath(name: string): string {
    return path.join(this.root, "run", "immutable-clusters", `kubeadm-${name}.yaml`);
  }

  /** Every token and key the fake kubeadm handed out on this node. */
  secretsHandedOut(): string[] {
    const file = `${this.log}.secrets`;
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  }

  /** The addon manifests the fake kubectl applied, if any. */
  appliedAddons(): string | undefined {
    const file = `${this.log}.applied.yaml`;
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }

  /** A file under this node's root, e.g. `etc/kubernetes/pki/ca.crt`. */
  file(relative: string): string {
    return path.join(this.root, relative);
  }
}
