// Owns the explicit building blocks the core addons (cni, coredns, cloud-controller, metrics-server, ingress-nginx)
// share when they write pod specs: pinned image and resources settings, probes, security contexts, labels.
import { k8s } from "../../platform/k8s";
import { z } from "zod";
import {
  type ContainerResources,
  imageTag,
  pinnedImageSchema,
  resourcesSchema,
  toResourceRequirements,
} from "../monitoring/workload-defaults";

export { type ContainerResources, imageTag, pinnedImageSchema, resourcesSchema, toResourceRequirements };

/** `enabled` of an addon's settings: every core addon ships unless turned off. */
export const enabledSchema = z.boolean().default(true);

/** Standard labels of one component of a core addon, plus any extra (e.g. `k8s-app`) the software's tooling expects. */
export function addonLabels(name: string, partOf: string, image: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": partOf,
    "app.kubernetes.io/version": imageTag(image),
    "app.kubernetes.io/managed-by": "immutable-clusters",
  };
}

/** Probe timings; every field explicit in the output. */
export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

function timing(t: ProbeTiming): Omit<k8s.Probe, "httpGet" | "exec" | "tcpSocket"> {
  return {
    initialDelaySeconds: t.initialDelaySeconds ?? 0,
    periodSeconds: t.periodSeconds ?? 10,
    timeoutSeconds: t.timeoutSeconds ?? 5,
    failureThreshold: t.failureThreshold ?? 3,
    successThreshold: 1,
  };
}

/** An HTTP(S) GET probe on a port (name or number). */
export function httpGetProbe(
  path: string,
  port: string | number,
  t: ProbeTiming = {},
  options: { scheme?: "HTTP" | "HTTPS"; host?: string; headers?: { name: string; value: string }[] } = {},
): k8s.Probe {
  return {
    httpGet: {
      path,
      port: typeof port === "number" ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port),
      scheme: options.scheme ?? "HTTP",
      ...(options.host ? { host: options.host } : {}),
      ...(options.headers ? { httpHeaders: options.headers } : {}),
    },
    ...timing(t),
  };
}

/** Resource requirements of a container from settings. */
export function resources(r: ContainerResources): k8s.ResourceRequirements {
  return toResourceRequirements(r);
}

/** Fixed requests+limits (for small helper containers whose size is not a setting). */
export function fixedResources(cpu: string, memory: string, cpuLimit: string, memoryLimit: string): k8s.ResourceRequirements {
  return toResourceRequirements({ requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } });
}

/** A non-root, read-only, no-capability container (with optional added capabilities such as NET_BIND_SERVICE). */
export function restrictedSecurityContext(user: number, group: number = user, add: string[] = []): k8s.SecurityContext {
  return {
    runAsUser: user,
    runAsGroup: group,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"], ...(add.length > 0 ? { add } : {}) },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Tolerations that let a pod run on control-plane nodes (kubeadm's taint). */
export const CONTROL_PLANE_TOLERATIONS: k8s.Toleration[] = [
  { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
];

/** The label kubeadm puts on control-plane nodes. */
export const CONTROL_PLANE_NODE_SELECTOR: Record<string, string> = { "node-role.kubernetes.io/control-plane": "" };

/** Settings-level replicas range (used by settings schemas that scale a Deployment). */
export const replicaCountSchema = z.number().int().min(1).max(100);
