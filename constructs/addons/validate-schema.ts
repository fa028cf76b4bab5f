// Owns the OpenAPI schema check of synthesized objects: each object is validated by the kubernetes-models class of its
// apiVersion and kind (Kubernetes 1.31 OpenAPI schema, compiled validators); kinds without a schema are a problem too.
import * as admissionregistrationV1 from "kubernetes-models/admissionregistration.k8s.io/v1";
import * as apiextensionsV1 from "kubernetes-models/apiextensions.k8s.io/v1";
import * as apiregistrationV1 from "kubernetes-models/apiregistration.k8s.io/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as coordinationV1 from "kubernetes-models/coordination.k8s.io/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as schedulingV1 from "kubernetes-models/scheduling.k8s.io/v1";
import * as storageV1 from "kubernetes-models/storage.k8s.io/v1";
import * as coreV1 from "kubernetes-models/v1";

/** The kubernetes-models modules by apiVersion; an object of another apiVersion has no schema to check against. */
const MODELS_BY_API_VERSION: Readonly<Record<string, Record<string, unknown>>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "batch/v1": batchV1,
  "autoscaling/v2": autoscalingV2,
  "policy/v1": policyV1,
  "rbac.authorization.k8s.io/v1": rbacV1,
  "networking.k8s.io/v1": networkingV1,
  "scheduling.k8s.io/v1": schedulingV1,
  "storage.k8s.io/v1": storageV1,
  "coordination.k8s.io/v1": coordinationV1,
  "apiregistration.k8s.io/v1": apiregistrationV1,
  "admissionregistration.k8s.io/v1": admissionregistrationV1,
  "apiextensions.k8s.io/v1": apiextensionsV1,
};

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
  const candidate = MODELS_BY_API_VERSION[apiVersion]?.[kind] as unknown;
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

/** The schema violations of one object, each as `field.path message`; empty when it validates. */
export function schemaProblems(object: Readonly<Record<string, unknown>>): string[] {
  const Model = modelOf(object.apiVersion, object.kind);
  if (!Model) {
    return [
      `no OpenAPI schema for apiVersion ${JSON.stringify(object.apiVersion)} kind ${JSON.stringify(object.kind)}: ` +
        `use a built-in Kubernetes kind and a served apiVersion (known: ${Object.keys(MODELS_BY_API_VERSION).join(", ")})`,
    ];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvLikeError[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return [`fails schema validation: ${(error as Error).message}`];
    return [...new Set(errors.map(describe))];
  }
}
