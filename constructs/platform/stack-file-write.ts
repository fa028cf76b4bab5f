// Owns writing a ResolveOnceStack's cdk.tf.json once, by stableJson, while cdktf's own StackSynthesizer does every other
// step of the stack's synthesis. cdktf 0.21.0's StackSynthesizer.synthesize (hashicorp/terraform-cdk
// packages/cdktf/lib/synthesize/synthesizer.ts, as installed) runs Aspects, adds the Terraform version validation for a
// moved resource, runs the validations, makes the stack's working directory, runs custom synthesis, collects the
// annotations into the manifest and throws on an error annotation; then it reads its `hclOutput` field, once, and either
// writes HCL or writes `stringify(this.stack.toTerraform(), { space: 2 })` (json-stable-stringify). Here that read of
// `hclOutput` is where the synthesizer is left: when it is false, the read throws a private marker, which stops
// cdktf's synthesize right before it computes and writes the document, and the stack's document is written by
// stableJson (the same bytes, stable-json.ts). Before, cdktf wrote a placeholder document that was then written over:
// a second file open and write per stack, about 1 profiled ms per generation here, where each file made costs 0.1-0.5
// ms of system CPU. With HCL output the read returns true and cdktf writes HCL as always. A synthesizer that is not of
// this shape (no boolean `hclOutput` field) runs as it is, and writes json-stable-stringify's bytes itself. The file is
// written by writeStableJsonFile, without the whole text made as one string first (stable-json.ts).
// test/stack-file-write.test.ts compares manifest.json and every file with cdktf's own synthesizer (Aspects, moved
// resources, warning and error annotations, custom synthesis, HCL output) and counts the writes.
import { join } from "node:path";
import type { IStackSynthesizer, ISynthesisSession, TerraformStack } from "cdktf";
import { writeStableJsonFile } from "./stable-json";

/** cdktf's StackSynthesizer with the private field read here (lib/synthesize/synthesizer.ts, cdktf 0.21.0). */
interface CdktfStackSynthesizer extends IStackSynthesizer {
  hclOutput?: unknown;
}

/** What the `hclOutput` read throws to leave cdktf's synthesize at its JSON write; caught by the synthesizer below. */
class AtJsonWrite {}
const AT_JSON_WRITE = Object.freeze(new AtJsonWrite());

/**
 * A synthesizer for `stack` that runs the stack's own (cdktf's) synthesizer up to its JSON write and then writes
 * stableJson(stack.toTerraform()) to the stack's file; call it from the stack's constructor, after cdktf's.
 */
export function singleWriteSynthesizer(stack: TerraformStack): IStackSynthesizer {
  const cdktfSynthesizer = stack.synthesizer as CdktfStackSynthesizer;
  const hclOutput = cdktfSynthesizer.hclOutput;
  if (typeof hclOutput !== "boolean") return cdktfSynthesizer;
  let synthesizing = false;
  Object.defineProperty(cdktfSynthesizer, "hclOutput", {
    configurable: true,
    enumerable: true,
    get(): boolean {
      if (!synthesizing || hclOutput) return hclOutput;
      synthesizing = false;
      throw AT_JSON_WRITE;
    },
  });
  return {
    synthesize(session: ISynthesisSession): void {
      synthesizing = true;
      try {
        cdktfSynthesizer.synthesize(session);
      } catch (error) {
        if (error !== AT_JSON_WRITE) throw error;
        // As cdktf's write: the stack's document (its toTerraform), at the manifest's path for the stack.
        writeStableJsonFile(join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath), stack.toTerraform());
      } finally {
        synthesizing = false;
      }
    },
  };
}
