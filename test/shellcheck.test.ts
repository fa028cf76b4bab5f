// Lints every bootstrap script the Ignition builder embeds (and the recording fakes the scenario tests run) with
// shellcheck, following sourced files; any finding fails the test.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { FAKE_BIN, SCRIPTS_DIR } from "./support/fake-node/node";

const scripts = readdirSync(SCRIPTS_DIR)
  .filter((f) => f.endsWith(".sh"))
  .map((f) => path.join(SCRIPTS_DIR, f));
const fakes = readdirSync(FAKE_BIN).map((f) => path.join(FAKE_BIN, f));

beforeAll(() => {
  try {
    execFileSync("shellcheck", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("shellcheck is not installed: apt-get install -y shellcheck");
  }
});

test("the scripts the nodes run are there", () => {
  expect(scripts.map((s) => path.basename(s)).sort()).toEqual([
    "access-webhook-init.sh",
    "aws-api.sh",
    "bootstrap-lib.sh",
    "cluster-identity.sh",
    "etcd-restore.sh",
    "etcd-snapshot.sh",
    "gateway-tls-placeholder.sh",
    "label-ingress-nodes.sh",
    "node-bootstrap.sh",
    "pod-identity-webhook-cert.sh",
    "publish-ca.sh",
    "reconcile-policy.sh",
    "refresh-join-material.sh",
    "restore-from-snapshot.sh",
    "s3-lease.sh",
    "service-account-issuer.sh",
  ]);
});

test.each([...scripts, ...fakes].map((f) => [path.relative(path.join(__dirname, ".."), f), f]))("%s is shellcheck-clean", (_name, file) => {
  const result = spawnSync("shellcheck", ["-x", "--shell=bash", "--severity=style", file], { cwd: path.dirname(file), encoding: "utf8" });
  expect(result.error).toBeUndefined();
  expect(result.stdout + result.stderr).toBe("");
  expect(result.status).toBe(0);
});

test("the entry points are executable bash scripts that stop on the first error", () => {
  for (const file of scripts.filter((s) => !/(aws-api|bootstrap-lib|s3-lease|cluster-identity|restore-from-snapshot)\.sh$/.test(s))) {
    const text = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o111).toBe(0o111);
    expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    expect(text).toContain("\nset -euo pipefail\n");
  }
});
