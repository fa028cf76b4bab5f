// Owns the Kubernetes part of a review: a generation's addon manifests (the S3 object `addons/*.yaml` its nodes apply,
// or the dist/ copy), parsed as multi-document YAML, keyed by kind/namespace/name and compared field by field.
import { parseAllDocuments } from "yaml";
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { storedObjectText } from "../../constructs/cluster/node-bucket-object-content";
import { diffValues } from "./object-diff";
import type { KubernetesChange } from "./report";

interface KubernetesObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

/** The manifests a generation stack stores for its nodes (every S3 object whose key ends in .yaml/.yml), concatenated. */
export function manifestsOf(stack: TerraformJson | undefined): string | undefined {
  // `content` (escaped) or `content_base64`, by the generation's node contract (node-bucket-object-content.ts).
  const texts = Object.values(stack?.resource?.aws_s3_object ?? {})
    .filter((o) => /\.ya?ml$/.test(String(o.key ?? "")) && storedObjectText(o) !== undefined)
    .sort((x, y) => String(x.key).localeCompare(String(y.key)))
    .map((o) => storedObjectText(o)!);
  return texts.length > 0 ? texts.join("\n---\n") : undefined;
}

/** `<kind>/<namespace>/<name>`, or `<kind>/<name>` for a cluster-scoped object. */
export function objectKey(o: KubernetesObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata?.name}` : `${o.kind}/${o.metadata?.name}`;
}

/** The objects of a multi-document YAML text by key (empty documents skipped; a document that does not parse throws, naming it). */
export function parseManifests(text: string | undefined): Map<string, KubernetesObject> {
  const out = new Map<string, KubernetesObject>();
  if (!text) return out;
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`review: manifest document ${i + 1} is not valid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubernetesObject | null;
    if (!value || typeof value !== "object") return;
    if (Array.isArray((value as { items?: unknown }).items) && value.kind?.endsWith("List")) {
      for (const item of (value as { items: KubernetesObject[] }).items) out.set(objectKey(item), item);
    } else out.set(objectKey(value), value);
  });
  return out;
}

/** Objects added, removed and changed (with field paths) between two manifest texts, sorted by key. */
export function diffManifests(base: string | undefined, head: string | undefined): KubernetesChange[] {
  // Byte-identical texts (most generations of a one-line change) have no changes: skip parsing them (issue 17).
  if (base === head) return [];
  const before = parseManifests(base);
  const after = parseManifests(head);
  const out: KubernetesChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(key);
    const a = after.get(key);
    const o = (a ?? b)!;
    const id = {
      key,
      kind: String(o.kind),
      ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
      name: String(o.metadata?.name),
    };
    if (!b) out.push({ ...id, status: "added", fields: [] });
    else if (!a) out.push({ ...id, status: "removed", fields: [] });
    else {
      const fields = diffValues(b, a);
      if (fields.length > 0) out.push({ ...id, status: "changed", fields });
    }
  }
  return out;
}
