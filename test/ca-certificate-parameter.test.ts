// The cluster CA parameter as synthesized (pre-created String parameter with the placeholder, value ignored after
// creation, contract-2 generations only) and the controllers' publishing units (ca-certificate-parameter.ts,
// publish-ca.sh). The controllers' single permission is proven in iam-node-roles.test.ts; the script runs against moto
// in publish-ca.test.ts.
import { CA_CERTIFICATE_PLACEHOLDER } from "../constructs/cluster/ca-certificate-parameter";
import { resolveGeneration } from "../constructs/definition/resolve";
import { renderNodeIgnition } from "../constructs/ignition/node-config";
import { resourcesOf, synthClusters } from "./support/synth";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import type { ParsedIgnition } from "./support/ignition";

const cluster = sampleCluster({ generations: [sampleGeneration({ id: "a" })] });
const doc = synthClusters([cluster]).json("demo-a");

test("the generation stack pre-creates <ssm prefix>/ca-certificate as a String with the placeholder, value ignored afterwards", () => {
  const parameters = Object.values(resourcesOf(doc, "aws_ssm_parameter")).filter((p) => String(p.name).endsWith("/ca-certificate"));
  expect(parameters).toEqual([
    expect.objectContaining({
      name: "/immutable-clusters/demo/a/ca-certificate",
      type: "String",
      tier: "Standard",
      value: CA_CERTIFICATE_PLACEHOLDER,
      lifecycle: { ignore_changes: ["value"] },
    }),
  ]);
  expect(parameters[0]).not.toHaveProperty("key_id");
  expect(CA_CERTIFICATE_PLACEHOLDER).not.toContain("BEGIN CERTIFICATE");
});

test("controllers run publish-ca.sh from a timer with cluster.env; workers do not", () => {
  const gen = resolveGeneration(cluster, cluster.generations[0]);
  const units = (role: Parameters<typeof renderNodeIgnition>[1]) =>
    (JSON.parse(renderNodeIgnition(gen, role)) as ParsedIgnition).systemd?.units ?? [];
  const controller = units({ kind: "controller" });
  const service = controller.find((u) => u.name === "immutable-clusters-publish-ca.service");
  const timer = controller.find((u) => u.name === "immutable-clusters-publish-ca.timer");
  expect(service?.contents).toContain("ExecStart=/opt/immutable-clusters/bin/publish-ca.sh");
  expect(service?.contents).toContain("EnvironmentFile=/etc/immutable-clusters/cluster.env");
  expect(timer).toEqual(expect.objectContaining({ enabled: true }));
  expect(timer?.contents).toContain("OnUnitActiveSec=5min");
  const worker = units({ kind: "worker", pool: gen.workerPools[0] });
  expect(worker.map((u) => u.name).filter((n) => n.includes("publish-ca"))).toEqual([]);
});
