// Owns the generation's ingress Network Load Balancer: 80 and 443 forwarded (TCP, TLS passes through) to the ingress
// controller's NodePorts on the ingress pools, health-checked on the controller's HTTP health endpoint. Its DNS name
// is what the traffic stack's weighted records point at.
import { Construct } from "constructs";
import { Lb, LbListener, LbTargetGroup } from "../platform/aws";

export interface IngressLoadBalancerProps {
  /** `<cluster>-<generation>`; the load balancer is `<name>-ing`. */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** NodePorts of the ingress controller. */
  readonly nodePorts: { readonly http: number; readonly https: number };
  /** HTTP path of the controller's health endpoint, e.g. `/healthz`. */
  readonly healthPath: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The ingress entry point of one generation. */
export class IngressLoadBalancer extends Construct {
  /** Load balancer name, unique to the generation (the traffic stack looks it up by this name). */
  readonly name: string;
  readonly dnsName: string;
  readonly zoneId: string;
  readonly arnSuffix: string;
  /** Target groups the ingress pools register with. */
  readonly targetGroupArns: string[];
  /** Target group names, e.g. for CloudWatch health alarms. */
  readonly httpTargetGroupArnSuffix: string;

  constructor(scope: Construct, id: string, props: IngressLoadBalancerProps) {
    super(scope, id);
    this.name = `${props.name}-ing`;
    const lb = new Lb(this, "nlb", {
      name: this.name,
      internal: true,
      loadBalancerType: "network",
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      enableCrossZoneLoadBalancing: true,
      tags: { ...props.tags, Name: this.name },
    });
    const healthCheck = {
      protocol: "HTTP",
      port: String(props.nodePorts.http),
      path: props.healthPath,
      matcher: "200-399",
      interval: 10,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
    };
    const listeners: Array<[string, number, number]> = [
      ["http", 80, props.nodePorts.http],
      ["https", 443, props.nodePorts.https],
    ];
    // Each `arn` read once: cdktf 0.21.0 makes a new token per read of an attribute (lib/terraform-resource.ts
    // getStringAttribute), all resolving to the same reference (issue 17).
    const lbArn = lb.arn;
    const groupArns = listeners.map(([key, port, nodePort]) => {
      const group = new LbTargetGroup(this, key, {
        name: `${props.name}-${key}`,
        port: nodePort,
        protocol: "TCP",
        targetType: "instance",
        vpcId: props.vpcId,
        deregistrationDelay: "30",
        healthCheck,
        tags: { ...props.tags },
      });
      const groupArn = group.arn;
      new LbListener(this, `${key}-listener`, {
        loadBalancerArn: lbArn,
        port,
        protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: groupArn }],
        tags: { ...props.tags },
      });
      return { group, groupArn };
    });
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.arnSuffix = lb.arnSuffix;
    this.targetGroupArns = groupArns.map((g) => g.groupArn);
    this.httpTargetGroupArnSuffix = groupArns[0].group.arnSuffix;
  }
}
