// Review speedups (issue 17) that change no verdict: identical manifest texts are not parsed, and the CLI loads only the
// subcommand it runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffManifests } from "../apps/review/kubernetes-diff";

describe("diffManifests on unchanged text", () => {
  it("has no changes for byte-identical texts without parsing them", () => {
    // A text that does not parse throws when it has to be compared; unchanged, it is never read.
    const unparsable = "kind: [unclosed\n";
    expect(() => diffManifests(unparsable, "kind: ConfigMap\n")).toThrow();
    expect(diffManifests(unparsable, unparsable)).toEqual([]);
  });

  it("still reports a changed text", () => {
    const a = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n  labels:\n    a: '1'\n";
    const b = a.replace("a: '1'", "a: '2'");
    expect(diffManifests(a, b)).toEqual([expect.objectContaining({ key: expect.stringContaining("tools"), status: "changed" })]);
  });
});

describe("the CLI loads only the subcommand it runs", () => {
  const scratch = mkdtempSync(join(tmpdir(), "cli-modules-"));
  const probe = join(scratch, "probe.cjs");
  // Which modules a CLI process loaded, through node's own module cache (printed at exit).
  writeFileSync(probe, "process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache))));\n");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const runs = new Map<string, string[]>();
  /** The modules `apps/cli.ts <args>` loaded; one process per distinct command line, shared by the tests that ask. */
  const loaded = (...args: string[]): string[] => {
    const key = JSON.stringify(args);
    if (!runs.has(key)) runs.set(key, loadedBy(args));
    return runs.get(key)!;
  };
  const loadedBy = (args: string[]): string[] => {
    // tsx's CommonJS hook in this process (its CLI would run the program in a child process).
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "--require", probe, "apps/cli.ts", ...args], {
      cwd: join(__dirname, ".."),
      encoding: "utf8",
    });
    const line = /LOADED (.*)$/m.exec(run.stderr)?.[1];
    if (!line) throw new Error(`no module list: ${run.stderr}`);
    return JSON.parse(line) as string[];
  };

  it("review --help loads neither the lock, init nor token command (the token command loads the AWS SDK)", () => {
    const modules = loaded("review", "--help");
    expect(modules.some((m) => m.endsWith("apps/commands/review.ts"))).toBe(true);
    expect(modules.filter((m) => /apps\/commands\/(lock|token|init)\.ts$|@aws-sdk/.test(m))).toEqual([]);
  });

  it("review loads neither the lock's parsers and renderers nor the addon registry (it needs only their names)", () => {
    const modules = loaded("review", "--help");
    expect(modules.some((m) => m.endsWith("constructs/fleet/lock-file.ts"))).toBe(true);
    expect(modules.filter((m) => /constructs\/(fleet\/lock|addons\/(render|registry|policy-layer))\.ts$|cdk8s/.test(m))).toEqual([]);
  });

  it("help loads and lists every subcommand", () => {
    const modules = loaded("--help");
    for (const command of ["review", "init", "lock", "token"])
      expect(modules.some((m) => m.endsWith(`apps/commands/${command}.ts`))).toBe(true);
  });
});
