// Owns the review copy of what each generation carries besides Terraform: addon manifests and decoded Ignition configs,
// written to dist/<cluster>-<generation>/ so a reviewer reads them as files. The folder is rewritten whole each time.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterStacks } from "./fleet";

/** Writes every generation's manifests and node configs under `distDir`. */
export function writeDist(distDir: string, clusters: readonly ClusterStacks[]): void {
  rmSync(distDir, { recursive: true, force: true });
  for (const { generations } of clusters) {
    for (const stack of generations) {
      const gen = stack.cluster.generation;
      const dir = join(distDir, gen.fullName);
      mkdirSync(join(dir, "addons"), { recursive: true });
      mkdirSync(join(dir, "ignition"), { recursive: true });
      for (const file of stack.addonManifests) writeFileSync(join(dir, "addons", file.name), file.yaml);
      for (const [key, config] of stack.cluster.nodeConfigs) {
        const name = key.replace(/^ignition\//, "");
        writeFileSync(join(dir, "ignition", name), JSON.stringify(JSON.parse(config), null, 2) + "\n");
      }
    }
  }
}
