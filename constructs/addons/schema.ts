// Owns the validation schema of the addon settings in a definition (placeholder until the addon charts land).
import { z } from "zod";

export const addonsSchema = z.record(z.string(), z.unknown());
