// Owns turning a generation's addon settings into Kubernetes manifests (placeholder until the addon charts land).
import type { ResolvedGeneration } from "../definition/resolve";

/** One manifest file of a generation's addons. */
export interface ManifestFile {
  /** File name, e.g. `10-coredns.yaml`; files apply in name order. */
  readonly name: string;
  readonly yaml: string;
}

/** The addon manifests of one generation, in apply order. */
export function renderAddonManifests(_generation: ResolvedGeneration): ManifestFile[] {
  return [];
}
