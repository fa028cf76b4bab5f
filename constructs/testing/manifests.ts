// Owns reading addon manifests in tests: parses the multi-document YAML files into Kubernetes objects to search.
import { parseAllDocuments } from "yaml";
import type { ManifestFile } from "../addons/render";

/** A Kubernetes object as parsed from a manifest: at least its kind and metadata. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** Every Kubernetes object of some manifest files, in file order; optionally only those of one kind. */
export function kubernetesObjects(files: readonly ManifestFile[], kind?: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(file.yaml)) {
      if (doc.errors.length > 0) throw new Error(`${file.name}: ${doc.errors[0].message}`);
      const value = doc.toJS() as KubernetesObject | null;
      if (value !== null && (kind === undefined || value.kind === kind)) objects.push(value);
    }
  }
  return objects;
}

/** The one object of a kind and name (and namespace, if given); throws naming what exists when it is missing. */
export function findKubernetesObject(files: readonly ManifestFile[], kind: string, name: string, namespace?: string): KubernetesObject {
  const ofKind = kubernetesObjects(files, kind);
  const found = ofKind.find((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) {
    const names = ofKind.map((o) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`).join(", ") || "none";
    throw new Error(`no ${kind} named ${namespace ? `${namespace}/` : ""}${name} in the manifests (${kind} objects: ${names})`);
  }
  return found;
}
