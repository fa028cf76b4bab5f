// Owns the verdict on a generation's synthesized addon objects: runs the schema and cross-object checks and throws one
// error listing every problem, each naming the file, the object (kind namespace/name) and what is wrong.
import type { ResolvedGeneration } from "../definition/resolve";
import type { AddonObjects } from "./render";
import { objectRef, REFERENCE_CHECKS, type KubeObject } from "./validate-references";
import { schemaProblems } from "./validate-schema";

/** One problem found in the synthesized objects. */
export interface ManifestProblem {
  /** Manifest file, e.g. `20-coredns.yaml`. */
  readonly file: string;
  /** `Kind namespace/name` (or `Kind name` for cluster-scoped objects). */
  readonly object: string;
  readonly message: string;
}

/** Thrown by renderAddonManifests when a synthesized object fails a check. */
export class ManifestValidationError extends Error {
  constructor(
    readonly generation: string,
    readonly problems: readonly ManifestProblem[],
  ) {
    super(
      `addon manifests of ${generation} are invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.file}: ${p.object}: ${p.message}`).join("\n"),
    );
    this.name = "ManifestValidationError";
  }
}

/**
 * Every problem of a generation's addon objects: each object against its OpenAPI schema, then the cross-object checks
 * over all files together (a Namespace or ServiceAccount may come from another addon's file).
 */
export function manifestProblems(addons: readonly AddonObjects[]): ManifestProblem[] {
  const fileOf = new Map<KubeObject, string>();
  for (const { file, objects } of addons) for (const o of objects) fileOf.set(o, file);
  const all = [...fileOf.keys()];
  const problems: ManifestProblem[] = all.flatMap((o) =>
    schemaProblems(o).map((message) => ({ file: fileOf.get(o)!, object: objectRef(o), message })),
  );
  for (const check of REFERENCE_CHECKS) {
    for (const { object, message } of check(all)) problems.push({ file: fileOf.get(object)!, object: objectRef(object), message });
  }
  return problems;
}

/** Throws a ManifestValidationError when any check fails. */
export function assertValidManifests(generation: ResolvedGeneration, addons: readonly AddonObjects[]): void {
  const problems = manifestProblems(addons);
  if (problems.length > 0) throw new ManifestValidationError(generation.fullName, problems);
}
