// What a user sees when a definition is refused (issue 13): `npm run synth` (= cdktf.json's "app") and
// `immutable-clusters review` print the problem list exactly as the README shows it, with no stack trace, and exit 1
// (the review as the quoted output of its refused head revision).
// Runs the real programs as child processes in a temporary copy of this repository's committed app.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compiledCli, createReviewRepo, type ReviewRepo } from "./support/review-repo";

/** The refusal example of README.md, between the ``` fences after "Bad input is refused". */
function readmeExample(): string {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const match = /Bad input is refused[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error("README.md has no refusal example after 'Bad input is refused'");
  return match[1];
}

/** A line of a Node.js stack trace. */
const STACK_LINE = /^\s+at .+[(:]\d+/m;

describe("refused-definition output", () => {
  let repo: ReviewRepo;
  beforeAll(() => {
    repo = createReviewRepo();
    // The README's example: generation a's first pool of prod with minSize 5 over maxSize 2.
    repo.edit("clusters/prod.ts", "minSize: 3, maxSize: 12, desiredCapacity: 3", "minSize: 5, maxSize: 2, desiredCapacity: 3");
  });
  afterAll(() => repo.remove());

  test("npm run synth prints the README's problem list alone and exits 1", () => {
    const run = spawnSync("npm", ["run", "--silent", "synth"], { cwd: repo.dir, encoding: "utf8" });
    expect(run.stderr).toBe(readmeExample());
    expect(run.stdout).toBe("");
    expect(run.status).toBe(1);
  });

  test("review reports the head's problem list as the README shows it, without a stack trace, and exits 1", () => {
    // The CLI compiled, as `npm run synth` runs the app (scripts/run-compiled.mjs, test/support/review-repo.ts
    // compiledCli): the same command as through tsx, which transpiles every module with source maps on each start
    // (about 2.5 more CPU s for `--help` alone); test/review-speed.test.ts is the suite about the tsx path.
    const run = spawnSync(process.execPath, [...compiledCli(repo.dir), "review", "--format", "markdown"], {
      cwd: repo.dir,
      encoding: "utf8",
    });
    // The review is Markdown: the refused head is its verdict, with the synth's output (the problem list) quoted whole.
    expect(run.stdout).toContain(readmeExample());
    expect(run.stdout + run.stderr).not.toMatch(STACK_LINE);
    expect(run.status).toBe(1);
  });
});
