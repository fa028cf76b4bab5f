// Owns the shared entry point of a logical cluster, which outlives every generation: one Route53 weighted record per
// live generation, pointing at that generation's ingress load balancer, each guarded by a Route53 health check so a
// failing generation drops out of rotation by itself. Weights come from the definition: a shift is a one-line change.
import { Construct } from "constructs";
import { resolveGeneration } from "../definition/resolve";
import type { ClusterDefinition } from "../definition/types";
import { validateDefinition } from "../definition/validate";
import { AwsProvider, DataAwsLb, Route53HealthCheck, Route53Record } from "../platform/aws";
import { TerraformOutput, TerraformStack } from "../platform/terraform";
import { configureStateBackend } from "./state-backend";

/** `<cluster>-traffic`: the name of a cluster's traffic stack. */
export function trafficStackName(clusterName: string): string {
  return `${clusterName}-traffic`;
}

export interface TrafficStackProps {
  readonly cluster: ClusterDefinition;
}

/** Weighted DNS across the generations of one logical cluster. */
export class TrafficStack extends TerraformStack {
  /** Fully qualified name clients use, e.g. `apps.prod.internal.example.com`. */
  readonly hostname: string;

  constructor(scope: Construct, props: TrafficStackProps) {
    const cluster = validateDefinition(props.cluster);
    const name = trafficStackName(cluster.name);
    super(scope, name);
    new AwsProvider(this, "aws", { region: cluster.region });
    configureStateBackend(this, name, cluster);
    this.hostname = `${cluster.traffic?.hostname ?? "apps"}.${cluster.name}.${cluster.dns.privateZoneName}`;
    for (const definition of cluster.generations) {
      const gen = resolveGeneration(cluster, definition);
      if (gen.state === "retiring") continue;
      const scopeOf = new Construct(this, `generation-${gen.generationId}`);
      const lb = new DataAwsLb(scopeOf, "ingress", { name: `${gen.fullName}-ing` });
      const health = new Route53HealthCheck(scopeOf, "health", {
        type: "HTTP",
        fqdn: lb.dnsName,
        port: 80,
        resourcePath: gen.healthPath,
        requestInterval: 10,
        failureThreshold: 3,
        tags: { ...gen.tags, Name: `${gen.fullName}-ingress` },
      });
      new Route53Record(scopeOf, "weighted", {
        zoneId: cluster.dns.privateZoneId,
        name: this.hostname,
        type: "A",
        setIdentifier: gen.fullName,
        weightedRoutingPolicy: { weight: gen.weight },
        healthCheckId: health.id,
        alias: { name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true },
      });
    }
    new TerraformOutput(this, "hostname", { value: this.hostname, description: "Weighted entry point of the cluster" });
  }
}
