// The testing helpers a team imports from `immutable-clusters/testing` in its own jest tests: synthesize definitions
// in memory (no AWS, no emulator) and look up resources, manifests and node configs.
export { synthCluster, synthClusters, type SynthesizedClusters, type SynthOptions } from "./synth";
export { dataSourcesOfType, onlyResourceOfType, resourceConfigs, resourcesOfType, type TerraformJson } from "./terraform-json";
export { findKubernetesObject, kubernetesObjects, type KubernetesObject } from "./manifests";
