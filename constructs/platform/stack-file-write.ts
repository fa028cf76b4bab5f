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
// When the stack's tree has no Aspect, no custom synthesis hook and no moved resource, and the output is JSON, the
// steps cdktf's synthesize would run are taken here without it (leanSynthesize): with no Aspect its invokeAspects visits
// every construct and changes nothing, with no move hasResourceMove adds no validation, and with no hook its post-order
// walk for custom synthesis calls nothing; the validations, working directory, annotations and their abort are its own
// code or the same steps. That is three walks of the stack's tree fewer per stack, for one walk that decides.
// test/support/platform-stand-ins/stack-file-write.ts compares manifest.json and every file with cdktf's own synthesizer (Aspects, moved
// resources, warning and error annotations, failing validations, custom synthesis, HCL output, on stacks taking either
// path) and counts the writes.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AnnotationMetadataEntryType, type IStackSynthesizer, type ISynthesisSession, TerraformResource, type TerraformStack } from "cdktf";
import { ConstructOrder, type IConstruct, type MetadataEntry } from "constructs";
import { hasAspects } from "./aspects-present";
import { writeStableJsonFile } from "./stable-json";

/** cdktf's StackSynthesizer with the private fields read here (lib/synthesize/synthesizer.ts, cdktf 0.21.0). */
interface CdktfStackSynthesizer extends IStackSynthesizer {
  hclOutput?: unknown;
  continueOnErrorAnnotations?: unknown;
}

/** The error cdktf's synthesize throws for error annotations (lib/errors.ts; not part of cdktf's public API). */
const { encounteredAnnotationWithLevelError } = require("cdktf/lib/errors") as {
  encounteredAnnotationWithLevelError: (errors: string) => Error;
};

/** cdktf's custom synthesis hook (lib/synthesize/synthesizer.ts addCustomSynthesis, CUSTOM_SYNTHESIS_SYM). */
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");

/** The metadata types cdktf's synthesize collects as annotations (its annotationMetadataEntryTypes). */
const ANNOTATION_TYPES: readonly string[] = [
  AnnotationMetadataEntryType.INFO,
  AnnotationMetadataEntryType.WARN,
  AnnotationMetadataEntryType.ERROR,
];

/**
 * Whether cdktf's synthesize of `stack` would leave the tree as it is before its validations: no construct of the
 * tree (nested stacks too: invokeAspects recurses into every child) has an Aspect or a custom synthesis hook, and no
 * resource of it has a move (hasResourceMove looks at the stack's own elements; any resource here is stricter).
 */
function isLean(construct: IConstruct): boolean {
  // Read without giving the construct an Aspects object (aspects-present.ts).
  if (hasAspects(construct) || CUSTOM_SYNTHESIS in construct) return false;
  if (TerraformResource.isTerraformResource(construct) && construct.hasResourceMove()) return false;
  for (const child of construct.node.children) if (!isLean(child)) return false;
  return true;
}

/**
 * cdktf 0.21.0's StackSynthesizer.synthesize for a stack isLean found nothing in, with JSON output: the validations
 * (unless skipped), the working directory made if missing, the custom synthesis hooks of the tree as it is after the
 * validations (none unless a validation added one; then cdktf's post-order walk), the annotations of every construct
 * in pre-order into the manifest, the abort on an error annotation unless told to go on, and the stack file.
 */
function leanSynthesize(stack: TerraformStack, session: ISynthesisSession, continueOnErrorAnnotations: boolean): void {
  if (!session.skipValidation) stack.runAllValidations();
  const stackManifest = session.manifest.forStack(stack);
  const workingDirectory = join(session.outdir, stackManifest.workingDirectory);
  if (!existsSync(workingDirectory)) mkdirSync(workingDirectory);
  let constructs = stack.node.findAll();
  if (constructs.some((construct) => CUSTOM_SYNTHESIS in construct)) {
    type Hooked = IConstruct & { [CUSTOM_SYNTHESIS]?: { onSynthesize(session: ISynthesisSession): void } };
    for (const construct of stack.node.findAll(ConstructOrder.POSTORDER) as Hooked[]) construct[CUSTOM_SYNTHESIS]?.onSynthesize(session);
    constructs = stack.node.findAll();
  }
  const annotations: { constructPath: string; level: string; message: unknown; stacktrace?: string[] }[] = [];
  for (const construct of constructs) {
    for (const metadata of construct.node.metadata as MetadataEntry[]) {
      if (!ANNOTATION_TYPES.includes(metadata.type)) continue;
      annotations.push({ constructPath: construct.node.path, level: metadata.type, message: metadata.data, stacktrace: metadata.trace });
    }
  }
  // It is readonly in cdktf's types; its synthesize sets it here too.
  (stackManifest as { annotations: unknown }).annotations = annotations;
  const errors = annotations.filter((a) => a.level === AnnotationMetadataEntryType.ERROR);
  if (!continueOnErrorAnnotations && errors.length > 0) {
    throw encounteredAnnotationWithLevelError(errors.map((a) => `[${a.constructPath}] ${a.message}`).join("\n"));
  }
  writeStableJsonFile(join(session.outdir, stackManifest.synthesizedStackPath), stack.toTerraform());
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
  const continueOnErrorAnnotations = cdktfSynthesizer.continueOnErrorAnnotations;
  if (typeof hclOutput !== "boolean" || typeof continueOnErrorAnnotations !== "boolean") return cdktfSynthesizer;
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
      if (!hclOutput && isLean(stack)) return leanSynthesize(stack, session, continueOnErrorAnnotations);
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
