// Owns the generation's security groups and every rule between them: explicit rules only, nothing reachable from
// 0.0.0.0/0. Each rule is one resource with a description, so a reviewer reads the cluster's network surface here.
// Each group's `id` is read once (groupId): cdktf 0.21.0 makes a new token on every read of a resource attribute
// (lib/terraform-resource.ts getStringAttribute: Token.asString(interpolationForAttribute(...)), a new Reference
// registered in the TokenMap each time), and all of them resolve to the same `${aws_security_group.<id>.id}`, so one
// token per group gives the same Terraform JSON with about 35 fewer tokens per generation (issue 17).
import { Construct } from "constructs";
import { SecurityGroup, VpcSecurityGroupEgressRule, VpcSecurityGroupIngressRule } from "../platform/aws";

/** Ports of the CNI (Cilium in VXLAN tunnel mode) that every node must reach on every other node. */
export const CNI_PORTS = {
  /** VXLAN overlay. */
  vxlan: { protocol: "udp", port: 8472 },
  /** Cilium node-to-node health checks. */
  health: { protocol: "tcp", port: 4240 },
} as const;

/** Ports of the control plane and nodes. */
export const NODE_PORTS = {
  ssh: 22,
  apiServer: 6443,
  etcd: { from: 2379, to: 2380 },
  kubelet: 10250,
  nodeExporter: 9100,
  nodePorts: { from: 30000, to: 32767 },
} as const;

export interface ClusterSecurityGroupsProps {
  readonly name: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly adminCidrs: readonly string[];
  /**
   * CIDRs that reach port 22 on every node (break-glass SSH). Empty unless the generation sets SSH keys.
   * @default []
   */
  readonly sshCidrs?: readonly string[];
  /** NodePorts the ingress load balancer forwards to. */
  readonly ingressNodePorts: readonly number[];
  /**
   * Open the whole NodePort range on the workers to `vpcCidr` (an explicit opt-in of the definition).
   * @default false (NodePorts only from the ingress load balancer's security group)
   */
  readonly nodePortsFromVpc?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

type Source = { readonly group: SecurityGroup } | { readonly cidr: string };

/** The security groups of the control plane, the workers and the two load balancers. */
export class ClusterSecurityGroups extends Construct {
  readonly controlPlane: SecurityGroup;
  readonly workers: SecurityGroup;
  readonly apiLoadBalancer: SecurityGroup;
  readonly ingressLoadBalancer: SecurityGroup;
  private readonly tags: Readonly<Record<string, string>>;
  /** Each group's `id` token, read once (see the header). */
  private readonly ids = new Map<SecurityGroup, string>();

  constructor(scope: Construct, id: string, props: ClusterSecurityGroupsProps) {
    super(scope, id);
    this.tags = props.tags;
    const group = (gid: string, what: string) =>
      new SecurityGroup(this, gid, {
        name: `${props.name}-${gid}`,
        description: `${what} of Kubernetes cluster ${props.name}`,
        vpcId: props.vpcId,
        tags: { ...props.tags, Name: `${props.name}-${gid}` },
      });
    this.controlPlane = group("controllers", "Control-plane nodes");
    this.workers = group("workers", "Worker nodes");
    this.apiLoadBalancer = group("api-lb", "Internal API load balancer");
    this.ingressLoadBalancer = group("ingress-lb", "Ingress load balancer");

    const cp = { group: this.controlPlane };
    const workers = { group: this.workers };
    const apiLb = { group: this.apiLoadBalancer };
    const ingressLb = { group: this.ingressLoadBalancer };

    // Kubernetes API: through the load balancer from nodes and admins; directly from nodes (the `kubernetes` Service).
    this.allow(this.apiLoadBalancer, "tcp", NODE_PORTS.apiServer, NODE_PORTS.apiServer, cp, "API from control-plane nodes");
    this.allow(this.apiLoadBalancer, "tcp", NODE_PORTS.apiServer, NODE_PORTS.apiServer, workers, "API from workers");
    props.adminCidrs.forEach((cidr) =>
      this.allow(this.apiLoadBalancer, "tcp", NODE_PORTS.apiServer, NODE_PORTS.apiServer, { cidr }, `API from admin range ${cidr}`),
    );
    this.allow(
      this.controlPlane,
      "tcp",
      NODE_PORTS.apiServer,
      NODE_PORTS.apiServer,
      apiLb,
      "API from the API load balancer (traffic and health checks)",
    );
    this.allow(this.controlPlane, "tcp", NODE_PORTS.apiServer, NODE_PORTS.apiServer, cp, "API between control-plane nodes");
    this.allow(
      this.controlPlane,
      "tcp",
      NODE_PORTS.apiServer,
      NODE_PORTS.apiServer,
      workers,
      "API from workers (kubernetes Service endpoints)",
    );

    // Break-glass SSH, only when the generation sets keys (otherwise the nodes run no SSH daemon at all).
    for (const cidr of props.sshCidrs ?? []) {
      this.allow(this.controlPlane, "tcp", NODE_PORTS.ssh, NODE_PORTS.ssh, { cidr }, `SSH (break-glass) from admin range ${cidr}`);
      this.allow(this.workers, "tcp", NODE_PORTS.ssh, NODE_PORTS.ssh, { cidr }, `SSH (break-glass) from admin range ${cidr}`);
    }

    // etcd between control-plane nodes only.
    this.allow(
      this.controlPlane,
      "tcp",
      NODE_PORTS.etcd.from,
      NODE_PORTS.etcd.to,
      cp,
      "etcd client and peer traffic between control-plane nodes",
    );

    // kubelet: from the API server (control plane) and from metrics-server/Prometheus running on workers.
    for (const [target, name] of [
      [this.controlPlane, "control-plane"],
      [this.workers, "worker"],
    ] as const) {
      this.allow(target, "tcp", NODE_PORTS.kubelet, NODE_PORTS.kubelet, cp, `kubelet on ${name} nodes from the control plane`);
      this.allow(
        target,
        "tcp",
        NODE_PORTS.kubelet,
        NODE_PORTS.kubelet,
        workers,
        `kubelet on ${name} nodes from metrics-server and Prometheus`,
      );
      this.allow(
        target,
        "tcp",
        NODE_PORTS.nodeExporter,
        NODE_PORTS.nodeExporter,
        workers,
        `node-exporter on ${name} nodes from Prometheus`,
      );
      for (const source of [cp, workers]) {
        const from = "group" in source && source.group === this.controlPlane ? "control-plane" : "worker";
        this.allow(
          target,
          CNI_PORTS.vxlan.protocol,
          CNI_PORTS.vxlan.port,
          CNI_PORTS.vxlan.port,
          source,
          `CNI overlay (VXLAN) from ${from} nodes`,
        );
        this.allow(
          target,
          CNI_PORTS.health.protocol,
          CNI_PORTS.health.port,
          CNI_PORTS.health.port,
          source,
          `CNI health checks from ${from} nodes`,
        );
      }
    }

    // The ingress NodePorts from the ingress load balancer only (an NLB with a security group: targets reference it,
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html); the whole
    // NodePort range from the VPC only when the definition opts in (network.nodePortsFromVpc).
    if (props.nodePortsFromVpc) {
      this.allow(
        this.workers,
        "tcp",
        NODE_PORTS.nodePorts.from,
        NODE_PORTS.nodePorts.to,
        { cidr: props.vpcCidr },
        "NodePort Services from inside the VPC (network.nodePortsFromVpc)",
      );
    }
    props.ingressNodePorts.forEach((port) =>
      this.allow(this.workers, "tcp", port, port, ingressLb, `ingress NodePort ${port} from the ingress load balancer`),
    );
    this.allow(this.ingressLoadBalancer, "tcp", 80, 80, { cidr: props.vpcCidr }, "HTTP from inside the VPC");
    this.allow(this.ingressLoadBalancer, "tcp", 443, 443, { cidr: props.vpcCidr }, "HTTPS from inside the VPC");

    // Egress: nodes pull images and reach AWS APIs through the VPC's own routes; load balancers reach their targets.
    for (const [gid, sg] of [
      ["controllers", this.controlPlane],
      ["workers", this.workers],
    ] as const) {
      new VpcSecurityGroupEgressRule(this, `${gid}-egress`, {
        securityGroupId: this.groupId(sg),
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "All outbound (image pulls, AWS APIs) through the VPC's routes",
        tags: { ...props.tags },
      });
    }
    new VpcSecurityGroupEgressRule(this, "api-lb-egress", {
      securityGroupId: this.groupId(this.apiLoadBalancer),
      ipProtocol: "tcp",
      fromPort: NODE_PORTS.apiServer,
      toPort: NODE_PORTS.apiServer,
      referencedSecurityGroupId: this.groupId(this.controlPlane),
      description: "To the API servers",
      tags: { ...props.tags },
    });
    props.ingressNodePorts.forEach(
      (port) =>
        new VpcSecurityGroupEgressRule(this, `ingress-lb-egress-${port}`, {
          securityGroupId: this.groupId(this.ingressLoadBalancer),
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: this.groupId(this.workers),
          description: `To the ingress NodePort ${port} on workers`,
          tags: { ...props.tags },
        }),
    );
  }

  /**
   * Adds one ingress rule to `target` from a group or a CIDR. The construct id is derived from the rule itself,
   * so adding or removing a rule never renames (and so replaces) the others.
   */
  allow(
    target: SecurityGroup,
    protocol: string,
    fromPort: number,
    toPort: number,
    source: Source,
    description: string,
  ): VpcSecurityGroupIngressRule {
    const from = "group" in source ? source.group.node.id : source.cidr.replace(/[./]/g, "-");
    const ports = fromPort === toPort ? `${fromPort}` : `${fromPort}-${toPort}`;
    const id = `${target.node.id}-${protocol}-${ports}-from-${from}`;
    return new VpcSecurityGroupIngressRule(this, id, {
      securityGroupId: this.groupId(target),
      ipProtocol: protocol,
      fromPort,
      toPort,
      ...("group" in source ? { referencedSecurityGroupId: this.groupId(source.group) } : { cidrIpv4: source.cidr }),
      description,
      tags: { ...this.tags },
    });
  }

  /** The `id` of a security group (its Terraform reference), the same token on every call (see the header). */
  groupId(group: SecurityGroup): string {
    let id = this.ids.get(group);
    if (id === undefined) {
      id = group.id;
      this.ids.set(group, id);
    }
    return id;
  }
}
