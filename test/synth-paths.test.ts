// The synth path users run (`npm run synth` and cdktf.json's "app": the app as compiled JavaScript through
// scripts/run-compiled.mjs) writes byte for byte what the TypeScript path (`tsx apps/synth.ts`) writes: every file under
// cdktf.out/ and dist/. The guard runs in report mode, so the comparison holds whatever the fleet lock says.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filesUnder } from "./support/example-synth";

const ROOT = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
const cdktfApp = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;

let work: string;
beforeAll(() => (work = mkdtempSync(join(tmpdir(), "synth-paths-"))));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a shell command from the repository root writing to `<work>/<name>/{cdktf.out,dist}`; resolves to that folder. */
async function synth(name: string, command: string): Promise<string> {
  const out = join(work, name);
  mkdirSync(out);
  await promisify(execFile)("sh", ["-c", command], {
    cwd: ROOT,
    env: {
      ...process.env,
      CDKTF_OUTDIR: join(out, "cdktf.out"),
      DIST_DIR: join(out, "dist"),
      IMMUTABLE_CLUSTERS_GUARD: "report",
      PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return out;
}

test("npm run synth is the cdktf app, and it runs the compiled app", () => {
  expect(manifest.scripts.synth).toBe(cdktfApp);
  expect(cdktfApp).toBe("node scripts/run-compiled.mjs apps/synth.ts");
});

// Both run at once: the same sources (this tree is edited by others while tests run) and half the wall time.
test("the compiled app writes the same files, byte for byte, as tsx apps/synth.ts", async () => {
  const [typescript, compiled] = await Promise.all([synth("tsx", "tsx apps/synth.ts"), synth("compiled", cdktfApp)]);
  const files = filesUnder(typescript);
  // Something was written: both outputs, every example stack and a generation's review copies.
  expect(files).toEqual(expect.arrayContaining(["cdktf.out/manifest.json", "cdktf.out/stacks/prod-a/cdk.tf.json"]));
  expect(files.some((f) => /^dist\/prod-a\/addons\/.+\.yaml$/.test(f))).toBe(true);
  expect(files.some((f) => /^dist\/prod-a\/ignition\/.+\.ign$/.test(f))).toBe(true);
  expect(filesUnder(compiled)).toEqual(files);
  const differing = files.filter((f) => !readFileSync(join(typescript, f)).equals(readFileSync(join(compiled, f))));
  expect(differing).toEqual([]);
});

// scripts/run-compiled.mjs runs this repository's TypeScript from where it is, transpiled file by file (cached by
// content), and the packages it imports from one bundle with V8's code cache, under node_modules/.cache. A copy of the
// script in a scratch repository (its own node_modules/.cache) shows: the package comes from the bundle, not from
// node_modules; the bundle is reused while the packages stay as they are, also when a source changes; an edited source
// is picked up on the next run; code reading files beside itself finds them.
test("run-compiled transpiles only what changed, keeps one package bundle, and __dirname is the source's folder", async () => {
  const repo = join(work, "scratch-repo");
  mkdirSync(join(repo, "scripts"), { recursive: true });
  mkdirSync(join(repo, "apps", "data"), { recursive: true });
  mkdirSync(join(repo, "node_modules"), { recursive: true });
  copyFileSync(join(ROOT, "scripts", "run-compiled.mjs"), join(repo, "scripts", "run-compiled.mjs"));
  // esbuild (resolved by the script from its own folder) and yaml (the package the probe imports) are this repository's.
  for (const name of ["esbuild", "@esbuild", "yaml"])
    symlinkSync(join(ROOT, "node_modules", name), join(repo, "node_modules", name), "dir");
  writeFileSync(join(repo, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs" } }));
  writeFileSync(join(repo, "apps", "data", "greeting.txt"), "hello from beside the source");
  writeFileSync(join(repo, "apps", "value.ts"), "export const value: number = 1;\n");
  writeFileSync(
    join(repo, "apps", "probe.ts"),
    'import { readFileSync } from "node:fs";\nimport { join } from "node:path";\nimport { stringify } from "yaml";\nimport { value } from "./value";\n' +
      "const fromNodeModules = Object.keys(require.cache).some((file) => file.includes(`${join('node_modules', 'yaml')}`));\n" +
      'console.log(JSON.stringify({ value, yaml: stringify({ a: 1 }), fromNodeModules, text: readFileSync(join(__dirname, "data", "greeting.txt"), "utf8"), dir: __dirname, args: process.argv.slice(2) }));\n',
  );
  const run = async () =>
    JSON.parse((await promisify(execFile)(process.execPath, ["scripts/run-compiled.mjs", "apps/probe.ts", "x"], { cwd: repo })).stdout) as {
      value: number;
      yaml: string;
      fromNodeModules: boolean;
      text: string;
      dir: string;
      args: string[];
    };
  const cache = join(repo, "node_modules", ".cache", "immutable-clusters", "run-compiled");
  const bundles = () => readdirSync(cache).filter((f) => /^packages-.*\.js$/.test(f));
  const first = await run();
  expect(first).toEqual({
    value: 1,
    yaml: "a: 1\n",
    fromNodeModules: false,
    text: "hello from beside the source",
    dir: join(repo, "apps"),
    args: ["x"],
  });
  expect(bundles()).toHaveLength(1);
  // The first run leaves V8's code cache beside the bundle; the next runs reuse both.
  expect(readdirSync(cache).filter((f) => f.includes(".js.v8-"))).toHaveLength(1);
  const bundleTime = statSync(join(cache, bundles()[0])).mtimeMs;
  expect(await run()).toEqual(first);
  // An edited source is transpiled again and seen; the package bundle stays as it was.
  writeFileSync(join(repo, "apps", "value.ts"), "export const value: number = 2;\n");
  expect(await run()).toEqual({ ...first, value: 2 });
  expect(bundles()).toHaveLength(1);
  expect(statSync(join(cache, bundles()[0])).mtimeMs).toBe(bundleTime);
});
