// The `__CLUSTER_NAME__` cluster. Replace the network and DNS ids with those of your VPC, subnets and private zone.
// To upgrade Kubernetes or Flatcar, add a new generation beside the live one, shift `weight` to it, then retire the old.
import type { ClusterDefinition } from "immutable-clusters";

export const cluster: ClusterDefinition = {
  name: "__CLUSTER_NAME__",
  region: "eu-west-1",
  network: {
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.0.0.0/16",
    privateSubnets: [
      { id: "subnet-0123456789abcdef1", availabilityZone: "eu-west-1a" },
      { id: "subnet-0123456789abcdef2", availabilityZone: "eu-west-1b" },
      { id: "subnet-0123456789abcdef3", availabilityZone: "eu-west-1c" },
    ],
    adminCidrs: ["10.0.250.0/24"],
  },
  dns: { privateZoneId: "Z0123456789EXAMPLE", privateZoneName: "internal.example.com" },
  tags: { cluster: "__CLUSTER_NAME__" },
  // Terraform state in S3, encrypted (SSE), locked with S3's native lock file (use_lockfile, Terraform >= 1.10:
  // https://developer.hashicorp.com/terraform/language/backend/s3#state-locking); one key per stack. Create the bucket
  // (versioning on, public access blocked) before the first deploy. Without a stateBackend, state is local and synth warns.
  stateBackend: { bucket: "__CLUSTER_NAME__-terraform-state-example", keyPrefix: "immutable-clusters" },
  generations: [
    {
      id: "a",
      kubernetesVersion: "1.35.4",
      // Flatcar's current Stable release when this template was written (containerd 2.1.5); pick the newest from
      // https://www.flatcar.org/releases#stable-release for a new generation.
      flatcar: { channel: "stable", version: "4593.2.5" },
      weight: 100,
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "general", instanceTypes: ["m6i.large", "m5.large"], minSize: 2, maxSize: 6, ingress: true },
        {
          name: "batch",
          instanceTypes: ["c6i.xlarge", "c5.xlarge"],
          minSize: 0,
          maxSize: 10,
          spot: { onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 0 },
          taints: [{ key: "example.com/batch", value: "true", effect: "NoSchedule" }],
        },
      ],
    },
  ],
};
