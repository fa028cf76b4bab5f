// Every systemd unit and drop-in of every node config passes `systemd-analyze verify`. The programs the units start do
// not exist on this machine (kubelet, the node scripts, Flatcar's containerd), so each config's units are written into
// a folder of their own with those paths pointed at executable stubs there; a drop-in for a unit Flatcar ships is
// verified on top of a stand-in for that unit (shaped like Flatcar's: `containerd --config ${CONTAINERD_CONFIG}`). One
// `systemd-analyze verify` takes all of a config's units; only when it finds something is each unit verified alone.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleNodeConfigs, type ParsedIgnition } from "./support/ignition";

const NODE_PATHS = ["/opt/bin/", "/opt/immutable-clusters/bin/"];

/** Stand-ins for units Flatcar ships that our configs only add drop-ins to; `@STUBS@` is the stub folder. */
const FLATCAR_UNITS: Record<string, string> = {
  "containerd.service": [
    "[Unit]",
    "Description=containerd container runtime (stand-in for Flatcar's unit)",
    "After=network.target",
    "[Service]",
    "Environment=CONTAINERD_CONFIG=/usr/share/containerd/config.toml",
    "ExecStart=@STUBS@/containerd --config ${CONTAINERD_CONFIG}",
    "Delegate=yes",
    "KillMode=process",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n"),
};

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Writes a config's units (and stand-ins for OS units it drops into) into a fresh folder; returns the unit paths to verify. */
function writeUnits(config: ParsedIgnition): string[] {
  const root = mkdtempSync(join(tmpdir(), "units-"));
  roots.push(root);
  const stubs = join(root, "stub");
  mkdirSync(stubs);
  const stub = (name: string) => {
    writeFileSync(join(stubs, name), "#!/bin/sh\nexit 0\n");
    chmodSync(join(stubs, name), 0o755);
  };
  const stubbed = (text: string) => {
    const out = NODE_PATHS.reduce((t, prefix) => t.split(prefix).join(`${stubs}/`), text.split("@STUBS@").join(stubs));
    for (const m of out.matchAll(new RegExp(`${stubs}/([A-Za-z0-9._-]+)`, "g"))) stub(m[1]);
    return out;
  };
  const files: string[] = [];
  for (const unit of config.systemd?.units ?? []) {
    if (unit.mask) continue; // a masked unit is a link to /dev/null: nothing to verify
    const contents = unit.contents ?? FLATCAR_UNITS[unit.name];
    if (contents === undefined) throw new Error(`${unit.name} only has drop-ins; add a stand-in for Flatcar's unit to FLATCAR_UNITS`);
    writeFileSync(join(root, unit.name), stubbed(contents));
    for (const dropin of unit.dropins ?? []) {
      mkdirSync(join(root, `${unit.name}.d`), { recursive: true });
      writeFileSync(join(root, `${unit.name}.d`, dropin.name), stubbed(dropin.contents));
    }
    files.push(join(root, unit.name));
  }
  return files;
}

function verify(...paths: string[]): { status: number | null; output: string } {
  const run = spawnSync("systemd-analyze", ["verify", "--man=no", ...paths], { encoding: "utf8" });
  if (run.error) throw new Error(`systemd-analyze is not installed (apt-get install -y systemd): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/**
 * Each unit's verdict: one `systemd-analyze verify` of all of them (a config's units, one folder); when that one is not
 * clean, each unit is verified alone, so a finding is reported against the unit it is in.
 */
function verifyEach(paths: string[]): Array<[string, { status: number | null; output: string }]> {
  const together = verify(...paths);
  if (together.status === 0 && together.output === "") return paths.map((path) => [path, together]);
  return paths.map((path) => [path, verify(path)]);
}

describe("systemd-analyze verify", () => {
  const configs = exampleNodeConfigs();

  test.each(configs.map((c) => [c.label, c.config]))("every unit and drop-in of %s verifies cleanly", (_label, config) => {
    const files = writeUnits(config);
    const names = files.map((f) => f.split("/").pop());
    expect(names).toEqual(expect.arrayContaining(["kubelet.service", "containerd.service", "immutable-clusters-bootstrap.service"]));
    for (const [file, verdict] of verifyEach(files)) expect([file, verdict]).toEqual([file, { status: 0, output: "" }]);
  });

  test("the controller's refresh timer and service are among what was verified", () => {
    const controller = configs.find((c) => c.role.kind === "controller")!;
    expect(writeUnits(controller.config).map((f) => f.split("/").pop())).toEqual(
      expect.arrayContaining([
        "immutable-clusters-join-refresh.service",
        "immutable-clusters-join-refresh.timer",
        "immutable-clusters-policy.service",
        "immutable-clusters-policy.timer",
        "immutable-clusters-etcd-snapshot.service",
        "immutable-clusters-etcd-snapshot.timer",
        "immutable-clusters-publish-ca.service",
        "immutable-clusters-publish-ca.timer",
      ]),
    );
  });

  test("verify does catch a broken unit and a broken drop-in (so a pass means something)", () => {
    const [unitFile] = writeUnits({
      ignition: { version: "3.3.0" },
      systemd: { units: [{ name: "broken.service", contents: "[Service]\nExecStart=relative/path\n" }] },
    });
    expect(verify(unitFile).status).not.toBe(0);
    const [dropinHost] = writeUnits({
      ignition: { version: "3.3.0" },
      systemd: { units: [{ name: "containerd.service", dropins: [{ name: "10-x.conf", contents: "[Service]\nExecStart=/second\n" }] }] },
    });
    expect(verify(dropinHost)).toMatchObject({ status: 1, output: expect.stringMatching(/more than one ExecStart/) });
  });

  test("a finding among units verified together is reported against its own unit only", () => {
    const files = writeUnits({
      ignition: { version: "3.3.0" },
      systemd: {
        units: [
          { name: "good.service", contents: "[Service]\nExecStart=/bin/true\n" },
          { name: "broken.service", contents: "[Service]\nExecStart=relative/path\n" },
          { name: "also-good.service", contents: "[Service]\nExecStart=/bin/true\n" },
        ],
      },
    });
    const verdicts = Object.fromEntries(verifyEach(files).map(([file, verdict]) => [file.split("/").pop(), verdict]));
    expect(verdicts["good.service"]).toEqual({ status: 0, output: "" });
    expect(verdicts["also-good.service"]).toEqual({ status: 0, output: "" });
    expect(verdicts["broken.service"]).toMatchObject({ status: 1, output: expect.stringMatching(/broken\.service/) });
  });
});
