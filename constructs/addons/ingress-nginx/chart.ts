// Owns the ingress-nginx addon's manifests, after upstream's baremetal deploy.yaml: namespace, RBAC, ConfigMap, the
// controller as a DaemonSet on the ingress nodes, the NodePort Service the ingress load balancer targets, IngressClass.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { RESTRICTED_INGRESS_NODE_LABEL } from "../../ignition/ingress-node-labels";
import { addonLabels, httpGetProbe, resources } from "../common/workload";
import { PROMETHEUS_PEER } from "../monitoring/network-policies";
import { allowIngress, denyAllIngress } from "../network-policy";
import type { ResolvedIngressNginxSettings } from "./settings";

export interface IngressNginxChartProps {
  /** The generation whose ingress NodePorts, health path and ingress pools this controller serves. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.ingressNginx`. */
  readonly settings: ResolvedIngressNginxSettings;
}

export const INGRESS_NAMESPACE = "ingress-nginx";
const NAME = "ingress-nginx";
const CONTROLLER = "ingress-nginx-controller";
/** The node label that places the controller: set by the control plane's labeler, never by a kubelet (constructs/ignition/ingress-node-labels.ts). */
export const INGRESS_NODE_LABEL = RESTRICTED_INGRESS_NODE_LABEL;
/** The only path nginx's default server answers with 200 on the http port (ingress-nginx's fixed health location). */
export const INGRESS_HEALTH_PATH = "/healthz";
/** The controller's own health/metrics port. */
const STATUS_PORT = 10254;

/** Tolerations for the taints of the generation's ingress pools, so the controller runs on every ingress node. */
function ingressPoolTolerations(generation: ResolvedGeneration): k8s.Toleration[] {
  const seen = new Set<string>();
  const tolerations: k8s.Toleration[] = [];
  for (const pool of generation.workerPools.filter((p) => p.ingress)) {
    for (const taint of pool.taints) {
      const key = `${taint.key}=${taint.value ?? ""}:${taint.effect}`;
      if (seen.has(key)) continue;
      seen.add(key);
      tolerations.push({ key: taint.key, operator: "Equal", value: taint.value ?? "", effect: taint.effect });
    }
  }
  return tolerations;
}

export class IngressNginxChart extends Chart {
  constructor(scope: Construct, id: string, props: IngressNginxChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    if (generation.healthPath !== INGRESS_HEALTH_PATH) {
      throw new Error(
        `traffic.healthPath "${generation.healthPath}": ingress-nginx answers the load balancer's health check only on "${INGRESS_HEALTH_PATH}" ` +
          `of its http port; set traffic.healthPath to "${INGRESS_HEALTH_PATH}" or set addons.ingressNginx.enabled to false and run your own controller`,
      );
    }
    const selector = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "controller" };
    const labels = addonLabels(NAME, NAME, settings.image, { "app.kubernetes.io/component": "controller" });
    const meta = (name: string) => ({ name, namespace: INGRESS_NAMESPACE, labels });
    const rbac = "rbac.authorization.k8s.io";
    const subjects = [{ kind: "ServiceAccount", name: NAME, namespace: INGRESS_NAMESPACE }];

    new k8s.KubeNamespace(this, "namespace", {
      metadata: {
        name: INGRESS_NAMESPACE,
        labels: {
          ...labels,
          // The controller fits the restricted profile (non-root, no privilege escalation, only NET_BIND_SERVICE).
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta(NAME), automountServiceAccountToken: true });
    new k8s.KubeConfigMap(this, "config", {
      metadata: meta(CONTROLLER),
      data: { "allow-snippet-annotations": "false", ...settings.config },
    });
    this.addRbac(labels, subjects, rbac);

    // Traffic reaches the controller from the load balancer through its NodePorts, from any source: 80/443 are open to
    // all; the status/metrics port only to Prometheus (the kubelet's probes come from the node, always allowed).
    denyAllIngress(this, INGRESS_NAMESPACE, labels);
    allowIngress(this, "controller-http", { namespace: INGRESS_NAMESPACE, labels, podLabels: selector, ports: [80, 443] });
    allowIngress(this, "controller-metrics-from-prometheus", {
      namespace: INGRESS_NAMESPACE,
      labels,
      podLabels: selector,
      ports: [STATUS_PORT],
      from: [PROMETHEUS_PEER],
    });

    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: meta(CONTROLLER),
      spec: {
        selector: { matchLabels: selector },
        minReadySeconds: 0,
        revisionHistoryLimit: 3,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            dnsPolicy: "ClusterFirst",
            nodeSelector: { [INGRESS_NODE_LABEL]: "true", "kubernetes.io/os": "linux" },
            tolerations: ingressPoolTolerations(generation),
            terminationGracePeriodSeconds: 300,
            securityContext: { runAsNonRoot: true, runAsUser: 101, runAsGroup: 82, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "controller",
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                args: [
                  "/nginx-ingress-controller",
                  "--election-id=ingress-nginx-leader",
                  "--controller-class=k8s.io/ingress-nginx",
                  "--ingress-class=nginx",
                  `--configmap=$(POD_NAMESPACE)/${CONTROLLER}`,
                  // The admission webhook is not shipped (see docs/addons.md): no --validating-webhook flags.
                  `--healthz-port=${STATUS_PORT}`,
                ],
                env: [
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "LD_PRELOAD", value: "/usr/local/lib/libmimalloc.so" },
                ],
                lifecycle: { preStop: { exec: { command: ["/wait-shutdown"] } } },
                ports: [
                  { name: "http", containerPort: 80, protocol: "TCP" },
                  { name: "https", containerPort: 443, protocol: "TCP" },
                  { name: "metrics", containerPort: STATUS_PORT, protocol: "TCP" },
                ],
                livenessProbe: httpGetProbe("/healthz", STATUS_PORT, {
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  timeoutSeconds: 1,
                  failureThreshold: 5,
                }),
                readinessProbe: httpGetProbe("/healthz", STATUS_PORT, {
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  timeoutSeconds: 1,
                  failureThreshold: 3,
                }),
                resources: resources(settings.resources),
                // nginx writes its rendered config, pid and temp files under its root filesystem: upstream keeps it writable.
                securityContext: {
                  runAsUser: 101,
                  runAsGroup: 82,
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: false,
                  capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
              },
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, "service", {
      metadata: meta(CONTROLLER),
      spec: {
        type: "NodePort",
        // Only nodes with a ready local controller pass the load balancer's health check; client addresses are kept.
        externalTrafficPolicy: "Local",
        selector,
        ports: [
          {
            name: "http",
            port: 80,
            targetPort: k8s.IntOrString.fromString("http"),
            nodePort: generation.ingressNodePorts.http,
            protocol: "TCP",
          },
          {
            name: "https",
            port: 443,
            targetPort: k8s.IntOrString.fromString("https"),
            nodePort: generation.ingressNodePorts.https,
            protocol: "TCP",
          },
        ],
      },
    });
    new k8s.KubeIngressClass(this, "ingress-class", {
      metadata: {
        name: "nginx",
        labels,
        annotations: settings.defaultClass ? { "ingressclass.kubernetes.io/is-default-class": "true" } : undefined,
      },
      spec: { controller: "k8s.io/ingress-nginx" },
    });
  }

  private addRbac(labels: Record<string, string>, subjects: k8s.Subject[], rbac: string): void {
    new k8s.KubeClusterRole(this, "cluster-role", {
      metadata: { name: NAME, labels },
      rules: [
        { apiGroups: [""], resources: ["configmaps", "endpoints", "nodes", "pods", "secrets", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
        { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["update"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch", "get"] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, "cluster-role-binding", {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: NAME },
      subjects,
    });
    new k8s.KubeRole(this, "role", {
      metadata: { name: NAME, namespace: INGRESS_NAMESPACE, labels },
      rules: [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get"] },
        { apiGroups: [""], resources: ["configmaps", "pods", "secrets", "endpoints"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["update"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["ingress-nginx-leader"], verbs: ["get", "update"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch", "get"] },
      ],
    });
    new k8s.KubeRoleBinding(this, "role-binding", {
      metadata: { name: NAME, namespace: INGRESS_NAMESPACE, labels },
      roleRef: { apiGroup: rbac, kind: "Role", name: NAME },
      subjects,
    });
  }
}
