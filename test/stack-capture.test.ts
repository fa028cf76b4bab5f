// Cheap stack captures while a fleet is built (constructs/fleet/stack-capture.ts): cdktf's token creation stacks are
// left empty, errors keep their stack, and the previous hook is back afterwards, also when the build throws.
import { withCheapCaptures } from "../constructs/fleet/stack-capture";
import { Lazy } from "cdktf";

/** What cdktf records for a lazy value: its creation stack (cdktf/lib/tokens/lazy.js sets `creationStack`). */
const creationStack = () => (Lazy.anyValue({ produce: () => "x" }) as unknown as { creationStack?: string[] }).creationStack;

describe("withCheapCaptures", () => {
  it("leaves cdktf's creation stacks empty inside and full outside", () => {
    const outside = creationStack();
    expect(outside?.length).toBeGreaterThan(0);
    expect(withCheapCaptures(creationStack)).toEqual([]);
    expect(creationStack()?.length).toBeGreaterThan(0);
  });

  it("keeps an error's stack inside", () => {
    const stack = withCheapCaptures(() => new Error("boom").stack ?? "");
    expect(stack).toMatch(/^Error: boom\n {4}at /);
  });

  it("puts the previous hook back when the build throws", () => {
    const before = Error.prepareStackTrace;
    expect(() =>
      withCheapCaptures(() => {
        throw new Error("refused");
      }),
    ).toThrow("refused");
    expect(Error.prepareStackTrace).toBe(before);
  });

  it("does not collect cdktf's token stacks at all inside (no frames walked), and restores cdktf's capture afterwards", () => {
    const captures = jest.spyOn(Error, "captureStackTrace");
    try {
      withCheapCaptures(creationStack);
      expect(captures).not.toHaveBeenCalled();
      expect(() =>
        withCheapCaptures(() => {
          throw new Error("refused");
        }),
      ).toThrow("refused");
      creationStack();
      expect(captures).toHaveBeenCalledTimes(1);
    } finally {
      captures.mockRestore();
    }
  });
});
