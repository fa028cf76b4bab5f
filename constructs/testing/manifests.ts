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

/** How many distinct manifest texts keep their parsed objects (the oldest is dropped first). */
const PARSED_TEXTS_KEPT = 256;
/**
 * The objects of each manifest text parsed so far, by the text. A test searches the same files many times (one
 * `findKubernetesObject` per assertion), and a file can be large (a Cilium 1.19 file carries the Gateway API CRDs, about
 * 0.7 MB of YAML that takes a second or more to parse), so each text is parsed once; callers get copies.
 */
const parsedTexts = new Map<string, readonly KubernetesObject[]>();

/** The objects of one manifest file (documents that are empty left out), parsed once per text; throws on a YAML error. */
function objectsOf(file: ManifestFile): readonly KubernetesObject[] {
  const known = parsedTexts.get(file.yaml);
  if (known) return known;
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(file.yaml)) {
    if (doc.errors.length > 0) throw new Error(`${file.name}: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubernetesObject | null;
    if (value !== null) objects.push(value);
  }
  if (parsedTexts.size >= PARSED_TEXTS_KEPT) parsedTexts.delete(parsedTexts.keys().next().value as string);
  parsedTexts.set(file.yaml, objects);
  return objects;
}

/**
 * Every Kubernetes object of some manifest files, in file order; optionally only those of one kind. The objects are
 * the caller's own (fresh copies each call).
 */
export function kubernetesObjects(files: readonly ManifestFile[], kind?: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    for (const value of objectsOf(file)) if (kind === undefined || value.kind === kind) objects.push(structuredClone(value));
  }
  return objects;
}

/** The one object of a kind and name (and namespace, if given), a copy; throws naming what exists when it is missing. */
export function findKubernetesObject(files: readonly ManifestFile[], kind: string, name: string, namespace?: string): KubernetesObject {
  const ofKind = files.flatMap((file) => objectsOf(file).filter((o) => o.kind === kind));
  const found = ofKind.find((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) {
    const names = ofKind.map((o) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`).join(", ") || "none";
    throw new Error(`no ${kind} named ${namespace ? `${namespace}/` : ""}${name} in the manifests (${kind} objects: ${names})`);
  }
  return structuredClone(found);
}
