// The real Ignition, not only its validator: every node config of every example generation goes through Ignition's own
// `fetch` and `files` stages (the binary Debian's `ignition` package ships in dracut's module folder) with the `file`
// platform into a temporary root, and the written tree is checked: files with their contents, modes and owners,
// directories, links, units and drop-ins, masked units (links to /dev/null), enabled units (Ignition's preset file,
// applied with `systemctl --root preset` as systemd does on first boot), and `systemd-analyze verify --root` over the
// written units.
//
// How Ignition runs here, outside the initramfs and not as PID 1 (coreos/ignition internal/main.go flags; the Debian
// build is Ignition 2.14.0):
//   IGNITION_CONFIG_FILE=<config> ignition -platform file -stage fetch -root <root> -config-cache <cache> ...
//   ignition -platform file -stage files -root <root> -config-cache <cache> ...
// The `file` platform reads the config from $IGNITION_CONFIG_FILE (internal/providers/file/file.go); `fetch` parses it
// and writes the config cache, `files` reads the cache and writes under -root (internal/exec/stages/files/files.go).
// Writing files owned by root, as the node does, needs root (CI and this machine run the tests as root). Per config, the
// two stages run in one shell, and `systemctl preset` and `systemd-analyze verify` in another (runScript).
//
// Remote downloads: the configs fetch the Kubernetes node tarball from dl.k8s.io, verified by the SHA-512 of the real
// release. The test has no network and cannot hold the real tarball, so each https source is served from a loopback
// HTTP server with stand-in bytes and the config's hash is replaced by the stand-in's; a separate case keeps the real
// hash and shows that the real Ignition refuses the stand-in (hash mismatch), so the verification the node relies on is
// in force. The user-data pointer (s3://) is not exercised: the full config is given directly.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  linkSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  rmSync,
  writeFileSync,
  cpSync,
  chmodSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeDataUrl } from "../constructs/ignition/builder";
import { resolveGeneration } from "../constructs/definition/resolve";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { exampleNodeConfigs, type ExampleNodeConfig, type ParsedIgnition } from "./support/ignition";

/** Where Debian's `ignition` package installs the Ignition binary (`dpkg -L ignition`). */
const IGNITION = "/usr/lib/dracut/modules.d/30ignition/ignition";

/**
 * The one Ignition failure tolerated: Debian builds Ignition with SELinux relabeling on (coreos/ignition
 * internal/distro/distro.go `selinuxRelabel = "true"`), which needs the root's /etc/selinux/config and `setfiles`.
 * Flatcar builds it with `-X .../internal/distro.selinuxRelabel=false` (flatcar/scripts coreos-overlay
 * sys-apps/ignition ebuild), and relabeling is the files stage's last step, after every file, unit and the result file
 * are written (internal/exec/stages/files/files.go Run). Any other failure fails the test.
 */
const RELABEL_FAILURE = /^CRITICAL\s*: Ignition failed: failed to handle relabeling: failed to open \/etc\/selinux\/config/;

/**
 * Programs our units call by absolute path under /usr/bin that Flatcar's read-only /usr ships (GNU coreutils and tar are
 * part of every Flatcar image: flatcar/scripts coreos-base/coreos package set). Copied from this host into the test root;
 * a unit that starts calling another /usr/bin program fails the verify step until it is confirmed and listed here.
 */
const FLATCAR_USR_BIN = ["mkdir", "mv", "rm", "rmdir", "sync", "tar"];

/**
 * The OS layer a Flatcar root has and our temporary root lacks, for `systemd-analyze verify --root`: systemd's own units
 * (targets the units order against), the coreutils/tar our units call by absolute path, and a stand-in for Flatcar's
 * containerd.service (our config only adds a drop-in to it), shaped like Flatcar's (`containerd --config
 * ${CONTAINERD_CONFIG}`, see test/systemd-units.test.ts). Built once per suite (osLayerTemplate) and hard-linked into
 * each root (linkOsLayer): the same tree in every root, without copying systemd's ~290 unit files once per config.
 */
function buildOsLayer(root: string): void {
  mkdirSync(join(root, "usr/lib/systemd"), { recursive: true });
  cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  mkdirSync(join(root, "usr/bin"), { recursive: true });
  for (const tool of FLATCAR_USR_BIN) if (existsSync(`/usr/bin/${tool}`)) cpSync(`/usr/bin/${tool}`, join(root, "usr/bin", tool));
  writeFileSync(join(root, "usr/bin/containerd"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(root, "usr/bin/containerd"), 0o755);
  writeFileSync(
    join(root, "usr/lib/systemd/system/containerd.service"),
    "[Unit]\nDescription=containerd (stand-in for Flatcar's unit)\nAfter=network.target\n[Service]\nEnvironment=CONTAINERD_CONFIG=/usr/share/containerd/config.toml\nExecStart=/usr/bin/containerd --config ${CONTAINERD_CONFIG}\nDelegate=yes\nKillMode=process\n[Install]\nWantedBy=multi-user.target\n",
  );
}

/** The OS layer built once (buildOsLayer) in a temporary folder removed after the suite. */
let osLayerTemplate: string | undefined;

/**
 * Adds the OS layer to a root: directories made, files hard-linked to the template's (nothing below usr/ is written by
 * `systemctl preset` or `systemd-analyze verify`, which only read it), symlinks recreated with their own targets.
 */
function addOsLayer(root: string): void {
  if (osLayerTemplate === undefined) {
    osLayerTemplate = mkdtempSync(join(tmpdir(), "ignition-os-layer-"));
    workDirs.push(osLayerTemplate);
    buildOsLayer(osLayerTemplate);
  }
  const link = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const [source, target] = [join(from, entry.name), join(to, entry.name)];
      if (entry.isDirectory()) link(source, target);
      else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
      else linkSync(source, target);
    }
  };
  link(join(osLayerTemplate, "usr"), join(root, "usr"));
}

/**
 * `systemd-analyze verify` findings that are facts of this test root, not defects: the Kubernetes binaries in /opt/bin
 * are unpacked at boot by kubernetes-binaries.service from the verified tarball, so no unit that runs them can find
 * them in a freshly provisioned root.
 */
const TOLERATED_VERIFY = [/^[\w@.-]+: Command \/opt\/bin\/(kubeadm|kubelet|kubectl) is not executable: No such file or directory$/];

interface Run {
  status: number | null;
  output: string;
}

/** A word quoted for sh. */
const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell script in `cwd` as ONE child of this jest worker (starting a child of the large worker costs more than
 * Ignition's or systemctl's own run, so the steps of a config that follow each other run in one shell); the script
 * leaves each step's output and status in files of `cwd`, read back by `stepResult`.
 */
function runScript(script: string, cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`the step script failed (exit ${status}): ${stderr}`))));
  });
}

/** A step's status (`<name>.status`) and output (`<name>.log`), or undefined when the script did not run it. */
function stepResult(cwd: string, name: string): Run | undefined {
  if (!existsSync(join(cwd, `${name}.status`))) return undefined;
  return {
    status: Number(readFileSync(join(cwd, `${name}.status`), "utf8").trim()),
    output: readFileSync(join(cwd, `${name}.log`), "utf8"),
  };
}

/** Serves stand-in bytes for every path on loopback; Ignition's https sources are rewritten to it. */
let server: Server;
let baseUrl: string;
const STAND_IN = Buffer.from("stand-in for a remote download: the real bytes are verified on the node by the config's own hash\n");
const STAND_IN_HASH = `sha512-${createHash("sha512").update(STAND_IN).digest("hex")}`;

beforeAll(async () => {
  if (!existsSync(IGNITION)) {
    throw new Error(`the Ignition binary is not installed at ${IGNITION}: apt-get install -y ignition (Debian package "ignition")`);
  }
  if (process.getuid?.() !== 0) throw new Error("Ignition's files stage writes root-owned files: run this test as root (CI does)");
  server = createServer((_, res) => res.writeHead(200, { "content-type": "application/octet-stream" }).end(STAND_IN));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const workDirs: string[] = [];
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** The config with every http(s) source served by the loopback server; `keepHashes` leaves the real hashes in. */
function localized(config: ParsedIgnition, keepHashes = false): ParsedIgnition {
  const copy = structuredClone(config);
  for (const file of copy.storage?.files ?? []) {
    if (/^https?:\/\//.test(file.contents.source)) {
      file.contents.source = `${baseUrl}/${encodeURIComponent(file.contents.source)}`;
      if (!keepHashes) file.contents.verification = { hash: STAND_IN_HASH };
    }
  }
  return copy;
}

/** Runs Ignition's fetch and files stages on a config into a fresh root with Flatcar's users; returns the root and logs. */
async function provision(config: ParsedIgnition): Promise<{ root: string; fetch: Run; files: Run }> {
  const work = mkdtempSync(join(tmpdir(), "ignition-run-"));
  workDirs.push(work);
  const root = join(work, "root");
  mkdirSync(join(root, "etc"), { recursive: true });
  // Flatcar's root has these accounts; the configs name owners by name (`root`), which Ignition looks up in the root.
  writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\ncore:x:500:500:Flatcar Admin:/home/core:/bin/bash\n");
  writeFileSync(join(root, "etc/group"), "root:x:0:\ncore:x:500:\n");
  const configFile = join(work, "config.ign");
  writeFileSync(configFile, JSON.stringify(config));
  const common = [
    "-platform",
    "file",
    "-root",
    root,
    "-config-cache",
    join(work, "ignition.json"),
    "-state-file",
    join(work, "state"),
    "-neednet",
    join(work, "neednet"),
    "-log-to-stdout",
  ];
  const env = { IGNITION_CONFIG_FILE: configFile };
  // The fetch stage, then the files stage only if fetch succeeded; each stage's stdout and stderr as they came.
  const args = common.map(shellWord).join(" ");
  const stage = (name: string) => `${shellWord(IGNITION)} -stage ${name} ${args} >${name}.log 2>&1; echo $? >${name}.status`;
  await runScript(`${stage("fetch")}\nif [ "$(cat fetch.status)" = 0 ]; then ${stage("files")}; fi\n`, work, env);
  const fetch = stepResult(work, "fetch")!;
  const files = stepResult(work, "files") ?? { status: null, output: "(not run)" };
  return { root, fetch, files };
}

/** Ignition's CRITICAL/ERROR lines that are not the tolerated relabel step. */
function ignitionFailures(log: string): string[] {
  return log
    .split("\n")
    .filter((l) => /^(CRITICAL|ERROR)\s*:/.test(l))
    .filter((l) => !RELABEL_FAILURE.test(l));
}

/**
 * The example configs, plus a controller of a generation with access.oidc (the structured authentication configuration
 * with a JWT issuer; no example cluster has one) and the pod identity webhook (its certificate's unit and timer).
 */
function oidcControllerConfig(): ExampleNodeConfig {
  const cluster = sampleCluster({
    access: {
      oidc: [
        {
          issuerUrl: "https://login.example.com/realms/platform",
          clientId: "kubernetes",
          usernamePrefix: "oidc:",
          groupsClaim: "groups",
          groupsPrefix: "oidc:",
          adminGroups: ["platform-admins"],
        },
      ],
    },
    generations: [
      sampleGeneration({
        kubernetesVersion: "1.35.4",
        flatcar: { channel: "stable", version: "4230.2.1" },
        addons: { podIdentityWebhook: { enabled: true } },
      }),
    ],
  });
  const gen = resolveGeneration(cluster, cluster.generations[0]);
  const text = renderNodeIgnition(gen, { kind: "controller" });
  return {
    label: `${gen.fullName} controller with access.oidc and the pod identity webhook`,
    gen,
    role: { kind: "controller" },
    text,
    config: JSON.parse(text) as ParsedIgnition,
  };
}

const configs = [...exampleNodeConfigs(), oidcControllerConfig()];

describe("Ignition's fetch and files stages provision every role's config", () => {
  test.each(configs.map((c) => [c.label, c] as const))("%s", async (_, { config }) => {
    const { root, fetch, files } = await provision(localized(config));
    expect({ stage: "fetch", status: fetch.status, failures: ignitionFailures(fetch.output) }).toEqual({
      stage: "fetch",
      status: 0,
      failures: [],
    });
    expect({ stage: "files", failures: ignitionFailures(files.output) }).toEqual({ stage: "files", failures: [] });
    if (files.status !== 0) expect(files.output).toMatch(new RegExp(RELABEL_FAILURE.source, "m"));
    expect(existsSync(join(root, "etc/.ignition-result.json"))).toBe(true);

    // Files: contents, mode, owner.
    for (const file of config.storage?.files ?? []) {
      const path = join(root, file.path);
      const stat = lstatSync(path);
      expect({ path: file.path, regular: stat.isFile(), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid }).toEqual({
        path: file.path,
        regular: true,
        mode: file.mode ?? 0o644,
        uid: 0,
        gid: 0,
      });
      const expected = file.contents.source.startsWith("data:")
        ? decodeDataUrl(file.contents.source, file.contents.compression)
        : STAND_IN.toString("utf8");
      expect({ path: file.path, same: readFileSync(path, "utf8") === expected }).toEqual({ path: file.path, same: true });
    }
    for (const dir of config.storage?.directories ?? []) {
      const stat = lstatSync(join(root, dir.path));
      expect({ path: dir.path, dir: stat.isDirectory(), mode: stat.mode & 0o7777, uid: stat.uid }).toEqual({
        path: dir.path,
        dir: true,
        mode: dir.mode ?? 0o755,
        uid: 0,
      });
    }
    for (const link of (config.storage as { links?: Array<{ path: string; target: string; hard?: boolean }> } | undefined)?.links ?? []) {
      if (link.hard) expect(lstatSync(join(root, link.path)).ino).toBe(lstatSync(join(root, link.target)).ino);
      else expect({ path: link.path, target: readlinkSync(join(root, link.path)) }).toEqual({ path: link.path, target: link.target });
    }

    // Units, drop-ins, masks, presets.
    const unitDir = join(root, "etc/systemd/system");
    const presetFile = join(root, "etc/systemd/system-preset/20-ignition.preset");
    const presets = existsSync(presetFile) ? readFileSync(presetFile, "utf8").split("\n").filter(Boolean) : [];
    const enabled: string[] = [];
    for (const unit of config.systemd?.units ?? []) {
      if (unit.mask) {
        expect({ unit: unit.name, maskedTo: readlinkSync(join(unitDir, unit.name)) }).toEqual({ unit: unit.name, maskedTo: "/dev/null" });
        continue;
      }
      if (unit.contents !== undefined) expect(readFileSync(join(unitDir, unit.name), "utf8")).toBe(unit.contents);
      for (const dropin of unit.dropins ?? [])
        expect(readFileSync(join(unitDir, `${unit.name}.d`, dropin.name), "utf8")).toBe(dropin.contents);
      if (unit.enabled === true) {
        expect(presets).toContain(`enable ${unit.name}`);
        enabled.push(unit.name);
      }
      if (unit.enabled === false) expect(presets).toContain(`disable ${unit.name}`);
    }

    // The OS layer, then systemd's first-boot preset step and its verifier over what Ignition wrote.
    // Both run in one shell (runScript): `systemctl preset` first, then the verifier, which only reads the root.
    addOsLayer(root);
    const toVerify = (config.systemd?.units ?? [])
      .filter((u) => !u.mask)
      .map((u) => (u.contents !== undefined ? `/etc/systemd/system/${u.name}` : `/usr/lib/systemd/system/${u.name}`));
    const work = join(root, "..");
    await runScript(
      [
        `systemctl ${shellWord(`--root=${root}`)} preset ${enabled.map(shellWord).join(" ")} >/dev/null 2>preset.log; echo $? >preset.status`,
        "command -v systemd-analyze >/dev/null || exit 0",
        `systemd-analyze verify ${shellWord(`--root=${root}`)} --man=no ${toVerify.map(shellWord).join(" ")} >verify.out 2>verify.log; echo $? >verify.status`,
      ].join("\n"),
      work,
    );
    const preset = stepResult(work, "preset")!;
    expect({ preset: preset.status, output: preset.output }).toEqual({ preset: 0, output: expect.any(String) });
    for (const name of enabled) {
      const wantedBy = /^WantedBy=(.+)$/m.exec(
        readFileSync(existsSync(join(unitDir, name)) ? join(unitDir, name) : join(root, "usr/lib/systemd/system", name), "utf8"),
      )?.[1];
      expect({ unit: name, wantedBy: wantedBy !== undefined }).toEqual({ unit: name, wantedBy: true });
      for (const target of wantedBy!.split(/\s+/)) {
        expect({ unit: name, link: lstatSync(join(unitDir, `${target}.wants`, name)).isSymbolicLink() }).toEqual({
          unit: name,
          link: true,
        });
      }
    }
    const verify = stepResult(work, "verify");
    if (!verify) throw new Error("systemd-analyze is not installed (apt-get install -y systemd)");
    const findings = `${readFileSync(join(work, "verify.out"), "utf8")}${verify.output}`
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .filter((l) => !TOLERATED_VERIFY.some((r) => r.test(l)));
    expect(findings).toEqual([]);
  });

  test("the real hashes are enforced: Ignition refuses a download whose bytes do not match the config's SHA-512", async () => {
    const withRemote = configs.find((c) => (c.config.storage?.files ?? []).some((f) => /^https?:\/\//.test(f.contents.source)));
    expect(withRemote).toBeDefined();
    const { root, files } = await provision(localized(withRemote!.config, true));
    const remote = withRemote!.config.storage!.files!.find((f) => /^https?:\/\//.test(f.contents.source))!;
    const realHex = String(remote.contents.verification?.hash).replace(/^sha512-/, "");
    expect(files.status).not.toBe(0);
    // internal/util ErrHashMismatch: "hash verification failed (calculated <hex> but expected <hex>)"
    expect(files.output).toContain(`hash verification failed (calculated ${STAND_IN_HASH.slice(7)} but expected ${realHex})`);
    expect(existsSync(join(root, remote.path))).toBe(false);
  });
});
