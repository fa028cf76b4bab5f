// What the CLI's per-generation subcommands load (apps/commands/target.ts): `token`, which kubectl runs on every call as
// its exec credential plugin, parses its target without loading the definition checks (zod schemas, the addon registry,
// cdk8s); findGeneration, which lock, kubeconfig, validate and restore use, loads and runs them.
const mockLoaded: string[] = [];
for (const name of ["arguments", "validate", "resolve"]) {
  jest.mock(`../constructs/definition/${name}`, () => {
    mockLoaded.push(name);
    return jest.requireActual(`../constructs/definition/${name}`);
  });
}

describe("CLI module loading", () => {
  beforeEach(() => {
    mockLoaded.length = 0;
    jest.resetModules();
  });

  it("token and parseTarget load no definition check", () => {
    require("../apps/commands/token");
    const { parseTarget } = require("../apps/commands/target") as typeof import("../apps/commands/target");
    expect(parseTarget("prod/b", "token")).toEqual({ cluster: "prod", generation: "b", fullName: "prod-b" });
    expect(mockLoaded).toEqual([]);
  });

  it("findGeneration loads the definition checks and refuses an invalid definition", () => {
    const { findGeneration } = require("../apps/commands/target") as typeof import("../apps/commands/target");
    const { prod } = require("../clusters/prod") as typeof import("../clusters/prod");
    const found = findGeneration([prod], { cluster: "prod", generation: "b", fullName: "prod-b" }, "lock");
    expect(found.resolved.fullName).toBe("prod-b");
    expect([...mockLoaded].sort()).toEqual(["arguments", "resolve", "validate"]);
    expect(() =>
      findGeneration([{ ...prod, region: "xx-nowhere-1" }], { cluster: "prod", generation: "b", fullName: "prod-b" }, "lock"),
    ).toThrow(/region/);
  });
});
