// The kubernetes-models the schema check loads (constructs/addons/validate-schema.ts): every kind the addons render is
// required by a literal path (so `npm run synth`'s package bundle holds it), each such path loads the model of exactly
// its kind, and a kind outside the list is still checked; the verdict of the validator run on the object itself is the
// model's (kubernetes-models' own check, `new Model(object).validate()`), and its messages are the model's.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { k8s } from "../constructs/platform/k8s";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { CUSTOM_RESOURCE_KINDS, RENDERED_KIND_MODELS, schemaProblems } from "../constructs/addons/validate-schema";
import { resolveGeneration } from "../constructs/definition/resolve";
import { clusters } from "../clusters";

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

/** kubernetes-models' own verdict: whether `new Model(object).validate()` throws. */
function modelAccepts(object: Record<string, unknown>): boolean {
  const [group, version] = String(object.apiVersion).includes("/") ? String(object.apiVersion).split("/") : [undefined, object.apiVersion];
  const key = `${group ? `${group}/` : ""}${String(version)}/${String(object.kind)}`;
  const Model = (RENDERED_KIND_MODELS[key]?.() ?? require(`kubernetes-models/${key}`))[String(object.kind)] as new (data: unknown) => {
    validate(): void;
  };
  try {
    new Model(object).validate();
    return true;
  } catch {
    return false;
  }
}

describe("the schema check", () => {
  const objects = clusters.flatMap((cluster) =>
    cluster.generations.flatMap((g) => synthesizeAddonObjects(resolveGeneration(cluster, g)).flatMap((file) => file.objects)),
  );
  const modeled = objects.filter((o) => !CUSTOM_RESOURCE_KINDS.has(`${String(o.apiVersion)}/${String(o.kind)}`));

  it("accepts every example addon object, as kubernetes-models' model does", () => {
    expect(modeled.length).toBeGreaterThan(100);
    expect(modeled.filter((o) => !modelAccepts(o)).map((o) => o.kind)).toEqual([]);
    expect(modeled.filter((o) => schemaProblems(structuredClone(o)).length > 0).map((o) => o.kind)).toEqual([]);
  });

  it("gives the model's verdict and messages where the object itself and the model's copy of it differ or fail", () => {
    const deployment = structuredClone(modeled.find((o) => o.kind === "Deployment")!) as Record<string, Record<string, unknown>>;
    const cases: [string, Record<string, unknown>, string[]][] = [
      // The model leaves undefined members out: valid, though the validator reads an undefined label as a label that is
      // not a string.
      [
        "an undefined label",
        { ...deployment, metadata: { ...deployment.metadata, labels: { ...(deployment.metadata.labels as object), gone: undefined } } },
        [],
      ],
      ["an undefined member", { ...deployment, spec: { ...deployment.spec, replicas: undefined } }, []],
      [
        "a label that is not a string",
        { ...deployment, metadata: { ...deployment.metadata, labels: { x: 1 } } },
        ["metadata.labels.x must be string"],
      ],
      ["a string for a number", { ...deployment, spec: { ...deployment.spec, replicas: "2" } }, ["spec.replicas must be integer"]],
      [
        "a missing required member",
        { ...deployment, spec: { ...deployment.spec, selector: undefined } },
        ["spec must have required property selector"],
      ],
      [
        "apiVersion and kind last",
        { metadata: deployment.metadata, spec: { ...deployment.spec, replicas: -1.5 }, apiVersion: "apps/v1", kind: "Deployment" },
        ["spec.replicas must be integer", 'spec.replicas must match format "int32"'],
      ],
    ];
    for (const [name, object, problems] of cases) {
      expect({ name, problems: schemaProblems(object) }).toEqual({ name, problems });
      expect({ name, accepted: modelAccepts(object) }).toEqual({ name, accepted: problems.length === 0 });
    }
  });
});

describe("what the compiled validators judge a string by", () => {
  it("only `type`, `required`, `enum` and `format`, and of a string's formats only `byte` (validate-schema.ts passesSchemaCheck)", () => {
    // A template's marker rendering stands for every filling of it only while this holds (api-object-template.ts).
    const dir = join(require.resolve("kubernetes-models/package.json"), "..", "_schemas");
    const keywords = new Set<string>();
    const formats = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/keyword:"([A-Za-z]+)"/g)) keywords.add(m[1]);
      for (const m of text.matchAll(/_validate\.formats\.([A-Za-z0-9]+)/g)) formats.add(m[1]);
    }
    expect([...keywords].sort()).toEqual(["enum", "format", "required", "type"]);
    // int32, int64 and double are ajv-formats' number formats, checked on numbers only.
    expect([...formats].sort()).toEqual(["byte", "double", "int32", "int64"]);
  });
});
