// writeDist's review files (constructs/fleet/write-dist.ts): every file holds its text; a text already written by the
// same call is a hard link to the first file that holds it, never to anything else; without hard links every file is
// written.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterStacks } from "../constructs/fleet/fleet";
import { writeDist } from "../constructs/fleet/write-dist";

// linkSync observed (and refused in one test) as writeDist calls it: a spy on node's own fs module, which writeDist's
// compiled `require("node:fs")` shares.
const nodeFs = jest.requireActual<typeof import("node:fs")>("node:fs");
let links: jest.SpiedFunction<typeof nodeFs.linkSync>;

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

beforeEach(() => {
  links = jest.spyOn(nodeFs, "linkSync");
});
afterEach(() => jest.restoreAllMocks());

test("every file holds its text; repeated texts are links to the first file of this call, other files stand alone", () => {
  const dist = join(mkdtempSync(join(tmpdir(), "write-dist-")), "dist");
  const clusters = fakeFleet();
  writeDist(dist, clusters);
  expect(tree(dist)).toEqual(expectedTree(clusters));

  const shared = ["c1-a", "c1-b", "c2-a", "c2-b"].map((gen) => statSync(join(dist, gen, "addons", "20-shared.yaml")));
  expect(new Set(shared.map((s) => s.ino)).size).toBe(1);
  expect(shared[0].nlink).toBe(4);
  // Texts of their own, and the two worker configs that are equal: only the shared manifest and the equal configs link.
  const own = ["c1-a", "c1-b", "c2-a", "c2-b"].flatMap((gen) => [
    statSync(join(dist, gen, "addons", "10-own.yaml")),
    statSync(join(dist, gen, "ignition", "controller.ign")),
  ]);
  expect(new Set(own.map((s) => s.ino)).size).toBe(own.length);
  for (const s of own) expect(s.nlink).toBe(1);
  const workers = ["c1-a", "c1-b", "c2-a", "c2-b"].map((gen) => statSync(join(dist, gen, "ignition", "worker-general.ign")));
  expect(new Set(workers.map((s) => s.ino)).size).toBe(1);
});

test("a second call links only to files it wrote itself (the folder is rewritten whole)", () => {
  const dist = join(mkdtempSync(join(tmpdir(), "write-dist-")), "dist");
  const clusters = fakeFleet();
  writeDist(dist, clusters);
  links.mockClear();
  writeDist(dist, clusters);
  expect(tree(dist)).toEqual(expectedTree(clusters));
  // Three links, each to the first file this call wrote (c1-a's), none to a file of the first call.
  const sharedLinks = links.mock.calls.filter(([, to]) => String(to).endsWith("20-shared.yaml"));
  expect(sharedLinks).toHaveLength(3);
  for (const [from] of sharedLinks) expect(from).toBe(`${dist}/c1-a/addons/20-shared.yaml`);
  expect(statSync(join(dist, "c1-a", "addons", "20-shared.yaml")).nlink).toBe(4);
});

test("where hard links are refused, every file is written", () => {
  const dist = join(mkdtempSync(join(tmpdir(), "write-dist-")), "dist");
  const clusters = fakeFleet();
  links.mockImplementation(() => {
    throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
  });
  writeDist(dist, clusters);
  expect(links).toHaveBeenCalledTimes(1);
  expect(tree(dist)).toEqual(expectedTree(clusters));
  const shared = ["c1-a", "c1-b", "c2-a", "c2-b"].map((gen) => statSync(join(dist, gen, "addons", "20-shared.yaml")));
  expect(new Set(shared.map((s) => s.ino)).size).toBe(4);
});
