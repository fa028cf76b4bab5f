// Benchmark input: a generated fleet of N valid clusters, each with two generations (mid-replacement) of two pools,
// in its own VPC, so synth work grows with N the way a real fleet's does.
import type { ClusterDefinition, GenerationDefinition } from "../constructs";

function generation(id: string, kubernetesVersion: string, flatcarVersion: string, weight: number): GenerationDefinition {
  return {
    id,
    kubernetesVersion,
    flatcar: { channel: "stable", version: flatcarVersion },
    weight,
    controlPlane: { count: 3, instanceType: "m6i.large" },
    workerPools: [
      { name: "general", instanceTypes: ["m6i.large", "m5.large"], minSize: 2, maxSize: 8 },
      {
        name: "batch",
        instanceTypes: ["c6i.xlarge", "c5.xlarge"],
        minSize: 0,
        maxSize: 10,
        spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
        taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }],
      },
    ],
  };
}

/** `count` clusters named `c001`, `c002`, ... */
export function generatedFleet(count: number): ClusterDefinition[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const hex = n.toString(16).padStart(4, "0");
    return {
      name: `c${String(n).padStart(3, "0")}`,
      region: "eu-west-1",
      network: {
        vpcId: `vpc-0000000000000${hex}`,
        vpcCidr: `10.${n % 200}.0.0/16`,
        privateSubnets: [
          { id: `subnet-00000000000a${hex}`, availabilityZone: "eu-west-1a" },
          { id: `subnet-00000000000b${hex}`, availabilityZone: "eu-west-1b" },
        ],
      },
      dns: { privateZoneId: `Z00000000000000${hex.toUpperCase()}`, privateZoneName: `c${n}.internal.example.com` },
      tags: { team: "bench" },
      generations: [generation("a", "1.31.0", "4152.2.3", 75), generation("b", "1.32.8", "4230.2.1", 25)],
    };
  });
}
