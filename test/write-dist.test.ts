// writeDist's review files (constructs/fleet/write-dist.ts): every file holds its text, and every file stands alone,
// also where generations carry the same text byte for byte. Hard links between equal review files were tried for issue 17
// (about 0.3-0.7 ms per generation of a generated fleet) and taken out: editing one review file in place would change its
// twins, which no user of a generated folder expects.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterStacks } from "../constructs/fleet/fleet";
import { writeDist } from "../constructs/fleet/write-dist";

const SHARED = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same-in-every-generation\n";

/** The fields of ClusterStacks writeDist reads: two clusters of two generations, one manifest shared by all. */
function fakeFleet(): ClusterStacks[] {
  const generation = (fullName: string) => {
    const documents = new Map<string, unknown>([
      ["ignition/controller.ign", { ignition: { version: "3.3.0" }, storage: { files: [{ path: `/etc/${fullName}` }] } }],
      ["ignition/worker-general.ign", { ignition: { version: "3.3.0" } }],
    ]);
    return {
      addonManifests: [
        { name: "10-own.yaml", yaml: `name: ${fullName}\n` },
        { name: "20-shared.yaml", yaml: SHARED },
      ],
      cluster: {
        generation: { fullName },
        nodeConfigs: new Map([...documents].map(([key, document]) => [key, JSON.stringify(document)])),
        nodeConfigDocument: (key: string) => documents.get(key),
      },
    };
  };
  return [
    { generations: [generation("c1-a"), generation("c1-b")] },
    { generations: [generation("c2-a"), generation("c2-b")] },
  ] as unknown as ClusterStacks[];
}

/** Every file under `root` by its path relative to `root`, with its text. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const gen of readdirSync(root).sort())
    for (const sub of readdirSync(join(root, gen)).sort())
      for (const name of readdirSync(join(root, gen, sub)).sort())
        out[`${gen}/${sub}/${name}`] = readFileSync(join(root, gen, sub, name), "utf8");
  return out;
}

/** What writeDist must write, file by file. */
function expectedTree(clusters: ClusterStacks[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { generations } of clusters)
    for (const stack of generations) {
      const name = stack.cluster.generation.fullName;
      for (const file of stack.addonManifests) out[`${name}/addons/${file.name}`] = file.yaml;
      for (const key of stack.cluster.nodeConfigs.keys())
        out[`${name}/${key}`] = JSON.stringify(stack.cluster.nodeConfigDocument(key), null, 2) + "\n";
    }
  return out;
}

test("every file holds its text and stands alone, also files with the same text", () => {
  const dist = join(mkdtempSync(join(tmpdir(), "write-dist-")), "dist");
  const clusters = fakeFleet();
  writeDist(dist, clusters);
  expect(tree(dist)).toEqual(expectedTree(clusters));
  // The shared manifest and the equal worker configs: one file each per generation, none linked to another.
  for (const file of ["addons/20-shared.yaml", "ignition/worker-general.ign", "addons/10-own.yaml"]) {
    const stats = ["c1-a", "c1-b", "c2-a", "c2-b"].map((gen) => statSync(join(dist, gen, file)));
    expect(new Set(stats.map((s) => s.ino)).size).toBe(4);
    for (const s of stats) expect(s.nlink).toBe(1);
  }
});

test("a second call rewrites the folder whole, every file again on its own", () => {
  const dist = join(mkdtempSync(join(tmpdir(), "write-dist-")), "dist");
  const clusters = fakeFleet();
  writeDist(dist, clusters);
  writeDist(dist, clusters);
  expect(tree(dist)).toEqual(expectedTree(clusters));
  expect(statSync(join(dist, "c1-a", "addons", "20-shared.yaml")).nlink).toBe(1);
});
