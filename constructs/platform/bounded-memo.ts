// Owns the memo table the synth path keeps its per-process caches in: values computed once per key (a construct path,
// a content key, a cdktf key or id list), at most `limit` of them, the table cleared whole when full. A synth process
// renders a bounded set of distinct keys (a fleet has a few dozen to a few thousand per cache), so the limit only bounds
// a long-lived process that synthesizes many unrelated apps; clearing whole keeps every hit exact and costs one
// recomputation per key afterwards. Each user says in its own header why its key determines its value.

/** A memo table of at most `limit` entries, cleared whole when full. */
export class BoundedMemo<T> {
  private readonly entries = new Map<string, T>();

  /** @param limit entries kept before the table starts over */
  constructor(private readonly limit = 20_000) {}

  /** The value for `key`, computed by `compute` on first use; without a key it is computed every time. */
  get(key: string | undefined, compute: () => T): T {
    if (key === undefined) return compute();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  /** Entries kept now (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}
