// Owns the logical ID (`friendlyUniqueId`) of each Terraform element of a ResolveOnceStack: cdktf's own computation,
// done once per distinct path below the stack instead of once per element. cdktf 0.21.0's
// TerraformStack.allocateLogicalId (hashicorp/terraform-cdk packages/cdktf/lib/terraform-stack.ts, "this method can be
// overridden to customize this behavior") takes the construct ids of the element's scopes below its stack and hands them
// to makeUniqueId (lib/private/unique.ts), which drops "Default" ids, keeps a single id as it is (its disallowed
// characters removed) and otherwise joins the ids into a length-limited "human" part with an md5 hash of the path:
// a pure function of those ids and nothing else (no state, no context, no randomness; cdktf 0.21.0 as installed). One
// md5 createHash per element was about 1.1 profiled ms per generation of a fleet, whose clusters' generation stacks have
// the same paths below the stack (the generated bench fleet: 93 distinct paths for 501 elements in 3 clusters).
// The memo key is the ids joined by "/": constructs 10.4.2 replaces every "/" in an id by "--" (lib/construct.ts
// sanitizeId), so no id holds one and the key gives back exactly the ids it was made of; the value is cdktf's own
// makeUniqueId of those ids. test/support/platform-stand-ins/logical-ids.ts compares with cdktf's allocateLogicalId on every element of the
// example stacks and on hard cases.
import { TerraformElement, TerraformStack } from "cdktf";
import type { IConstruct, Node } from "constructs";
import { BoundedMemo } from "./bounded-memo";

// Not part of cdktf's public API, so looked up by path (as linear-token-split.ts does).
const { makeUniqueId } = require("cdktf/lib/private/unique") as { makeUniqueId: (components: string[]) => string };

/** Logical IDs by the ids below the stack joined with "/", at most 10,000 (a fleet has ~100 distinct paths). */
const logicalIds = new BoundedMemo<string>(10_000);

/** cdktf's makeUniqueId of `components` (construct ids: no "/" in any), computed once per distinct list (see the header). */
function uniqueIdOf(components: string[]): string {
  return logicalIds.get(components.join("/"), () => makeUniqueId(components));
}

/**
 * What cdktf 0.21.0's TerraformStack.prototype.allocateLogicalId returns when called on `stack`: the ids of the
 * scopes after the owning stack (`node.scopes.slice(node.scopes.indexOf(owner) + 1)`; all of them, the root's too, when
 * the owner is not among them), "" when there is none, otherwise their makeUniqueId. The owner of an element is its
 * cdktfStack (TerraformStack.of: the element itself or its nearest ancestor that is a stack; cdktf throws where there
 * is none), of a node `stack`. The scopes are read from the node up to the owner, which gives the same ids as cdktf's
 * slice of the list from the root; for an element the owner is found on the same walk.
 */
export function allocateLogicalId(stack: TerraformStack, tfElement: TerraformElement | Node): string {
  const components: string[] = [];
  if (TerraformElement.isTerraformElement(tfElement)) {
    let scope: IConstruct | undefined = tfElement;
    for (; scope !== undefined && !TerraformStack.isStack(scope); scope = scope.node.scope) components.push(scope.node.id);
    // No stack above the element: cdktf's cdktfStack throws its error.
    if (scope === undefined) return allocateLogicalId(stack, tfElement.cdktfStack.node);
  } else {
    for (let scope: Node | undefined = tfElement; scope !== undefined && scope !== stack.node; scope = scope.scope?.node) {
      components.push(scope.id);
    }
  }
  if (components.length === 0) return "";
  return uniqueIdOf(components.reverse());
}
