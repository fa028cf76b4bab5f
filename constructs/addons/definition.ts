// Owns the typed addon settings a generation's definition may carry (placeholder until the addon charts land).

/** Addon settings of one generation. */
export interface AddonsDefinition {
  readonly [addon: string]: unknown;
}
