// The `staging` cluster: a single control-plane node and a spot-heavy pool to keep costs down. Generation `a` is deployed
// and frozen (clusters/deployed/staging-a/, rendered by immutable-clusters 0.1.0); generation `b` is the same definition
// rendered by this library version, added beside it with weight 0 to pick up the library's fixes: deploy it, validate
// it, lock it, then shift traffic and retire `a` (docs/generations.md). `b` also runs a Graviton (arm64) pool.
import type { ClusterDefinition } from "../constructs";

export const staging: ClusterDefinition = {
  name: "staging",
  region: "eu-west-1",
  network: {
    vpcId: "vpc-0f1e2d3c4b5a69788",
    vpcCidr: "10.20.0.0/16",
    privateSubnets: [
      { id: "subnet-0f1e2d3c4b5a60001", availabilityZone: "eu-west-1a" },
      { id: "subnet-0f1e2d3c4b5a60002", availabilityZone: "eu-west-1b" },
    ],
  },
  dns: { privateZoneId: "Z9876543210ZYXWVUTSRQ", privateZoneName: "staging.example.internal" },
  tags: { team: "platform", environment: "staging" },
  traffic: { hostname: "www" },
  generations: [
    {
      id: "a",
      kubernetesVersion: "1.35.4",
      flatcar: { channel: "stable", version: "4230.2.1" },
      weight: 100,
      controlPlane: { count: 1, instanceType: "t3.large" },
      workerPools: [
        {
          name: "spot",
          instanceTypes: ["m6i.large", "m5.large", "m6a.large"],
          minSize: 2,
          maxSize: 6,
          spot: { onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 0, allocationStrategy: "price-capacity-optimized" },
          rootVolume: { sizeGiB: 40 },
        },
      ],
      // A small cluster: at most 4 DNS replicas, one Cilium operator.
      addons: { coredns: { replicas: { min: 2, max: 4 } }, cni: { operatorReplicas: 1 } },
    },
    {
      id: "b",
      kubernetesVersion: "1.35.4",
      // The current Stable release (containerd 2.1.5, kernel 6.12.102; published 2026-08-13): flatcar/flatcar-website
      // data/releases/stable/current.yml at 2075ef37b38aa0c217c98f77c76181e1d24b79bb (docs/node-boot.md, "Flatcar release").
      flatcar: { channel: "stable", version: "4593.2.5" },
      weight: 0,
      controlPlane: { count: 1, instanceType: "t3.large" },
      workerPools: [
        {
          name: "spot",
          instanceTypes: ["m6i.large", "m5.large", "m6a.large"],
          minSize: 2,
          maxSize: 6,
          spot: { onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 0, allocationStrategy: "price-capacity-optimized" },
          rootVolume: { sizeGiB: 40 },
        },
        // Graviton (arm64) workers beside the amd64 control plane and pool: the pool's architecture follows its
        // instance types, so its nodes boot the arm64 Flatcar image and node binaries; addons whose images are not
        // recorded for arm64 stay on amd64 nodes (constructs/addons/image-architectures.ts). Scales from zero.
        {
          name: "graviton",
          instanceTypes: ["m7g.large", "c7g.large"],
          autoscale: { min: 0, max: 4 },
        },
      ],
      // A small cluster: at most 4 DNS replicas, one Cilium operator.
      addons: { coredns: { replicas: { min: 2, max: 4 } }, cni: { operatorReplicas: 1 } },
    },
  ],
};
