// Every Ignition config this library writes passes the upstream validator (`ignition-validate`, Debian package
// `ignition`) with no warnings: each role's full config of every example generation, their user-data pointers, a
// generation that opts into SSH and OS updates, and a builder config using every kind of entry.
import { resolveGeneration } from "../constructs/definition/resolve";
import { IgnitionConfig, pointerConfig } from "../constructs/ignition/builder";
import { nodeConfigKey, renderNodeIgnition, userDataPointer } from "../constructs/ignition/node-config";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { ignitionValidate } from "./support/ignition-validate";
import { exampleNodeConfigs } from "./support/ignition";

const VALID = { status: 0, output: "" };
const configs = exampleNodeConfigs();
const USER_DATA_LIMIT = 16 * 1024;

describe("ignition-validate on the node configs", () => {
  test("the examples have a controller and at least one worker config per generation", () => {
    expect(configs.filter((c) => c.role.kind === "controller").length).toBeGreaterThanOrEqual(2);
    expect(configs.filter((c) => c.role.kind === "worker").length).toBeGreaterThanOrEqual(3);
  });

  test.each(configs.map((c) => [c.label, c.text]))("%s is valid Ignition 3.3.0 with no warnings", (_label, text) => {
    expect(ignitionValidate(text)).toEqual(VALID);
  });

  test.each(configs.map((c) => [c.label, c]))("the user-data pointer of %s is valid and far under EC2's 16 KB", (_label, c) => {
    const pointer = userDataPointer(c.gen.bucketName, nodeConfigKey(c.role), c.text);
    expect(ignitionValidate(pointer)).toEqual(VALID);
    // Launch templates carry user data base64-encoded; the limit applies to that.
    expect(Buffer.from(pointer).toString("base64").length).toBeLessThan(USER_DATA_LIMIT / 8);
    expect(JSON.parse(pointer).ignition.config.replace.source).toBe(`s3://${c.gen.bucketName}/${nodeConfigKey(c.role)}`);
  });

  test("a generation with SSH keys and OS updates is valid too", () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0lnx8nQp0d6hQ0F1b1Q2m8wH8xv6Hq0dY6bX5e5Qk ops@example";
    const cluster = sampleCluster({ generations: [sampleGeneration({ osUpdates: true, sshAuthorizedKeys: [key] })] });
    const gen = resolveGeneration(cluster, cluster.generations[0]);
    expect(ignitionValidate(renderNodeIgnition(gen, { kind: "controller" }))).toEqual(VALID);
    expect(ignitionValidate(renderNodeIgnition(gen, { kind: "worker", pool: gen.workerPools[0] }))).toEqual(VALID);
  });
});

describe("ignition-validate on the builder's entries", () => {
  const everything = new IgnitionConfig()
    .addFile({ path: "/etc/a.conf", contents: "a=1\n", mode: 0o600, user: "core", group: "core" })
    .addFile({ path: "/etc/long.conf", contents: "repeated line\n".repeat(300) })
    .addRemoteFile({ path: "/opt/a.tgz", url: "https://example.com/a.tgz", sha512: "a".repeat(128) })
    .addRemoteFile({ path: "/opt/b.raw", url: "https://example.com/b.raw", sha256: "b".repeat(64) })
    .addDirectory({ path: "/var/lib/x", mode: 0o700, user: "core" })
    .addLink({ path: "/etc/extensions/b.raw", target: "/opt/b.raw" })
    .addUnit({ name: "x.service", contents: "[Service]\nExecStart=/usr/bin/true\n[Install]\nWantedBy=multi-user.target\n", enabled: true })
    .addUnit({ name: "y.timer", contents: "[Timer]\nOnBootSec=1h\n[Install]\nWantedBy=timers.target\n", enabled: true })
    .addUnit({ name: "containerd.service", dropins: { "10-x.conf": "[Service]\nEnvironment=A=1\n" } })
    .addUnit({ name: "sshd.socket", mask: true })
    .addUser({ name: "core", sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0 ops"], groups: ["sudo"] })
    .toJson();

  test("a config with every kind of entry (inline, gzip, sha512 and sha256 downloads, owners, links, units, users)", () => {
    expect(ignitionValidate(everything)).toEqual(VALID);
  });

  test("replace and merge pointers", () => {
    expect(ignitionValidate(pointerConfig("s3://bucket/x.ign", everything, "replace"))).toEqual(VALID);
    expect(ignitionValidate(pointerConfig("https://example.com/x.ign", everything, "merge"))).toEqual(VALID);
  });

  test("the validator does reject broken configs (so a pass means something)", () => {
    const relative = JSON.stringify({ ignition: { version: "3.3.0" }, storage: { files: [{ path: "relative/path" }] } });
    expect(ignitionValidate(relative).status).not.toBe(0);
    const badHash = everything.replace(`sha256-${"b".repeat(64)}`, `md5-${"b".repeat(32)}`);
    expect(ignitionValidate(badHash)).toMatchObject({ status: 1, output: expect.stringMatching(/unrecognized hash function/) });
  });
});
