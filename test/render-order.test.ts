// Tests that the orders rendering computes without ICU's collator are the ones localeCompare gave: addon manifest files
// (apply order, constructs/addons/render.ts) and the supported Kubernetes versions (constructs/ignition/kubernetes-releases.ts).
import { ADDONS } from "../constructs/addons/registry";
import { compareVersions, SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";

describe("orders computed without ICU's collator", () => {
  it("addon files are NN-lowercase-words, whose code-unit order is localeCompare's", () => {
    const files = ADDONS.map((a) => a.file);
    for (const file of files) expect(file).toMatch(/^\d\d-[a-z0-9]+(-[a-z0-9]+)*$/);
    const byCodeUnits = [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(byCodeUnits).toEqual([...files].sort((a, b) => a.localeCompare(b)));
  });

  it("Kubernetes versions sort numerically by dotted part, as localeCompare with numeric collation did", () => {
    expect(SUPPORTED_KUBERNETES_VERSIONS).toEqual(
      [...SUPPORTED_KUBERNETES_VERSIONS].sort((a, b) => a.localeCompare(b, "en", { numeric: true })),
    );
    const versions = ["1.10.0", "1.9.12", "1.31.10", "1.31.9", "1.4", "2.0.0", "1.31"];
    expect([...versions].sort(compareVersions)).toEqual([...versions].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
    expect([...versions].sort(compareVersions)).toEqual(["1.4", "1.9.12", "1.10.0", "1.31", "1.31.9", "1.31.10", "2.0.0"]);
  });
});
