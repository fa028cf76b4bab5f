// The `prod` cluster: two generations mid-way through a replacement. Generation `a` (Kubernetes 1.31) still carries
// most traffic; generation `b` (Kubernetes 1.32, newer Flatcar) was added beside it and takes a quarter.
import type { ClusterDefinition } from "../constructs";

export const prod: ClusterDefinition = {
  name: "prod",
  region: "eu-west-1",
  network: {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    vpcCidr: "10.10.0.0/16",
    privateSubnets: [
      { id: "subnet-0a1b2c3d4e5f60001", availabilityZone: "eu-west-1a" },
      { id: "subnet-0a1b2c3d4e5f60002", availabilityZone: "eu-west-1b" },
      { id: "subnet-0a1b2c3d4e5f60003", availabilityZone: "eu-west-1c" },
    ],
    adminCidrs: ["10.200.0.0/24"],
  },
  dns: { privateZoneId: "Z0123456789ABCDEFGHIJ", privateZoneName: "internal.example.com" },
  tags: { team: "platform", environment: "production" },
  generations: [
    {
      id: "a",
      kubernetesVersion: "1.31.0",
      flatcar: { channel: "stable", version: "4152.2.3" },
      weight: 75,
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "general", instanceTypes: ["m6i.xlarge", "m5.xlarge"], minSize: 3, maxSize: 12, desiredCapacity: 3 },
        {
          name: "batch",
          instanceTypes: ["c6i.2xlarge", "c5.2xlarge", "c6a.2xlarge"],
          minSize: 0,
          maxSize: 20,
          spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
          labels: { "example.com/workload": "batch" },
          taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }],
        },
      ],
      addons: {
        logging: { output: { type: "cloudwatch", autoCreateGroup: true } },
        tenants: [
          {
            name: "team-payments",
            groups: { admins: ["payments-admins"], viewers: ["payments-developers"] },
            quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 100 },
            egressCidrs: ["0.0.0.0/0"],
          },
        ],
      },
    },
    {
      id: "b",
      kubernetesVersion: "1.35.4",
      flatcar: { channel: "stable", version: "4230.2.1" },
      weight: 25,
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "general", instanceTypes: ["m6i.xlarge", "m5.xlarge"], minSize: 3, maxSize: 12, desiredCapacity: 3 },
        {
          name: "batch",
          instanceTypes: ["c6i.2xlarge", "c5.2xlarge", "c6a.2xlarge"],
          minSize: 0,
          maxSize: 20,
          spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
          labels: { "example.com/workload": "batch" },
          taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }],
        },
      ],
      addons: {
        logging: { output: { type: "cloudwatch", autoCreateGroup: true } },
        tenants: [
          {
            name: "team-payments",
            groups: { admins: ["payments-admins"], viewers: ["payments-developers"] },
            quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 100 },
            egressCidrs: ["0.0.0.0/0"],
          },
        ],
      },
    },
  ],
};
