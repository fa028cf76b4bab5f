// The synth path's memo tables (constructs/platform/bounded-memo.ts): a key's value computed once, nothing kept without a
// key, and the table cleared whole when full, so a hit is always the value computed for that key.
import { BoundedMemo } from "../constructs/platform/bounded-memo";

describe("BoundedMemo", () => {
  it("computes a key's value once, and every time without a key", () => {
    const memo = new BoundedMemo<number>();
    let calls = 0;
    const compute = () => ++calls;
    expect(memo.get("k", compute)).toBe(1);
    expect(memo.get("k", compute)).toBe(1);
    expect(memo.get(undefined, compute)).toBe(2);
    expect(memo.get(undefined, compute)).toBe(3);
  });

  it("starts over when full instead of growing without bound", () => {
    const memo = new BoundedMemo<string>(2);
    memo.get("a", () => "a1");
    memo.get("b", () => "b1");
    memo.get("c", () => "c1");
    expect(memo.size).toBe(1);
    expect(memo.get("c", () => "c2")).toBe("c1");
    expect(memo.get("a", () => "a2")).toBe("a2");
  });
});
