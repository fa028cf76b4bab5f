// Owns the node contract version: what a generation's node configs expect of the AWS resources around them (where the
// nodes exchange their bootstrap material, which IAM and key-policy permissions the bootstrap scripts use). A frozen
// generation keeps the node configs it booted with, so its stack must keep granting what those configs use: the lock
// records the contract of each frozen generation and KubernetesCluster builds that contract's resources.
//   1: immutable-clusters 0.1.0: the election and all join material under <ssm prefix>/election and /join, SSM
//      parameters created by the nodes; certificates re-uploaded hourly (node-policies-contract-1.ts).
//   2: everything the nodes publish is an object of the generation's node bucket, which Terraform never reads and whose
//      force_destroy removes it with the generation: join/token and join/ca-cert-hash (the only objects workers may read),
//      join/token-expiry, control-plane/certificate-key and control-plane/secrets-encryption-key (written once), and the
//      state/ election lease, refresh lock and join requests (controllers only). No SSM parameter: Terraform reads a
//      managed parameter's value, decrypted, into its state on every refresh (node-policies.ts BOOTSTRAP_OBJECT_KEYS).

/** The node contract this library's node configs follow. */
export const NODE_CONTRACT = 2;

/** Every node contract this library can still build resources for. */
export const SUPPORTED_NODE_CONTRACTS: readonly number[] = [1, 2];
