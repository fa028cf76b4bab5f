// Lints every bootstrap script the Ignition builder embeds (and the recording fakes the scenario tests run) with
// shellcheck, following sourced files; any finding fails the test of the script it is in. shellcheck runs once per
// folder (its JSON output names the file of each finding) rather than once per script.
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { FAKE_BIN, SCRIPTS_DIR } from "./support/fake-node/node";
import { shellcheckFolder, shellcheckVersion, type ShellcheckRun } from "./support/shellcheck";

const scripts = readdirSync(SCRIPTS_DIR)
  .filter((f) => f.endsWith(".sh"))
  .map((f) => path.join(SCRIPTS_DIR, f));
const fakes = readdirSync(FAKE_BIN).map((f) => path.join(FAKE_BIN, f));

/** The arguments every script is checked with: follow `source`d files, as bash, every severity. */
const ARGS = ["-x", "--shell=bash", "--severity=style"];
const runs = new Map<string, ShellcheckRun>();
beforeAll(() => {
  shellcheckVersion();
  runs.set(SCRIPTS_DIR, shellcheckFolder(SCRIPTS_DIR, scripts, ARGS));
  runs.set(FAKE_BIN, shellcheckFolder(FAKE_BIN, fakes, ARGS));
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
  const run = runs.get(path.dirname(file))!;
  // The run itself completed (0: no findings anywhere, 1: findings somewhere) and complained about nothing.
  expect(run.stderr).toBe("");
  expect([...run.findings.values()].some((f) => f.length > 0) ? 1 : 0).toBe(run.status);
  expect(run.findings.get(path.basename(file))).toEqual([]);
});

test("the entry points are executable bash scripts that stop on the first error", () => {
  for (const file of scripts.filter((s) => !/(aws-api|bootstrap-lib|s3-lease|cluster-identity|restore-from-snapshot)\.sh$/.test(s))) {
    const text = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o111).toBe(0o111);
    expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    expect(text).toContain("\nset -euo pipefail\n");
  }
});
