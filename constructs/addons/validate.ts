// Owns the verdict on a generation's synthesized addon objects: runs the schema and cross-object checks and throws one
// error listing every problem, each naming the file, the object (kind namespace/name) and what is wrong.
import type { ResolvedGeneration } from "../definition/resolve";
import type { AddonObjects } from "./render";

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

/** Every problem of a generation's addon objects (placeholder: checks land in validate-*.ts). */
export function manifestProblems(_addons: readonly AddonObjects[]): ManifestProblem[] {
  return [];
}

/** Throws a ManifestValidationError when any check fails. */
export function assertValidManifests(generation: ResolvedGeneration, addons: readonly AddonObjects[]): void {
  const problems = manifestProblems(addons);
  if (problems.length > 0) throw new ManifestValidationError(generation.fullName, problems);
}
