// The typed Ignition builder on its own: encoding round-trips, verification hashes, sorting into canonical bytes,
// ownership, units, users, pointers, and the refusals of input Ignition would choke on or that would be unsafe.
import { createHash } from "node:crypto";
import {
  dataUrl,
  decodeDataUrl,
  IgnitionConfig,
  isSshPublicKey,
  pointerConfig,
  replacePointer,
  sha512Of,
  verificationHash,
} from "../constructs/ignition/builder";

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0lnx8nQp0d6hQ0F1b1Q2m8wH8xv6Hq0dY6bX5e5Qk ops@example";

describe("contents encoding", () => {
  test.each([
    ["short text stays percent-encoded", "a=b\n", undefined],
    ["unicode and URL-special characters survive", "ü % # ? & + , ; = \"quoted\" 'single'\n\ttab\n", "either"],
    ["long repetitive text is gzipped", "line of a long repetitive file\n".repeat(200), "gzip"],
    ["a shell script is gzipped when that is shorter", `#!/usr/bin/env bash\nset -euo pipefail\n${'echo "step"\n'.repeat(40)}`, "gzip"],
    ["empty text", "", undefined],
  ])("%s", (_name, text, compression) => {
    const encoded = dataUrl(text);
    if (compression !== "either") expect(encoded.compression).toBe(compression);
    expect(decodeDataUrl(encoded.source, encoded.compression)).toBe(text);
  });

  test("the shorter encoding is chosen", () => {
    const text = "x".repeat(5000);
    const plain = `data:,${encodeURIComponent(text)}`;
    expect(dataUrl(text).source.length).toBeLessThan(plain.length);
    expect(dataUrl("k=v\n").source).toBe("data:,k%3Dv%0A");
  });

  test("decoding refuses what is not a data URL", () => {
    expect(() => decodeDataUrl("https://example.com/x")).toThrow(/not a data URL/);
  });
});

describe("verification hashes", () => {
  test("sha512 and sha256 digests become <function>-<hex>", () => {
    expect(verificationHash("f", { sha512: "a".repeat(128) })).toBe(`sha512-${"a".repeat(128)}`);
    expect(verificationHash("f", { sha256: "b".repeat(64) })).toBe(`sha256-${"b".repeat(64)}`);
  });

  test("a digest of the wrong length, case or alphabet is refused", () => {
    expect(() => verificationHash("f", { sha512: "a".repeat(64) })).toThrow(/sha512 must be 128 lower-case hex digits/);
    expect(() => verificationHash("f", { sha256: "A".repeat(64) })).toThrow(/sha256 must be 64 lower-case hex digits/);
    expect(() => verificationHash("f", { sha256: "g".repeat(64) })).toThrow(/sha256 must be 64/);
  });

  test("sha512Of is the SHA-512 of the bytes", () => {
    expect(sha512Of("abc")).toBe(`sha512-${createHash("sha512").update("abc").digest("hex")}`);
  });
});

describe("IgnitionConfig", () => {
  test("entries come out sorted whatever the order they were added in, so equal configs are equal bytes", () => {
    const a = new IgnitionConfig()
      .addFile({ path: "/b", contents: "2" })
      .addFile({ path: "/a", contents: "1" })
      .addDirectory("/d2")
      .addDirectory("/d1")
      .addUnit({ name: "z.service", mask: true })
      .addUnit({
        name: "a.service",
        contents: "[Service]\nExecStart=/bin/true\n",
        dropins: { "20-b.conf": "[Unit]\n", "10-a.conf": "[Unit]\n" },
      });
    const b = new IgnitionConfig()
      .addUnit({
        name: "a.service",
        contents: "[Service]\nExecStart=/bin/true\n",
        dropins: { "10-a.conf": "[Unit]\n", "20-b.conf": "[Unit]\n" },
      })
      .addDirectory("/d1")
      .addFile({ path: "/a", contents: "1" })
      .addUnit({ name: "z.service", mask: true })
      .addDirectory("/d2")
      .addFile({ path: "/b", contents: "2" });
    expect(a.toJson()).toBe(b.toJson());
    const doc = a.toObject();
    expect(doc.storage!.files!.map((f) => f.path)).toEqual(["/a", "/b"]);
    expect(doc.storage!.directories!.map((d) => d.path)).toEqual(["/d1", "/d2"]);
    expect(doc.systemd!.units.map((u) => u.name)).toEqual(["a.service", "z.service"]);
    expect(doc.systemd!.units[0].dropins!.map((d) => d.name)).toEqual(["10-a.conf", "20-b.conf"]);
  });

  test("files, directories and links carry mode and owner; defaults are root and 0644 / 0755", () => {
    const doc = new IgnitionConfig()
      .addFile({ path: "/etc/a", contents: "x" })
      .addFile({ path: "/etc/b", contents: "x", mode: 0o600, user: "core", group: "core" })
      .addDirectory({ path: "/var/lib/x", mode: 0o700, user: "core" })
      .addDirectory("/var/lib/y")
      .addLink({ path: "/etc/c", target: "/etc/a", group: "wheel" })
      .toObject();
    const [a, b] = doc.storage!.files!;
    expect(a).toMatchObject({ mode: 0o644, user: { name: "root" }, group: { name: "root" }, overwrite: true });
    expect(b).toMatchObject({ mode: 0o600, user: { name: "core" }, group: { name: "core" } });
    expect(doc.storage!.directories).toEqual([
      { path: "/var/lib/x", mode: 0o700, overwrite: true, user: { name: "core" }, group: { name: "root" } },
      { path: "/var/lib/y", mode: 0o755, overwrite: true, user: { name: "root" }, group: { name: "root" } },
    ]);
    expect(doc.storage!.links).toEqual([
      { path: "/etc/c", target: "/etc/a", hard: false, overwrite: true, user: { name: "root" }, group: { name: "wheel" } },
    ]);
  });

  test("remote files are pinned by their digest", () => {
    const doc = new IgnitionConfig()
      .addRemoteFile({ path: "/opt/a.tgz", url: "https://example.com/a.tgz", sha512: "c".repeat(128) })
      .addRemoteFile({ path: "/opt/b.raw", url: "https://example.com/b.raw", sha256: "d".repeat(64), mode: 0o600 })
      .toObject();
    expect(doc.storage!.files!.map((f) => f.contents)).toEqual([
      { source: "https://example.com/a.tgz", verification: { hash: `sha512-${"c".repeat(128)}` } },
      { source: "https://example.com/b.raw", verification: { hash: `sha256-${"d".repeat(64)}` } },
    ]);
  });

  test("units: contents, enabled and mask are written only when set", () => {
    const units = new IgnitionConfig()
      .addUnit({ name: "x.service", contents: "[Service]\nExecStart=/bin/true\n", enabled: true })
      .addUnit({ name: "y.service", mask: true })
      .addUnit({ name: "z.service", dropins: { "10-env.conf": "[Service]\nEnvironment=A=1\n" } })
      .toObject().systemd!.units;
    expect(units).toEqual([
      { name: "x.service", contents: "[Service]\nExecStart=/bin/true\n", enabled: true },
      { name: "y.service", mask: true },
      { name: "z.service", dropins: [{ name: "10-env.conf", contents: "[Service]\nEnvironment=A=1\n" }] },
    ]);
  });

  test("users get SSH public keys; an empty config has no passwd section", () => {
    expect(new IgnitionConfig().toObject()).toEqual({ ignition: { version: "3.3.0" } });
    const doc = new IgnitionConfig().addUser({ name: "core", sshAuthorizedKeys: [ED25519], groups: ["sudo", "docker"] }).toObject();
    expect(doc.passwd).toEqual({ users: [{ name: "core", sshAuthorizedKeys: [ED25519], groups: ["docker", "sudo"] }] });
  });

  test("refuses unverified, insecure or unpinned downloads, relative paths, duplicates, bad units and bad keys", () => {
    const c = new IgnitionConfig();
    expect(() => c.addRemoteFile({ path: "/x", url: "https://example.com/x", sha512: "abc" })).toThrow(
      /sha512 must be 128 lower-case hex digits/,
    );
    expect(() => c.addRemoteFile({ path: "/x", url: "http://example.com/x", sha512: "a".repeat(128) })).toThrow(/over https/);
    expect(() => c.addFile({ path: "etc/x", contents: "" })).toThrow(/absolute path/);
    expect(() => c.addFile({ path: "/etc/../x", contents: "" })).toThrow(/without "\.\."/);
    expect(() => c.addFile({ path: "/etc/x", contents: "", mode: 0o10000 })).toThrow(/not a permission/);
    c.addFile({ path: "/etc/x", contents: "" });
    expect(() => c.addFile({ path: "/etc/x", contents: "" })).toThrow(/added twice/);
    expect(() => c.addDirectory("/etc/x")).toThrow(/added twice/);
    expect(() => c.addLink("/etc/y", "")).toThrow(/needs a target/);
    expect(() => c.addUnit({ name: "kubelet" })).toThrow(/not a systemd unit name/);
    expect(() => c.addUnit({ name: "a.service", mask: true, enabled: true })).toThrow(/both masked and enabled/);
    expect(() => c.addUnit({ name: "b.service", dropins: { override: "" } })).toThrow(/\*\.conf/);
    c.addUnit({ name: "c.service", mask: true });
    expect(() => c.addUnit({ name: "c.service", mask: true })).toThrow(/added twice/);
    expect(() => c.addUser({ name: "core", sshAuthorizedKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"] })).toThrow(
      /sshAuthorizedKeys\[0\] is not an OpenSSH public key/,
    );
    expect(() => c.addUser({ name: "Root!" })).toThrow(/not a valid user name/);
  });

  test("isSshPublicKey accepts public key lines only", () => {
    expect(isSshPublicKey(ED25519)).toBe(true);
    expect(isSshPublicKey("ecdsa-sha2-nistp256 AAAAE2VjZHNh")).toBe(true);
    expect(isSshPublicKey("ssh-ed25519")).toBe(false);
    expect(isSshPublicKey(`${ED25519}\nssh-ed25519 AAAA second`)).toBe(false);
  });
});

describe("pointers", () => {
  const full = new IgnitionConfig().addFile({ path: "/etc/x", contents: "x" }).toJson();

  test("replace: the pointer names the source and pins the full config's SHA-512", () => {
    expect(JSON.parse(replacePointer("s3://bucket/ignition/controller.ign", full))).toEqual({
      ignition: {
        version: "3.3.0",
        config: { replace: { source: "s3://bucket/ignition/controller.ign", verification: { hash: sha512Of(full) } } },
      },
    });
  });

  test("merge: the full config is listed to merge", () => {
    expect(JSON.parse(pointerConfig("https://example.com/x.ign", full, "merge")).ignition.config).toEqual({
      merge: [{ source: "https://example.com/x.ign", verification: { hash: sha512Of(full) } }],
    });
  });

  test("a different full config gives a different pointer; other schemes are refused", () => {
    expect(replacePointer("s3://b/k", full)).not.toBe(replacePointer("s3://b/k", `${full} `));
    expect(() => replacePointer("http://b/k", full)).toThrow(/s3:\/\/ or https:\/\//);
  });
});
