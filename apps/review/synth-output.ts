// Owns loading what one revision's synth wrote: every stack's cdk.tf.json (listed by cdktf.out/manifest.json), the guard
// report (guard-violations.json), the fleet status (fleet-status.json), the revision's own fleet lock and, as a fallback
// for addon manifests, the dist/ copy. Each stack file's SHA-256 is kept beside it, so the comparison skips stacks that are
// byte for byte the same in both revisions (issue 17) without walking them.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GuardViolation } from "../../constructs/fleet/guard";
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { readFleetStatus, type GenerationStatus } from "./fleet-status";
import { readLockEntries, type LockEntries } from "./lock-changes";

/** What one revision synthesized, ready to compare. */
export interface SynthOutput {
  /** Terraform JSON by stack name. */
  readonly stacks: Readonly<Record<string, TerraformJson>>;
  /** SHA-256 of each stack's cdk.tf.json as written, by stack name; absent for output not read from files. */
  readonly stackDigests?: Readonly<Record<string, string>>;
  /** Addon manifest files from dist/, by generation full name then file name (used when a stack carries none in S3). */
  readonly distManifests: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The guard's report; undefined when the synth wrote none (an app without report mode). */
  readonly guardViolations?: readonly GuardViolation[];
  /** Whether the revision has a fleet lock file. */
  readonly lockPresent: boolean;
  /** The generations the revision's own lock file records; undefined without one. */
  readonly lock?: LockEntries;
  /** The synth's fleet-status.json; undefined when it wrote none. */
  readonly fleetStatus?: readonly GenerationStatus[];
}

interface CdktfManifest {
  readonly stacks?: Record<string, { readonly name?: string; readonly synthesizedStackPath?: string }>;
}

/** Reads `outdir` (the cdktf output) and `distDir` of one revision; `lockFile` is the revision's fleet lock path. */
export function loadSynthOutput(outdir: string, distDir: string, lockFile: string): SynthOutput {
  const manifestFile = join(outdir, "manifest.json");
  const stacks: Record<string, TerraformJson> = {};
  const stackDigests: Record<string, string> = {};
  const read = (name: string, file: string) => {
    const bytes = readFileSync(file);
    stackDigests[name] = createHash("sha256").update(bytes).digest("hex");
    stacks[name] = JSON.parse(bytes.toString("utf8")) as TerraformJson;
  };
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as CdktfManifest;
    for (const [name, entry] of Object.entries(manifest.stacks ?? {}))
      read(name, join(outdir, entry.synthesizedStackPath ?? join("stacks", name, "cdk.tf.json")));
  } else if (existsSync(join(outdir, "stacks"))) {
    for (const name of readdirSync(join(outdir, "stacks"))) {
      const file = join(outdir, "stacks", name, "cdk.tf.json");
      if (existsSync(file)) read(name, file);
    }
  } else {
    throw new Error(`review: the synth wrote no ${manifestFile}; check the "app" command in cdktf.json`);
  }
  const guardFile = join(outdir, "guard-violations.json");
  const guardViolations = existsSync(guardFile) ? (JSON.parse(readFileSync(guardFile, "utf8")) as GuardViolation[]) : undefined;
  const lock = readLockEntries(lockFile);
  const fleetStatus = readFleetStatus(outdir);
  return {
    stacks,
    stackDigests,
    distManifests: readDistManifests(distDir),
    guardViolations,
    lockPresent: lock !== undefined,
    ...(lock ? { lock } : {}),
    ...(fleetStatus ? { fleetStatus } : {}),
  };
}

function readDistManifests(distDir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!existsSync(distDir)) return out;
  for (const gen of readdirSync(distDir).sort()) {
    const addons = join(distDir, gen, "addons");
    if (!existsSync(addons)) continue;
    out[gen] = {};
    for (const file of readdirSync(addons).sort()) {
      if (/\.ya?ml$/.test(file)) out[gen][file] = readFileSync(join(addons, file), "utf8");
    }
  }
  return out;
}
