// Owns the rules of AWS resource tags a definition adds to every resource (`tags`).
//
// Source: AWS Tagging Best Practices / Tag Editor user guide, "Tag naming limits and requirements"
// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): at most 50 tags per resource; keys of 1-128
// and values of 0-256 Unicode characters; letters, numbers, spaces and _ . : / = + - @; the aws: prefix is reserved.

/** Tags the library adds itself (see resolveGeneration): each generation's resources carry these beside the user's. */
const OWN_TAG_COUNT = 3;
/** Prefixes of the tags the library sets itself; a user tag there would be overwritten. */
const OWN_TAG_PREFIXES = ["immutable-clusters/", "kubernetes.io/cluster/"];
const ALLOWED = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

/** Problems of a tag map, each with the key it concerns (undefined for the map as a whole). */
export function tagProblems(tags: Readonly<Record<string, string>>): Array<{ key?: string; message: string }> {
  const problems: Array<{ key?: string; message: string }> = [];
  const keys = Object.keys(tags);
  if (keys.length > 50 - OWN_TAG_COUNT) {
    problems.push({
      message: `${keys.length} tags; AWS allows 50 per resource and the library adds ${OWN_TAG_COUNT}, so list at most ${50 - OWN_TAG_COUNT}`,
    });
  }
  for (const key of keys) {
    const value = tags[key];
    const length = [...key].length;
    if (length === 0 || length > 128) problems.push({ key, message: `tag key is ${length} characters; AWS allows 1 to 128` });
    else if (/^aws:/i.test(key)) problems.push({ key, message: 'the "aws:" prefix is reserved for AWS; choose another key, e.g. "team"' });
    else if (!ALLOWED.test(key)) problems.push({ key, message: "tag keys may hold letters, digits, spaces and _ . : / = + - @ only" });
    else if (OWN_TAG_PREFIXES.some((p) => key.startsWith(p))) {
      problems.push({
        key,
        message: `keys under ${OWN_TAG_PREFIXES.map((p) => `"${p}"`).join(" and ")} are set by the library; choose another key`,
      });
    }
    if (typeof value === "string") {
      if ([...value].length > 256) problems.push({ key, message: `tag value is ${[...value].length} characters; AWS allows at most 256` });
      else if (!ALLOWED.test(value))
        problems.push({ key, message: "tag values may hold letters, digits, spaces and _ . : / = + - @ only" });
    }
  }
  return problems;
}
