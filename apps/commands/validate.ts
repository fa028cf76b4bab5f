// The `validate` subcommand, a readiness gate like kops' `validate cluster` (kubernetes/kops pkg/validation/validate_cluster.go):
// every expected node Ready (the control-plane count, each pool's desired size, matched by the control-plane role label
// and immutable-clusters.io/pool), every addon workload of the generation available (the Deployments, DaemonSets and
// StatefulSets of its rendered or frozen addon manifests), CoreDNS endpoints ready, cluster DNS answering from a
// short-lived pod (dns-check-pod.ts; needs the right to create pods in kube-system), and the ingress health endpoint
// answering through the generation's ingress load balancer (reported "unchecked" with the reason when it cannot be
// reached from here, never passed silently). NotReady nodes are listed with their conditions. Exit 0 valid, 1 invalid,
// 2 usage or configuration error; --json prints the report.
//
// Transport: the Kubernetes REST API over node:https with the kubeconfig's TLS settings (kubeconfig-client.ts), not
// @kubernetes/client-node: its 1.x and 2.x releases are ES modules only ("type": "module" in its package.json; this
// package builds to CommonJS and ts-jest loads CommonJS), and its last CommonJS line, 0.22.x, depends on `request`,
// which its maintainers deprecated in 2020 (https://github.com/request/request/issues/3142).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { synthesizeAddonObjects } from "../../constructs/addons/render";
import { withSharedContentKeys } from "../../constructs/addons/render-cache";
import { assertValidManifests } from "../../constructs/addons/validate";
import type { ResolvedGeneration } from "../../constructs/definition/resolve";
import type { ClusterDefinition } from "../../constructs/definition/types";
import { ingressParameterName } from "../../constructs/fleet/ingress-parameter";
import { frozenDirectory } from "../../constructs/fleet/lock";
import type { ParameterReader } from "./kubeconfig";
import { checkDnsFromPod, type DnsPodResult } from "./dns-check-pod";
import { ApiUnreachableError, loadKubeClient, type KubeClient } from "./kubeconfig-client";
import { DEFAULT_DEFINITIONS_MODULE, findGeneration, loadDefinitions, parseTarget } from "./target";

/** The label kubeadm gives control-plane nodes (kubernetes/kubernetes cmd/kubeadm/app/constants/constants.go LabelNodeRoleControlPlane). */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
/** The label each worker registers with its pool's name (constructs/ignition/kubeadm-config.ts). */
export const POOL_LABEL = "immutable-clusters.io/pool";

export type CheckStatus = "ok" | "failed" | "unchecked";

export interface ValidationReport {
  readonly target: string;
  readonly valid: boolean;
  readonly attempts: number;
  readonly nodes: { readonly group: string; readonly expected: number; readonly ready: number; readonly status: CheckStatus }[];
  readonly notReadyNodes: {
    readonly name: string;
    readonly conditions: { type: string; status: string; reason?: string; message?: string }[];
  }[];
  readonly workloads: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly status: CheckStatus;
    readonly detail: string;
  }[];
  readonly dns: { readonly status: CheckStatus; readonly detail: string };
  /** Cluster DNS resolving in-cluster names from a short-lived pod (unchecked when skipped or not allowed, with the reason). */
  readonly dnsPod: DnsPodResult;
  readonly ingress: { readonly status: CheckStatus; readonly url?: string; readonly detail: string };
  /** One sentence per failed check. */
  readonly failures: string[];
}

export interface ValidateOptions {
  readonly target: string;
  /** How long to keep polling until valid, in milliseconds. @default 0 (one attempt) */
  readonly waitMs?: number;
  /** Between attempts, in milliseconds. @default 10000 */
  readonly pollIntervalMs?: number;
  /** The API client. @default from `kubeconfig` and `context` */
  readonly client?: KubeClient;
  /** @default $KUBECONFIG or ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default the context named `<cluster>-<generation>`, else the current context */
  readonly context?: string;
  /** The ingress health URL. @default http://<dnsName from the generation's ingress SSM parameter><healthPath> */
  readonly ingressUrl?: string;
  /** Reads the ingress parameter. @default the AWS SDK's SSM client */
  readonly readParameter?: ParameterReader;
  /** Timeout of the ingress GET, in milliseconds. @default 5000 */
  readonly ingressTimeoutMs?: number;
  readonly clusters?: readonly ClusterDefinition[];
  /** @default process.cwd() */
  readonly root?: string;
  /** @default "clusters/index.ts" */
  readonly definitionsModule?: string;
  /** Do not create the DNS check pod (the report says unchecked). @default false */
  readonly skipDnsPod?: boolean;
  /** How long the DNS check pod may take, in milliseconds. @default 120000 */
  readonly dnsPodTimeoutMs?: number;
  /** Between reads of the DNS check pod, in milliseconds. @default 2000 */
  readonly dnsPodPollIntervalMs?: number;
}

interface Workload {
  readonly kind: "Deployment" | "DaemonSet" | "StatefulSet";
  readonly namespace: string;
  readonly name: string;
}

const API_PATHS: Record<Workload["kind"], string> = { Deployment: "deployments", DaemonSet: "daemonsets", StatefulSet: "statefulsets" };

/**
 * The workloads of the generation's addon manifests: the frozen ones once it is locked (parsed from its YAML files),
 * else as rendered now. An unlocked generation's objects are taken as synthesized and checked, the steps of
 * renderAddonManifests (constructs/addons/render.ts) before it writes them as YAML: the same objects, and the same
 * ManifestValidationError when a check fails, without writing YAML only to parse it back (which was three quarters of
 * this function's CPU). test/validate.test.ts checks both branches find what parsing the rendered YAML finds.
 */
export function expectedWorkloads(gen: ResolvedGeneration, root: string): Workload[] {
  const frozen = join(root, frozenDirectory(gen.clusterName, gen.generationId), "addons");
  const objects = existsSync(frozen)
    ? readdirSync(frozen)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .flatMap((f) => parseAllDocuments(readFileSync(join(frozen, f), "utf8")).map((doc) => doc.toJSON() as unknown))
    : checkedAddonObjects(gen);
  return workloadsOf(objects);
}

/** The generation's addon objects in apply order, checked as renderAddonManifests checks them; throws as it does. */
function checkedAddonObjects(gen: ResolvedGeneration): unknown[] {
  return withSharedContentKeys(() => {
    const addons = synthesizeAddonObjects(gen);
    assertValidManifests(gen, addons);
    return addons.flatMap((addon) => addon.objects);
  });
}

/** The Deployments, DaemonSets and StatefulSets among Kubernetes objects, in their order. */
export function workloadsOf(objects: readonly unknown[]): Workload[] {
  const found: Workload[] = [];
  for (const object of objects) {
    const o = object as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (o && (o.kind === "Deployment" || o.kind === "DaemonSet" || o.kind === "StatefulSet") && o.metadata?.name)
      found.push({ kind: o.kind, namespace: o.metadata.namespace ?? "default", name: o.metadata.name });
  }
  return found;
}

interface K8sNode {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** One validation pass against the API (no polling). */
export async function validateOnce(
  gen: ResolvedGeneration,
  workloads: readonly Workload[],
  client: KubeClient,
  ingress: () => Promise<ValidationReport["ingress"]>,
  dnsFromPod: () => Promise<DnsPodResult> = async () => ({ status: "unchecked", detail: "not run" }),
): Promise<Omit<ValidationReport, "attempts" | "target">> {
  const failures: string[] = [];
  const nodes = ((await client.get("/api/v1/nodes")) as { items?: K8sNode[] }).items ?? [];
  const ready = (n: K8sNode) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const groups = [
    {
      group: "control-plane",
      expected: gen.controlPlane.count,
      match: (n: K8sNode) => n.metadata.labels?.[CONTROL_PLANE_LABEL] !== undefined,
    },
    ...gen.workerPools.map((p) => ({
      group: `pool ${p.name}`,
      // An autoscaled pool may sit at its minimum; a fixed one must have its desired size.
      expected: p.autoscale ? p.autoscale.min : p.desiredCapacity,
      match: (n: K8sNode) => n.metadata.labels?.[POOL_LABEL] === p.name,
    })),
  ];
  const nodeReport = groups.map((g) => {
    const count = nodes.filter((n) => g.match(n) && ready(n)).length;
    const status: CheckStatus = count >= g.expected ? "ok" : "failed";
    if (status === "failed") failures.push(`${g.group}: ${count} of ${g.expected} nodes Ready`);
    return { group: g.group, expected: g.expected, ready: count, status };
  });
  const notReadyNodes = nodes
    .filter((n) => !ready(n))
    .map((n) => ({
      name: n.metadata.name,
      conditions: (n.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
    }));
  for (const n of notReadyNodes)
    failures.push(
      `node ${n.name} is not Ready (${
        n.conditions
          .filter((c) => c.type === "Ready")
          .map((c) => `${c.reason ?? c.status}: ${c.message ?? ""}`.trim())
          .join("; ") || "no Ready condition"
      })`,
    );

  const workloadReport = [];
  for (const w of workloads) {
    const path = `/apis/apps/v1/namespaces/${w.namespace}/${API_PATHS[w.kind]}/${w.name}`;
    const object = (await client.get(path, { allowNotFound: true })) as
      | { spec?: { replicas?: number }; status?: Record<string, number> }
      | undefined;
    let detail: string;
    let ok: boolean;
    if (!object) {
      ok = false;
      detail = "not found";
    } else if (w.kind === "DaemonSet") {
      const s = object.status ?? {};
      const desired = s.desiredNumberScheduled ?? 0;
      ok =
        desired > 0 &&
        (s.currentNumberScheduled ?? 0) === desired &&
        (s.numberAvailable ?? 0) === desired &&
        (s.numberMisscheduled ?? 0) === 0;
      detail = `${s.numberAvailable ?? 0} of ${desired} scheduled pods available (${s.currentNumberScheduled ?? 0} scheduled)`;
    } else {
      // spec.replicas defaults to 1 (k8s.io/api apps/v1 DeploymentSpec, StatefulSetSpec).
      const desired = object.spec?.replicas ?? 1;
      const available = (w.kind === "Deployment" ? object.status?.availableReplicas : object.status?.readyReplicas) ?? 0;
      ok = available >= desired;
      detail = `${available} of ${desired} replicas ${w.kind === "Deployment" ? "available" : "ready"}`;
    }
    if (!ok) failures.push(`${w.kind} ${w.namespace}/${w.name}: ${detail}`);
    workloadReport.push({ ...w, status: (ok ? "ok" : "failed") as CheckStatus, detail });
  }

  // CoreDNS behind the kube-dns Service (kubeadm's name): its EndpointSlices (discovery.k8s.io/v1) list ready endpoints.
  const slices =
    (
      (await client.get(
        "/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns",
      )) as {
        items?: { endpoints?: { conditions?: { ready?: boolean } }[] }[];
      }
    ).items ?? [];
  const readyEndpoints = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
  const dns = {
    status: (readyEndpoints > 0 ? "ok" : "failed") as CheckStatus,
    detail: `${readyEndpoints} ready CoreDNS endpoints (Service kube-system/kube-dns)`,
  };
  if (dns.status === "failed") failures.push(`DNS: no ready CoreDNS endpoint behind kube-system/kube-dns`);
  // A pod's lookup can only succeed with an endpoint ready; without one the failure above says why.
  const dnsPod: DnsPodResult =
    dns.status === "ok" ? await dnsFromPod() : { status: "unchecked", detail: "not run: no ready CoreDNS endpoint" };
  if (dnsPod.status === "failed") failures.push(`DNS from a pod: ${dnsPod.detail}`);

  const ingressReport = await ingress();
  if (ingressReport.status === "failed") failures.push(`ingress: ${ingressReport.detail}`);
  return {
    valid: failures.length === 0,
    nodes: nodeReport,
    notReadyNodes,
    workloads: workloadReport,
    dns,
    dnsPod,
    ingress: ingressReport,
    failures,
  };
}

/** GETs the ingress health URL: ok on 2xx, failed on any other answer, unchecked when nothing answers from here. */
export async function checkIngress(url: string | undefined, why: string, timeoutMs: number): Promise<ValidationReport["ingress"]> {
  if (!url) return { status: "unchecked", detail: why };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300
      ? { status: "ok", url, detail: `HTTP ${response.status}` }
      : { status: "failed", url, detail: `GET ${url} answered HTTP ${response.status}` };
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return {
      status: "unchecked",
      url,
      detail: `GET ${url} got no answer from here (${cause}); run validate where the ingress load balancer is reachable, or pass --ingress-url`,
    };
  }
}

/** Validates the target, polling up to `waitMs` until valid. Throws (exit 2) on usage or configuration errors. */
export async function validateGeneration(options: ValidateOptions): Promise<ValidationReport> {
  const command = "validate";
  const target = parseTarget(options.target, command);
  const root = resolve(options.root ?? process.cwd());
  const clusters = options.clusters ?? loadDefinitions(root, options.definitionsModule ?? DEFAULT_DEFINITIONS_MODULE, command);
  const gen = findGeneration(clusters, target, command).resolved;
  const workloads = expectedWorkloads(gen, root);
  const client =
    options.client ?? loadKubeClient({ file: options.kubeconfig, context: options.context, preferredContext: gen.fullName, command });
  let ingressUrl = options.ingressUrl;
  let ingressWhy = "";
  if (!ingressUrl) {
    const name = ingressParameterName(gen.clusterName, gen.generationId);
    try {
      // Loaded only when no reader is given. require, not import(): with tsconfig's module node16 an import() in this
      // CommonJS file is a native ES import, which would need the file extension (TS2835).
      const value = await (options.readParameter ?? (require("./kubeconfig") as typeof import("./kubeconfig")).ssmParameterReader)(
        name,
        gen.region,
      );
      if (value === undefined) ingressWhy = `SSM parameter ${name} does not exist: the generation is not deployed in ${gen.region}`;
      else ingressUrl = `http://${(JSON.parse(value) as { dnsName: string }).dnsName}${gen.healthPath}`;
    } catch (error) {
      ingressWhy = `cannot read SSM parameter ${name} (${error instanceof Error ? error.message : String(error)}); grant ssm:GetParameter on it or pass --ingress-url`;
    }
  }
  const dnsFromPod = async (): Promise<DnsPodResult> =>
    options.skipDnsPod
      ? { status: "unchecked", detail: "skipped (--skip-dns-pod)" }
      : checkDnsFromPod(client, { timeoutMs: options.dnsPodTimeoutMs, pollIntervalMs: options.dnsPodPollIntervalMs });
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    let result: Omit<ValidationReport, "attempts" | "target">;
    try {
      result = await validateOnce(
        gen,
        workloads,
        client,
        () => checkIngress(ingressUrl, ingressWhy, options.ingressTimeoutMs ?? 5000),
        dnsFromPod,
      );
    } catch (error) {
      // The API not answering (yet) is a failed check, retried under --wait; a refused identity or a bad kubeconfig throws.
      if (!(error instanceof ApiUnreachableError)) throw error;
      const unchecked = { status: "unchecked" as CheckStatus, detail: "the API did not answer" };
      result = {
        valid: false,
        nodes: [],
        notReadyNodes: [],
        workloads: [],
        dns: unchecked,
        dnsPod: unchecked,
        ingress: unchecked,
        failures: [`API: ${error.message}`],
      };
    }
    if (result.valid || Date.now() + (options.pollIntervalMs ?? 10_000) > deadline)
      return { target: `${target.cluster}/${target.generation}`, attempts: attempt, ...result };
    await new Promise((r) => setTimeout(r, options.pollIntervalMs ?? 10_000));
  }
}

/** `15m`, `90s`, `1h`, `500ms` to milliseconds (Go's time.ParseDuration units, as kops' --wait). */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`validate: --wait "${text}" is not a duration; write it like "15m", "90s" or "1h"`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
}

/** The human-readable summary. */
export function formatReport(report: ValidationReport): string {
  const lines = [
    `${report.target}: ${report.valid ? "valid" : "INVALID"} (after ${report.attempts} attempt${report.attempts === 1 ? "" : "s"})`,
  ];
  for (const n of report.nodes) lines.push(`  nodes ${n.group}: ${n.ready}/${n.expected} Ready ${n.status}`);
  for (const w of report.workloads) lines.push(`  ${w.kind} ${w.namespace}/${w.name}: ${w.detail} ${w.status}`);
  lines.push(`  DNS: ${report.dns.detail} ${report.dns.status}`);
  lines.push(`  DNS from a pod: ${report.dnsPod.detail} ${report.dnsPod.status === "unchecked" ? "UNCHECKED" : report.dnsPod.status}`);
  lines.push(`  ingress: ${report.ingress.detail} ${report.ingress.status.toUpperCase()}`);
  for (const n of report.notReadyNodes)
    lines.push(`  NotReady ${n.name}: ${n.conditions.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`).join(", ")}`);
  for (const f of report.failures) lines.push(`  failed: ${f}`);
  return lines.join("\n");
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check that a generation is ready for traffic: nodes, addon workloads, DNS, ingress health (exit 0 valid, 1 invalid, 2 error)",
    )
    .argument("<cluster/generation>", 'the generation, e.g. "prod/b"')
    .option("--wait <duration>", 'keep checking until valid or this long has passed, e.g. "15m"', "0s")
    .option("--json", "print the report as JSON", false)
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: <cluster>-<generation>, else the current context)")
    .option("--ingress-url <url>", "the ingress health URL (default: from the generation's ingress SSM parameter)")
    .option("--skip-dns-pod", "do not create the short-lived pod that checks DNS (creating it needs access.admins rights)", false)
    .option("--definitions <module>", 'module exporting "clusters"', DEFAULT_DEFINITIONS_MODULE)
    .action(
      async (
        target: string,
        opts: {
          wait: string;
          json: boolean;
          kubeconfig?: string;
          context?: string;
          ingressUrl?: string;
          skipDnsPod: boolean;
          definitions: string;
        },
      ) => {
        const report = await validateGeneration({
          target,
          waitMs: parseDuration(opts.wait),
          kubeconfig: opts.kubeconfig,
          context: opts.context,
          ingressUrl: opts.ingressUrl,
          skipDnsPod: opts.skipDnsPod,
          definitionsModule: opts.definitions,
        });
        process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatReport(report)) + "\n");
        process.exitCode = report.valid ? 0 : 1;
      },
    );
}
