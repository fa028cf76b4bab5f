// The public API of the library: everything a team imports from `immutable-clusters`.
// First, before any package loads: the packages they load but a synth never calls wait for first use.
import "./platform/deferred-packages";
export * from "./definition/types";
export { DefinitionError, definitionProblems, validateDefinition, type DefinitionProblem } from "./definition/validate";
export { ArgumentError, DefinitionsError, validateDefinitions } from "./definition/arguments";
export { resolveGeneration, type ResolvedGeneration, type ResolvedWorkerPool } from "./definition/resolve";
export { KubernetesCluster, type KubernetesClusterProps } from "./cluster/cluster";
export { ApiLoadBalancer, type ApiLoadBalancerProps } from "./cluster/api-load-balancer";
export { IngressLoadBalancer, type IngressLoadBalancerProps } from "./cluster/ingress-load-balancer";
export { ControlPlane, type ControlPlaneProps } from "./cluster/control-plane";
export { WorkerPool, type WorkerPoolProps } from "./cluster/worker-pool";
export { ClusterSecurityGroups, CNI_PORTS, NODE_PORTS, type ClusterSecurityGroupsProps } from "./cluster/security-groups";
export { NodeConfigBucket, type NodeConfigBucketProps } from "./cluster/node-config-bucket";
export { NodeIdentity, type NodeIdentityProps, type PolicyStatement } from "./cluster/node-identity";
export { NodeLaunchTemplate, type NodeLaunchTemplateProps } from "./cluster/node-launch-template";
export { FlatcarAmi, type FlatcarAmiProps } from "./cluster/flatcar-ami";
export { GenerationImage, type GenerationImageProps } from "./cluster/generation-image";
export { BootstrapKey, type BootstrapKeyProps } from "./cluster/bootstrap-key";
export { GenerationStack, generationStackName, type GenerationStackProps } from "./fleet/generation-stack";
export { TrafficStack, trafficStackName, trafficHostname, type TrafficStackProps, type GenerationRoute } from "./fleet/traffic-stack";
export { IdentityStack, identityStackName, type IdentityStackProps } from "./fleet/identity-stack";
export { serviceAccountIssuer, type ServiceAccountIssuer } from "./definition/service-account-issuer";
export { workloadRoleName } from "./definition/service-accounts";
export { addClusters, type AddClustersOptions, type ClusterStacks } from "./fleet/fleet";
export {
  EMPTY_LOCK,
  LOCK_FILE,
  LOCK_FILE_ENV,
  frozenDirectory,
  isFrozen,
  fingerprintGeneration,
  lockedGeneration,
  parseFleetLock,
  readFleetLock,
  serializeFleetLock,
  withGeneration,
  withoutGeneration,
  type FleetLock,
  type FrozenGenerationRecord,
  type GenerationFingerprint,
  type LockedGeneration,
} from "./fleet/lock";
export { ImmutabilityError, immutabilityViolations, type GuardViolation } from "./fleet/guard";
export { changedInputs, immutableInputs, MUTABLE_FIELDS, type ImmutableInputs, type InputChange } from "./fleet/immutable-inputs";
export {
  artifactFiles,
  artifactsFromFiles,
  generationKey,
  readFrozenArtifacts,
  renderedArtifactFiles,
  type FrozenArtifacts,
} from "./fleet/frozen-artifacts";
export {
  behindLibraryNotice,
  fleetStatus,
  synthFleet,
  GUARD_MODE_ENV,
  type FleetStatus,
  type FleetSynthesis,
  type GenerationStatus,
  type SynthFleetOptions,
} from "./fleet/fleet-app";
export { LIBRARY_VERSION } from "./library-version";
export { ingressParameterName, type IngressPublication } from "./fleet/ingress-parameter";
export { renderAddonManifests, type ManifestFile } from "./addons/render";
export type { AddonsDefinition } from "./addons/definition";
export { ManifestValidationError, manifestProblems, type ManifestProblem } from "./addons/validate";
export { TenantNamespace, type TenantNamespaceProps } from "./addons/tenants/tenant-namespace";
export { TenantsChart, type TenantsChartProps } from "./addons/tenants/chart";
export { LoggingChart, type LoggingChartProps } from "./addons/logging/chart";
export { MonitoringChart, type MonitoringChartProps } from "./addons/monitoring/chart";
export type { TenantDefinition, TenantQuota, TenantLimits } from "./addons/tenants/settings";
export type { LoggingSettings, LoggingOutput } from "./addons/logging/settings";
export type {
  MonitoringSettings,
  PrometheusSettings,
  GrafanaSettings,
  NodeExporterSettings,
  KubeStateMetricsSettings,
} from "./addons/monitoring/settings";
export type { CniSettings } from "./addons/cni/settings";
export type { CoreDnsSettings, CoreDnsAutoscalerSettings } from "./addons/coredns/settings";
export type { CloudControllerSettings } from "./addons/cloud-controller/settings";
export type { MetricsServerSettings } from "./addons/metrics-server/settings";
export type { IngressNginxSettings } from "./addons/ingress-nginx/settings";
export type { GatewaySettings } from "./addons/gateway/settings";
export {
  IgnitionConfig,
  dataUrl,
  decodeDataUrl,
  pointerConfig,
  replacePointer,
  type DirectoryOptions,
  type FileOptions,
  type IgnitionDocument,
  type InlineFileOptions,
  type LinkOptions,
  type PointerMode,
  type RemoteFileOptions,
  type UnitOptions,
  type UserOptions,
} from "./ignition/builder";
export { nodeConfigKey, nodeIgnition, renderNodeIgnition, userDataPointer, type NodeRole } from "./ignition/node-config";
export { KUBERNETES_NODE_BINARIES, SUPPORTED_KUBERNETES_VERSIONS, kubernetesNodeBinaries } from "./ignition/kubernetes-releases";
export { writeDist } from "./fleet/write-dist";
