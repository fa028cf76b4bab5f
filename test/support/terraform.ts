// Test support: runs the real terraform CLI offline against the machine's provider filesystem mirror, blocking
// (runTerraform, terraform) or in the background (runTerraformAsync, terraformAsync: independent stacks applied side by
// side, so the AWS provider's fixed waits against the emulator overlap instead of adding up).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Filesystem mirror paths declared in the user's own terraform CLI config (TF_CLI_CONFIG_FILE or ~/.terraformrc). */
function configuredMirrors(): string[] {
  const home = process.env.HOME ?? "/root";
  const paths: string[] = [];
  for (const file of [process.env.TF_CLI_CONFIG_FILE, join(home, ".terraformrc")]) {
    if (!file || !existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"/g)) paths.push(m[1]);
  }
  return paths;
}

/**
 * Finds the folder that holds `registry.terraform.io/hashicorp/aws/<version>/` for a filesystem mirror: TF_PROVIDER_MIRROR,
 * then the mirrors the user's CLI config declares, then Terraform's implicit local mirror folders, then a search.
 */
export function findProviderMirror(version = "5.100.0"): string {
  const candidates = [
    process.env.TF_PROVIDER_MIRROR,
    ...configuredMirrors(),
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    join(process.env.HOME ?? "/root", ".terraform.d/plugins"),
    join(process.env.HOME ?? "/root", ".local/share/terraform/plugins"),
  ].filter((c): c is string => Boolean(c));
  for (const dir of candidates) {
    if (existsSync(join(dir, "registry.terraform.io/hashicorp/aws", version))) return dir;
  }
  // Fall back to a search of the usual roots, as the mirror's place differs between machines.
  for (const root of ["/opt", "/usr/local", "/usr/share", process.env.HOME ?? "/root", "/home"]) {
    // find exits non-zero when some folder is unreadable; what it printed still counts.
    const found = spawnSync("find", [root, "-maxdepth", "6", "-type", "d", "-path", `*registry.terraform.io/hashicorp/aws/${version}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .stdout?.split("\n")
      .filter((line) => line && !line.includes("/.terraform/"))[0];
    if (found) return found.slice(0, -`/registry.terraform.io/hashicorp/aws/${version}`.length);
  }
  throw new Error(`no Terraform filesystem mirror with hashicorp/aws ${version} found; set TF_PROVIDER_MIRROR to its folder`);
}

let cliConfig: string | undefined;

/** A terraform CLI config file that installs providers from the mirror only (offline). */
export function terraformCliConfig(): string {
  if (cliConfig) return cliConfig;
  const dir = mkdtempSync(join(tmpdir(), "tfrc-"));
  const file = join(dir, "terraformrc");
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${findProviderMirror()}"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  cliConfig = file;
  return file;
}

/** The outcome of one terraform command. */
export interface TerraformRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment every terraform run gets: offline CLI config, no prompts, no update check, then `env`. */
function terraformEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: terraformCliConfig(),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_PLUGIN_CACHE_DIR: "",
    ...env,
  };
}

const cannotRun = (error: Error) => new Error(`cannot run terraform (install terraform 1.x on PATH): ${error.message}`);

function checked(dir: string, args: string[], run: TerraformRun): string {
  if (run.status !== 0) throw new Error(`terraform ${args.join(" ")} failed (exit ${run.status}) in ${dir}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Runs terraform in `dir` with the offline CLI config and extra environment, whatever its exit status. */
export function runTerraform(dir: string, args: string[], env: Record<string, string> = {}): TerraformRun {
  const run = spawnSync("terraform", args, {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: terraformEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.error) throw cannotRun(run.error);
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Runs terraform in `dir` with the offline CLI config and extra environment; returns stdout, throws with output on failure. */
export function terraform(dir: string, args: string[], env: Record<string, string> = {}): string {
  return checked(dir, args, runTerraform(dir, args, env));
}

/**
 * runTerraform without blocking the test process: several stacks run at once (`await Promise.all([...])`), so the AWS
 * provider's fixed waits overlap (it waits 30 s before it first polls a new load balancer: `waitLoadBalancerActive`,
 * `Delay: 30 * time.Second`, hashicorp/terraform-provider-aws internal/service/elbv2; a Route53 record takes 15 s in our
 * apply logs). Only for stacks that do not depend on each other's resources or state.
 */
export function runTerraformAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd: dir, env: terraformEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => reject(cannotRun(error)));
    child.on("close", (status) =>
      resolve({ status: status ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}

/** terraform() without blocking: resolves to stdout, rejects with the output on failure. */
export async function terraformAsync(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return checked(dir, args, await runTerraformAsync(dir, args, env));
}

/** Names of the stacks in a cdktf output folder. */
export function stackNames(outdir: string): string[] {
  return readdirSync(join(outdir, "stacks")).sort();
}
