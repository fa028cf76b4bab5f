// Tests of this repo's cluster definitions, synthesized in memory with the library's testing helpers (no AWS needed).
import { resourceConfigs, synthClusters } from "immutable-clusters/testing";
import { clusters } from "../clusters";

describe("cluster definitions", () => {
  const synthesized = synthClusters(clusters);
  const generations = clusters.flatMap((cluster) => cluster.generations.map((generation) => ({ cluster, generation })));

  it.each(generations.map((g) => [`${g.cluster.name}-${g.generation.id}`, g] as const))(
    "%s gives every worker pool its own auto scaling group",
    (stackName, { generation }) => {
      const groupNames = resourceConfigs(synthesized.stacks[stackName], "aws_autoscaling_group").map((group) => group.name);
      for (const pool of generation.workerPools) expect(groupNames).toContain(`${stackName}-${pool.name}`);
    },
  );

  it.each(generations.map((g) => [`${g.cluster.name}-${g.generation.id}`] as const))(
    "%s keeps the Kubernetes API and ingress on internal load balancers",
    (stackName) => {
      const balancers = resourceConfigs(synthesized.stacks[stackName], "aws_lb");
      expect(balancers.length).toBeGreaterThan(0);
      for (const balancer of balancers) expect(balancer.internal).toBe(true);
    },
  );

  it.each(clusters.map((c) => [c.name] as const))("%s sends traffic to its generations by weighted DNS records", (name) => {
    const records = resourceConfigs(synthesized.stacks[`${name}-traffic`], "aws_route53_record");
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.weighted_routing_policy).toBeDefined();
  });
});
