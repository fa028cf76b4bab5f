// Owns the small, explicit building blocks the observability and tenancy addons share when they write pod specs:
// resource requirements from settings, HTTP probes, container security contexts and the settings schemas they come from.
import { k8s } from "../../platform/k8s";
import { z } from "zod";

/** A Kubernetes quantity such as `100m`, `128Mi` or `2`. */
export const quantitySchema = z
  .string()
  .regex(/^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/, { error: 'must be a Kubernetes quantity such as "100m" or "128Mi"' });

/** CPU and memory of one side (requests or limits) of a container's resources. */
export interface ComputeResources {
  readonly cpu: string;
  readonly memory: string;
}

/** Requests and limits of a container; both are always set explicitly. */
export interface ContainerResources {
  readonly requests: ComputeResources;
  readonly limits: ComputeResources;
}

/** The zod schema of ContainerResources with the given defaults. */
export function resourcesSchema(defaults: ContainerResources) {
  const side = (d: ComputeResources) =>
    z
      .object({ cpu: quantitySchema.default(d.cpu), memory: quantitySchema.default(d.memory) })
      .strict()
      .prefault({});
  return z
    .object({ requests: side(defaults.requests), limits: side(defaults.limits) })
    .strict()
    .prefault({});
}

/** Converts settings-level resources into the Kubernetes type. */
export function toResourceRequirements(resources: ContainerResources): k8s.ResourceRequirements {
  const q = (side: ComputeResources) => ({ cpu: k8s.Quantity.fromString(side.cpu), memory: k8s.Quantity.fromString(side.memory) });
  return { requests: q(resources.requests), limits: q(resources.limits) };
}

/** An HTTP GET probe on a named container port with explicit timings. */
export function httpProbe(
  path: string,
  port: string,
  timing: { initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number } = {},
): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port), scheme: "HTTP" },
    initialDelaySeconds: timing.initialDelaySeconds ?? 10,
    periodSeconds: timing.periodSeconds ?? 10,
    timeoutSeconds: timing.timeoutSeconds ?? 5,
    failureThreshold: timing.failureThreshold ?? 3,
    successThreshold: 1,
  };
}

/** The container security context of software that runs as an unprivileged user and writes only to its volumes. */
export function unprivilegedContainerSecurity(user: number): k8s.SecurityContext {
  return {
    runAsUser: user,
    runAsGroup: user,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Standard `app.kubernetes.io` labels of one component of an addon. */
export function componentLabels(name: string, partOf: string, version: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": partOf,
    "app.kubernetes.io/version": version,
    "app.kubernetes.io/managed-by": "immutable-clusters",
  };
}

/** The label selector of a component: only its stable name label (the version label changes between releases). */
export function componentSelector(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}

/** The tag of an image reference such as `quay.io/prometheus/prometheus:v3.4.0`, without a digest. */
export function imageTag(image: string): string {
  const withoutDigest = image.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(colon + 1) : "latest";
}

/** An image pinned by exact tag (optionally with `@sha256:` digest); `latest` and untagged images are refused. */
export const pinnedImageSchema = z
  .string()
  .regex(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+:[A-Za-z0-9._-]+(@sha256:[a-f0-9]{64})?$/, {
    error: 'must be an image reference with registry and exact tag, e.g. "quay.io/prometheus/prometheus:v3.4.0"',
  })
  .refine((image) => imageTag(image) !== "latest", { error: 'must not use the "latest" tag: pin an exact version' });
