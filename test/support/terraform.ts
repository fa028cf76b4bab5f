// Test support: runs the real terraform CLI offline against the machine's provider filesystem mirror.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Finds the folder that holds `registry.terraform.io/hashicorp/aws/<version>/` for a filesystem mirror. */
export function findProviderMirror(version = "5.100.0"): string {
  const candidates = [
    process.env.TF_PROVIDER_MIRROR,
    "/opt/tf-plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    join(process.env.HOME ?? "/root", ".terraform.d/plugins"),
    join(process.env.HOME ?? "/root", ".local/share/terraform/plugins"),
  ].filter((c): c is string => Boolean(c));
  for (const dir of candidates) {
    if (existsSync(join(dir, "registry.terraform.io/hashicorp/aws", version))) return dir;
  }
  // Fall back to a search of the usual roots, as the mirror's place differs between machines.
  for (const root of ["/opt", "/usr/local", "/usr/share", "/root", "/home"]) {
    try {
      const found = execFileSync("find", [root, "-maxdepth", "6", "-type", "d", "-path", `*registry.terraform.io/hashicorp/aws/${version}`], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
        .split("\n")
        .filter(Boolean)[0];
      if (found) return found.replace(new RegExp(`/registry.terraform.io/hashicorp/aws/${version.replace(/\./g, "\\.")}$`), "");
    } catch {
      // keep looking
    }
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

/** Runs terraform in `dir` with the offline CLI config and extra environment; returns stdout, throws with output on failure. */
export function terraform(dir: string, args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync("terraform", args, {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        TF_CLI_CONFIG_FILE: terraformCliConfig(),
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        CHECKPOINT_DISABLE: "1",
        TF_PLUGIN_CACHE_DIR: "",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args.join(" ")} failed in ${dir}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

/** Names of the stacks in a cdktf output folder. */
export function stackNames(outdir: string): string[] {
  return readdirSync(join(outdir, "stacks")).sort();
}
