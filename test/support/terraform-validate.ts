// Test support: `terraform validate` of many synthesized stacks against the real AWS provider schema, offline, as
// cheaply as it stays faithful. Each stack is still initialized from the provider filesystem mirror (`terraform init
// -backend=false`, which links the mirror's unpacked provider: proves the stack's required_providers resolve offline)
// and validated on its own (`terraform validate -json` in its folder, so every root-module rule applies). What is
// shared: one AWS provider process for every validate (test/support/provider-server.ts; a validate that starts its own
// provider starts the 675 MB binary twice: measured 7.0 CPU s for prod-a alone, 4.7 attached), and two stacks at a time
// (the machine has two cores; terraform decodes the provider schema on one core per run). One real init per kind of stack
// (generation, traffic, identity) with the same provider requirements; the other stacks of that kind get a copy of its
// initialized working directory (initOrReuse below).
import { copyFileSync, cpSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { basename, join } from "node:path";
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
 * What makes two stacks' inits the same: the stack's kind (its folder's name ends in -traffic or -identity, else a
 * generation) and its `terraform.required_providers`, the only input of a `-backend=false` init that a stack without
 * modules has.
 */
function initKey(dir: string): string {
  const name = basename(dir);
  const kind = name.endsWith("-traffic") ? "traffic" : name.endsWith("-identity") ? "identity" : "generation";
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { terraform?: { required_providers?: unknown } };
  return `${kind} ${JSON.stringify(json.terraform?.required_providers ?? null)}`;
}

/**
 * `terraform init -backend=false` of `dir`, or, when a stack of the same kind with the same provider requirements was
 * initialized already (`inits`, by initKey), a copy of what that init wrote. Each init costs about 1 CPU s (measured
 * 0.8 user + 0.3 sys, a generation stack): it hashes the mirror's 675 MB provider package for the lock file
 * (hashicorp/terraform v1.11.4 internal/providercache/installer.go, `new.Hash()`). What it
 * writes is the same for every stack with the same requirements: the dependency lock file `.terraform.lock.hcl` beside
 * the configuration, and under the data dir `.terraform` (hashicorp/terraform v1.11.4 internal/command/command.go
 * `DefaultDataDir`; TF_DATA_DIR is not set here) a symlink to the mirror's unpacked package
 * (internal/providercache/package_install.go `installFromLocalDir`, `os.Symlink`), copied as a symlink. The first
 * stack of each kind still proves that init installs its requirements from the mirror. The validates run attached to
 * the provider server (TF_REATTACH_PROVIDERS), which terraform treats as an overridden provider: it neither starts nor
 * checksums the package in `.terraform` (internal/command/meta_dependencies.go `annotateDependencyLocksWithOverrides`,
 * meta_providers.go `providerFactories`).
 */
async function initOrReuse(dir: string, inits: Map<string, Promise<string>>): Promise<void> {
  const key = initKey(dir);
  const first = inits.get(key);
  if (!first) {
    // Not attached: init must install hashicorp/aws from the mirror as a user's init would.
    const init = terraformAsync(dir, ["init", "-backend=false", "-input=false", "-no-color"]).then(() => dir);
    inits.set(key, init);
    await init;
    return;
  }
  const from = await first;
  cpSync(join(from, ".terraform"), join(dir, ".terraform"), { recursive: true, verbatimSymlinks: true });
  copyFileSync(join(from, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
}

/**
 * Initializes (offline, from the mirror: one real init per kind of stack, initOrReuse) and validates each stack folder in
 * `dirs`, attached to one provider process started here and stopped before returning. A failing init throws with its
 * output; a failing validate is returned with its verdict, for the caller to assert on. Keyed by folder.
 */
export async function validateStackDirs(dirs: readonly string[]): Promise<Map<string, StackValidation>> {
  // validate asks the provider only for its schema and config validation, never configures it: no AWS environment.
  const provider = await startProviderServer({});
  try {
    // Largest stack first: validate's cost grows with the stack's JSON (staging-b, 1.2 MB: 36 CPU s of terraform alone),
    // so the pool's other slot works through the small stacks meanwhile instead of waiting on it at the end.
    const bySize = [...dirs].sort((a, b) => sizeOf(b) - sizeOf(a));
    const inits = new Map<string, Promise<string>>();
    const results = await pooled(bySize, POOL, async (dir): Promise<StackValidation> => {
      await initOrReuse(dir, inits);
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
