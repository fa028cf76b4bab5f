// Owns the review copy of what each generation carries besides Terraform: addon manifests and decoded Ignition configs,
// written to dist/<cluster>-<generation>/ so a reviewer reads them as files. The folder is rewritten whole each time.
//
// A file whose text an earlier file of the same call already holds (most generations of a fleet carry the same CoreDNS
// and ingress manifests, byte for byte) is made a hard link to that file instead of a new file: the same bytes under
// every path (`diff -r` cannot tell), one inode and one copy of the data instead of one per generation. Making a file
// is most of writeDist's cost here, nearly all of it system time in the kernel's inode allocation (issue 17): about a
// quarter of a generated fleet's review files are such repeats. A link is made only to a file this call wrote (in the
// folder it emptied first); where the file system refuses hard links, the file is written as before. The copies are
// review copies, rewritten whole on every synth: edit the definitions, not dist/ (a file edited in place would change
// its linked twins too).
import { linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { ignitionJsonText } from "../ignition/builder";
import type { ClusterStacks } from "./fleet";

/** Writes every generation's manifests and node configs under `distDir`. */
export function writeDist(distDir: string, clusters: readonly ClusterStacks[]): void {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  const files = new ReviewFiles();
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
      for (const file of stack.addonManifests) files.write(`${addons}/${file.name}`, file.yaml);
      for (const key of stack.cluster.nodeConfigs.keys()) {
        const name = key.replace(/^ignition\//, "");
        // The config's data as JSON.parse of its text gives it; a rendered one is not parsed again (~1% of a fleet's synth).
        // Indented as JSON.stringify(document, null, 2) writes it; its data URLs' JSON is reused (json-text.ts).
        files.write(`${ignition}/${name}`, ignitionJsonText(stack.cluster.nodeConfigDocument(key), 2) + "\n");
      }
    }
  }
}

/** The files of one writeDist call: each text written once, later files with the same text linked to the first. */
class ReviewFiles {
  /** The first path written with each text, by text (dropped with the call: it holds only this call's files). */
  private readonly firstPath = new Map<string, string>();
  /** False once the file system refused a hard link: everything after is written. */
  private linking = true;

  write(path: string, text: string): void {
    const first = this.linking ? this.firstPath.get(text) : undefined;
    if (first !== undefined) {
      try {
        linkSync(first, path);
        return;
      } catch {
        // A file system without hard links (or a link count limit): the text is written like any other.
        this.linking = false;
      }
    }
    writeFileSync(path, text);
    if (this.linking && first === undefined) this.firstPath.set(text, path);
  }
}
