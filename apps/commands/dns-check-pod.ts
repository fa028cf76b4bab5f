// Owns validate's check that cluster DNS answers from a pod: a short-lived Pod in kube-system (restricted Pod Security,
// no service account token, an e2e test image pinned by digest) resolves two in-cluster names through the cluster's DNS
// Service, validate waits for it to finish (bounded), reads its phase, exit code and log, and deletes it whatever
// happened (success, failure, timeout, an error of its own).
import { randomBytes } from "node:crypto";
import { ApiRefusedError, ApiUnreachableError, type KubeClient } from "./kubeconfig-client";

/**
 * busybox 1.29 as the Kubernetes end-to-end tests use it (`registry.k8s.io/e2e-test-images/busybox:1.29-4`), pinned by
 * the digest the image promoter's manifest records for that tag: kubernetes/k8s.io
 * registry.k8s.io/images/k8s-staging-e2e-test-images/images.yaml (commit 005f141913354e48cc0b2b10432e449c8a83770f),
 * `busybox` dmap "sha256:2e0f836850e09b8b7cc937681d6194537a09fbd5f6b9e08f4d646a85128e8937": ["1.29-4"]. Its `nslookup`
 * queries the resolver of /etc/resolv.conf (the kubelet points it at the cluster DNS Service).
 */
export const DNS_CHECK_IMAGE =
  "registry.k8s.io/e2e-test-images/busybox:1.29-4@sha256:2e0f836850e09b8b7cc937681d6194537a09fbd5f6b9e08f4d646a85128e8937";

export const DNS_CHECK_NAMESPACE = "kube-system";
const NAME_PREFIX = "immutable-clusters-dns-check-";
/** The unprivileged user the check runs as (nobody; busybox needs no other). */
const RUN_AS = 65534;

/** The names the pod resolves: the API's Service and the DNS Service itself, both answered by CoreDNS, nothing external. */
export function dnsCheckNames(clusterDomain: string): string[] {
  return [`kubernetes.default.svc.${clusterDomain}`, `kube-dns.kube-system.svc.${clusterDomain}`];
}

export interface DnsPodResult {
  readonly status: "ok" | "failed" | "unchecked";
  /** The pod's name, when one was created. */
  readonly pod?: string;
  readonly detail: string;
}

export interface DnsPodOptions {
  /** @default "cluster.local" (the dnsDomain of constructs/ignition/kubeadm-config.ts) */
  readonly clusterDomain?: string;
  /** How long the pod may take to finish, in milliseconds; also its activeDeadlineSeconds. @default 120000 */
  readonly timeoutMs?: number;
  /** Between reads of the pod, in milliseconds. @default 2000 */
  readonly pollIntervalMs?: number;
  /** The pod name's random suffix. @default 5 random hex characters */
  readonly suffix?: string;
}

/** The Pod: meets the restricted Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted). */
/**
 * The pod's shell script: each name must resolve. busybox's nslookup exits non-zero only when no server answered: an
 * NXDOMAIN answer prints "** server can't find <name>: NXDOMAIN" and still exits 0 (mirror/busybox networking/nslookup.c,
 * nslookup_main of the FEATURE_NSLOOKUP_BIG implementation, "should this affect exicode too?"), while the small
 * implementation exits 1 on a failed lookup. Both print a "Name:" line for an answer, so the script also requires one.
 */
export function dnsCheckScript(clusterDomain: string): string {
  const names = dnsCheckNames(clusterDomain).join(" ");
  return (
    `for name in ${names}; do ` +
    `out="$(nslookup "$name" 2>&1)"; rc=$?; echo "$out"; ` +
    `[ "$rc" -eq 0 ] || exit "$rc"; ` +
    `echo "$out" | grep -q '^Name:' || { echo "no answer for $name"; exit 1; }; ` +
    `done`
  );
}

export function dnsCheckPod(name: string, clusterDomain: string, timeoutMs: number): Record<string, unknown> {
  const script = dnsCheckScript(clusterDomain);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: DNS_CHECK_NAMESPACE,
      labels: { "app.kubernetes.io/name": "immutable-clusters-dns-check", "app.kubernetes.io/managed-by": "immutable-clusters" },
    },
    spec: {
      restartPolicy: "Never",
      // The kubelet stops it at the same bound validate waits (PodSpec activeDeadlineSeconds).
      activeDeadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: RUN_AS, runAsGroup: RUN_AS, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "nslookup",
          image: DNS_CHECK_IMAGE,
          command: ["sh", "-c", script],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
        },
      ],
    },
  };
}

interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  containerStatuses?: {
    state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string } };
  }[];
}

/** Why a pod is still Pending, from its PodScheduled condition or its container's waiting state. */
function pendingReason(status: PodStatus | undefined): string {
  const scheduled = status?.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False")
    return `not scheduled: ${scheduled.reason ?? ""}${scheduled.message ? ` ${scheduled.message}` : ""}`.trim();
  const waiting = status?.containerStatuses?.[0]?.state?.waiting;
  if (waiting) return `container waiting: ${waiting.reason ?? ""}${waiting.message ? ` ${waiting.message}` : ""}`.trim();
  return "no status yet";
}

/** The last non-empty lines of a log, whitespace collapsed, on one line. */
const lastLines = (log: string) =>
  log
    .split("\n")
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .slice(-4)
    .join(" | ");

/** Creates the pod, waits for it (bounded), reads the result and deletes it. Throws only ApiUnreachableError. */
export async function checkDnsFromPod(client: KubeClient, options: DnsPodOptions = {}): Promise<DnsPodResult> {
  const clusterDomain = options.clusterDomain ?? "cluster.local";
  const timeoutMs = options.timeoutMs ?? 120_000;
  const name = NAME_PREFIX + (options.suffix ?? randomBytes(3).toString("hex").slice(0, 5));
  const podPath = `/api/v1/namespaces/${DNS_CHECK_NAMESPACE}/pods`;
  try {
    await client.post(podPath, dnsCheckPod(name, clusterDomain, timeoutMs));
  } catch (error) {
    if (error instanceof ApiRefusedError)
      return {
        status: "unchecked",
        detail: `the API refused creating pod ${DNS_CHECK_NAMESPACE}/${name} (HTTP ${error.status}); run validate as a role of access.admins (viewers may only read), or pass --skip-dns-pod`,
      };
    throw error;
  }
  let result: DnsPodResult;
  try {
    result = await waitForPod(client, `${podPath}/${name}`, name, dnsCheckNames(clusterDomain), timeoutMs, options.pollIntervalMs ?? 2000);
  } catch (error) {
    result = {
      status: error instanceof ApiUnreachableError ? "unchecked" : "failed",
      pod: name,
      detail: `reading pod ${DNS_CHECK_NAMESPACE}/${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  try {
    await client.delete(`${podPath}/${name}`, { allowNotFound: true });
  } catch (error) {
    result = {
      ...result,
      detail: `${result.detail}; the pod could not be deleted (${error instanceof Error ? error.message : String(error)}): delete it with "kubectl -n ${DNS_CHECK_NAMESPACE} delete pod ${name}"`,
    };
  }
  return result;
}

async function waitForPod(
  client: KubeClient,
  path: string,
  name: string,
  names: readonly string[],
  timeoutMs: number,
  pollMs: number,
): Promise<DnsPodResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pod = (await client.get(path, { allowNotFound: true })) as { spec?: { nodeName?: string }; status?: PodStatus } | undefined;
    if (!pod) return { status: "failed", pod: name, detail: `pod ${DNS_CHECK_NAMESPACE}/${name} disappeared before it finished` };
    const status = pod.status;
    const exitCode = status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
    if (status?.phase === "Succeeded")
      return {
        status: "ok",
        pod: name,
        detail: `pod ${DNS_CHECK_NAMESPACE}/${name}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ""} resolved ${names.join(" and ")} through cluster DNS`,
      };
    if (status?.phase === "Failed") {
      const log = await client.getText(`${path}/log?container=nslookup`).catch(() => "");
      const why =
        exitCode !== undefined
          ? `exited ${exitCode}`
          : `failed (${status.reason ?? "no reason"}${status.message ? `: ${status.message}` : ""})`;
      return { status: "failed", pod: name, detail: `pod ${DNS_CHECK_NAMESPACE}/${name} ${why}${log.trim() ? `: ${lastLines(log)}` : ""}` };
    }
    if (Date.now() + pollMs > deadline) {
      const phase = status?.phase ?? "Pending";
      return {
        status: "failed",
        pod: name,
        detail: `pod ${DNS_CHECK_NAMESPACE}/${name} did not finish within ${Number((timeoutMs / 1000).toFixed(1))}s (${phase}${phase === "Pending" ? `, ${pendingReason(status)}` : ""})`,
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
