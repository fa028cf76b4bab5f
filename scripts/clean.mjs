// Removes build and synth output (lib/, docs/api/, .bench/) and the caches of run-compiled.mjs, the review and synth's
// frozen-generation comparison (.cache/, node_modules/.cache/immutable-clusters/) so the next build starts clean.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const dir of ["lib", "docs/api", ".bench", ".cache", "node_modules/.cache/immutable-clusters"])
  rmSync(join(root, dir), { recursive: true, force: true });
