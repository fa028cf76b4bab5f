// Terraform state: a definition with stateBackend gets an encrypted, locked S3 backend per stack and no warning; one
// without gets local state and a warning on stderr naming the stack and the fix; the init template defaults to S3.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthFleet } from "../constructs";
import { sampleCluster } from "./support/fixtures";
import { synthClusters } from "./support/synth";

describe("Terraform state backend", () => {
  let warn: jest.SpyInstance;
  beforeEach(() => (warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  test("an S3 backend is encrypted and locked with S3's lock file; nothing is printed", () => {
    const result = synthClusters([sampleCluster({ name: "s3state", stateBackend: { bucket: "my-terraform-state" } })]);
    const doc = result.json("s3state-a") as unknown as { terraform: { backend: Record<string, Record<string, unknown>> } };
    expect(doc.terraform.backend.s3).toMatchObject({ bucket: "my-terraform-state", encrypt: true, use_lockfile: true });
    expect(warn).not.toHaveBeenCalled();
  });

  test("local state: the synth app warns naming each stack and the fix; the constructs print nothing", () => {
    const result = synthClusters([sampleCluster({ name: "localstate" })]);
    const doc = result.json("localstate-a") as unknown as { terraform: { backend: Record<string, unknown> } };
    expect(Object.keys(doc.terraform.backend)).toEqual(["local"]);
    expect(warn).not.toHaveBeenCalled();
    const printed: string[] = [];
    const root = mkdtempSync(join(tmpdir(), "local-state-"));
    synthFleet([sampleCluster({ name: "localstate" })], { root, outdir: join(root, "out"), env: {}, notify: (l) => printed.push(l) });
    // The sample generation runs 1.31, so synth also says it is past upstream support (test/kubernetes-support.test.ts).
    expect(printed.filter((line) => !line.includes("past upstream support"))).toEqual([
      expect.stringMatching(/^warning: stack localstate-a keeps its Terraform state in a local file.*stateBackend: \{ bucket/),
      expect.stringMatching(/^warning: stack localstate-traffic keeps/),
      expect.stringMatching(/^warning: stack localstate-identity keeps/),
    ]);
  });

  test("the init template's example cluster uses an S3 state backend", () => {
    const text = readFileSync(join(__dirname, "../templates/definitions-repo/clusters/__CLUSTER_NAME__.ts"), "utf8");
    expect(text).toMatch(/^\s+stateBackend: \{ bucket: "[^"]+"/m);
  });
});
