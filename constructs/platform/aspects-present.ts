// Owns telling whether a construct has cdktf Aspects without giving it an Aspects object. cdktf 0.21.0's Aspects.of
// (hashicorp/terraform-cdk packages/cdktf/lib/aspect.ts, as installed) returns the construct's Aspects, kept under a
// module-private `Symbol("cdktf-aspects")` own property, and defines that property with a new, empty Aspects first
// where there is none. Asking every construct of a stack "any Aspects?" that way gave each of them a new object and a
// new property (a hidden-class change per construct), about half of what the walks that ask cost. Here the symbol is
// read off a probe object Aspects.of has marked, and a construct without the property has no Aspects (`all` of a new
// one is empty); with the property, its `all` is read as cdktf's callers read it. Should a cdktf version keep Aspects
// otherwise (no such symbol on the probe), Aspects.of itself is asked. test/support/platform-stand-ins/aspects-present.ts compares with
// Aspects.of on every construct of the example stacks and on constructs with Aspects.
import { Aspects } from "cdktf";
import type { IConstruct } from "constructs";

/** cdktf's ASPECTS_SYMBOL, found on an object Aspects.of has given its Aspects (undefined if it keeps them otherwise). */
const ASPECTS_SYMBOL: symbol | undefined = (() => {
  const probe = {};
  Aspects.of(probe as IConstruct);
  return Object.getOwnPropertySymbols(probe).find((s) => s.description === "cdktf-aspects");
})();

/** `Aspects.of(construct).all.length > 0`, without defining Aspects on a construct that has none. */
export function hasAspects(construct: IConstruct): boolean {
  if (ASPECTS_SYMBOL === undefined) return Aspects.of(construct).all.length > 0;
  const aspects = (construct as unknown as Record<symbol, Aspects | undefined>)[ASPECTS_SYMBOL];
  return aspects !== undefined && aspects.all.length > 0;
}
