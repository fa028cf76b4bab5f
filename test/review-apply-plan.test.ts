// The review's apply plan orders stacks so that each step finds what it needs: a cluster's identity stack (whose KMS key
// policy names the controllers of its generations) before the generations, generations before the traffic stack that
// routes to them, destroys last and from the base revision.
import { applyPlan } from "../apps/review/apply-plan";
import type { StackReview } from "../apps/review/report";

function stack(name: string, kind: StackReview["kind"], status: StackReview["status"], generation?: string): StackReview {
  const counts = { added: 0, changed: 0, removed: 0, liveReplacedOrDestroyed: 0 };
  return { name, kind, cluster: "prod", ...(generation ? { generation } : {}), status, counts } as unknown as StackReview;
}

test("a changed identity stack is deployed before a new generation, the traffic stack after it, the destroy last", () => {
  const plan = applyPlan(
    [
      stack("prod-a", "generation", "removed", "a"),
      stack("prod-c", "generation", "added", "c"),
      stack("prod-traffic", "traffic", "changed"),
      stack("prod-identity", "identity", "changed"),
    ],
    [{ cluster: "prod", generation: "a", stack: "prod-a", how: "removed", severity: "retired" }],
    undefined,
  );
  expect(plan.map((s) => `${s.from}: ${s.command}`)).toEqual([
    "head: npx cdktf deploy prod-identity",
    "head: npx cdktf deploy prod-c",
    "head: npx immutable-clusters lock prod/c",
    "head: npx cdktf deploy prod-traffic",
    "base: npx cdktf destroy prod-a",
  ]);
  expect(plan[0].why).toMatch(/key policy/);
});

test("an unchanged identity stack gets no step", () => {
  const plan = applyPlan([stack("prod-identity", "identity", "unchanged"), stack("prod-b", "generation", "changed", "b")], [], undefined);
  expect(plan.map((s) => s.command)).toEqual(["npx cdktf deploy prod-b"]);
});
