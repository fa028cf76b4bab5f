// Removes build and synth output (lib/, docs/api/, .bench/) so the next build starts clean.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const dir of ["lib", "docs/api", ".bench"]) rmSync(join(root, dir), { recursive: true, force: true });
