// Review speedups of issue 17 that change no report: a stack written byte for byte the same by base and head is not
// diffed (its files' SHA-256 decide, not its parsed content); a cached base is not checked out, only its lock is read
// from git with the checkout's bytes; the phase timing switch writes only to stderr and only when set.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareSynthOutputs } from "../apps/review/compare";
import { phaseTimes } from "../apps/review/phase-times";
import { lockOnlyCheckout } from "../apps/review/revision";
import { loadSynthOutput, type SynthOutput } from "../apps/review/synth-output";
import type { TerraformJson } from "../constructs/testing/terraform-json";

const scratch = mkdtempSync(join(tmpdir(), "review-unchanged-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A generation-like stack: one Auto Scaling group of `desired` instances and its addon manifests in S3. */
function stack(desired: number, manifests: string | undefined): TerraformJson {
  return {
    provider: { aws: [{ region: "eu-west-1" }] },
    resource: {
      aws_autoscaling_group: {
        pool: {
          name: "demo-a-general",
          min_size: 1,
          max_size: 10,
          desired_capacity: desired,
          tag: [
            { key: "immutable-clusters/cluster", value: "demo", propagate_at_launch: true },
            { key: "immutable-clusters/generation", value: "a", propagate_at_launch: true },
          ],
        },
      },
      ...(manifests === undefined ? {} : { aws_s3_object: { addons: { bucket: "b", key: "addons/manifests.yaml", content: manifests } } }),
    },
  } as unknown as TerraformJson;
}
const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const output = (doc: TerraformJson, digest: string, dist: Record<string, string> = {}): SynthOutput => ({
  stacks: { "demo-a": doc },
  stackDigests: { "demo-a": digest },
  distManifests: { "demo-a": dist },
  guardViolations: [],
  lockPresent: false,
});
const options = { base: { ref: "main" }, head: { ref: "HEAD" } };

describe("stacks with the same file digest in base and head", () => {
  it("are unchanged without being diffed: the digest decides, not the parsed content", () => {
    // Different content under one digest can only come out unchanged if nothing compared the content.
    const report = compareSynthOutputs(output(stack(2, namespace("a")), "same"), output(stack(5, namespace("b")), "same"), options);
    expect(report.stacks[0]).toMatchObject({ name: "demo-a", status: "unchanged", resources: [], ignition: [], kubernetes: [] });
    expect(report.summary.stacksChanged).toBe(0);
  });

  it("are diffed as before when the digests differ", () => {
    const report = compareSynthOutputs(output(stack(2, namespace("a")), "one"), output(stack(5, namespace("b")), "two"), options);
    expect(report.stacks[0].status).toBe("changed");
    expect(report.stacks[0].resources.map((r) => `${r.address} ${r.attributes.map((a) => a.path).join(",")}`)).toEqual([
      "aws_autoscaling_group.pool desired_capacity",
      "aws_s3_object.addons content",
    ]);
    expect(report.stacks[0].kubernetes.map((k) => `${k.key} ${k.status}`)).toEqual(["Namespace/a removed", "Namespace/b added"]);
  });

  it("still compare their dist/ manifests when the stack carries none and those differ", () => {
    const report = compareSynthOutputs(
      output(stack(2, undefined), "same", { "10-ns.yaml": namespace("a") }),
      output(stack(2, undefined), "same", { "10-ns.yaml": namespace("b") }),
      options,
    );
    expect(report.stacks[0].resources).toEqual([]);
    expect(report.stacks[0].kubernetes.map((k) => `${k.key} ${k.status}`)).toEqual(["Namespace/a removed", "Namespace/b added"]);
  });

  it("loadSynthOutput gives equal digests to byte-identical stack files and different ones otherwise", () => {
    const write = (label: string, text: string) => {
      const outdir = join(scratch, label, "cdktf.out");
      mkdirSync(join(outdir, "stacks", "demo-a"), { recursive: true });
      writeFileSync(
        join(outdir, "manifest.json"),
        JSON.stringify({ stacks: { "demo-a": { synthesizedStackPath: "stacks/demo-a/cdk.tf.json" } } }),
      );
      writeFileSync(join(outdir, "stacks", "demo-a", "cdk.tf.json"), text);
      return loadSynthOutput(outdir, join(scratch, label, "dist"), join(scratch, "no-lock.json"));
    };
    const a = write("a", '{"resource":{}}');
    const b = write("b", '{"resource":{}}');
    const c = write("c", '{"resource": {}}');
    expect(a.stackDigests?.["demo-a"]).toMatch(/^[0-9a-f]{64}$/);
    expect(b.stackDigests?.["demo-a"]).toBe(a.stackDigests?.["demo-a"]);
    // Same parsed content, other bytes: not skipped (the diff then finds nothing).
    expect(c.stackDigests?.["demo-a"]).not.toBe(a.stackDigests?.["demo-a"]);
    expect(c.stacks).toEqual(a.stacks);
  });
});

describe("lockOnlyCheckout (a cached base is not checked out)", () => {
  const repo = join(scratch, "repo");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: repo, encoding: "utf8" }).trim();

  it("writes the commit's lock where a checkout of the app folder would have it, and nothing without one", () => {
    mkdirSync(join(repo, "defs", "clusters"), { recursive: true });
    writeFileSync(join(repo, "defs", "clusters", "other.ts"), "export {};\n");
    git("init", "--quiet");
    git("add", "-A");
    git("commit", "--quiet", "-m", "no lock yet");
    const before = git("rev-parse", "HEAD");
    writeFileSync(join(repo, "defs", "clusters", "generations.lock.json"), '{"version":2,"clusters":{}}\n');
    git("add", "-A");
    git("commit", "--quiet", "-m", "lock");
    const after = git("rev-parse", "HEAD");
    // The working tree's lock differs from the commit's: the commit's bytes are read, not the file on disk.
    writeFileSync(join(repo, "defs", "clusters", "generations.lock.json"), "edited, not committed\n");

    const tmp = mkdtempSync(join(scratch, "run-"));
    const appDir = lockOnlyCheckout(join(repo, "defs"), after, tmp, "base", "clusters/generations.lock.json");
    expect(appDir).toBe(join(tmp, "base", "defs"));
    expect(readFileSync(join(appDir, "clusters", "generations.lock.json"), "utf8")).toBe('{"version":2,"clusters":{}}\n');
    expect(existsSync(join(appDir, "clusters", "other.ts"))).toBe(false);

    const none = lockOnlyCheckout(join(repo, "defs"), before, mkdtempSync(join(scratch, "run-")), "base", "clusters/generations.lock.json");
    expect(existsSync(join(none, "clusters", "generations.lock.json"))).toBe(false);
  });
});

describe("phaseTimes", () => {
  it("writes each phase to stderr only when IMMUTABLE_CLUSTERS_REVIEW_TIMES is set", () => {
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      phaseTimes({})("head synth done");
      phaseTimes({ IMMUTABLE_CLUSTERS_REVIEW_TIMES: "0" })("head synth done");
      expect(write).not.toHaveBeenCalled();
      phaseTimes({ IMMUTABLE_CLUSTERS_REVIEW_TIMES: "1" })("head synth done");
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0][0])).toMatch(/^review: +\d+ ms, cli cpu +\d+ ms: head synth done\n$/);
    } finally {
      write.mockRestore();
    }
  });
});
