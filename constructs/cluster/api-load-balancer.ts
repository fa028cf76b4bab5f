// Owns the internal Network Load Balancer in front of the API servers (TCP 6443, TCP health check) and the private
// Route53 alias record that is the cluster's API endpoint.
import { Construct } from "constructs";
import { Lb, LbListener, LbTargetGroup, Route53Record } from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";

export interface ApiLoadBalancerProps {
  /** `<cluster>-<generation>`; the load balancer is `<name>-api`. */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** Private hosted zone of the API record. */
  readonly zoneId: string;
  /** Fully qualified API endpoint name, e.g. `api.a.prod.internal.example.com`. */
  readonly endpoint: string;
  /** @default 6443 */
  readonly port?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** The API endpoint of one generation. */
export class ApiLoadBalancer extends Construct {
  readonly targetGroupArn: string;
  readonly dnsName: string;
  readonly endpoint: string;
  readonly port: number;
  /**
   * What a node needs of the endpoint before it boots: the listener and the DNS record. Autoscaling groups depend on
   * these so no node runs `kubeadm init`/`join` against a name or port that does not exist yet.
   */
  readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.port = props.port ?? 6443;
    const lb = new Lb(this, "nlb", {
      name: `${props.name}-api`,
      internal: true,
      loadBalancerType: "network",
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      enableCrossZoneLoadBalancing: true,
      tags: { ...props.tags, Name: `${props.name}-api` },
    });
    const targets = new LbTargetGroup(this, "api-servers", {
      name: `${props.name}-api`,
      port: this.port,
      protocol: "TCP",
      targetType: "instance",
      vpcId: props.vpcId,
      // Without this, a control-plane node that reaches the API through the NLB and lands on itself hangs (hairpin).
      preserveClientIp: "false",
      deregistrationDelay: "30",
      healthCheck: { protocol: "TCP", port: "traffic-port", interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
      tags: { ...props.tags },
    });
    // The target group's `arn` and the balancer's `dnsName` read once each: cdktf 0.21.0 makes a new token per read of
    // an attribute (lib/terraform-resource.ts getStringAttribute), all resolving to the same reference (issue 17).
    this.targetGroupArn = targets.arn;
    this.dnsName = lb.dnsName;
    const listener = new LbListener(this, "listener", {
      loadBalancerArn: lb.arn,
      port: this.port,
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroupArn }],
      tags: { ...props.tags },
    });
    const record = new Route53Record(this, "endpoint", {
      zoneId: props.zoneId,
      name: props.endpoint,
      type: "A",
      alias: { name: this.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true },
    });
    this.dependables = [listener, record];
    this.endpoint = props.endpoint;
  }
}
