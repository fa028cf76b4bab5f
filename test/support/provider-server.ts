// Test support: one running AWS provider per emulator that the suite's terraform runs attach to, instead of each
// terraform command starting the 675 MB provider binary again (twice for a validate, more for plan and apply).
//
// The provider runs in debug mode: hashicorp/terraform-provider-aws main.go serves with `tf5server.WithManagedDebug()`
// when given `-debug`, and then prints the TF_REATTACH_PROVIDERS value under which terraform uses that process instead
// of starting its own (5.100.0 prints it as `TF_REATTACH_PROVIDERS='{...}'`). Measured on the shared machine: three
// `terraform validate` runs took 16.2 CPU s with their own provider, 11.4 CPU s attached to one (terraform and provider
// together). Use one server per emulator, for the runs of one suite.
//
// The provider reads the emulator's endpoint and credentials from its own environment, so it is started with the
// emulator's `env`; everything in the stack (the provider block included) is used as synthesized. Its log holds warnings
// and errors only (PROVIDER_LOG_LEVELS below).
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProviderMirror } from "./terraform";

/**
 * Log levels of the provider process. Started by terraform, a provider's logs go to terraform, which drops them unless
 * TF_LOG is set; in debug mode nothing filters them and every RPC is logged at trace level (generations.e2e: 100,000
 * lines, 53 MB). With these levels three `terraform validate` runs cost the provider 1.7 instead of 2.0 CPU s, measured
 * on the shared machine (over a whole generations.e2e run the difference was within noise), and the log holds 9 lines.
 * Warnings and errors still reach the log file.
 * The variables are hashicorp/terraform-plugin-go's (internal/logging/environment.go: TF_LOG_PROVIDER for the provider's
 * root logger, TF_LOG_SDK for the SDK loggers, whose subsystems such as TF_LOG_SDK_PROTO take the root level when unset).
 * Set any of them in your environment to see more: yours win.
 */
const PROVIDER_LOG_LEVELS = { TF_LOG_PROVIDER: "WARN", TF_LOG_SDK: "WARN" };

/** A running provider: `env` (TF_REATTACH_PROVIDERS) goes into each terraform run's environment. */
export interface ProviderServer {
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** The provider binary in the mirror, for this machine's platform. */
function providerBinary(version: string): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const dir = join(findProviderMirror(version), "registry.terraform.io", "hashicorp", "aws", version, `${process.platform}_${arch}`);
  const binary = readdirSync(dir).find((name) => name.startsWith("terraform-provider-aws"));
  if (!binary) throw new Error(`no terraform-provider-aws binary in ${dir}`);
  return join(dir, binary);
}

/** Starts hashicorp/aws `version` in debug mode with the emulator's environment; fails loudly if it does not come up. */
export async function startProviderServer(env: Record<string, string>, version = "5.100.0"): Promise<ProviderServer> {
  // Its log goes to a file, not a pipe: nobody reads a pipe while terraform runs block the test process.
  const logFile = join(mkdtempSync(join(tmpdir(), "tf-provider-")), "provider.log");
  const log = openSync(logFile, "a");
  // Without AWS_CA_BUNDLE: the emulator speaks plain HTTP, and a provider configured a second time in one process fails
  // with a custom CA bundle ("unable to add custom RootCAs HTTPClient").
  const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
  const child = spawn(providerBinary(version), ["-debug"], {
    stdio: ["ignore", log, log],
    env: { ...PROVIDER_LOG_LEVELS, ...inherited, ...env },
  });
  closeSync(log);
  const deadline = Date.now() + 120_000;
  let reattach: string | undefined;
  while (!reattach) {
    if (child.exitCode !== null) throw new Error(`the AWS provider exited with code ${child.exitCode}:\n${readFileSync(logFile, "utf8")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the AWS provider printed no TF_REATTACH_PROVIDERS within 120 s:\n${readFileSync(logFile, "utf8")}`);
    }
    reattach = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(readFileSync(logFile, "utf8"))?.[1];
    if (!reattach) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    env: { TF_REATTACH_PROVIDERS: reattach },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
