// Owns the OpenAPI schema check of synthesized objects: each object is validated by the kubernetes-models class of its
// apiVersion and kind (Kubernetes 1.31 OpenAPI schema, compiled validators); kinds without a schema are a problem too.
// Only the kinds that are validated are loaded: each model is required on first use from its own file
// (`kubernetes-models/<apiVersion>/<Kind>.js`, the package's per-kind entry points; tommy351/kubernetes-models-ts
// first-party/kubernetes-models, 4.5.1 as published). Loading the 13 API groups whole was 847 modules per process.
// The kinds the addons render are required by literal paths (RENDERED_KIND_MODELS), so that scripts/run-compiled.mjs,
// which bundles every package path the code names, puts them in its cached package bundle: `npm run synth` then loads
// them with V8's code cache instead of resolving and compiling ~210 model and schema files from node_modules each run.
import { createRequire } from "node:module";
import { contentKey, rememberedSchemaValid } from "./render-cache";
import { BoundedMemo } from "../platform/bounded-memo";

/** The apiVersions checked (each a folder of kubernetes-models); an object of another apiVersion has no schema. */
const SERVED_API_VERSIONS: readonly string[] = [
  "v1",
  "apps/v1",
  "batch/v1",
  "autoscaling/v2",
  "policy/v1",
  "rbac.authorization.k8s.io/v1",
  "networking.k8s.io/v1",
  "scheduling.k8s.io/v1",
  "storage.k8s.io/v1",
  "coordination.k8s.io/v1",
  "apiregistration.k8s.io/v1",
  "admissionregistration.k8s.io/v1",
  "apiextensions.k8s.io/v1",
];

/** A kind name as Kubernetes spells them; anything else cannot name a model file. */
const KIND_NAME = /^[A-Z][A-Za-z0-9]*$/;

type ModelModule = Record<string, unknown>;

/**
 * The model modules of the kinds the addons render (each `new k8s.Kube<Kind>` and literal `kind` under constructs/),
 * by `apiVersion/Kind`, each required on first use by a literal path a bundler can see. A kind missing here is still
 * checked, through the computed path below; this list only decides what `npm run synth` loads from its bundle.
 */
export const RENDERED_KIND_MODELS: Readonly<Record<string, () => ModelModule>> = {
  "v1/ConfigMap": () => require("kubernetes-models/v1/ConfigMap"),
  "v1/LimitRange": () => require("kubernetes-models/v1/LimitRange"),
  "v1/Namespace": () => require("kubernetes-models/v1/Namespace"),
  "v1/ResourceQuota": () => require("kubernetes-models/v1/ResourceQuota"),
  "v1/Secret": () => require("kubernetes-models/v1/Secret"),
  "v1/Service": () => require("kubernetes-models/v1/Service"),
  "v1/ServiceAccount": () => require("kubernetes-models/v1/ServiceAccount"),
  "apps/v1/DaemonSet": () => require("kubernetes-models/apps/v1/DaemonSet"),
  "apps/v1/Deployment": () => require("kubernetes-models/apps/v1/Deployment"),
  "apps/v1/StatefulSet": () => require("kubernetes-models/apps/v1/StatefulSet"),
  "policy/v1/PodDisruptionBudget": () => require("kubernetes-models/policy/v1/PodDisruptionBudget"),
  "rbac.authorization.k8s.io/v1/ClusterRole": () => require("kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole"),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": () => require("kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding"),
  "rbac.authorization.k8s.io/v1/Role": () => require("kubernetes-models/rbac.authorization.k8s.io/v1/Role"),
  "rbac.authorization.k8s.io/v1/RoleBinding": () => require("kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding"),
  "networking.k8s.io/v1/IngressClass": () => require("kubernetes-models/networking.k8s.io/v1/IngressClass"),
  "networking.k8s.io/v1/NetworkPolicy": () => require("kubernetes-models/networking.k8s.io/v1/NetworkPolicy"),
  "apiregistration.k8s.io/v1/APIService": () => require("kubernetes-models/apiregistration.k8s.io/v1/APIService"),
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": () =>
    require("kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration"),
  "apiextensions.k8s.io/v1/CustomResourceDefinition": () => require("kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition"),
};

const requireModel = createRequire(__filename);
/** Loaded (or missing, as null) model modules by `apiVersion/Kind`. */
const loadedModels = new Map<string, ModelModule | null>();

/** The kubernetes-models module of one kind, loaded on first use; null when the package has no such kind. */
function modelModule(apiVersion: string, kind: string): ModelModule | null {
  const key = `${apiVersion}/${kind}`;
  if (!loadedModels.has(key)) {
    let loaded: ModelModule | null = null;
    try {
      loaded = Object.hasOwn(RENDERED_KIND_MODELS, key)
        ? RENDERED_KIND_MODELS[key]()
        : (requireModel(`kubernetes-models/${key}`) as ModelModule);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    }
    loadedModels.set(key, loaded);
  }
  return loadedModels.get(key) ?? null;
}

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: unknown): { validate(): void };
}

interface AjvLikeError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

function modelOf(apiVersion: unknown, kind: unknown): ModelClass | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  if (!SERVED_API_VERSIONS.includes(apiVersion) || !KIND_NAME.test(kind)) return undefined;
  const candidate = modelModule(apiVersion, kind)?.[kind] as unknown;
  const model = candidate as Partial<ModelClass> | undefined;
  const isModel = typeof candidate === "function" && model?.kind === kind && model?.apiVersion === apiVersion;
  return isModel ? (candidate as unknown as ModelClass) : undefined;
}

function describe(error: AjvLikeError): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, ".") : "(object)";
  const extra = error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : "";
  const allowed = error.params && "allowedValues" in error.params ? `: ${JSON.stringify(error.params.allowedValues)}` : "";
  return `${where} ${error.message ?? "is invalid"}${extra}${allowed}`;
}

/** Each object's verdict by its content: a fleet's generations share most objects (render-cache.ts). */
const verdicts = new BoundedMemo<readonly string[]>();

/**
 * The schema violations of one object, each as `field.path message`; empty when it validates, as an object filled
 * from a template whose marker rendering validates does (see passesSchemaCheck).
 */
export function schemaProblems(object: Readonly<Record<string, unknown>>): string[] {
  if (rememberedSchemaValid(object)) return [];
  return [...verdicts.get(contentKey(object), () => checkSchema(object))];
}

/**
 * Whether `object` passes the schema check (not memoized). api-object-template.ts checks a template's marker rendering
 * with it: the compiled validators (kubernetes-models 4.5.1 `_schemas`, as installed) check only `type`, `required`,
 * `enum` and `format`, and the only format of a string is `byte` (base64, @kubernetes-models/validate 4.0.0
 * formats.js); `int32`, `int64` and `double` are ajv-formats 2.1.1's number formats (`type: "number"`), checked on
 * numbers only (test/schema-models.test.ts fails if a validator judges by anything else). So a string value is judged by its content
 * only against an enum or as base64. The markers (private-use characters) are in no enum and are not base64: a
 * marker rendering that passes has no hole where content is judged, and any strings in its holes pass too.
 */
export function passesSchemaCheck(object: Readonly<Record<string, unknown>>): boolean {
  return checkSchema(object).length === 0;
}

/**
 * Custom resources the addons ship whose schema is not in kubernetes-models, each with where it is checked instead:
 * the gateway addon's Gateway API objects against the vendored CRDs' openAPIV3Schema, and its Cilium policies field by
 * field (test/addons-gateway.test.ts). Any other kind without a model stays a problem.
 */
export const CUSTOM_RESOURCE_KINDS: ReadonlyMap<string, string> = new Map([
  ["gateway.networking.k8s.io/v1/GatewayClass", "constructs/addons/gateway/crds (Gateway API v1.4.1)"],
  ["gateway.networking.k8s.io/v1/Gateway", "constructs/addons/gateway/crds (Gateway API v1.4.1)"],
  ["gateway.networking.k8s.io/v1/HTTPRoute", "constructs/addons/gateway/crds (Gateway API v1.4.1)"],
  ["cilium.io/v2/CiliumClusterwideNetworkPolicy", "the CRD Cilium's operator installs"],
]);

function checkSchema(object: Readonly<Record<string, unknown>>): string[] {
  const Model = modelOf(object.apiVersion, object.kind);
  if (!Model && CUSTOM_RESOURCE_KINDS.has(`${String(object.apiVersion)}/${String(object.kind)}`)) return [];
  if (!Model) {
    return [
      `no OpenAPI schema for apiVersion ${JSON.stringify(object.apiVersion)} kind ${JSON.stringify(object.kind)}: ` +
        `use a built-in Kubernetes kind and a served apiVersion (known: ${SERVED_API_VERSIONS.join(", ")})`,
    ];
  }
  // The kind's validator run on the object itself first: a valid object is done without the model's copy of it.
  // kubernetes-models 4.5.1 (@kubernetes-models/base model.js, as installed): `new Model(data)` copies `{ apiVersion,
  // kind, ...data }` member by member, leaving out undefined members (setDefinedProps, filterUndefinedValues), and
  // `validate()` runs the kind's compiled validator on the copy (setValidateFunc: runValidateFunc(fn, this)), which
  // reads it and assigns nothing. The object has that apiVersion and kind (modelOf), so the copy is the object but for
  // its undefined members. The validators (kubernetes-models/_schemas, as installed) check only `type`, `required`,
  // `enum` and `format`: a declared member that is undefined is skipped as missing (`void 0 === data.x`), and one in a
  // map (labels) is read as a value of the wrong type. So the object itself has at most more errors than the copy, and
  // an object valid as it is has a valid copy. Anything else is checked on the model, whose errors (in their order)
  // are the messages (test/schema-models.test.ts compares verdicts and messages with the model's).
  if (validatesAsItIs(Model, object)) return [];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvLikeError[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return [`fails schema validation: ${(error as Error).message}`];
    return [...new Set(errors.map(describe))];
  }
}

/** Whether the kind's validator, run on `object` itself rather than on the model's copy of it, finds no error. */
function validatesAsItIs(Model: ModelClass, object: Readonly<Record<string, unknown>>): boolean {
  try {
    Model.prototype.validate.call(object);
    return true;
  } catch {
    return false;
  }
}
