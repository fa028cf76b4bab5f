// A ResolveOnceStack's synthesis (constructs/platform/stack-file-write.ts): cdktf's own StackSynthesizer runs every
// step but its JSON write, and the stack file is written once. Every file of the output folder (manifest.json with its
// annotations included) and every error are what cdktf 0.21.0's own StackSynthesizer gives for the same stacks.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Annotations, Aspects, type IAspect, type ISynthesisSession, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { clusters } from "../../../clusters";
import { addClusters } from "../../../constructs";
import { withCheapCaptures } from "../../../constructs/fleet/stack-capture";
import { AwsProvider, SsmParameter } from "../../../constructs/platform/aws";
import { ResolveOnceStack } from "../../../constructs/platform/resolve-once-stack";
import { App, type AppConfig } from "../../../constructs/platform/terraform";

// node's fs module object itself (what cdktf and the library call writeFileSync on), not an import's namespace copy.
const fs = require("node:fs") as typeof import("node:fs");
const { StackSynthesizer, addCustomSynthesis } = require("cdktf/lib/synthesize/synthesizer") as {
  StackSynthesizer: {
    new (stack: TerraformStack, continueOnErrorAnnotations?: boolean, hclOutput?: boolean): TerraformStack["synthesizer"];
    prototype: { synthesize(session: ISynthesisSession): void };
  };
  addCustomSynthesis: (construct: IConstruct, synthesis: { onSynthesize(session: ISynthesisSession): void }) => void;
};

interface Synthesized {
  /** Every file under the output folder by relative path, with its text. */
  readonly files: Record<string, string>;
  /** The message of the error synth threw, if it threw. */
  readonly threw?: string;
  /** How many times a stack file (cdk.tf.json) was written. */
  readonly stackFileWrites: number;
  /** How many stacks cdktf's own StackSynthesizer.synthesize ran for (ResolveOnceStack's lean path does not). */
  readonly cdktfSyntheses: number;
}

/** Every file under `dir` with its text, by path relative to it. */
function filesUnder(dir: string, into: Record<string, string> = {}, root = dir): Record<string, string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, into, root);
    else into[relative(root, path)] = readFileSync(path, "utf8");
  }
  return into;
}

/**
 * Builds an app with `build` and synthesizes it, each stack by its own synthesizer (ResolveOnceStack's) or, with
 * `cdktf`, by a new cdktf StackSynthesizer made as cdktf's TerraformStack constructor makes it (same environment).
 */
function synthesize(build: (app: App) => void, cdktf: boolean, config: AppConfig = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "stack-file-write-"));
  const writeFileSync = fs.writeFileSync;
  let stackFileWrites = 0;
  const openSync = fs.openSync;
  const spy = jest.spyOn(fs, "writeFileSync").mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
    if (String(args[0]).endsWith("cdk.tf.json")) stackFileWrites++;
    writeFileSync(...args);
  });
  // The stack file written by writeStableJsonFile (stable-json.ts): opened for writing once per write.
  const openSpy = jest.spyOn(fs, "openSync").mockImplementation((...args: Parameters<typeof fs.openSync>) => {
    if (String(args[0]).endsWith("cdk.tf.json") && args[1] === "w") stackFileWrites++;
    return openSync(...args);
  });
  try {
    const app = new App({ ...config, outdir });
    withCheapCaptures(() => build(app));
    if (cdktf)
      for (const stack of app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c)))
        stack.synthesizer = new StackSynthesizer(
          stack,
          process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined,
          process.env.SYNTH_HCL_OUTPUT === "true" || process.env.SYNTH_HCL_OUTPUT === "1",
        );
    let threw: string | undefined;
    const cdktfSynthesize = jest.spyOn(StackSynthesizer.prototype, "synthesize");
    try {
      withCheapCaptures(() => app.synth());
    } catch (error) {
      threw = (error as Error).message;
    }
    const cdktfSyntheses = cdktfSynthesize.mock.calls.length;
    cdktfSynthesize.mockRestore();
    return { files: filesUnder(outdir), threw, stackFileWrites, cdktfSyntheses };
  } finally {
    spy.mockRestore();
    openSpy.mockRestore();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs `run` with the environment variables `env` set (undefined: unset), then restores them. */
function withEnv<T>(env: Record<string, string | undefined>, run: () => T): T {
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return run();
  } finally {
    set(previous);
  }
}

const warnAndDescribe: IAspect = {
  visit(node: IConstruct) {
    if (node instanceof SsmParameter) {
      node.description = "set by an aspect";
      Annotations.of(node).addWarning("an aspect's warning");
    }
  },
};

/** Two stacks of every feature the synthesizer handles, and one with `extra` added to it. */
function featureStacks(extra: (stack: TerraformStack) => void = () => undefined) {
  return (app: App): void => {
    const plain = new ResolveOnceStack(app, "plain");
    new AwsProvider(plain, "aws", { region: "eu-west-1" });
    new SsmParameter(plain, "p", { name: "/p", type: "String", value: "v" });

    const featured = new ResolveOnceStack(app, "featured");
    new AwsProvider(featured, "aws", { region: "eu-west-1" });
    const first = new SsmParameter(featured, "first", { name: "/first", type: "String", value: "v" });
    const moved = new SsmParameter(featured, "moved", { name: "/moved", type: "String", value: "v" });
    first.addMoveTarget("target");
    moved.moveTo("target");
    Aspects.of(featured).add(warnAndDescribe);
    Annotations.of(first).addInfo("an info");
    Annotations.of(featured).addWarning("a warning");
    // Custom synthesis: a file of its own in the stack's working folder, written before the stack file.
    addCustomSynthesis(first, {
      onSynthesize(session) {
        fs.writeFileSync(join(session.outdir, "stacks", "featured", "custom.txt"), "custom synthesis");
      },
    });
    extra(featured);
  };
}

/** What a synthesis wrote and threw, without the count of cdktf syntheses (which differs by design). */
function outcome({ cdktfSyntheses: _, ...rest }: Synthesized): Omit<Synthesized, "cdktfSyntheses"> {
  return rest;
}

/**
 * Registers the tests of this concern. They synthesize apps of their own (the example clusters' once through cdktf's
 * StackSynthesizer and once through ResolveOnceStack's), not the shared unsynthesized app.
 */
export function stackFileWriteTests(): void {
  describe("ResolveOnceStack's stack file", () => {
    it("is written once per stack, every output file as cdktf's own synthesizer writes it, for the example clusters", () => {
      const build = (app: App) => void addClusters(app, clusters);
      const cdktf = synthesize(build, true);
      const ours = synthesize(build, false);
      expect(Object.keys(ours.files)).toEqual(Object.keys(cdktf.files));
      expect(ours.files).toEqual(cdktf.files);
      expect(ours.threw).toBeUndefined();
      const stacks = Object.keys(ours.files).filter((f) => f.endsWith("cdk.tf.json"));
      expect(stacks.length).toBe(8);
      // cdktf's synthesizer with ResolveOnceStack's toTerraform wrote each stack file once too; before, twice.
      expect(ours.stackFileWrites).toBe(stacks.length);
      // No Aspect, custom synthesis or move in them: every stack took the lean path, none cdktf's synthesize.
      expect(ours.cdktfSyntheses).toBe(0);
      expect(cdktf.cdktfSyntheses).toBe(stacks.length);
    });

    it("keeps Aspects, moved resources, annotations and custom synthesis as cdktf's synthesizer does", () => {
      const cdktf = synthesize(featureStacks(), true);
      const ours = synthesize(featureStacks(), false);
      expect(outcome(ours)).toEqual(outcome(cdktf));
      expect(ours.threw).toBeUndefined();
      expect(ours.stackFileWrites).toBe(2);
      const featured = JSON.parse(ours.files["stacks/featured/cdk.tf.json"]);
      expect(featured.resource.aws_ssm_parameter.first.description).toBe("set by an aspect");
      expect(featured.moved).toHaveLength(1);
      expect(ours.files["stacks/featured/custom.txt"]).toBe("custom synthesis");
      const annotations = JSON.parse(ours.files["manifest.json"]).stacks.featured.annotations as { level: string; message: string }[];
      expect(annotations.map((a) => [a.level, a.message]).sort()).toEqual(
        [
          ["@cdktf/info", "an info"],
          ["@cdktf/warn", "a warning"],
          ["@cdktf/warn", "an aspect's warning"],
          ["@cdktf/warn", "an aspect's warning"],
        ].sort(),
      );
    });

    it("is not written when an error annotation aborts the synth, as with cdktf's synthesizer, unless told to go on", () => {
      const withError = featureStacks((stack) => Annotations.of(stack).addError("an error"));
      const cdktf = synthesize(withError, true);
      const ours = synthesize(withError, false);
      expect(outcome(ours)).toEqual(outcome(cdktf));
      expect(ours.threw).toMatch(/an error/);
      expect(Object.keys(ours.files)).not.toContain("stacks/featured/cdk.tf.json");
      const goOn = { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1" };
      const cdktfGoingOn = withEnv(goOn, () => synthesize(withError, true));
      const oursGoingOn = withEnv(goOn, () => synthesize(withError, false));
      expect(outcome(oursGoingOn)).toEqual(outcome(cdktfGoingOn));
      expect(oursGoingOn.threw).toBeUndefined();
      expect(oursGoingOn.stackFileWrites).toBe(2);
      expect(oursGoingOn.files["manifest.json"]).toContain("an error");
    });

    it("follows a failing validation and skipValidation as cdktf's synthesizer does", () => {
      const failing = featureStacks((stack) => stack.node.addValidation({ validate: () => ["a failing validation"] }));
      const cdktf = synthesize(failing, true);
      const ours = synthesize(failing, false);
      expect(outcome(ours)).toEqual(outcome(cdktf));
      expect(ours.threw).toMatch(/a failing validation/);
      const skipped = synthesize(failing, false, { skipValidation: true });
      expect(outcome(skipped)).toEqual(outcome(synthesize(failing, true, { skipValidation: true })));
      expect(skipped.threw).toBeUndefined();
      expect(skipped.stackFileWrites).toBe(2);
    });

    it("is cdktf's HCL when SYNTH_HCL_OUTPUT is set, with its metadata and manifest", () => {
      const hcl = { SYNTH_HCL_OUTPUT: "true" };
      const cdktf = withEnv(hcl, () => synthesize(featureStacks(), true));
      const ours = withEnv(hcl, () => synthesize(featureStacks(), false));
      expect(outcome(ours)).toEqual(outcome(cdktf));
      expect(Object.keys(ours.files)).toEqual(expect.arrayContaining(["stacks/featured/cdk.tf", "stacks/featured/metadata.json"]));
      expect(ours.stackFileWrites).toBe(0);
    });

    /** Two stacks with nothing that takes cdktf's synthesize, annotations on both, and `extra` added to the second. */
    function leanStacks(extra: (stack: TerraformStack) => void = () => undefined) {
      return (app: App): void => {
        for (const id of ["one", "two"]) {
          const stack = new ResolveOnceStack(app, id);
          new AwsProvider(stack, "aws", { region: "eu-west-1" });
          const parameter = new SsmParameter(stack, "p", { name: `/${id}`, type: "String", value: "v" });
          Annotations.of(parameter).addInfo(`an info in ${id}`);
          Annotations.of(stack).addWarning(`a warning in ${id}`);
          if (id === "two") extra(stack);
        }
      };
    }

    it("takes the lean path for stacks without Aspects, custom synthesis or moves, with cdktf's annotations and errors", () => {
      const plain = synthesize(leanStacks(), false);
      expect(outcome(plain)).toEqual(outcome(synthesize(leanStacks(), true)));
      expect(plain.cdktfSyntheses).toBe(0);
      expect(plain.stackFileWrites).toBe(2);
      const annotations = JSON.parse(plain.files["manifest.json"]).stacks.two.annotations as { level: string; constructPath: string }[];
      expect(annotations.map((a) => [a.level, a.constructPath])).toEqual([
        ["@cdktf/warn", "two"],
        ["@cdktf/info", "two/p"],
      ]);

      const withError = leanStacks((stack) => Annotations.of(stack.node.findChild("p")).addError("an error"));
      const ours = synthesize(withError, false);
      expect(outcome(ours)).toEqual(outcome(synthesize(withError, true)));
      expect(ours.cdktfSyntheses).toBe(0);
      expect(ours.threw).toMatch(/Encountered Annotations with level "ERROR":\n\[two\/p\] an error/);
      expect(Object.keys(ours.files)).not.toContain("stacks/two/cdk.tf.json");
      const goOn = { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "1" };
      const oursGoingOn = withEnv(goOn, () => synthesize(withError, false));
      expect(outcome(oursGoingOn)).toEqual(outcome(withEnv(goOn, () => synthesize(withError, true))));
      expect(oursGoingOn.threw).toBeUndefined();
      expect(oursGoingOn.files["stacks/two/cdk.tf.json"]).toBeDefined();
    });

    it("runs validations on the lean path as cdktf does, and a custom synthesis hook a validation added", () => {
      const failing = leanStacks((stack) => stack.node.addValidation({ validate: () => ["a failing validation"] }));
      const ours = synthesize(failing, false);
      expect(outcome(ours)).toEqual(outcome(synthesize(failing, true)));
      expect(ours.threw).toMatch(/\[two\] a failing validation/);
      const skipped = synthesize(failing, false, { skipValidation: true });
      expect(outcome(skipped)).toEqual(outcome(synthesize(failing, true, { skipValidation: true })));
      expect(skipped.threw).toBeUndefined();

      // A validation that adds a custom synthesis hook (after the lean path was chosen): cdktf runs it after the
      // validations, so the lean path does too, before collecting the annotations the hook adds.
      const hooking = leanStacks((stack) =>
        stack.node.addValidation({
          validate: () => {
            addCustomSynthesis(stack.node.findChild("p"), {
              onSynthesize(session) {
                fs.writeFileSync(join(session.outdir, "stacks", "two", "hook.txt"), "hooked");
                Annotations.of(stack).addWarning("added by the hook");
              },
            });
            return [];
          },
        }),
      );
      const hooked = synthesize(hooking, false);
      expect(outcome(hooked)).toEqual(outcome(synthesize(hooking, true)));
      expect(hooked.cdktfSyntheses).toBe(0);
      expect(hooked.files["stacks/two/hook.txt"]).toBe("hooked");
      expect(hooked.files["manifest.json"]).toContain("added by the hook");
    });
  });
}
