// Test support: runs shellcheck once over many scripts and hands back each script's findings, so a suite can assert
// per script without starting shellcheck per script. The verdict is kept on disk by the exact inputs (shellcheck's
// version, its arguments, and every file of the folder the scripts may `source` from), so an unchanged folder is not
// analysed again; any change to any of those inputs runs shellcheck again.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";

/** One finding of shellcheck's `-f json1` output (the fields this support reads). */
interface Json1Comment {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: string;
  readonly code: number;
  readonly message: string;
}

/** What one shellcheck call over a folder's scripts reported. */
export interface ShellcheckRun {
  /** Exit status: 0 without findings, 1 with findings (shellcheck(1), "RETURN VALUES"); anything else is a failed run. */
  readonly status: number | null;
  /** Anything shellcheck wrote on stderr (a file it could not read, a bad option). */
  readonly stderr: string;
  /** Each finding as `file:line:column: level SCcode: message`, by the file it is in (the name as passed). */
  readonly findings: ReadonlyMap<string, readonly string[]>;
}

const ROOT = join(__dirname, "..", "..");
/** Where verdicts are kept, beside the review's caches; absent without node_modules (then nothing is kept). */
const CACHE_DIR = existsSync(join(ROOT, "node_modules"))
  ? join(ROOT, "node_modules", ".cache", "immutable-clusters", "shellcheck")
  : undefined;

/** shellcheck's version line, or an error naming the package to install. */
export function shellcheckVersion(): string {
  try {
    return execFileSync("shellcheck", ["--version"], { encoding: "utf8" });
  } catch {
    throw new Error("shellcheck is not installed: apt-get install -y shellcheck");
  }
}

/**
 * The cache key: shellcheck's version, the arguments (with `SHELLCHECK_OPTS`), every regular file of `dir` (name, mode
 * and bytes) and the rc files shellcheck would read, hashed.
 */
function inputsHash(dir: string, args: readonly string[], files: readonly string[]): string {
  const hash = createHash("sha256")
    .update(shellcheckVersion())
    .update(JSON.stringify([args, files, process.env.SHELLCHECK_OPTS ?? ""]));
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    hash.update(`\0${name}\0${statSync(path).mode & 0o777}\0`).update(readFileSync(path));
  }
  for (const rc of rcFiles(dir)) hash.update(`\0${rc}\0`).update(readFileSync(rc));
  return hash.digest("hex");
}

/**
 * The rc files shellcheck would read for scripts in `dir`: `.shellcheckrc` or `shellcheckrc` in the folder or any parent,
 * then `~/.shellcheckrc` and `$XDG_CONFIG_HOME/shellcheckrc` (shellcheck(1), "RC FILES"); those present are inputs too.
 */
function rcFiles(dir: string): string[] {
  const candidates: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    candidates.push(join(d, ".shellcheckrc"), join(d, "shellcheckrc"));
    if (dirname(d) === d) break;
  }
  candidates.push(join(homedir(), ".shellcheckrc"), join(process.env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "shellcheckrc"));
  return candidates.filter((path) => existsSync(path));
}

/**
 * Runs `shellcheck <args> -f json1 <files>` once with `dir` as its working folder (so `source` paths resolve as when
 * each script is checked from its own folder), or reads the verdict kept for exactly these inputs.
 */
export function shellcheckFolder(dir: string, files: readonly string[], args: readonly string[]): ShellcheckRun {
  const names = files.map((file) => relative(dir, file));
  const key = inputsHash(dir, args, names);
  const cached = CACHE_DIR && join(CACHE_DIR, `${key}.json`);
  let raw: { status: number | null; stdout: string; stderr: string };
  if (cached && existsSync(cached)) {
    raw = JSON.parse(readFileSync(cached, "utf8")) as typeof raw;
  } else {
    const run = spawnSync("shellcheck", [...args, "-f", "json1", ...names], { cwd: dir, encoding: "utf8" });
    if (run.error) throw new Error(`shellcheck could not run (apt-get install -y shellcheck): ${run.error.message}`);
    raw = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    // Only a completed analysis is kept (0: clean, 1: findings); a crashed or refused run is tried again next time.
    if (cached && (raw.status === 0 || raw.status === 1)) {
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(cached, JSON.stringify(raw));
    }
  }
  const comments = raw.stdout.trim() === "" ? [] : (JSON.parse(raw.stdout) as { comments: Json1Comment[] }).comments;
  const findings = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const c of comments) {
    const line = `${c.file}:${c.line}:${c.column}: ${c.level} SC${c.code}: ${c.message}`;
    findings.set(c.file, [...(findings.get(c.file) ?? []), line]);
  }
  return { status: raw.status, stderr: raw.stderr, findings };
}
