// Owns the offline catalogue of AWS regions (catalogue/aws-regions.json, cited there) and the naming of their
// availability zones: checks of `region`, `stateBackend.region` and each subnet's `availabilityZone`.
import catalogue from "./catalogue/aws-regions.json";
import { nearest, quotedList } from "./nearest";

/** Every AWS region the shipped catalogue knows, e.g. `eu-west-1`. */
export const AWS_REGIONS: readonly string[] = catalogue.regions.map((r) => r.name);
const KNOWN = new Set(AWS_REGIONS);

/** Why `value` is not an AWS region, naming the nearest ones; undefined when it is one. */
export function regionProblem(value: string): string | undefined {
  if (KNOWN.has(value)) return undefined;
  return `"${value}" is not an AWS region; use one such as ${quotedList(nearest(value, AWS_REGIONS))} (the catalogue lists ${AWS_REGIONS.length} regions, see constructs/definition/catalogue/aws-regions.json)`;
}

/**
 * An availability zone's name is its region followed by one letter (e.g. `eu-west-1a`); Local Zones add a location
 * and number before the letter (e.g. `us-west-2-lax-1a`). Source: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
 * ("Availability Zone code: the Region code followed by a letter identifier") and
 * https://docs.aws.amazon.com/local-zones/latest/ug/available-local-zones.html (Local Zone names).
 */
const ZONE = /^(?<region>[a-z]{2}(?:-[a-z]+)+-\d+)(?:-[a-z]+-\d+)?[a-z]$/;

/** The region a zone name belongs to, when the name has a zone's shape. */
export function regionOfZone(zone: string): string | undefined {
  return ZONE.exec(zone)?.groups?.region;
}

/** Why `zone` is not an availability zone name (of `region`, when given); undefined when it is one. */
export function zoneProblem(zone: string, region?: string): string | undefined {
  const zoneRegion = regionOfZone(zone);
  const example = `${region && KNOWN.has(region) ? region : "eu-west-1"}a`;
  if (!zoneRegion) return `"${zone}" is not an availability zone name; write the region followed by a letter, e.g. "${example}"`;
  if (!KNOWN.has(zoneRegion)) return `"${zone}" names the unknown region "${zoneRegion}"; ${regionProblem(zoneRegion)}`;
  if (region && KNOWN.has(region) && zoneRegion !== region)
    return `"${zone}" is not in region "${region}"; use a zone of that region, e.g. "${example}"`;
  return undefined;
}
