// Owns reading synthesized Terraform JSON in tests: the document shape and lookups of resources, data sources and outputs.

/** The parts of a synthesized `cdk.tf.json` document that tests read. */
export interface TerraformJson {
  /** Resources by type, then by logical id. */
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  /** Data sources by type, then by logical id. */
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  /** Outputs by name. */
  readonly output?: Record<string, { readonly value: unknown; readonly description?: string }>;
  /** The `terraform` block: required providers and backend. */
  readonly terraform: Record<string, unknown>;
  /** Provider configurations by provider name. */
  readonly provider?: Record<string, unknown>;
}

/** Every resource of one Terraform type (e.g. `aws_autoscaling_group`) in a stack, by logical id; `{}` if none. */
export function resourcesOfType(stack: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return stack.resource?.[type] ?? {};
}

/** The configurations of every resource of one type in a stack, as a list (order of the document). */
export function resourceConfigs(stack: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(resourcesOfType(stack, type));
}

/** The one resource of a type in a stack; throws, naming the ids found, when there is none or more than one. */
export function onlyResourceOfType(stack: TerraformJson, type: string): Record<string, unknown> {
  const found = resourcesOfType(stack, type);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}${ids.length > 0 ? `: ${ids.join(", ")}` : ""}`);
  return found[ids[0]];
}

/** Every data source of one type (e.g. `aws_ami`) in a stack, by logical id; `{}` if none. */
export function dataSourcesOfType(stack: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return stack.data?.[type] ?? {};
}
