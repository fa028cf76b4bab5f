// Owns the `depends_on` entries of the generation's resources: cdktf's token for "depends on this element", made once
// per element and shared by every resource that depends on it, instead of one new token per resource and element.
//
// Why one token per element is enough (cdktf 0.21.0 as installed, node_modules/cdktf/lib): a resource's constructor
// turns each `dependsOn` item into a new token (terraform-resource.ts: `config.dependsOn.map((dependency) =>
// dependable(dependency))`; tfExpression.ts `dependable`: `Token.asString(new Dependable(dependable))`), and that token
// resolves to nothing but the element's `fqn` (tfExpression.ts Dependable.resolve: `return this.dependable.fqn`),
// which cdktf itself makes once per element (terraform-element.ts `get fqn`, cached in `_fqnToken`). A shared token
// therefore resolves, in every resource and stack, to what a new one would; the key (the element object itself) is
// all the token depends on. The WeakMap holds nothing beyond the elements' own lifetime. The resources' `dependsOn`
// is the public field cdktf reads at synth (terraform-resource.ts terraformMetaArguments), set here after
// construction as ControlPlane.addBootDependency always did. Each resource gets its own array.
// About 25 fewer tokens per generation (issue 17); the Terraform JSON is the same bytes.
import { dependable, type ITerraformDependable } from "../platform/terraform";

const tokens = new WeakMap<ITerraformDependable, string>();

/** The `dependsOn` value of a resource that depends on `elements`, in order: cdktf's dependable token of each. */
export function dependsOnTokens(elements: readonly ITerraformDependable[]): string[] {
  return elements.map((element) => {
    let token = tokens.get(element);
    if (token === undefined) {
      token = dependable(element);
      tokens.set(element, token);
    }
    return token;
  });
}
