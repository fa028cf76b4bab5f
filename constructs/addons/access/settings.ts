// Owns the settings of the access addon (aws-iam-authenticator, addons.iamAuthenticator), its pinned image, the host
// paths and ports it shares with the control-plane node files and the kube-apiserver flags, and when a generation runs it
// (and when the addon renders only the RBAC bindings of OIDC groups).
import { z } from "zod";
import { accessEnabled } from "../../definition/access";
import { oidcBoundGroups } from "../../definition/oidc";
import type { ResolvedGeneration } from "../../definition/resolve";
import { enabledSchema, resourcesSchema } from "../common/workload";

/** `addons.iamAuthenticator`: the authenticator runs when the cluster's `access` maps at least one role. */
export interface IamAuthenticatorSettings {
  /** Set false to run no authenticator even with roles in `access` (then only break-glass access remains). @default true */
  readonly enabled?: boolean;
}

/**
 * The server image: aws-iam-authenticator v0.7.18 as built by Amazon EKS Distro (the URI its release v1-33-eks-33
 * lists: aws/eks-distro docs/contents/releases/1-33/33/index.md, commit 8c9fc83f2a6672f9723a6bcc04b0307892f2576b).
 * Pinned by tag only: neither EKS Distro's release pages nor kubernetes-sigs/aws-iam-authenticator's releases publish
 * an image digest (upstream's cloudbuild.yaml pushes to a staging registry and no promoted-images manifest lists it),
 * so none could be cited.
 */
export const IAM_AUTHENTICATOR_IMAGE = "public.ecr.aws/eks-distro/kubernetes-sigs/aws-iam-authenticator:v0.7.18-cvefix-eks-1-33-33";

/**
 * Host paths and ports, all the server's defaults at tag v0.7.18 (commit c0e2ecd6c9e352db19435db4d2c7e64282554d2f):
 * `--state-dir` /var/aws-iam-authenticator (cert.pem, key.pem: pkg/config/config.go CertPath/KeyPath),
 * `--generate-kubeconfig` /etc/kubernetes/aws-iam-authenticator/kubeconfig.yaml, `--address` 127.0.0.1 and
 * DefaultPort 21362 (cmd/aws-iam-authenticator/server.go), the health server on 21363 (pkg/server/server.go).
 */
export const AUTHENTICATOR_STATE_DIR = "/var/aws-iam-authenticator";
export const AUTHENTICATOR_KUBECONFIG_DIR = "/etc/kubernetes/aws-iam-authenticator";
export const AUTHENTICATOR_KUBECONFIG = `${AUTHENTICATOR_KUBECONFIG_DIR}/kubeconfig.yaml`;
export const AUTHENTICATOR_ADDRESS = "127.0.0.1";
export const AUTHENTICATOR_PORT = 21362;
export const AUTHENTICATOR_HEALTH_PORT = 21363;
/**
 * The user the image runs as: upstream's Dockerfile (tag v0.7.18) builds on eks-distro-minimal-base-nonroot and
 * `chown 65532` the binary; the node files are owned by it so the server can read its key.
 */
export const AUTHENTICATOR_UID = 65532;

export const iamAuthenticatorSettingsSchema = z
  .object({
    enabled: enabledSchema,
    // upstream deploy/example.yaml's requests (10m, 20Mi) and CPU limit; a larger memory limit for the AWS SDK's STS calls.
    resources: resourcesSchema({ requests: { cpu: "10m", memory: "20Mi" }, limits: { cpu: "100m", memory: "64Mi" } }),
  })
  .strict()
  .prefault({});

export type ResolvedIamAuthenticatorSettings = z.output<typeof iamAuthenticatorSettingsSchema>;

/** Whether a generation runs the authenticator: its cluster maps a role and `addons.iamAuthenticator.enabled` is not false. */
export function runsIamAuthenticator(generation: ResolvedGeneration): boolean {
  return accessEnabled(generation.cluster.access) && generation.definition.addons?.iamAuthenticator?.enabled !== false;
}

/** Whether a generation's access addon binds OIDC groups (access.oidc adminGroups/viewerGroups) to cluster-admin or view. */
export function bindsOidcGroups(generation: ResolvedGeneration): boolean {
  const { admins, viewers } = oidcBoundGroups(generation.cluster.access?.oidc);
  return admins.length + viewers.length > 0;
}
