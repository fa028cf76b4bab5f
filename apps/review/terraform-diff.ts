// Owns the Terraform part of a stack's review: resources and data sources added, removed and changed between two
// synthesized cdk.tf.json documents, with the changed attribute paths and the replace/destroy classification.
import type { TerraformJson } from "../../constructs/testing/terraform-json";
import { diffValues, topLevel } from "./object-diff";
import type { ResourceChange } from "./report";
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
    const attributes = diffValues(b.config, a.config);
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
