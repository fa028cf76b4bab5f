// Test support: a small valid cluster definition that tests copy and change.
import type { ClusterDefinition, GenerationDefinition } from "../../constructs";

/** A generation with one pool, for tests. */
export function sampleGeneration(overrides: Partial<GenerationDefinition> = {}): GenerationDefinition {
  return {
    id: "a",
    kubernetesVersion: "1.31.0",
    flatcar: { channel: "stable", version: "4152.2.3" },
    weight: 100,
    controlPlane: { count: 3, instanceType: "m6i.large" },
    workerPools: [{ name: "general", instanceTypes: ["m6i.large", "m5.large"], minSize: 2, maxSize: 4 }],
    ...overrides,
  };
}

/** A valid cluster in a (fictional) existing VPC with subnets in two zones. */
export function sampleCluster(overrides: Partial<ClusterDefinition> = {}): ClusterDefinition {
  return {
    name: "demo",
    region: "eu-west-1",
    network: {
      vpcId: "vpc-0123456789abcdef0",
      vpcCidr: "10.0.0.0/16",
      privateSubnets: [
        { id: "subnet-00000000000000001", availabilityZone: "eu-west-1a" },
        { id: "subnet-00000000000000002", availabilityZone: "eu-west-1b" },
      ],
      adminCidrs: ["10.99.0.0/24"],
    },
    dns: { privateZoneId: "Z0000000000000000TEST", privateZoneName: "internal.example.com" },
    generations: [sampleGeneration()],
    ...overrides,
  };
}
