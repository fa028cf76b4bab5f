// Owns "did you mean": the catalogue values nearest to a refused one, by edit distance, for refusal messages.

/**
 * The smallest of three numbers, by comparison rather than Math.min: under jest every test file's modules run in a
 * node:vm context, where each read of a global such as `Math` goes through the context's interceptor instead of an
 * inline cache, so a loop calling Math.min ran 15 to 30 times slower in a suite than in node (measured here on the
 * distance loop below; jestjs/jest#5163, nodejs/node#31658, nodejs/node#49283). A local function is as fast in both.
 */
function smallest(x: number, y: number, z: number): number {
  return x < y ? (x < z ? x : z) : y < z ? y : z;
}

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  // Two rows of the dynamic-programming table, reused (a refusal compares one value with every catalogue entry).
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      current[j] = smallest(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ai === b.charCodeAt(j - 1) ? 0 : 1));
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/**
 * editDistance(a, b) when it is at most `limit`, else some number greater than `limit`, in the given rows (each at
 * least b.length + 1 long). The rows are abandoned as soon as every entry of one exceeds `limit`: an entry of a row is
 * reached from the row above (or from its left neighbour, which ends at the row's first entry, itself above the row
 * above's first), at a cost of 0 or 1, so no row's smallest entry is below the previous row's and the distance, the
 * last row's last entry, is at least the smallest entry of every row. A length difference over `limit` needs no rows
 * at all (each extra character costs an insertion or a deletion).
 */
function editDistanceWithin(a: string, b: string, limit: number, rows: [Uint32Array, Uint32Array]): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let [previous, current] = rows;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMinimum = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const entry = smallest(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ai === b.charCodeAt(j - 1) ? 0 : 1));
      current[j] = entry;
      if (entry < rowMinimum) rowMinimum = entry;
    }
    if (rowMinimum > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/** Up to `count` values of `candidates` nearest to `value` (ties in catalogue order). */
export function nearest(value: string, candidates: readonly string[], count = 3): string[] {
  // Catalogue names are short: a long value is compared by its start only, which keeps a refusal cheap.
  const lower = value.toLowerCase().slice(0, 40);
  // As many as `candidates.slice(0, count)` would keep (a negative count counts from the end, NaN is none).
  const end = Math.trunc(count) || 0;
  const wanted = end < 0 ? Math.max(0, candidates.length + end) : end;
  if (wanted === 0) return [];
  // The `wanted` nearest so far, by distance, then catalogue order. Candidates come in catalogue order, so a later one
  // displaces a kept one only when strictly nearer than the farthest kept: its distance is needed only up to one less
  // than that, and editDistanceWithin stops there (a refusal compares the value with a thousand instance types).
  const kept: { candidate: string; distance: number }[] = [];
  let rows: [Uint32Array, Uint32Array] = [new Uint32Array(64), new Uint32Array(64)];
  for (const candidate of candidates) {
    const limit = kept.length < wanted ? Number.MAX_SAFE_INTEGER : kept[wanted - 1].distance - 1;
    if (limit < 0) break;
    const other = candidate.toLowerCase();
    if (other.length >= rows[0].length) rows = [new Uint32Array(other.length + 1), new Uint32Array(other.length + 1)];
    const distance = editDistanceWithin(lower, other, limit, rows);
    if (distance > limit) continue;
    // After every kept one at the same distance or nearer (they came first), dropping the farthest beyond `wanted`.
    let at = kept.length;
    while (at > 0 && kept[at - 1].distance > distance) at--;
    kept.splice(at, 0, { candidate, distance });
    if (kept.length > wanted) kept.pop();
  }
  return kept.map((k) => k.candidate);
}

/** `"a", "b" or "c"` for a message. */
export function quotedList(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}
