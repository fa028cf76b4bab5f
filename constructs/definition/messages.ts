// Owns the wording of schema refusals: every issue the schema library (zod) raises is turned into a message in our
// words that says what is allowed (the values, the bounds, an example) so no generic schema text reaches a user.
import type { z } from "zod";
import { quotedList } from "./nearest";

/** An example value per field name (the last segment of a field path), quoted in refusals. */
const EXAMPLES: Readonly<Record<string, string>> = {
  name: '"prod"',
  "workerPools.name": '"general"',
  "tenants.name": '"team-payments"',
  region: '"eu-west-1"',
  id: '"a"',
  kubernetesVersion: '"1.35.4"',
  version: '"4230.2.1"',
  weight: "100",
  count: "3",
  minSize: "1",
  maxSize: "3",
  desiredCapacity: "2",
  sizeGiB: "30",
  instanceType: '"m6i.large"',
  instanceTypes: '["m6i.large"]',
  vpcId: '"vpc-0123456789abcdef0"',
  vpcCidr: '"10.0.0.0/16"',
  podCidr: '"10.244.0.0/16"',
  serviceCidr: '"10.96.0.0/12"',
  privateSubnets: '[{ id: "subnet-0123456789abcdef0", availabilityZone: "eu-west-1a" }]',
  adminCidrs: '["10.200.0.0/24"]',
  privateZoneId: '"Z0123456789ABCDEFGHIJ"',
  privateZoneName: '"internal.example.com"',
  generations:
    '[{ id: "a", kubernetesVersion: "1.35.4", flatcar: { channel: "stable", version: "4230.2.1" }, weight: 100, workerPools: [{ name: "general" }] }]',
  workerPools: '[{ name: "general" }]',
  labels: '{ "example.com/team": "payments" }',
  tags: '{ team: "platform" }',
  taints: '[{ key: "dedicated", value: "batch", effect: "NoSchedule" }]',
  sshAuthorizedKeys: '["ssh-ed25519 AAAA... name"]',
  hostname: '"apps"',
  healthPath: '"/healthz"',
  bucket: '"my-terraform-state"',
  onDemandBaseCapacity: "0",
  onDemandPercentageAboveBase: "0",
  pods: "50",
  enabled: "true",
  replicas: "2",
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "text (a quoted string)",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list ([...])",
  object: "an object ({ ... })",
  record: "an object of names to values ({ ... })",
};

/** What a received value is, for "got ..." in a message. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : String(value);
  if (typeof value === "string") return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return typeof value;
}

function exampleFor(path: readonly PropertyKey[]): string {
  // The field's own name, qualified by its parent's where that differs (a pool's name is not a cluster's name).
  const names = path.filter((k): k is string => typeof k === "string");
  const candidates = [names.slice(-2).join("."), names.at(-1) ?? ""];
  const key = candidates.find((k) => Object.hasOwn(EXAMPLES, k));
  return key ? `, e.g. ${EXAMPLES[key]}` : "";
}

/** Our message for one schema issue. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const example = exampleFor(issue.path);
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return `is required${example}`;
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.expected === "number" && typeof issue.input === "number") {
        return `must be a finite number, not ${describeValue(issue.input)}${example}`;
      }
      return `must be ${expected}, not ${describeValue(issue.input)}${example}`;
    }
    case "invalid_value":
      return `must be ${issue.values.length === 1 ? "" : "one of "}${quotedList(issue.values.map(String))}, not ${describeValue(issue.input)}`;
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "array" || issue.origin === "set") return `list at least ${min} entr${min === 1 ? "y" : "ies"}${example}`;
      if (issue.origin === "string") return min <= 1 ? `must not be empty${example}` : `must be at least ${min} characters${example}`;
      return `must be ${issue.inclusive === false ? "greater than" : "at least"} ${min}, not ${describeValue(issue.input)}${example}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "array" || issue.origin === "set") return `list at most ${max} entr${max === 1 ? "y" : "ies"}`;
      if (issue.origin === "string") return `must be at most ${max} characters`;
      return `must be ${issue.inclusive === false ? "less than" : "at most"} ${max}, not ${describeValue(issue.input)}${example}`;
    }
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}${example}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} or check the spelling`;
    case "invalid_key":
      return `key ${JSON.stringify(String(issue.path.at(-1)))}: ${issue.issues[0] ? ourMessage({ ...issue.issues[0], path: issue.path } as z.core.$ZodIssue) : "is not allowed"}`;
    case "invalid_element":
      return `entry ${JSON.stringify(String(issue.key))}: ${issue.issues[0] ? ourMessage({ ...issue.issues[0], path: issue.path } as z.core.$ZodIssue) : "is not allowed"}`;
    case "invalid_union":
      return `does not match any allowed form${example}`;
    case "invalid_format":
      return `is not in the expected format${example}`;
    default:
      return `is not valid${example}`;
  }
}

/**
 * A per-parse error map for zod: fields that carry their own message keep it (a schema-level message wins over a
 * per-parse map); every other issue gets a marker that {@link ourMessage} replaces with a message from the issue's data.
 */
export const GENERIC = "\u0000generic";
export const genericMarker = (): string => GENERIC;

/** The issue's own message when a schema set one, else ours. */
export function ourMessage(issue: z.core.$ZodIssue): string {
  return issue.message === GENERIC || issue.message === "" ? issueMessage(issue) : issue.message;
}
