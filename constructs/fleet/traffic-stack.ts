// Owns the shared entry point of a logical cluster, which outlives every generation: one Route53 weighted alias record
// per live generation, pointing at that generation's ingress load balancer (read from the SSM parameter the generation
// publishes), each guarded by a Route53 health check on a CloudWatch alarm over the ingress nodes' health, so a failing
// generation drops out of rotation by itself. Weights come from the definition: a shift is a one-line change.
import { Construct } from "constructs";
import { resolveGeneration, type ResolvedGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { parsedDefinition } from "../definition/parsed-definitions";
import { AwsProvider, CloudwatchMetricAlarm, DataAwsSsmParameter, Route53HealthCheck, Route53Record } from "../platform/aws";
import { ResolveOnceStack } from "../platform/resolve-once-stack";
import { Fn, TerraformOutput, Token } from "../platform/terraform";
import { ingressParameterName } from "./ingress-parameter";
import { configureStateBackend } from "./state-backend";

/** `<cluster>-traffic`: the name of a cluster's traffic stack. */
export function trafficStackName(clusterName: string): string {
  return `${clusterName}-traffic`;
}

/** `<traffic.hostname>.<cluster>.<private zone>`: the name clients use, e.g. `apps.prod.internal.example.com`. */
export function trafficHostname(cluster: ClusterDefinition): string {
  return `${cluster.traffic?.hostname ?? "apps"}.${cluster.name}.${cluster.dns.privateZoneName}`;
}

export interface TrafficStackProps {
  readonly cluster: ClusterDefinition;
}

/** The resources that route a share of traffic to one generation. */
export interface GenerationRoute {
  readonly generation: ResolvedGeneration;
  readonly alarm: CloudwatchMetricAlarm;
  readonly healthCheck: Route53HealthCheck;
  readonly record: Route53Record;
}

/** Weighted DNS across the generations of one logical cluster. */
export class TrafficStack extends ResolveOnceStack {
  /** Fully qualified name clients use, e.g. `apps.prod.internal.example.com`. */
  readonly hostname: string;
  /** One route per live generation (retiring generations have none), in definition order. */
  readonly routes: readonly GenerationRoute[];

  constructor(scope: Construct, props: TrafficStackProps) {
    const cluster = parsedDefinition(props.cluster);
    const name = trafficStackName(cluster.name);
    super(scope, name);
    new AwsProvider(this, "aws", { region: cluster.region });
    configureStateBackend(this, name, cluster);
    this.hostname = trafficHostname(cluster);
    this.routes = cluster.generations
      .map((definition) => resolveGeneration(cluster, definition))
      .filter((gen) => gen.state === "live")
      .map((gen) => this.routeTo(gen));
    new TerraformOutput(this, "hostname", { value: this.hostname, description: "Weighted entry point of the cluster" });
  }

  /**
   * Route53 health checkers run on the internet and cannot reach the internal ingress load balancer, so the check
   * watches a CloudWatch alarm instead: the NLB health-checks the ingress controller's health path on every ingress
   * node, and the alarm fires when no target of the generation is healthy (or the metric stops arriving).
   */
  private routeTo(gen: ResolvedGeneration): GenerationRoute {
    const scope = new Construct(this, `generation-${gen.generationId}`);
    // The cluster's tags and the generation it routes to; not the Kubernetes ownership tag, which is for the generation's own resources.
    const tags = {
      ...(gen.cluster.tags ?? {}),
      "immutable-clusters/cluster": gen.clusterName,
      "immutable-clusters/generation": gen.generationId,
    };
    const parameter = new DataAwsSsmParameter(scope, "ingress", { name: ingressParameterName(gen.clusterName, gen.generationId) });
    const ingress = Fn.jsondecode(parameter.insecureValue);
    const field = (key: string) => Token.asString(Fn.lookup(ingress, key));
    const alarm = new CloudwatchMetricAlarm(scope, "healthy-ingress", {
      alarmName: `${gen.fullName}-ingress-healthy-hosts`,
      alarmDescription: `No healthy ingress node in generation ${gen.fullName}: Route53 takes it out of ${this.hostname}`,
      namespace: "AWS/NetworkELB",
      metricName: "HealthyHostCount",
      dimensions: { LoadBalancer: field("loadBalancer"), TargetGroup: field("targetGroup") },
      statistic: "Minimum",
      period: 60,
      evaluationPeriods: 2,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      tags,
    });
    const healthCheck = new Route53HealthCheck(scope, "health", {
      type: "CLOUDWATCH_METRIC",
      cloudwatchAlarmName: alarm.alarmName,
      cloudwatchAlarmRegion: gen.region,
      insufficientDataHealthStatus: "Unhealthy",
      tags: { ...tags, Name: `${gen.fullName}-ingress` },
    });
    const record = new Route53Record(scope, "weighted", {
      zoneId: gen.cluster.dns.privateZoneId,
      name: this.hostname,
      type: "A",
      setIdentifier: gen.fullName,
      weightedRoutingPolicy: { weight: gen.weight },
      healthCheckId: healthCheck.id,
      alias: { name: field("dnsName"), zoneId: field("zoneId"), evaluateTargetHealth: true },
    });
    return { generation: gen, alarm, healthCheck, record };
  }
}
