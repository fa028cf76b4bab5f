// Owns "did you mean": the catalogue values nearest to a refused one, by edit distance, for refusal messages.

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
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ai === b.charCodeAt(j - 1) ? 0 : 1));
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/** Up to `count` values of `candidates` nearest to `value` (ties in catalogue order). */
export function nearest(value: string, candidates: readonly string[], count = 3): string[] {
  // Catalogue names are short: a long value is compared by its start only, which keeps a refusal cheap.
  const lower = value.toLowerCase().slice(0, 40);
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: editDistance(lower, candidate.toLowerCase()) }))
    .sort((x, y) => x.distance - y.distance || x.index - y.index)
    .slice(0, count)
    .map((x) => x.candidate);
}

/** `"a", "b" or "c"` for a message. */
export function quotedList(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}
