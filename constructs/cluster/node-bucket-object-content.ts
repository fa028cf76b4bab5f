// Owns how a node-bucket object's text is written into the Terraform JSON (the `content` or `content_base64` argument
// of aws_s3_object) and how readers (the review, tests) get the stored text back from either form. No cdktf import:
// the review and the tests use the reader without loading the constructs.
//
// aws_s3_object, hashicorp/aws 5.100.0 (website/docs/r/s3_object.html.markdown, "Argument Reference"):
//   `content`: "Literal string value to use as the object content, which will be uploaded as UTF-8-encoded text."
//   `content_base64`: "Base64-encoded data that will be decoded and uploaded as raw bytes for the object content."
// Both upload the same bytes for a UTF-8 text (the base64 of its UTF-8 bytes), so S3 holds the same object, with the
// same ETag where the ETag is the body's MD5 (ours are SSE-KMS through the bucket's default encryption, whose ETag is
// not an MD5 in either form); this project sets no `etag`, `source_hash` or per-object `kms_key_id` that could differ.
// The provider's upload (hashicorp/terraform-provider-aws internal/service/s3/object.go, resourceObjectUpload, read at
// commit 033c721bf1eda7db79395cd73acb54c7efa57ffc, not checked against the v5.100.0 tag) sends `content` as
// strings.NewReader(content) and `content_base64` as bytes.NewReader(Base64Decode(...)): the same PutObject body. Its
// customizeDiff (hasObjectContentChanges) counts a change of either argument as new content (a new version_id), so
// switching a deployed object's form would plan an update of every object: hence the form per node contract below.
// The nodes read the bytes from S3, so the form is no part of the node contract.
//
// Why two forms: Terraform parses every string of a JSON configuration as a template. For `content` the text must be
// escaped (`${` -> `$${`, `%{` -> `%%{`) and Terraform then parses all of it: staging/b's 829 KB addon manifest cost
// 21.9 user-CPU s of `terraform validate` (terraform 1.11.4) against 0.76 s for the same bytes base64-encoded.
// Base64 holds neither `$` nor `%`, so there is nothing to escape and nothing to parse.
import { base64Of, base64OfBytes } from "../platform/known-base64";

/** How the objects of a generation's node bucket carry their text in the Terraform JSON. */
export type NodeBucketObjectForm = "escaped-content" | "content-base64";

/**
 * The form of a generation's node-bucket objects, from its node contract (recorded in the lock for every frozen
 * generation, so stable for the generation's lifetime): contracts 1 and 2 (immutable-clusters 0.1.0 and 0.2.0, the
 * releases that wrote `content`) keep the escaped `content` they were deployed with, so their next plan shows no
 * update of every object; contract 3 (introduced together with `content_base64`, so no release ever deployed a
 * contract-3 generation with `content`) and later write `content_base64`. A contract-3 generation locked later records
 * contract 3 and keeps `content_base64`.
 */
export function nodeBucketObjectForm(nodeContract: number): NodeBucketObjectForm {
  return nodeContract >= 3 ? "content-base64" : "escaped-content";
}

/**
 * A text together with its UTF-8 bytes, encoded once for every reader of the bytes: a node config's S3 object
 * (`content_base64`) and its user-data pointer's SHA-512 are both of the same bytes (issue 17).
 */
export interface Utf8Text {
  readonly text: string;
  /** Buffer.from(text, "utf8"). */
  readonly bytes: Buffer;
}

/** `text` with its UTF-8 bytes. */
export function utf8Text(text: string): Utf8Text {
  return { text, bytes: Buffer.from(text, "utf8") };
}

/** The aws_s3_object arguments that store `content` (a text, or a text with its UTF-8 bytes) in the given form. */
export function nodeBucketObjectContent(
  content: string | Utf8Text,
  form: NodeBucketObjectForm,
): { content: string } | { contentBase64: string } {
  // base64Of(Bytes) remembers the text so the stack writers need not scan it again (constructs/platform/known-base64.ts).
  if (form === "content-base64") return { contentBase64: typeof content === "string" ? base64Of(content) : base64OfBytes(content.bytes) };
  const text = typeof content === "string" ? content : content.text;
  // Terraform reads `${` and `%{` in JSON strings as template syntax; stored files (shell in addon manifests) need them literal.
  return { content: text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{") };
}

/** Terraform renders `$${` as `${` and `%%{` as `%{` in literal strings: the text an escaped `content` stores. */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/**
 * The text an aws_s3_object of the synthesized Terraform JSON stores: its `content` with Terraform's template escapes
 * undone, or its `content_base64` decoded; undefined for neither (e.g. `source`, or a reference).
 */
export function storedObjectText(object: { readonly content?: unknown; readonly content_base64?: unknown }): string | undefined {
  if (typeof object.content === "string") return terraformLiteral(object.content);
  if (typeof object.content_base64 === "string") return Buffer.from(object.content_base64, "base64").toString("utf8");
  return undefined;
}
