// Every systemd unit and drop-in of every node config passes `systemd-analyze verify`. The programs a unit starts do
// not exist on this machine (kubelet, the node scripts), so the test writes the units into a folder of their own with
// those paths pointed at executable stubs there, which is what verify checks them against.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleNodeConfigs, type ParsedIgnition } from "./support/ignition";

const NODE_PATHS = ["/opt/bin/", "/opt/immutable-clusters/bin/"];

/** Writes a config's units into a fresh folder with stubbed node paths; returns the unit file paths. */
function writeUnits(config: ParsedIgnition): string[] {
  const root = mkdtempSync(join(tmpdir(), "units-"));
  const stubs = join(root, "stub");
  mkdirSync(stubs);
  const stubbed = (text: string) =>
    NODE_PATHS.reduce((t, prefix) => t.split(prefix).join(`${stubs}/`), text).replace(
      new RegExp(`${stubs}/([A-Za-z0-9._-]+)`, "g"),
      (m, name: string) => {
        const stub = join(stubs, name);
        writeFileSync(stub, "#!/bin/sh\nexit 0\n");
        chmodSync(stub, 0o755);
        return m;
      },
    );
  const files: string[] = [];
  for (const unit of config.systemd?.units ?? []) {
    if (unit.contents === undefined) continue; // drop-ins for units Flatcar ships (containerd) are checked by name only
    const path = join(root, unit.name);
    writeFileSync(path, stubbed(unit.contents));
    for (const dropin of unit.dropins ?? []) {
      mkdirSync(join(root, `${unit.name}.d`), { recursive: true });
      writeFileSync(join(root, `${unit.name}.d`, dropin.name), stubbed(dropin.contents));
    }
    files.push(path);
  }
  return files;
}

function verify(path: string): { status: number | null; output: string } {
  const run = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
  if (run.error) throw new Error(`systemd-analyze is not installed (apt-get install -y systemd): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe("systemd-analyze verify", () => {
  const configs = exampleNodeConfigs().filter((c) => c.gen.fullName === "prod-a" || c.gen.fullName === "staging-a");

  test.each(configs.map((c) => [c.label, c.text]))("every unit of %s verifies cleanly", (_label, text) => {
    const files = writeUnits(JSON.parse(text) as ParsedIgnition);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect([file, verify(file)]).toEqual([file, { status: 0, output: "" }]);
  });

  test("verify does catch a broken unit", () => {
    const [file] = writeUnits({
      ignition: { version: "3.3.0" },
      systemd: { units: [{ name: "broken.service", contents: "[Service]\nExecStart=relative/path\n" }] },
    });
    expect(verify(file).status).not.toBe(0);
  });

  test("drop-ins of units Flatcar ships only set what they own", () => {
    const config = JSON.parse(configs[0].text) as ParsedIgnition;
    const containerd = config.systemd!.units!.find((u) => u.name === "containerd.service")!;
    expect(containerd.contents).toBeUndefined();
    expect(containerd.dropins!.map((d) => d.contents.trim().split("\n").pop())).toEqual([
      "Environment=CONTAINERD_CONFIG=/etc/containerd/config.toml",
    ]);
  });
});
