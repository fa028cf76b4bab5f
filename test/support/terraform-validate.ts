// Test support: `terraform validate` of many synthesized stacks against the real AWS provider schema, offline, as
// cheaply as it stays faithful. Each stack is still initialized from the provider filesystem mirror (`terraform init
// -backend=false`, which links the mirror's unpacked provider: proves the stack's required_providers resolve offline)
// and validated on its own (`terraform validate -json` in its folder, so every root-module rule applies). What is
// shared: one AWS provider process for every validate (test/support/provider-server.ts; a validate that starts its own
// provider starts the 675 MB binary twice: measured 7.0 CPU s for prod-a alone, 4.7 attached), and two stacks at a time
// (the machine has two cores; terraform decodes the provider schema on one core per run).
import { statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startProviderServer } from "./provider-server";
import { runTerraformAsync, terraformAsync, type TerraformRun } from "./terraform";

/** One diagnostic of `terraform validate -json` (format_version 1.0). */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number } };
}

/** The verdict `terraform validate -json` prints. */
export interface Verdict {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** The outcome of one stack's validate: its run and the verdict it printed (undefined when it printed no JSON). */
export interface StackValidation {
  /** The stack's folder. */
  readonly dir: string;
  readonly run: TerraformRun;
  readonly verdict?: Verdict;
}

/**
 * A beforeAll that validates a suite's stacks gets what the suite's tests had when each validated one stack (jest's
 * testTimeout, 600 s, per stack of the examples): staging-b alone took 360 s on the shared machine at load 20-28.
 */
export const VALIDATE_TIMEOUT_MS = 8 * 600_000;

/** How many terraform runs at once: one per core, at most two (a bigger pool only queues on the CPU). */
const POOL = Math.max(1, Math.min(2, cpus().length));

/** Runs `fn` over `items` with at most `size` running at once; results in the order of `items`. */
async function pooled<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/** Bytes of a stack folder's cdk.tf.json (0 when absent: init then fails with terraform's own message). */
function sizeOf(dir: string): number {
  return statSync(join(dir, "cdk.tf.json"), { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * Initializes (offline, from the mirror) and validates each stack folder in `dirs`, attached to one provider process
 * started here and stopped before returning. A failing init throws with its output; a failing validate is returned with
 * its verdict, for the caller to assert on. Keyed by folder.
 */
export async function validateStackDirs(dirs: readonly string[]): Promise<Map<string, StackValidation>> {
  // validate asks the provider only for its schema and config validation, never configures it: no AWS environment.
  const provider = await startProviderServer({});
  try {
    // Largest stack first: validate's cost grows with the stack's JSON (staging-b, 1.2 MB: 36 CPU s of terraform alone),
    // so the pool's other slot works through the small stacks meanwhile instead of waiting on it at the end.
    const bySize = [...dirs].sort((a, b) => sizeOf(b) - sizeOf(a));
    const results = await pooled(bySize, POOL, async (dir): Promise<StackValidation> => {
      // Not attached: init must install hashicorp/aws from the mirror as a user's init would.
      await terraformAsync(dir, ["init", "-backend=false", "-input=false", "-no-color"]);
      const run = await runTerraformAsync(dir, ["validate", "-json", "-no-color"], provider.env);
      let verdict: Verdict | undefined;
      try {
        verdict = JSON.parse(run.stdout) as Verdict;
      } catch {
        verdict = undefined;
      }
      return { dir, run, verdict };
    });
    return new Map(results.map((r) => [r.dir, r]));
  } finally {
    await provider.stop();
  }
}

/** validateStackDirs of the named stacks of a cdktf output folder (`outdir/stacks/<stack>`), keyed by stack name. */
export async function validateStacks(outdir: string, stacks: readonly string[]): Promise<Map<string, StackValidation>> {
  const byDir = await validateStackDirs(stacks.map((stack) => join(outdir, "stacks", stack)));
  return new Map(stacks.map((stack) => [stack, byDir.get(join(outdir, "stacks", stack))!]));
}

/** One line per diagnostic: where, what, why. */
export function describeDiagnostic(d: Diagnostic): string {
  const where = d.address ?? (d.range ? `${d.range.filename}:${d.range.start.line}` : "");
  return `${d.severity} ${where}: ${d.summary}${d.detail ? ` — ${d.detail}` : ""}`;
}

/** The verdict of a validation, or an error with the run's output when terraform printed no JSON verdict. */
export function verdictOf(validation: StackValidation | undefined, stack: string): Verdict {
  if (!validation) throw new Error(`${stack} was not validated`);
  if (!validation.verdict) {
    const { run } = validation;
    throw new Error(`terraform validate printed no JSON verdict for ${stack} (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return validation.verdict;
}
