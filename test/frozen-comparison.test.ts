// The cache of the frozen-generation comparison (constructs/fleet/frozen-comparison.ts, issue 17): an entry is reused
// only while everything rendering depends on is unchanged. A changed library file (a node script, in a temp copy of the
// library's folder) or a changed definition field that rendering reads brings the "behind the library" differences
// back; a change only Terraform acts on (a pool's size, the weight, another generation) reuses the entry, and every
// example generation renders the same files with all of those changed; a failed rendering is never kept; the cache is
// bounded and can be turned off.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusters } from "../clusters";
import { resolveGeneration, type ResolvedGeneration } from "../constructs/definition/resolve";
import { validateDefinition } from "../constructs/definition/validate";
import { artifactsFromFiles, freezeGeneration, renderedArtifactFiles } from "../constructs/fleet/frozen-artifacts";
import {
  defaultFrozenComparisonCache,
  differencesFromLibrary,
  FROZEN_COMPARISON_CACHE_ENV,
  FROZEN_COMPARISON_ENTRIES,
  libraryInputsHash,
  renderingInputs,
} from "../constructs/fleet/frozen-comparison";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a", weight: 100 })] });
const freezing = freezeGeneration(cluster, "a");
const frozen = artifactsFromFiles(freezing.files, "0.1.0", freezing.record.nodeContract);
const valid = validateDefinition(cluster);
const gen = resolveGeneration(valid, valid.generations[0]);
/** A library whose rendering of the controller's node config differs (what an upgrade that edits a node script does). */
const upgradedRender = (g: typeof gen, contract: number) => {
  const files = renderedArtifactFiles(g, contract);
  files.set("ignition/controller.ign", files.get("ignition/controller.ign")!.replace("}", '  , "upgraded": true }'));
  return files;
};
const CONTROLLER = "node config ignition/controller.ign";

/**
 * `g` with every field renderingInputs leaves out changed: weight and state, each pool's sizes and autoscaling bounds (in
 * the resolved pools and in the definition) and the cluster's other generations (dropped, the rest renamed).
 */
function withTerraformOnlyChanges(g: ResolvedGeneration): ResolvedGeneration {
  const resize = <P extends { autoscale?: { min: number; max: number } }>(p: P) => ({
    ...p,
    minSize: 7,
    maxSize: 70,
    desiredCapacity: 9,
    ...(p.autoscale ? { autoscale: { min: 5, max: 50 } } : {}),
  });
  return {
    ...g,
    weight: g.weight === 0 ? 40 : 0,
    state: g.state === "live" ? "retiring" : "live",
    workerPools: g.workerPools.map(resize),
    definition: { ...g.definition, weight: g.weight === 0 ? 40 : 0, workerPools: g.definition.workerPools.map(resize) },
    cluster: { ...g.cluster, generations: [g.definition, { ...g.definition, id: "zz", weight: 1 }] },
  };
}

function cacheDir(): string {
  return mkdtempSync(join(tmpdir(), "frozen-comparison-"));
}

describe("the library inputs hash", () => {
  // A copy of the node scripts' folder stands in for the library's folder: editing it never touches the real tree.
  const copy = mkdtempSync(join(tmpdir(), "library-copy-"));
  cpSync(join(__dirname, "..", "constructs", "ignition", "files"), copy, { recursive: true });
  const installed = join(__dirname, "..", "node_modules", ".package-lock.json");

  test("is stable for the same files and changes when a node script, a new file or the installed packages change", () => {
    const before = libraryInputsHash(copy, installed);
    expect(libraryInputsHash(copy, installed)).toBe(before);
    const script = join(copy, "bin", "node-bootstrap.sh");
    writeFileSync(script, readFileSync(script, "utf8") + "# upgraded\n");
    const edited = libraryInputsHash(copy, installed);
    expect(edited).not.toBe(before);
    writeFileSync(join(copy, "units", "new.service"), "[Unit]\n");
    expect(libraryInputsHash(copy, installed)).not.toBe(edited);
    expect(libraryInputsHash(copy, join(copy, "no-such-lock.json"))).not.toBe(libraryInputsHash(copy, installed));
  });
});

describe("the cached comparison", () => {
  test("is reused for the same inputs, and a changed library hash brings the difference back", () => {
    const dir = cacheDir();
    expect(differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "A" } })).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(1);
    // Same key: the entry is read and the rendering is not (the stub would say the controller differs).
    expect(differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "A" }, render: upgradedRender })).toEqual([]);
    expect(differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "B" }, render: upgradedRender })).toEqual([CONTROLLER]);
    // Without a cache the stub is what is compared: the uncached result is the one the key-B entry now holds.
    expect(differencesFromLibrary(gen, [], frozen, { render: upgradedRender })).toEqual([CONTROLLER]);
    expect(differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "B" } })).toEqual([CONTROLLER]);
  });

  test("a changed definition, node contract or frozen file is a new entry", () => {
    const dir = cacheDir();
    const cache = { dir, libraryHash: "A" };
    expect(differencesFromLibrary(gen, [], frozen, { cache })).toEqual([]);
    const changed = { ...gen, workerPools: gen.workerPools.map((p) => ({ ...p, labels: { ...p.labels, team: "payments" } })) };
    // Rendered again (a read entry would say []): the stub's controller, and the pools whose labels changed.
    expect(differencesFromLibrary(changed, [], frozen, { cache, render: upgradedRender })).toContain(CONTROLLER);
    expect(
      differencesFromLibrary(gen, [], { ...frozen, nodeContract: frozen.nodeContract + 1 }, { cache, render: upgradedRender }),
    ).toEqual([CONTROLLER]);
    const edited = new Map(frozen.nodeConfigs);
    edited.set("ignition/controller.ign", JSON.stringify({ ...JSON.parse(edited.get("ignition/controller.ign")!), old: true }));
    expect(differencesFromLibrary(gen, [], { ...frozen, nodeConfigs: edited }, { cache })).toEqual([CONTROLLER]);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  test("hits on a second identical run and on changes rendering does not read; misses when a field it reads changes", () => {
    const dir = cacheDir();
    const cache = { dir, libraryHash: "A" };
    expect(differencesFromLibrary(gen, [], frozen, { cache })).toEqual([]);
    // Each of these reads the entry (the stub, which would report the controller, is not called) and writes none.
    const render = () => {
      throw new Error("rendered although the entry should have been read");
    };
    expect(differencesFromLibrary(gen, [], frozen, { cache, render })).toEqual([]);
    expect(differencesFromLibrary(withTerraformOnlyChanges(gen), [], frozen, { cache, render })).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(1);
    // A field rendering reads: a new entry, rendered again (the stub's controller, beside what the new key changes).
    const withKey = { ...gen, sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJlYWRzIHRoaXM test"] };
    expect(differencesFromLibrary(withKey, [], frozen, { cache, render: upgradedRender })).toContain(CONTROLLER);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  test("unfrozen node configs are listed after the cached differences, from the caller's keys", () => {
    const dir = cacheDir();
    const keys = ["ignition/controller.ign", "ignition/worker-new.ign"];
    const expected = ["node config ignition/worker-new.ign (not frozen: rendered by this library)"];
    expect(differencesFromLibrary(gen, keys, frozen, { cache: { dir, libraryHash: "A" } })).toEqual(expected);
    expect(differencesFromLibrary(gen, keys, frozen, { cache: { dir, libraryHash: "A" } })).toEqual(expected);
  });

  test("an addon the library no longer renders is listed once, as no longer rendered, and a new one as new", () => {
    const swapped = (g: typeof gen, contract: number) => {
      const files = renderedArtifactFiles(g, contract);
      const nginx = [...files.keys()].find((p) => p.startsWith("addons/") && p.includes("ingress-nginx"))!;
      files.delete(nginx);
      files.set("addons/50-gateway.yaml", "kind: Gateway\n");
      return files;
    };
    const differences = differencesFromLibrary(gen, [], frozen, { render: swapped });
    expect(differences.filter((d) => d.includes("ingress-nginx"))).toEqual([
      expect.stringMatching(/ingress-nginx\.yaml \(no longer rendered\)$/),
    ]);
    expect(differences).toContainEqual(expect.stringMatching(/50-gateway\.yaml \(new in this library\)$/));
  });

  test("a rendering that fails is reported and never kept", () => {
    const dir = cacheDir();
    const failing = () => {
      throw new Error("no such template");
    };
    expect(differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "A" }, render: failing })).toEqual([
      "cannot be rendered by this library version: no such template",
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("keeps at most FROZEN_COMPARISON_ENTRIES entries, dropping the least recently used", () => {
    const dir = cacheDir();
    const old = new Date(Date.now() - 24 * 60 * 60 * 1000);
    for (let i = 0; i < FROZEN_COMPARISON_ENTRIES; i++) {
      const file = join(dir, `${i.toString(16).padStart(64, "0")}.json`);
      writeFileSync(file, "{}");
      const used = new Date(old.getTime() + i * 1000);
      utimesSync(file, used, used);
    }
    differencesFromLibrary(gen, [], frozen, { cache: { dir, libraryHash: "A" } });
    const left = readdirSync(dir);
    expect(left).toHaveLength(FROZEN_COMPARISON_ENTRIES);
    expect(left).toContain(`${(FROZEN_COMPARISON_ENTRIES - 1).toString(16).padStart(64, "0")}.json`);
    expect(existsSync(join(dir, `${"0".padStart(64, "0")}.json`))).toBe(false);
  });

  test(`${FROZEN_COMPARISON_CACHE_ENV}=off turns it off, and jest's module registry (which can mock rendering) never uses it`, () => {
    expect(defaultFrozenComparisonCache({ [FROZEN_COMPARISON_CACHE_ENV]: "off" })).toBeUndefined();
    expect(defaultFrozenComparisonCache({})).toBeUndefined();
  });
});

describe("what the key leaves out", () => {
  // Every example generation (frozen or not), rendered with all left-out fields changed: the same files, byte for byte.
  const examples = clusters.flatMap((c) => {
    const v = validateDefinition(c);
    return v.generations.map((g) => resolveGeneration(v, g));
  });
  test.each(examples.map((g) => [g.fullName, g] as const))("%s renders the same files with them changed", (_name, g) => {
    const changed = withTerraformOnlyChanges(g);
    expect(JSON.stringify(changed)).not.toBe(JSON.stringify(g));
    expect(renderingInputs(changed)).toBe(renderingInputs(g));
    const before = renderedArtifactFiles(g);
    const after = renderedArtifactFiles(changed);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [path, text] of before) expect({ path, text: after.get(path) }).toEqual({ path, text });
  });

  test("whether a pool autoscales, and every other field, is in it", () => {
    const pooled = examples.find((g) => g.workerPools.some((p) => p.autoscale))!;
    const noAutoscale = { ...pooled, workerPools: pooled.workerPools.map((p) => ({ ...p, autoscale: undefined })) };
    expect(renderingInputs(noAutoscale)).not.toBe(renderingInputs(pooled));
    expect(renderingInputs({ ...pooled, kubernetesVersion: "1.35.5" })).not.toBe(renderingInputs(pooled));
    expect(renderingInputs({ ...pooled, cluster: { ...pooled.cluster, name: "other" } })).not.toBe(renderingInputs(pooled));
  });
});
