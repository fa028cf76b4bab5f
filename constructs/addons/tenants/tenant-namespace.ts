// Owns one team's namespace: Pod Security Admission labels, ResourceQuota, LimitRange, default-deny NetworkPolicies
// with the allowances a workload needs (cluster DNS, its own namespace, the ingress controller, monitoring) and
// RoleBindings of the team's groups to the built-in `admin` and `view` ClusterRoles.
import { Lazy } from "cdk8s";
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { cidrsOverlap, parseIpv4Cidr } from "../../definition/cidr";
import { type ResolvedTenant, type TenantDefinition, tenantSchema } from "./settings";

export interface TenantNamespaceProps extends TenantDefinition {
  /** The cluster's Kubernetes version, e.g. `1.31.0`: pins the Pod Security Standards version (`v1.31`). */
  readonly kubernetesVersion: string;
  /**
   * The VPC's CIDR: egress CIDRs exclude it unless the tenant sets `allowVpcEgress`.
   * @default undefined (only the instance metadata address is excluded)
   */
  readonly vpcCidr?: string;
}

/**
 * The EC2 instance metadata service (IMDS), where a pod reaching it could read the node role's credentials:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
export const INSTANCE_METADATA_CIDR = "169.254.169.254/32";

/** Whether `inner` lies entirely inside `outer` (both valid IPv4 CIDRs). */
function cidrContains(outer: string, inner: string): boolean {
  const o = parseIpv4Cidr(outer);
  const i = parseIpv4Cidr(inner);
  return !!o && !!i && o.prefix <= i.prefix && cidrsOverlap(outer, inner);
}

/** Namespaces whose pods may always reach a tenant: the ingress controller and Prometheus. */
export const ALWAYS_ALLOWED_FROM = ["ingress-nginx", "monitoring"] as const;
/** Where cluster DNS runs and the label of its pods. */
export const CLUSTER_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } } as const;

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** A team's isolated namespace; grant access and open traffic with its verbs. */
export class TenantNamespace extends Construct {
  /** The namespace name. */
  readonly name: string;
  private readonly tenant: ResolvedTenant;
  private readonly admins: string[] = [];
  private readonly viewers: string[] = [];
  private readonly ingressNamespaces: string[] = [...ALWAYS_ALLOWED_FROM];
  private readonly egressCidrs: string[] = [];
  private readonly vpcCidr?: string;
  private egressPolicy?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: TenantNamespaceProps) {
    super(scope, id);
    const { kubernetesVersion, vpcCidr, ...definition } = props;
    this.vpcCidr = vpcCidr;
    const parsed = tenantSchema.safeParse(definition, { jitless: true });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`TenantNamespace ${id}: ${issue.path.join(".") || "(props)"}: ${issue.message}`);
    }
    this.tenant = parsed.data;
    this.name = this.tenant.name;

    this.addNamespace(kubernetesVersion);
    this.addQuota();
    this.addLimitRange();
    this.addNetworkPolicies();
    this.tenant.groups.admins.forEach((g) => this.grantAdmin(g));
    this.tenant.groups.viewers.forEach((g) => this.grantView(g));
    this.tenant.allowFrom.forEach((ns) => this.allowIngressFrom(ns));
    this.tenant.egressCidrs.forEach((cidr) => this.allowEgressTo(cidr));
  }

  /** Binds a group to the built-in `admin` ClusterRole in this namespace. */
  grantAdmin(group: string): this {
    if (this.admins.length === 0) this.addRoleBinding("admins", "admin", this.admins);
    if (!this.admins.includes(group)) this.admins.push(group);
    return this;
  }

  /** Binds a group to the built-in `view` ClusterRole in this namespace. */
  grantView(group: string): this {
    if (this.viewers.length === 0) this.addRoleBinding("viewers", "view", this.viewers);
    if (!this.viewers.includes(group)) this.viewers.push(group);
    return this;
  }

  /** Lets pods of another namespace connect to this namespace's pods. */
  allowIngressFrom(namespace: string): this {
    if (!this.ingressNamespaces.includes(namespace)) this.ingressNamespaces.push(namespace);
    return this;
  }

  /**
   * Lets this namespace's pods connect out to a CIDR (e.g. `0.0.0.0/0` for the internet through the VPC's routes),
   * except the instance metadata address and, unless the tenant sets `allowVpcEgress`, the VPC.
   */
  allowEgressTo(cidr: string): this {
    const field = `addons.tenants["${this.name}"].egressCidrs`;
    if (cidrContains(INSTANCE_METADATA_CIDR, cidr)) {
      throw new Error(`${field}: ${cidr} is the instance metadata address, which hands out the node role's credentials; remove it`);
    }
    if (this.vpcCidr && !this.tenant.allowVpcEgress && cidrContains(this.vpcCidr, cidr)) {
      throw new Error(
        `${field}: ${cidr} lies inside the VPC ${this.vpcCidr}, which tenant egress excludes by default; set allowVpcEgress: true on tenant "${this.name}" to reach it, or remove it`,
      );
    }
    if (!this.egressPolicy) {
      this.egressPolicy = this.networkPolicy("allow-egress-cidrs", "egress", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: Lazy.any({ produce: () => this.egressCidrs.map((c) => ({ ipBlock: this.ipBlock(c) })) }) }],
      });
    }
    if (!this.egressCidrs.includes(cidr)) this.egressCidrs.push(cidr);
    return this;
  }

  /** An egress ipBlock: Kubernetes requires each `except` entry to lie inside `cidr`, so only those that do are listed. */
  private ipBlock(cidr: string): { cidr: string; except?: string[] } {
    const excluded = [INSTANCE_METADATA_CIDR, ...(this.vpcCidr && !this.tenant.allowVpcEgress ? [this.vpcCidr] : [])];
    const except = excluded.filter((e) => e !== cidr && cidrContains(cidr, e));
    return except.length > 0 ? { cidr, except } : { cidr };
  }

  private addNamespace(kubernetesVersion: string): void {
    const [major, minor] = kubernetesVersion.replace(/^v/, "").split(".");
    const version = `v${major}.${minor}`;
    const level = this.tenant.podSecurity;
    new k8s.KubeNamespace(this, "namespace", {
      metadata: {
        name: this.name,
        labels: {
          "app.kubernetes.io/managed-by": "immutable-clusters",
          "immutable-clusters.io/tenant": this.name,
          "pod-security.kubernetes.io/enforce": level,
          "pod-security.kubernetes.io/enforce-version": version,
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/audit-version": version,
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": version,
        },
      },
    });
  }

  private addQuota(): void {
    const q = this.tenant.quota;
    const n = (v: number) => k8s.Quantity.fromString(String(v));
    const s = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeResourceQuota(this, "quota", {
      metadata: { name: "tenant-quota", namespace: this.name, labels: this.labels() },
      spec: {
        hard: {
          "requests.cpu": s(q.requestsCpu),
          "requests.memory": s(q.requestsMemory),
          "limits.cpu": s(q.limitsCpu),
          "limits.memory": s(q.limitsMemory),
          pods: n(q.pods),
          persistentvolumeclaims: n(q.persistentVolumeClaims),
          "requests.storage": s(q.requestsStorage),
          "services.loadbalancers": n(q.loadBalancers),
          "services.nodeports": n(q.nodePorts),
        },
      },
    });
  }

  private addLimitRange(): void {
    const l = this.tenant.limits;
    const cm = (v: { cpu: string; memory: string }) => ({ cpu: k8s.Quantity.fromString(v.cpu), memory: k8s.Quantity.fromString(v.memory) });
    new k8s.KubeLimitRange(this, "limits", {
      metadata: { name: "tenant-limits", namespace: this.name, labels: this.labels() },
      spec: { limits: [{ type: "Container", defaultRequest: cm(l.defaultRequest), default: cm(l.defaultLimit), max: cm(l.max) }] },
    });
  }

  private addNetworkPolicies(): void {
    this.networkPolicy("default-deny", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    this.networkPolicy("allow-dns", "dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: CLUSTER_DNS.namespace } },
              podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } },
            },
          ],
          ports: [
            { protocol: "UDP", port: k8s.IntOrString.fromNumber(53) },
            { protocol: "TCP", port: k8s.IntOrString.fromNumber(53) },
          ],
        },
      ],
    });
    this.networkPolicy("allow-same-namespace", "same-namespace", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    this.networkPolicy("allow-from-namespaces", "from-namespaces", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  { key: NAMESPACE_NAME_LABEL, operator: "In", values: Lazy.any({ produce: () => [...this.ingressNamespaces] }) },
                ],
              },
            },
          ],
        },
      ],
    });
  }

  private networkPolicy(name: string, id: string, spec: k8s.NetworkPolicySpec): k8s.KubeNetworkPolicy {
    return new k8s.KubeNetworkPolicy(this, `network-policy-${id}`, {
      metadata: { name, namespace: this.name, labels: this.labels() },
      spec,
    });
  }

  private addRoleBinding(id: string, clusterRole: "admin" | "view", groups: string[]): void {
    new k8s.KubeRoleBinding(this, `role-binding-${id}`, {
      metadata: { name: `tenant-${id}`, namespace: this.name, labels: this.labels() },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
      subjects: Lazy.any({ produce: () => groups.map((g) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: g })) }),
    });
  }

  private labels(): Record<string, string> {
    return { "app.kubernetes.io/managed-by": "immutable-clusters", "immutable-clusters.io/tenant": this.name };
  }
}
