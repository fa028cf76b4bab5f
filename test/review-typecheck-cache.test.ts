// The review's incremental type check (issue 17): tsc's state is kept in node_modules/.cache/immutable-clusters/ and
// reused by the next review although each review checks out into another temporary folder; a cached state never
// hides a new type error nor keeps a fixed one. Run with each compiler a repository may have: the JavaScript TypeScript
// only, and TypeScript 7's native compiler beside it (the `typescript-7` alias), which the review then uses.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { materialize, TYPE_CHECK_LINEAGES, typeCheck } from "../apps/review/revision";
import { typeScriptCompiler } from "../apps/review/typescript-compiler";

const ROOT = join(__dirname, "..");

describe.each([
  // Without @types/node for the JavaScript compiler: the two files need nothing of it (console is in TypeScript's default
  // DOM lib) and each check parsed it again (tsc 5.9: 2.5 against 1.5 CPU s a check with a warm state, 6.8 against 3.3
  // cold); its state still names files outside the checkout, its lib files. The native compiler keeps it: its lib files
  // are built in, so @types/node is what puts files of node_modules into its state.
  { compiler: "the JavaScript TypeScript", native: false, links: ["typescript"], types: [] },
  {
    compiler: "TypeScript 7's native compiler",
    native: true,
    links: ["typescript", "typescript-7", "@typescript", "@types/node"],
    types: ["node"],
  },
])("incremental type check of the head revision with $compiler", ({ native, links, types }) => {
  const repo = mkdtempSync(join(tmpdir(), "review-tsc-repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: repo, encoding: "utf8" });
  const cache = join(repo, "node_modules", ".cache", "immutable-clusters", "review-head.tsbuildinfo");

  beforeAll(() => {
    // A definitions repository of its own (its own node_modules folder, so the test never touches this repository's cache).
    mkdirSync(join(repo, "node_modules", "@types"), { recursive: true });
    for (const name of links) symlinkSync(join(ROOT, "node_modules", name), join(repo, "node_modules", name), "dir");
    mkdirSync(join(repo, "apps"));
    mkdirSync(join(repo, "clusters"));
    writeFileSync(join(repo, "cdktf.json"), JSON.stringify({ app: "npx tsx apps/synth.ts" }));
    writeFileSync(join(repo, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, types } }));
    writeFileSync(join(repo, ".gitignore"), "node_modules\n");
    writeFileSync(join(repo, "clusters", "prod.ts"), "export const weight: number = 75;\n");
    writeFileSync(join(repo, "apps", "synth.ts"), 'import { weight } from "../clusters/prod";\nconsole.log(weight);\n');
    git("init", "--quiet", "--initial-branch=main");
    git("add", "-A");
    git("commit", "--quiet", "-m", "base");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  /** Type-checks HEAD as a review does: a worktree in a fresh temporary folder, node_modules linked. */
  async function checkHead(lineage?: string): Promise<{ code: number | null; output: string }> {
    const tmp = mkdtempSync(join(tmpdir(), "review-tsc-run-"));
    const head = materialize(repo, "HEAD", tmp, "head");
    try {
      return await typeCheck(head.appDir, tmp, "head", lineage)!;
    } finally {
      head.cleanup();
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  it(`type-checks with ${native ? "TypeScript 7's native compiler" : "the JavaScript TypeScript"}`, () => {
    expect(typeScriptCompiler(repo)).toMatchObject({
      native,
      version: native ? expect.stringMatching(/^7\./) : expect.stringMatching(/^5\./),
    });
  });

  it("caches its state under node_modules/.cache with paths that do not name the temporary folder", async () => {
    expect(await checkHead()).toMatchObject({ code: 0 });
    expect(existsSync(cache)).toBe(true);
    const state = JSON.parse(readFileSync(cache, "utf8")) as { version: string; fileNames: string[] };
    // Written by the compiler the review chose (the state records its version).
    expect(state.version).toMatch(native ? /^7\./ : /^5\./);
    expect(state.fileNames).toContain("../head/clusters/prod.ts");
    expect(state.fileNames.filter((f) => f.startsWith("/") || f.includes("review-tsc-run-"))).toEqual([]);
    // Files from outside the checkout (the compiler's lib, @types/node) are in the state too, named relatively.
    expect(state.fileNames.some((f) => f.startsWith("../../"))).toBe(true);
  });

  it("reports a new type error with the cached state, and forgets it once fixed", async () => {
    writeFileSync(join(repo, "clusters", "prod.ts"), 'export const weight: number = "75";\n');
    git("commit", "--quiet", "-am", "a type error");
    const broken = await checkHead();
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/clusters\/prod\.ts\(1,14\): error TS2322/);
    writeFileSync(join(repo, "clusters", "prod.ts"), "export const weight: number = 50;\n");
    git("commit", "--quiet", "-am", "fixed");
    expect(await checkHead()).toMatchObject({ code: 0, output: "" });
  });

  it(`keeps a state per lineage (the review's base commit), at most ${TYPE_CHECK_LINEAGES}, beside the last one`, async () => {
    const dir = join(repo, "node_modules", ".cache", "immutable-clusters");
    const lineages = () => readdirSync(dir).filter((name) => /^review-head-[0-9a-f]{16}\.tsbuildinfo$/.test(name));
    // Older states of other lineages, written before this review.
    for (let i = 0; i < TYPE_CHECK_LINEAGES; i++) {
      const file = join(dir, `review-head-${String(i).repeat(16)}.tsbuildinfo`);
      writeFileSync(file, "{}");
      utimesSync(file, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
    }
    expect(await checkHead("base-one")).toMatchObject({ code: 0 });
    const written = lineages().filter((name) => !/^review-head-(\d)\1{15}\./.test(name));
    expect(written).toHaveLength(1);
    // The lineage's state is the run's, as is the last state; the oldest other lineage went.
    expect(readFileSync(join(dir, written[0]), "utf8")).toBe(readFileSync(cache, "utf8"));
    expect(lineages()).toHaveLength(TYPE_CHECK_LINEAGES);
    expect(lineages()).not.toContain(`review-head-${"0".repeat(16)}.tsbuildinfo`);
    // Without a lineage (typeCheck as before), only the last state is written.
    expect(await checkHead()).toMatchObject({ code: 0 });
    expect(lineages()).toHaveLength(TYPE_CHECK_LINEAGES);
  });
});
