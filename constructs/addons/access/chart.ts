// Owns the access addon's manifests: aws-iam-authenticator as a host-network DaemonSet on the control-plane nodes (the
// kube-apiserver's token webhook on 127.0.0.1), its config (cluster ID and role mappings) as a ConfigMap, and the RBAC
// bindings of the access groups (admins -> cluster-admin, viewers -> view), which also name the OIDC groups of
// access.oidc adminGroups/viewerGroups (prefixed as kube-apiserver names them). Shaped after upstream deploy/example.yaml.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import { yamlDocument } from "../yaml-document";
import { ADMINS_GROUP, roleMappings, VIEWERS_GROUP } from "../../definition/access";
import { oidcBoundGroups } from "../../definition/oidc";
import type { ResolvedGeneration } from "../../definition/resolve";
import {
  addonLabels,
  CONTROL_PLANE_NODE_SELECTOR,
  CONTROL_PLANE_TOLERATIONS,
  httpGetProbe,
  resources,
  restrictedSecurityContext,
} from "../common/workload";
import {
  AUTHENTICATOR_ADDRESS,
  AUTHENTICATOR_HEALTH_PORT,
  AUTHENTICATOR_KUBECONFIG,
  AUTHENTICATOR_KUBECONFIG_DIR,
  AUTHENTICATOR_PORT,
  AUTHENTICATOR_STATE_DIR,
  AUTHENTICATOR_UID,
  IAM_AUTHENTICATOR_IMAGE,
  type ResolvedIamAuthenticatorSettings,
  runsIamAuthenticator,
} from "./settings";

export interface IamAuthenticatorChartProps {
  /** The generation; its full name is the cluster ID tokens must carry, its cluster's `access` the role mappings. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.iamAuthenticator`. */
  readonly settings: ResolvedIamAuthenticatorSettings;
}

const NAMESPACE = "kube-system";
const NAME = "aws-iam-authenticator";
const CONFIG_DIR = "/etc/aws-iam-authenticator";

/**
 * The server's config.yaml (format: upstream README "Full Configuration Format" and deploy/example.yaml, tag v0.7.18):
 * `clusterID` is the generation's full name (the `x-k8s-aws-id` every token must sign), `server.mapRoles` one entry
 * per role of `access`.
 */
export function authenticatorConfig(generation: ResolvedGeneration): string {
  const mapRoles = roleMappings(generation.cluster.access).map((m) => ({
    roleARN: m.roleARN,
    username: m.username,
    groups: [...m.groups],
  }));
  return yamlDocument({ clusterID: generation.fullName, server: { mapRoles } });
}

/** The server's arguments: the MountedFile backend (the default) and the files Ignition pre-generates (no kube client needed). */
export function authenticatorArgs(): string[] {
  return [
    "server",
    `--config=${CONFIG_DIR}/config.yaml`,
    `--state-dir=${AUTHENTICATOR_STATE_DIR}`,
    `--generate-kubeconfig=${AUTHENTICATOR_KUBECONFIG}`,
    // The webhook kubeconfig exists before the API server starts (access-webhook-init.sh on the node, like `init`).
    "--kubeconfig-pregenerated=true",
    `--address=${AUTHENTICATOR_ADDRESS}`,
    `--port=${AUTHENTICATOR_PORT}`,
  ];
}

export class IamAuthenticatorChart extends Chart {
  constructor(scope: Construct, id: string, props: IamAuthenticatorChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const image = IAM_AUTHENTICATOR_IMAGE;
    const selector = { "k8s-app": NAME };
    const labels = addonLabels(NAME, "access", image, selector);
    const rbac = "rbac.authorization.k8s.io";

    // OIDC bindings alone (no IAM role mapped, or addons.iamAuthenticator.enabled false): no authenticator.
    const authenticator = runsIamAuthenticator(generation);
    const config = authenticator
      ? new k8s.KubeConfigMap(this, "config", {
          metadata: { name: NAME, namespace: NAMESPACE, labels },
          data: { "config.yaml": authenticatorConfig(generation) },
        })
      : undefined;
    const oidc = oidcBoundGroups(generation.cluster.access?.oidc);
    const group = (name: string) => ({ apiGroup: rbac, kind: "Group", name });
    new k8s.KubeClusterRoleBinding(this, "admins", {
      metadata: { name: "immutable-clusters:admins", labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: "cluster-admin" },
      subjects: [ADMINS_GROUP, ...oidc.admins].map(group),
    });
    new k8s.KubeClusterRoleBinding(this, "viewers", {
      metadata: { name: "immutable-clusters:viewers", labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: "view" },
      subjects: [VIEWERS_GROUP, ...oidc.viewers].map(group),
    });
    if (!config) return;

    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-node-critical",
            // The MountedFile backend reads no Kubernetes API: no service account token at all.
            automountServiceAccountToken: false,
            // The API server reaches it on the node's 127.0.0.1; it must not wait for the pod network.
            hostNetwork: true,
            dnsPolicy: "Default",
            nodeSelector: { ...CONTROL_PLANE_NODE_SELECTOR, "kubernetes.io/os": "linux" },
            tolerations: [
              ...CONTROL_PLANE_TOLERATIONS,
              { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
              { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: AUTHENTICATOR_UID,
              runAsGroup: AUTHENTICATOR_UID,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: NAME,
                image,
                imagePullPolicy: "IfNotPresent",
                args: authenticatorArgs(),
                livenessProbe: httpGetProbe("/healthz", AUTHENTICATOR_HEALTH_PORT, {
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  failureThreshold: 3,
                }),
                readinessProbe: httpGetProbe("/healthz", AUTHENTICATOR_HEALTH_PORT, { periodSeconds: 10, failureThreshold: 3 }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(AUTHENTICATOR_UID),
                volumeMounts: [
                  { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                  { name: "state", mountPath: AUTHENTICATOR_STATE_DIR, readOnly: true },
                  { name: "output", mountPath: AUTHENTICATOR_KUBECONFIG_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "config", configMap: { name: config.name } },
              { name: "state", hostPath: { path: AUTHENTICATOR_STATE_DIR, type: "Directory" } },
              { name: "output", hostPath: { path: AUTHENTICATOR_KUBECONFIG_DIR, type: "Directory" } },
            ],
          },
        },
      },
    });
  }
}
