// Owns the Cilium operator Deployment: cluster-pool IPAM (hands each node its slice of the pod CIDR), identity and
// CiliumEndpoint garbage collection; replicas spread over nodes, host network, non-root; after the upstream chart of
// the release's Cilium minor (1.17.18, or 1.19 from Cilium 1.19 on: see operatorOf119).
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { httpGetProbe, resources, restrictedSecurityContext } from "../common/workload";
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT } from "./cilium-config";
import type { CiliumRelease, ResolvedCniSettings } from "./settings";

export interface CiliumOperatorProps {
  readonly generation: ResolvedGeneration;
  readonly settings: ResolvedCniSettings;
  /** The Cilium release: its operator image, and the chart (1.17 or 1.19) the Deployment follows. */
  readonly release: CiliumRelease;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
}

/**
 * Where the Cilium 1.19 chart's operator Deployment (install/kubernetes/cilium/templates/cilium-operator/deployment.yaml
 * and values.yaml of cilium-1.19.6.tgz in cilium/charts) differs from the 1.17.18 one for these settings.
 */
function operatorOf119(release: CiliumRelease): {
  probePort: string | number;
  healthPorts: k8s.ContainerPort[];
  tolerations: k8s.Toleration[];
} {
  if (release.minor < 19) {
    // 1.17: operator.tolerations [{ operator: Exists }], any node whatever its taints.
    return { probePort: OPERATOR_HEALTH_PORT, healthPorts: [], tolerations: [{ operator: "Exists" }] };
  }
  return {
    // The health port is declared as a named container port ("health", a host port in the host network) and the
    // probes use its name.
    probePort: "health",
    healthPorts: [{ name: "health", containerPort: OPERATOR_HEALTH_PORT, hostPort: OPERATOR_HEALTH_PORT, protocol: "TCP" }],
    // operator.tolerations: control-plane (and the deprecated master), not-ready and uninitialized nodes only, plus
    // the agent-not-ready taint (agentNotReadyTaintKey) that the template always adds.
    tolerations: [
      "node-role.kubernetes.io/control-plane",
      "node-role.kubernetes.io/master",
      "node.kubernetes.io/not-ready",
      "node.cloudprovider.kubernetes.io/uninitialized",
      "node.cilium.io/agent-not-ready",
    ].map((key) => ({ key, operator: "Exists" })),
  };
}

export class CiliumOperator extends Construct {
  constructor(scope: Construct, id: string, props: CiliumOperatorProps) {
    super(scope, id);
    const { generation, settings, release } = props;
    const v119 = operatorOf119(release);
    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name: "cilium-operator", namespace: props.namespace, labels: props.labels },
      spec: {
        replicas: settings.operatorReplicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: props.selector },
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: {
            labels: props.labels,
            annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(OPERATOR_METRICS_PORT) },
          },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: props.serviceAccount,
            automountServiceAccountToken: true,
            // Runs before pods can have a network: in the host network, on any node whatever its taints (1.17) or on
            // control-plane, not-ready, uninitialized and agent-not-ready nodes as well as untainted ones (1.19).
            hostNetwork: true,
            // It runs before CoreDNS and reaches the API by the generation's private name: resolve through the node.
            // Upstream renders operator.dnsPolicy only when set (default unset, which the kubelet turns into Default for
            // host-network pods: kubernetes/kubernetes pkg/kubelet/network/dns/dns.go getPodDNSType); see
            // install/kubernetes/cilium/templates/cilium-operator/deployment.yaml in cilium/cilium at
            // 002d0322461c4aaf86076f7e28edda6713f9b4c3.
            dnsPolicy: "Default",
            restartPolicy: "Always",
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: v119.tolerations,
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: props.selector }, topologyKey: "kubernetes.io/hostname" },
                ],
              },
            },
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "cilium-operator",
                image: release.operatorImage,
                imagePullPolicy: "IfNotPresent",
                command: ["cilium-operator-generic"],
                args: ["--config-dir=/tmp/cilium/config-map", "--debug=$(CILIUM_DEBUG)"],
                env: [
                  { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
                  { name: "CILIUM_K8S_NAMESPACE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } } },
                  { name: "CILIUM_DEBUG", valueFrom: { configMapKeyRef: { name: "cilium-config", key: "debug", optional: true } } },
                  { name: "KUBERNETES_SERVICE_HOST", value: generation.apiEndpoint },
                  { name: "KUBERNETES_SERVICE_PORT", value: String(generation.apiPort) },
                ],
                ports: [
                  ...v119.healthPorts,
                  { name: "prometheus", containerPort: OPERATOR_METRICS_PORT, hostPort: OPERATOR_METRICS_PORT, protocol: "TCP" },
                ],
                livenessProbe: httpGetProbe(
                  "/healthz",
                  v119.probePort,
                  { initialDelaySeconds: 60, periodSeconds: 10, timeoutSeconds: 3 },
                  { host: "127.0.0.1" },
                ),
                readinessProbe: httpGetProbe(
                  "/healthz",
                  v119.probePort,
                  { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 5 },
                  { host: "127.0.0.1" },
                ),
                resources: resources(settings.operatorResources),
                securityContext: restrictedSecurityContext(65532),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [{ name: "cilium-config-path", mountPath: "/tmp/cilium/config-map", readOnly: true }],
              },
            ],
            volumes: [{ name: "cilium-config-path", configMap: { name: "cilium-config" } }],
          },
        },
      },
    });
  }
}
