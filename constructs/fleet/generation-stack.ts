// Owns the Terraform stack of one cluster generation: its own provider, state and every AWS resource of the
// generation (through KubernetesCluster), plus its addon manifests carried into the node bucket. A deployed generation
// uploads its frozen node configs and manifests, and says what this library would render differently.
import { Construct } from "constructs";
import { POLICY_MANIFESTS_KEY, policyManifest, splitLayers } from "../addons/policy-layer";
import { renderAddonManifests, type ManifestFile } from "../addons/render";
import { KubernetesCluster } from "../cluster/cluster";
import { NODE_CONTRACT } from "../cluster/node-contract";
import type { ClusterDefinition } from "../definition/types";
import { AwsProvider, SsmParameter } from "../platform/aws";
import { ResolveOnceStack } from "../platform/resolve-once-stack";
import { Fn, TerraformOutput } from "../platform/terraform";
import type { FrozenArtifacts } from "./frozen-artifacts";
import { differencesFromLibrary } from "./frozen-comparison";
import { ingressParameterName } from "./ingress-parameter";
import { configureStateBackend } from "./state-backend";

export interface GenerationStackProps {
  readonly cluster: ClusterDefinition;
  readonly generationId: string;
  /**
   * The generation's frozen artifacts (a deployed generation, see readFrozenArtifacts): uploaded instead of a rendering
   * by this library, so a library upgrade never changes what a running generation's nodes boot with.
   * @default undefined (rendered by this library)
   */
  readonly frozen?: FrozenArtifacts;
}

/** `<cluster>-<generation>`: the name of a generation's stack. */
export function generationStackName(clusterName: string, generationId: string): string {
  return `${clusterName}-${generationId}`;
}

/** One generation, deployable and destroyable on its own. */
export class GenerationStack extends ResolveOnceStack {
  readonly cluster: KubernetesCluster;
  /** The addon manifests shipped with this generation (also stored in its node bucket), both layers, in apply order. */
  readonly addonManifests: readonly ManifestFile[];
  /**
   * The policy layer (node contract 2 and later; policy-layer.ts): rendered from the definition on every synth, frozen
   * or not, uploaded to `policy/manifests.yaml` and reconciled on the running generation. Empty for contract 1, whose
   * tenants are part of its frozen addons.
   */
  readonly policyManifests: readonly ManifestFile[];
  /** Library version that rendered the frozen artifacts this stack uploads; undefined when it renders its own. */
  readonly frozenWith?: string;
  /**
   * What this library would render differently for a frozen generation, one line per file (`node config
   * ignition/controller.ign`, `addon 10-cni.yaml`), and the node configs it renders itself because none was frozen
   * (a pool added after the freeze). Empty when nothing is frozen or nothing differs.
   */
  readonly behindLibrary: readonly string[];

  constructor(scope: Construct, props: GenerationStackProps) {
    const name = generationStackName(props.cluster.name, props.generationId);
    super(scope, name);
    new AwsProvider(this, "aws", { region: props.cluster.region });
    configureStateBackend(this, name, props.cluster);
    this.cluster = new KubernetesCluster(this, "cluster", {
      cluster: props.cluster,
      generationId: props.generationId,
      frozenNodeConfigs: props.frozen?.nodeConfigs,
      nodeContract: props.frozen?.nodeContract,
    });
    const contract = props.frozen?.nodeContract ?? NODE_CONTRACT;
    const rendered = props.frozen ? undefined : renderAddonManifests(this.cluster.generation);
    // Contract 2 and later: the policy layer is never frozen nor applied at init; it is rendered now and reconciled.
    const immutable =
      contract >= 2 ? splitLayers(props.frozen?.addonManifests ?? rendered!).immutable : (props.frozen?.addonManifests ?? rendered!);
    this.policyManifests = contract >= 2 ? splitLayers(rendered ?? renderAddonManifests(this.cluster.generation)).policy : [];
    this.addonManifests = [...immutable, ...this.policyManifests];
    this.frozenWith = props.frozen?.libraryVersion;
    this.behindLibrary = props.frozen ? differencesFromLibrary(this.cluster.generation, this.cluster.nodeConfigs.keys(), props.frozen) : [];
    if (immutable.length > 0) {
      // One object, in apply order: the first control-plane node applies it with server-side apply once the API is up.
      this.cluster.addManifests("addon-manifests", "manifests.yaml", immutable.map((f) => f.yaml.trimEnd()).join("\n---\n") + "\n");
    }
    if (contract >= 2) {
      // Always uploaded, even with no tenant: the reconciler prunes what the last apply left once a layer is emptied.
      this.cluster.nodeBucket.addObject("policy-manifests", POLICY_MANIFESTS_KEY, policyManifest(this.policyManifests), "application/yaml");
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
