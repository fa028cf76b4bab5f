// Owns the full Ignition config of each node role (the control plane; the workers of one pool), stored in S3, and the
// small user-data pointer to it. A node boots from it with no hand step: verified Kubernetes binaries, containerd with
// the systemd cgroup driver, the kubelet, kubeadm configs rendered from the definition, and the bootstrap scripts and
// units that elect, init or join, and apply the addons. See docs/node-boot.md.
import type { ResolvedGeneration, ResolvedWorkerPool } from "../definition/resolve";
import { IgnitionConfig, ignitionJsonText, replacePointer, type IgnitionDocument } from "./builder";
import { runsIamAuthenticator } from "../addons/access/settings";
import { addApiServerConfigFiles } from "./api-server-files";
import { addGatewayTlsPlaceholder } from "./gateway-tls-placeholder";
import { addPodIdentityWebhookCert } from "./pod-identity-webhook-cert";
import { addIngressNodeLabeler } from "./ingress-node-labels";
import { controllerJoinConfiguration, initConfiguration, pauseImage, workerJoinConfiguration } from "./kubeadm-config";
import { kubernetesNodeBinaries, SUPPORTED_KUBERNETES_VERSIONS, type NodeArch } from "./kubernetes-releases";
import { nodeFile, nodeFiles, renderTemplate } from "./templates";
import { serviceAccountIssuer } from "../definition/service-account-issuer";

/** The role a node plays: a control-plane node, or a worker of one pool. */
export type NodeRole = { readonly kind: "controller" } | { readonly kind: "worker"; readonly pool: ResolvedWorkerPool };

/** Where the node scripts live on a node. */
export const NODE_BIN_DIR = "/opt/immutable-clusters/bin";
const KUBEADM_DIR = "/etc/immutable-clusters/kubeadm";

/** The S3 key of a role's full config inside the generation's node bucket. */
export function nodeConfigKey(role: NodeRole): string {
  return role.kind === "controller" ? "ignition/controller.ign" : `ignition/worker-${role.pool.name}.ign`;
}

/** cluster.env: the settings the bootstrap scripts read (no secrets). */
function clusterEnv(gen: ResolvedGeneration, role: NodeRole): string {
  const values: Array<[string, string | number]> = [
    ["CLUSTER_NAME", gen.fullName],
    ["NODE_ROLE", role.kind],
    ...(role.kind === "worker" ? [["POOL_NAME", role.pool.name] as [string, string]] : []),
    ["AWS_REGION", gen.region],
    ["SSM_PREFIX", gen.ssmPrefix],
    ["KMS_KEY_ID", gen.kmsAlias],
    ["NODE_BUCKET", gen.bucketName],
    ["API_ENDPOINT", gen.apiEndpoint],
    ["API_PORT", gen.apiPort],
    ["KUBERNETES_VERSION", `v${gen.kubernetesVersion}`],
    ["CONTROL_PLANE_COUNT", gen.controlPlane.count],
    ...(role.kind === "controller"
      ? [["ETCD_SNAPSHOT_INTERVAL_MINUTES", gen.controlPlane.etcdSnapshots.intervalMinutes] as [string, number]]
      : []),
    // Node contract 3: the cluster's service-account issuer (service-account-issuer.sh, docs/workload-identity.md).
    ...(role.kind === "controller" ? issuerEnv(gen) : []),
    // controlPlane.restore: the init winner waits for restore/ in the bucket and starts from it (node-bootstrap.sh).
    ...(role.kind === "controller" && gen.controlPlane.restore
      ? ([
          ["RESTORE_FROM_GENERATION", gen.controlPlane.restore.fromGeneration],
          ["RESTORE_SNAPSHOT", gen.controlPlane.restore.snapshot],
        ] as Array<[string, string]>)
      : []),
  ];
  return `# Written by Ignition from the cluster definition; read by ${NODE_BIN_DIR}/node-bootstrap.sh.\n${values.map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
}

/** The issuer settings of a controller's cluster.env: where the signing key is and where the JWKS goes (names, no secret). */
function issuerEnv(gen: ResolvedGeneration): Array<[string, string]> {
  const issuer = serviceAccountIssuer(gen.cluster);
  return [
    ["SA_ISSUER_BUCKET", issuer.bucketName],
    ["SA_SIGNING_KEY_PARAMETER", issuer.signingKeyParameter],
    ["SA_KMS_KEY_ID", issuer.kmsAlias],
  ];
}

/** The full Ignition config of a role, as canonical JSON text. Throws when the Kubernetes version has no pinned hash. */
export function renderNodeIgnition(gen: ResolvedGeneration, role: NodeRole): string {
  return renderNodeIgnitionDocument(gen, role).text;
}

/**
 * The full Ignition config of a role as canonical JSON text (renderNodeIgnition's) together with the plain document it
 * is the JSON of, for a reader that wants the data without parsing the text again (the review copy, write-dist.ts).
 */
export function renderNodeIgnitionDocument(gen: ResolvedGeneration, role: NodeRole): { text: string; document: IgnitionDocument } {
  // As IgnitionConfig.toJson: the JSON of toObject() (JSON.stringify's text; json-text.ts reuses its long strings).
  const document = nodeIgnition(gen, role).toObject();
  return { text: ignitionJsonText(document), document };
}

/** The architecture a role's nodes run: the control plane's instance type's, or the pool's (its types share one). */
export function nodeRoleArchitecture(gen: ResolvedGeneration, role: NodeRole): NodeArch {
  return role.kind === "controller" ? gen.controlPlane.arch : role.pool.arch;
}

/** The full Ignition config of a role, as a builder (for tests and extensions). */
export function nodeIgnition(gen: ResolvedGeneration, role: NodeRole): IgnitionConfig {
  const arch = nodeRoleArchitecture(gen, role);
  const binaries = kubernetesNodeBinaries(gen.kubernetesVersion, arch);
  if (!binaries) {
    throw new Error(
      `${gen.fullName}: kubernetesVersion: no pinned hash for Kubernetes ${gen.kubernetesVersion} (${arch}); use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} or add it to constructs/ignition/kubernetes-releases.ts`,
    );
  }
  const config = new IgnitionConfig();

  // Settings and kubeadm configuration.
  config.addFile({ path: "/etc/immutable-clusters/cluster.env", contents: clusterEnv(gen, role) });
  config.addDirectory({ path: KUBEADM_DIR, mode: 0o700 });
  if (role.kind === "controller") {
    config.addFile({ path: `${KUBEADM_DIR}/init.yaml`, mode: 0o600, contents: initConfiguration(gen) });
    config.addFile({ path: `${KUBEADM_DIR}/join-controller.yaml`, mode: 0o600, contents: controllerJoinConfiguration(gen) });
    addApiServerConfigFiles(config, gen, KUBEADM_DIR);
    if (runsIamAuthenticator(gen)) {
      // Before kubeadm: the API server's token webhook kubeconfig (access-webhook-init.sh, constructs/addons/access/).
      config.addUnit({
        name: "aws-iam-authenticator-init.service",
        contents: nodeFile("units/aws-iam-authenticator-init.service"),
        enabled: true,
      });
    }
    addIngressNodeLabeler(config, gen);
    // Gateway generations: a self-signed placeholder TLS Secret until you create yours (gateway-tls-placeholder.ts).
    addGatewayTlsPlaceholder(config, gen);
    // Pod identity webhook generations: its serving certificate and caBundle (pod-identity-webhook-cert.ts).
    addPodIdentityWebhookCert(config, gen);
  } else {
    config.addFile({ path: `${KUBEADM_DIR}/join-worker.yaml`, mode: 0o600, contents: workerJoinConfiguration(gen, role.pool) });
  }

  // Kubernetes binaries of the node's architecture, downloaded by Ignition and verified by SHA-512, unpacked into /opt/bin.
  config.addRemoteFile({ path: "/opt/immutable-clusters/downloads/kubernetes-node.tar.gz", mode: 0o644, ...binaries });
  config.addUnit({ name: "kubernetes-binaries.service", contents: nodeFile("units/kubernetes-binaries.service"), enabled: true });

  // containerd with the systemd cgroup driver; kernel settings for pod networking.
  config.addFile({
    path: "/etc/containerd/config.toml",
    contents: renderTemplate("config/containerd.toml", { PAUSE_IMAGE: pauseImage(gen.kubernetesVersion) }),
  });
  config.addUnit({
    name: "containerd.service",
    enabled: true,
    dropins: { "10-immutable-clusters.conf": nodeFile("units/containerd-config.conf") },
  });
  config.addFile({ path: "/etc/sysctl.d/90-kubernetes.conf", contents: nodeFile("config/kubernetes-sysctl.conf") });
  config.addFile({ path: "/etc/modules-load.d/kubernetes.conf", contents: nodeFile("config/kubernetes-modules.conf") });

  // The kubelet, started by kubeadm once the node has its config.
  config.addUnit({
    name: "kubelet.service",
    contents: nodeFile("units/kubelet.service"),
    enabled: true,
    dropins: { "10-kubeadm.conf": nodeFile("units/kubelet-kubeadm.conf") },
  });

  // Bootstrap scripts and units.
  for (const script of nodeFiles("bin", /\.sh$/)) {
    config.addFile({ path: `${NODE_BIN_DIR}/${script}`, mode: 0o755, contents: nodeFile(`bin/${script}`) });
  }
  config.addUnit({
    name: "immutable-clusters-bootstrap.service",
    contents: nodeFile("units/immutable-clusters-bootstrap.service"),
    enabled: true,
  });
  if (role.kind === "controller") {
    config.addUnit({
      name: "immutable-clusters-join-refresh.service",
      contents: nodeFile("units/immutable-clusters-join-refresh.service"),
    });
    config.addUnit({
      name: "immutable-clusters-join-refresh.timer",
      contents: nodeFile("units/immutable-clusters-join-refresh.timer"),
      enabled: true,
    });
    addPolicyReconciler(config);
    addEtcdSnapshots(config, gen);
    // The cluster CA to <ssm prefix>/ca-certificate for kubeconfigs (publish-ca.sh, ca-certificate-parameter.ts).
    config.addUnit({ name: "immutable-clusters-publish-ca.service", contents: nodeFile("units/immutable-clusters-publish-ca.service") });
    config.addUnit({
      name: "immutable-clusters-publish-ca.timer",
      contents: nodeFile("units/immutable-clusters-publish-ca.timer"),
      enabled: true,
    });
  }

  // Clusters are replaced, not updated: Flatcar's automatic updates and reboots stay off unless the definition asks.
  if (!gen.osUpdates) {
    config.addUnit({ name: "update-engine.service", mask: true });
    config.addUnit({ name: "locksmithd.service", mask: true });
  }

  // No SSH unless the definition names keys: without keys the SSH daemon cannot start at all.
  if (gen.sshAuthorizedKeys.length) {
    config.addUser({ name: "core", sshAuthorizedKeys: gen.sshAuthorizedKeys });
  } else {
    config.addUnit({ name: "sshd.socket", mask: true });
    config.addUnit({ name: "sshd.service", mask: true });
  }
  return config;
}

/** The policy layer's reconciler (reconcile-policy.sh, constructs/addons/policy-layer.ts): its ApplySet parent and timer. */
function addPolicyReconciler(config: IgnitionConfig): void {
  config.addDirectory({ path: "/etc/immutable-clusters/policy", mode: 0o755 });
  config.addFile({ path: "/etc/immutable-clusters/policy/applyset-crd.yaml", contents: nodeFile("config/policy-applyset-crd.yaml") });
  config.addFile({
    path: "/etc/immutable-clusters/policy/applyset-parent.yaml",
    contents: nodeFile("config/policy-applyset-parent.yaml"),
  });
  config.addUnit({ name: "immutable-clusters-policy.service", contents: nodeFile("units/immutable-clusters-policy.service") });
  config.addUnit({ name: "immutable-clusters-policy.timer", contents: nodeFile("units/immutable-clusters-policy.timer"), enabled: true });
}

/** etcd snapshots to the node bucket every `controlPlane.etcdSnapshots.intervalMinutes` (etcd-snapshot.sh). */
function addEtcdSnapshots(config: IgnitionConfig, gen: ResolvedGeneration): void {
  config.addUnit({
    name: "immutable-clusters-etcd-snapshot.service",
    contents: nodeFile("units/immutable-clusters-etcd-snapshot.service"),
  });
  config.addUnit({
    name: "immutable-clusters-etcd-snapshot.timer",
    contents: renderTemplate("units/immutable-clusters-etcd-snapshot.timer", {
      INTERVAL_MINUTES: gen.controlPlane.etcdSnapshots.intervalMinutes,
    }),
    enabled: true,
  });
}

/**
 * The user data of a launch template: an Ignition config that replaces itself with the full config from S3 (its text,
 * or the text's UTF-8 bytes: the same SHA-512).
 */
export function userDataPointer(bucketName: string, key: string, fullConfig: string | Buffer): string {
  return replacePointer(`s3://${bucketName}/${key}`, fullConfig);
}
