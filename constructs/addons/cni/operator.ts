// Owns the Cilium operator Deployment: cluster-pool IPAM (hands each node its slice of the pod CIDR), identity and
// CiliumEndpoint garbage collection; replicas spread over nodes, host network, non-root.
import { k8s } from "cdk8s-plus-27";
import { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { httpGetProbe, resources, restrictedSecurityContext } from "../common/workload";
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT } from "./cilium-config";
import type { ResolvedCniSettings } from "./settings";

export interface CiliumOperatorProps {
  readonly generation: ResolvedGeneration;
  readonly settings: ResolvedCniSettings;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
}

export class CiliumOperator extends Construct {
  constructor(scope: Construct, id: string, props: CiliumOperatorProps) {
    super(scope, id);
    const { generation, settings } = props;
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
            // Runs before pods can have a network: in the host network, on any node whatever its taints.
            hostNetwork: true,
            restartPolicy: "Always",
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ operator: "Exists" }],
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
                image: settings.operatorImage,
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
                ports: [{ name: "prometheus", containerPort: OPERATOR_METRICS_PORT, hostPort: OPERATOR_METRICS_PORT, protocol: "TCP" }],
                livenessProbe: httpGetProbe(
                  "/healthz",
                  OPERATOR_HEALTH_PORT,
                  { initialDelaySeconds: 60, periodSeconds: 10, timeoutSeconds: 3 },
                  { host: "127.0.0.1" },
                ),
                readinessProbe: httpGetProbe(
                  "/healthz",
                  OPERATOR_HEALTH_PORT,
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
