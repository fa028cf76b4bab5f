// Owns the review copy of what each generation carries besides Terraform: addon manifests and decoded Ignition configs,
// written to dist/<cluster>-<generation>/ so a reviewer reads them as files. The folder is rewritten whole each time.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { ignitionJsonText } from "../ignition/builder";
import type { ClusterStacks } from "./fleet";

/** Writes every generation's manifests and node configs under `distDir`. */
export function writeDist(distDir: string, clusters: readonly ClusterStacks[]): void {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  for (const { generations } of clusters) {
    for (const stack of generations) {
      const gen = stack.cluster.generation;
      // The folder was emptied above and generation names are unique (they name the stacks), so each folder is new:
      // three plain mkdirs instead of two recursive ones that probe the missing parent first (issue 17).
      const dir = `${distDir}/${gen.fullName}`;
      const addons = `${dir}/addons`;
      const ignition = `${dir}/ignition`;
      mkdirSync(dir);
      mkdirSync(addons);
      mkdirSync(ignition);
      for (const file of stack.addonManifests) writeFileSync(`${addons}/${file.name}`, file.yaml);
      for (const key of stack.cluster.nodeConfigs.keys()) {
        const name = key.replace(/^ignition\//, "");
        // The config's data as JSON.parse of its text gives it; a rendered one is not parsed again (~1% of a fleet's synth).
        // Indented as JSON.stringify(document, null, 2) writes it; its data URLs' JSON is reused (json-text.ts).
        writeFileSync(`${ignition}/${name}`, ignitionJsonText(stack.cluster.nodeConfigDocument(key), 2) + "\n");
      }
    }
  }
}
