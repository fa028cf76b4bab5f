// Owns the Terraform part of a stack's review: resources and data sources added, removed and changed between two
// synthesized cdk.tf.json documents, with the changed attribute paths and the replace/destroy classification. A
// node-bucket object whose text moved between `content` and `content_base64` is one change that says whether the
// decoded text is the same.
import { storedObjectText } from "../../constructs/cluster/node-bucket-object-content";
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { diffValues, summarizeValue, topLevel } from "./object-diff";
import type { AttributeChange, ResourceChange } from "./report";
import { replacingAttributes, riskOf } from "./risk";

type Block = Record<string, Record<string, Record<string, unknown>>>;

/** Every resource (`type.name`) and data source (`data.type.name`) of a stack, with its type and configuration. */
export function addressesOf(stack: TerraformJson | undefined): Map<string, { type: string; config: Record<string, unknown> }> {
  const out = new Map<string, { type: string; config: Record<string, unknown> }>();
  const add = (block: Block | undefined, prefix: string) => {
    for (const [type, byName] of Object.entries(block ?? {})) {
      for (const [name, config] of Object.entries(byName)) out.set(`${prefix}${type}.${name}`, { type, config });
    }
  };
  add(stack?.resource as Block | undefined, "");
  add(stack?.data as Block | undefined, "data.");
  return out;
}

function constructPathOf(config: Record<string, unknown>): string | undefined {
  const meta = config["//"] as { metadata?: { path?: unknown } } | undefined;
  return typeof meta?.metadata?.path === "string" ? meta.metadata.path : undefined;
}

/** The two aws_s3_object arguments a node-bucket object's text is written in (constructs/cluster/node-bucket-object-content.ts). */
const TEXT_ARGUMENTS = ["content", "content_base64"] as const;

/**
 * An aws_s3_object whose text moved from one argument to the other (`content` in node contracts 1-2, `content_base64`
 * from contract 3: node-bucket-object-content.ts): the removed and the added argument become one change of the new
 * argument, with a note saying whether the decoded text is the same. The same text has no `before`/`after` (the
 * object is uploaded again with the same bytes); a different text keeps both values and is decoded by the Ignition and
 * Kubernetes parts as before. Any other change is returned as it is.
 */
function textFormChange(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  attributes: AttributeChange[],
): AttributeChange[] {
  if (type !== "aws_s3_object") return attributes;
  const from = TEXT_ARGUMENTS.find((arg) => typeof before[arg] === "string" && after[arg] === undefined);
  const to = TEXT_ARGUMENTS.find((arg) => typeof after[arg] === "string" && before[arg] === undefined);
  if (from === undefined || to === undefined || from === to) return attributes;
  const form = to === "content_base64" ? "now base64-encoded" : "now escaped text in `content`";
  const merged: AttributeChange =
    storedObjectText(before) === storedObjectText(after)
      ? { path: to, kind: "changed", note: `same text, ${form} (was \`${from}\`)` }
      : {
          path: to,
          kind: "changed",
          before: summarizeValue(before[from]),
          after: summarizeValue(after[to]),
          note: `text changed, ${form} (was \`${from}\`)`,
        };
  const at = attributes.findIndex((c) => c.path === from || c.path === to);
  const rest = attributes.filter((c) => c.path !== from && c.path !== to);
  return [...rest.slice(0, at), merged, ...rest.slice(at)];
}

/** The resource changes between `base` and `head` (either may be absent: stack added or removed), sorted by address. */
export function diffTerraform(base: TerraformJson | undefined, head: TerraformJson | undefined): ResourceChange[] {
  const before = addressesOf(base);
  const after = addressesOf(head);
  const addresses = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ResourceChange[] = [];
  for (const address of addresses) {
    const b = before.get(address);
    const a = after.get(address);
    const type = (a ?? b)!.type;
    const constructPath = constructPathOf((a ?? b)!.config);
    const isData = address.startsWith("data.");
    if (!b || !a) {
      const action = b ? "delete" : "create";
      const risk = isData ? undefined : riskOf(type, action, b?.config, a?.config, [], []);
      changes.push({ address, type, constructPath, action, attributes: [], replacedBy: [], ...(risk ? { risk } : {}) });
      continue;
    }
    const attributes = textFormChange(type, b.config, a.config, diffValues(b.config, a.config));
    if (attributes.length === 0) continue;
    const changedTopLevel = [...new Set(attributes.map((c) => topLevel(c.path)))];
    const replacedBy = isData ? [] : replacingAttributes(type, changedTopLevel);
    const action = replacedBy.length > 0 ? "replace" : "update";
    const risk = isData ? undefined : riskOf(type, action, b.config, a.config, changedTopLevel, replacedBy);
    changes.push({ address, type, constructPath, action, attributes, replacedBy, ...(risk ? { risk } : {}) });
  }
  return changes;
}

/** Whether a change destroys or replaces something live (what exit code 2 gates on). */
export function destroysLive(change: ResourceChange): boolean {
  return change.risk !== undefined && change.risk.live && (change.risk.level === "destroy" || change.risk.level === "replace");
}
