// Owns the files the API server reads on control-plane nodes besides kubeadm's: the audit policy, the structured
// authentication config (Kubernetes >= 1.32, or with access.oidc; its content is authentication-config.ts's), the Pod
// Security admission config, and the template of the Secrets encryption config, whose key node-bootstrap.sh generates
// or fetches at boot (it never passes through synth).
import { resolveApiServerOptions } from "../definition/control-plane-options";
import type { ResolvedGeneration } from "../definition/resolve";
import type { IgnitionConfig } from "./builder";
import { AUTHENTICATION_CONFIG_FILE, authenticationConfiguration } from "./authentication-config";
import { API_SERVER_CONFIG_DIR } from "./kubeadm-config";
import { nodeFile, renderTemplate } from "./templates";

/** The template node-bootstrap.sh renders into `${API_SERVER_CONFIG_DIR}/encryption-config.yaml`, in the kubeadm template folder. */
export const ENCRYPTION_CONFIG_TEMPLATE = "encryption-config.yaml";

/** Adds the API server's config files to a control-plane node's Ignition config. */
export function addApiServerConfigFiles(config: IgnitionConfig, gen: ResolvedGeneration, templateDir: string): void {
  const options = resolveApiServerOptions(gen.definition.controlPlane?.apiServer);
  // Root-only: the kube-apiserver static pod runs as root and mounts the folder read-only.
  config.addDirectory({ path: API_SERVER_CONFIG_DIR, mode: 0o700 });
  config.addFile({
    path: `${API_SERVER_CONFIG_DIR}/audit-policy.yaml`,
    mode: 0o600,
    contents: renderTemplate("config/audit-policy.yaml", { AUDIT_LEVEL: options.auditLevel }),
  });
  config.addFile({
    path: `${API_SERVER_CONFIG_DIR}/admission-config.yaml`,
    mode: 0o600,
    contents: renderTemplate("config/admission-config.yaml", { PSA_ENFORCE: options.podSecurityDefault }),
  });
  const authentication = authenticationConfiguration(gen);
  if (authentication !== undefined)
    config.addFile({ path: `${API_SERVER_CONFIG_DIR}/${AUTHENTICATION_CONFIG_FILE}`, mode: 0o600, contents: authentication });
  config.addFile({
    path: `${templateDir}/${ENCRYPTION_CONFIG_TEMPLATE}`,
    mode: 0o600,
    contents: nodeFile("config/encryption-config.yaml"),
  });
}
