// Owns the validation schema of `addons` in a generation's definition, derived from the addon registry: one optional
// field per addon, unknown fields refused. Errors carry the field path (e.g. `addons.coredns.replicas.min`).
import { z } from "zod";
import { ADDONS } from "./registry";

export const addonsSchema = z.object(Object.fromEntries(ADDONS.map((addon) => [addon.key, addon.settings.optional()]))).strict();
