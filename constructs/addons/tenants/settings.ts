// Owns the settings of the tenants addon: the typed list a definition writes under `addons.tenants` (one entry per
// team namespace), with documented defaults, and the zod schema that validates names and fills the defaults in.
import { z } from "zod";
import { cidrProblem } from "../../definition/cidr";
import { quantityProblem } from "../../definition/quantity";

/** A quota or limit: a non-negative Kubernetes quantity, parsed (constructs/definition/quantity.ts), not matched. */
const quantitySchema = z.string().superRefine((value, ctx) => {
  const message = quantityProblem(value);
  if (message) ctx.addIssue({ code: "custom", message });
});

/** Namespaces the platform owns; a tenant may not take their names. */
export const RESERVED_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "logging",
  "monitoring",
  "ingress-nginx",
  // The gateway addon's namespace and the one Cilium syncs the Gateway's TLS Secrets into.
  "ingress-gateway",
  "cilium-secrets",
] as const;

/** Hard caps of a tenant namespace (a ResourceQuota). */
export interface TenantQuota {
  /** Sum of CPU requests. @default "4" */
  readonly requestsCpu?: string;
  /** Sum of memory requests. @default "8Gi" */
  readonly requestsMemory?: string;
  /** Sum of CPU limits. @default "8" */
  readonly limitsCpu?: string;
  /** Sum of memory limits. @default "16Gi" */
  readonly limitsMemory?: string;
  /** @default 50 */
  readonly pods?: number;
  /** @default 10 */
  readonly persistentVolumeClaims?: number;
  /** Sum of storage requests of the claims. @default "100Gi" */
  readonly requestsStorage?: string;
  /** Services of type LoadBalancer (each one an AWS load balancer). @default 0 */
  readonly loadBalancers?: number;
  /** Services of type NodePort. @default 0 */
  readonly nodePorts?: number;
}

/** Per-container defaults and bounds (a LimitRange). */
export interface TenantLimits {
  /** Requests of a container that sets none. @default { cpu: "100m", memory: "128Mi" } */
  readonly defaultRequest?: { readonly cpu?: string; readonly memory?: string };
  /** Limits of a container that sets none. @default { cpu: "500m", memory: "512Mi" } */
  readonly defaultLimit?: { readonly cpu?: string; readonly memory?: string };
  /** Largest limits one container may have. @default { cpu: "4", memory: "8Gi" } */
  readonly max?: { readonly cpu?: string; readonly memory?: string };
}

/** One team's namespace. */
export interface TenantDefinition {
  /** DNS-safe namespace name, unique in the generation, e.g. `team-payments`. */
  readonly name: string;
  /** Identity-provider groups bound to the built-in `admin` / `view` ClusterRoles. @default { admins: [], viewers: [] } */
  readonly groups?: { readonly admins?: readonly string[]; readonly viewers?: readonly string[] };
  /** @default see TenantQuota */
  readonly quota?: TenantQuota;
  /** @default see TenantLimits */
  readonly limits?: TenantLimits;
  /** Pod Security Admission level enforced; audit and warn are always `restricted`. @default "restricted" */
  readonly podSecurity?: "restricted" | "baseline";
  /** Further namespaces whose pods may connect in (ingress-nginx and monitoring always may). @default [] */
  readonly allowFrom?: readonly string[];
  /** CIDRs the tenant's pods may connect out to beyond cluster DNS and their own namespace, e.g. `0.0.0.0/0`. @default [] */
  readonly egressCidrs?: readonly string[];
  /**
   * Let `egressCidrs` reach addresses inside the VPC (nodes, load balancers, databases). Off, each egress CIDR excludes
   * the VPC CIDR, and a CIDR inside the VPC is refused. The instance metadata address is excluded either way.
   * @default false
   */
  readonly allowVpcEgress?: boolean;
}

const namespaceName = z
  .string()
  .max(63, { error: "must be at most 63 characters" })
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
    error: "must be a DNS label: lowercase letters, digits and '-', starting and ending alphanumeric",
  });

// "system:" groups are Kubernetes' own (system:authenticated, system:unauthenticated, system:serviceaccounts, ...):
// binding one as tenant admins or viewers would hand the namespace to every user, anonymous caller or service account.
const groupName = z
  .string()
  .min(1, { error: 'must not be empty; name an identity-provider group such as "payments-admins"' })
  .refine((g) => !g.startsWith("system:"), {
    error:
      'groups starting with "system:" are Kubernetes\' built-in groups (every user, anonymous caller or service account); name an identity-provider group such as "payments-admins"',
  });
const cidrSchema = z.string().superRefine((value, ctx) => {
  const message = cidrProblem(value, "10.0.0.0/8");
  if (message) ctx.addIssue({ code: "custom", message });
});
const cpuMemory = (cpu: string, memory: string) =>
  z
    .object({ cpu: quantitySchema.default(cpu), memory: quantitySchema.default(memory) })
    .strict()
    .prefault({});

/** Validates one tenant and fills in its defaults. */
export const tenantSchema = z
  .object({
    name: namespaceName
      .refine((n) => !n.startsWith("kube-"), { error: 'must not start with "kube-" (reserved for Kubernetes)' })
      .refine((n) => !(RESERVED_NAMESPACES as readonly string[]).includes(n), {
        error: `must not be a platform namespace (${RESERVED_NAMESPACES.join(", ")})`,
      }),
    groups: z
      .object({ admins: z.array(groupName).default([]), viewers: z.array(groupName).default([]) })
      .strict()
      .prefault({}),
    quota: z
      .object({
        requestsCpu: quantitySchema.default("4"),
        requestsMemory: quantitySchema.default("8Gi"),
        limitsCpu: quantitySchema.default("8"),
        limitsMemory: quantitySchema.default("16Gi"),
        pods: z.number().int().min(0).default(50),
        persistentVolumeClaims: z.number().int().min(0).default(10),
        requestsStorage: quantitySchema.default("100Gi"),
        loadBalancers: z.number().int().min(0).default(0),
        nodePorts: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        defaultRequest: cpuMemory("100m", "128Mi"),
        defaultLimit: cpuMemory("500m", "512Mi"),
        max: cpuMemory("4", "8Gi"),
      })
      .strict()
      .prefault({}),
    podSecurity: z.enum(["restricted", "baseline"]).default("restricted"),
    allowFrom: z.array(namespaceName).default([]),
    egressCidrs: z.array(cidrSchema).default([]),
    allowVpcEgress: z.boolean().default(false),
  })
  .strict();

/** Validates `addons.tenants`: each tenant valid, names unique. */
export const tenantsSettingsSchema = z
  .array(tenantSchema)
  .default([])
  .superRefine((tenants, ctx) => {
    const seen = new Map<string, number>();
    tenants.forEach((tenant, index) => {
      const first = seen.get(tenant.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `duplicate tenant name "${tenant.name}" (also tenants[${first}]); give each tenant its own namespace name`,
        });
      } else seen.set(tenant.name, index);
    });
  });

/** One tenant with every default applied. */
export type ResolvedTenant = z.output<typeof tenantSchema>;
