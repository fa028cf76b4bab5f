// Owns the contract between a generation stack and the traffic stack: the SSM parameter in which a generation publishes
// its ingress load balancer (DNS name, hosted zone, CloudWatch dimensions), outside the prefix its nodes may write.

/** What a generation publishes about its ingress, as the parameter's JSON value. */
export interface IngressPublication {
  /** DNS name of the ingress Network Load Balancer. */
  readonly dnsName: string;
  /** Route53 zone id of the load balancer (for alias records). */
  readonly zoneId: string;
  /** `net/<name>/<id>`: the `LoadBalancer` dimension of AWS/NetworkELB metrics. */
  readonly loadBalancer: string;
  /** `targetgroup/<name>/<id>` of the HTTP target group: the `TargetGroup` dimension. */
  readonly targetGroup: string;
}

/**
 * `/immutable-clusters-fleet/<cluster>/<generation>/ingress`. Deliberately not under the generation's node prefix
 * (`/immutable-clusters/<cluster>/<generation>/`), which control-plane nodes may write.
 */
export function ingressParameterName(clusterName: string, generationId: string): string {
  return `/immutable-clusters-fleet/${clusterName}/${generationId}/ingress`;
}
