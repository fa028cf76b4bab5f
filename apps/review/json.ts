// Owns the machine-readable output of a review: the ReviewReport (schemaVersion 1, see report.ts and docs/review.md) as
// indented JSON with a trailing newline.
import type { ReviewReport } from "./report";

/** The report as JSON text. */
export function renderJson(report: ReviewReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
