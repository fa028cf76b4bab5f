// The synth path users run (`npm run synth` and cdktf.json's "app": the app as compiled JavaScript through
// scripts/run-compiled.mjs) writes byte for byte what the TypeScript path (`tsx apps/synth.ts`) writes: every file under
// cdktf.out/ and dist/. The guard runs in report mode, so the comparison holds whatever the fleet lock says.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
