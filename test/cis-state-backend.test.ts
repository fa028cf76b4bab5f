// Terraform state: a definition with stateBackend gets an encrypted, locked S3 backend per stack and no warning; one
// without gets local state and a warning on stderr naming the stack and the fix; the init template defaults to S3.
import { readFileSync } from "node:fs";
import { join } from "node:path";
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

  test("local state prints a warning naming the stack and the fix", () => {
    const result = synthClusters([sampleCluster({ name: "localstate" })]);
    const doc = result.json("localstate-a") as unknown as { terraform: { backend: Record<string, unknown> } };
    expect(Object.keys(doc.terraform.backend)).toEqual(["local"]);
    const printed = warn.mock.calls.map((c) => String(c[0]));
    expect(printed).toContainEqual(
      expect.stringMatching(/stack localstate-a keeps its Terraform state in a local file.*stateBackend: \{ bucket/),
    );
  });

  test("the init template's example cluster uses an S3 state backend", () => {
    const text = readFileSync(join(__dirname, "../templates/definitions-repo/clusters/__CLUSTER_NAME__.ts"), "utf8");
    expect(text).toMatch(/^\s+stateBackend: \{ bucket: "[^"]+"/m);
  });
});
