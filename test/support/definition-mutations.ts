// Test support: changing one field of a cluster definition by its path (as validation names it), for the bad-definition
// table and the mutation test. Paths are the refusal's own: `generations[0].workerPools[1].maxSize`, `tags["aws:x"]`.

/** The segments of a field path: names, list indexes and bracketed keys. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

/** A deep copy of `value` with the field at `path` set to `replacement` (`undefined` deletes it). */
export function withField<T>(value: T, path: string, replacement: unknown): T {
  const copy = structuredClone(value) as unknown;
  const segments = pathSegments(path);
  let target = copy as Record<string | number, unknown>;
  for (const segment of segments.slice(0, -1)) {
    if (typeof target[segment] !== "object" || target[segment] === null) target[segment] = typeof segment === "number" ? [] : {};
    target = target[segment] as Record<string | number, unknown>;
  }
  const last = segments.at(-1)!;
  if (replacement === undefined && !Array.isArray(target)) delete target[last];
  else Object.defineProperty(target, last, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy as T;
}
