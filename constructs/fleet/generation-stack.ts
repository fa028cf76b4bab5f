// Owns the Terraform stack of one cluster generation: its own provider, state and every AWS resource of the
// generation (through KubernetesCluster), plus its addon manifests carried into the node bucket.
import { Construct } from "constructs";
import { renderAddonManifests, type ManifestFile } from "../addons/render";
import { KubernetesCluster } from "../cluster/cluster";
import type { ClusterDefinition } from "../definition/types";
import { AwsProvider, SsmParameter } from "../platform/aws";
import { Fn, TerraformOutput, TerraformStack } from "../platform/terraform";
import { ingressParameterName } from "./ingress-parameter";
import { configureStateBackend } from "./state-backend";

export interface GenerationStackProps {
  readonly cluster: ClusterDefinition;
  readonly generationId: string;
}

/** `<cluster>-<generation>`: the name of a generation's stack. */
export function generationStackName(clusterName: string, generationId: string): string {
  return `${clusterName}-${generationId}`;
}

/** One generation, deployable and destroyable on its own. */
export class GenerationStack extends TerraformStack {
  readonly cluster: KubernetesCluster;
  /** The addon manifests shipped with this generation (also stored in its node bucket). */
  readonly addonManifests: readonly ManifestFile[];

  constructor(scope: Construct, props: GenerationStackProps) {
    const name = generationStackName(props.cluster.name, props.generationId);
    super(scope, name);
    new AwsProvider(this, "aws", { region: props.cluster.region });
    configureStateBackend(this, name, props.cluster);
    this.cluster = new KubernetesCluster(this, "cluster", { cluster: props.cluster, generationId: props.generationId });
    this.addonManifests = renderAddonManifests(this.cluster.generation);
    if (this.addonManifests.length > 0) {
      // One object, in apply order: the first control-plane node applies it with server-side apply once the API is up.
      this.cluster.addManifests(
        "addon-manifests",
        "manifests.yaml",
        this.addonManifests.map((f) => f.yaml.trimEnd()).join("\n---\n") + "\n",
      );
    }
    // The traffic stack reads where this generation's ingress is from here, so it never depends on our state or names.
    const ingress = this.cluster.ingressLoadBalancer;
    new SsmParameter(this, "ingress-parameter", {
      name: ingressParameterName(props.cluster.name, props.generationId),
      type: "String",
      description: `Ingress load balancer of ${name}, read by the traffic stack ${props.cluster.name}-traffic`,
      value: Fn.jsonencode({
        dnsName: ingress.dnsName,
        zoneId: ingress.zoneId,
        loadBalancer: ingress.arnSuffix,
        targetGroup: ingress.httpTargetGroupArnSuffix,
      }),
      tags: { ...this.cluster.generation.tags },
    });
    new TerraformOutput(this, "api_endpoint", {
      value: this.cluster.generation.apiEndpoint,
      description: "Kubernetes API endpoint (private DNS)",
    });
    new TerraformOutput(this, "ingress_dns_name", {
      value: this.cluster.ingressLoadBalancer.dnsName,
      description: "Ingress load balancer",
    });
    new TerraformOutput(this, "node_bucket", {
      value: this.cluster.generation.bucketName,
      description: "Bucket of node configs and addon manifests",
    });
  }
}
