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
//   3: contract 2, and the control plane signs service-account tokens with the cluster's issuer, shared by all its
//      generations (docs/workload-identity.md): the first controller that finds no signing key creates it as the
//      SecureString <identity prefix>/service-account-signing-key (conditional create, encrypted with the cluster key of
//      the `<cluster>-identity` stack), every init winner reuses it and merges its public key into the issuer bucket's
//      keys.json (service-account-issuer-policies.ts issuerControllerStatements).

/** The node contract this library's node configs follow. */
export const NODE_CONTRACT = 3;

/** Every node contract this library can still build resources for. */
export const SUPPORTED_NODE_CONTRACTS: readonly number[] = [1, 2, 3];
