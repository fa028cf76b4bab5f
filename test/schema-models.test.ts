// The kubernetes-models the schema check loads (constructs/addons/validate-schema.ts): every kind the addons render is
// required by a literal path (so `npm run synth`'s package bundle holds it), each such path loads the model of exactly
// its kind, and a kind outside the list is still checked.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { k8s } from "../constructs/platform/k8s";
import { CUSTOM_RESOURCE_KINDS, RENDERED_KIND_MODELS, schemaProblems } from "../constructs/addons/validate-schema";

/** Every TypeScript source under constructs/. */
function sources(dir = join(__dirname, "..", "constructs")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [readFileSync(path, "utf8")] : [];
  });
}

/** The `apiVersion/Kind` of each generated API class the library constructs (`new k8s.Kube<Kind>(...)`). */
function constructedKinds(): string[] {
  const classes = new Set(sources().flatMap((text) => [...text.matchAll(/\bk8s\.(Kube[A-Za-z0-9]+)\(/g)].map((m) => m[1])));
  return [...classes].map((name) => {
    const gvk = (k8s as unknown as Record<string, { GVK: { apiVersion: string; kind: string } }>)[name].GVK;
    return `${gvk.apiVersion}/${gvk.kind}`;
  });
}

describe("models of the rendered kinds", () => {
  it("lists every kind the library constructs through the generated API classes", () => {
    const kinds = constructedKinds();
    expect(kinds.length).toBeGreaterThan(10);
    expect(kinds.filter((kind) => !(kind in RENDERED_KIND_MODELS) && !CUSTOM_RESOURCE_KINDS.has(kind))).toEqual([]);
  });

  it.each(Object.keys(RENDERED_KIND_MODELS))("%s loads the model of exactly that kind", (key) => {
    const kind = key.split("/").pop()!;
    const model = RENDERED_KIND_MODELS[key]()[kind] as { apiVersion: string; kind: string };
    expect(`${model.apiVersion}/${model.kind}`).toBe(key);
  });

  it("checks listed and unlisted served kinds alike", () => {
    // Listed: a Deployment without its required selector.
    expect(schemaProblems({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { template: {} } })).toEqual([
      "spec must have required property selector",
    ]);
    // Not listed (the computed path): a Job without its required pod template.
    expect("batch/v1/Job" in RENDERED_KIND_MODELS).toBe(false);
    expect(schemaProblems({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "x" }, spec: {} })).toEqual([
      "spec must have required property template",
    ]);
  });
});
