// Test support: runs the real example app (apps/synth.ts) in a fresh working folder, as `npm run synth` does, and lists
// and decodes what it wrote (Terraform JSON under cdktf.out/, manifests and node configs under dist/).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { decodeDataUrl } from "../../constructs/ignition/builder";

const ROOT = join(__dirname, "..", "..");

/**
 * Runs apps/synth.ts with `cwd` as its working folder, the way `npm run synth` does (compiled, through
 * scripts/run-compiled.mjs, whose bundle is cached between runs: less CPU than tsx, and test/synth-paths.test.ts proves
 * both paths write the same bytes); returns that folder.
 */
export function synthExamples(cwd = mkdtempSync(join(tmpdir(), "examples-"))): string {
  execFileSync(process.execPath, [join(ROOT, "scripts", "run-compiled.mjs"), join(ROOT, "apps", "synth.ts")], {
    cwd,
    env: { ...process.env, CDKTF_OUTDIR: join(cwd, "cdktf.out"), DIST_DIR: join(cwd, "dist") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return cwd;
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}

/**
 * The text of a synthesized file plus everything encoded inside it that a secret could hide in: base64 user data,
 * Ignition file contents (data: URLs, gzip), and S3 object contents that are themselves Ignition configs.
 */
export function expandedText(text: string): string {
  const parts = [text];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (value.startsWith("data:")) parts.push(decodeDataUrl(value));
      else if (key === "user_data") parts.push(expandedText(Buffer.from(value, "base64").toString("utf8")));
      else if (key === "content" && value.trimStart().startsWith("{")) parts.push(expandedText(value));
      // Node-bucket objects of node contract 3 and later (node-bucket-object-content.ts): every one decoded and scanned.
      else if (key === "content_base64") parts.push(expandedText(Buffer.from(value, "base64").toString("utf8")));
      return;
    }
    if (Array.isArray(value)) return value.forEach((v) => visit(v));
    if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      const contents = record.contents as { source?: string; compression?: string } | undefined;
      if (contents?.source?.startsWith("data:")) parts.push(decodeDataUrl(contents.source, contents.compression));
      for (const [k, v] of Object.entries(record)) if (k !== "contents") visit(v, k);
    }
  };
  try {
    visit(JSON.parse(text));
  } catch {
    // not JSON (YAML manifests): scanned as text
  }
  return parts.join("\n");
}

/** Reads a file of a synth folder. */
export function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), "utf8");
}
