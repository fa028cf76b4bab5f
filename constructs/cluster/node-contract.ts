// Owns the node contract version: what a generation's node configs expect of the AWS resources around them (which SSM
// parameters and bucket objects exist, which IAM permissions the bootstrap scripts use). A frozen generation keeps the
// node configs it booted with, so its stack must keep granting what those configs use: the lock records the contract of
// each frozen generation and KubernetesCluster builds that contract's resources.
//   1: immutable-clusters 0.1.0: the election and all join material under <ssm prefix>/election and /join, created by
//      the nodes; certificates re-uploaded hourly (node-policies-contract-1.ts).
//   2: join material for workers and the control-plane certificate key in separate parameters pre-created by Terraform,
//      the election lease and join requests in the node bucket (node-policies.ts, bootstrap-parameters.ts).

/** The node contract this library's node configs follow. */
export const NODE_CONTRACT = 2;

/** Every node contract this library can still build resources for. */
export const SUPPORTED_NODE_CONTRACTS: readonly number[] = [1, 2];
