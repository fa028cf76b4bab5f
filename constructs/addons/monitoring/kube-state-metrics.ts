// Owns kube-state-metrics (after upstream examples/standard): ServiceAccount, list/watch ClusterRole over the objects
// it reports, one-replica Deployment and the Service Prometheus scrapes.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { grantClusterRole } from "../common/rbac";
import { KUBE_STATE_METRICS, MONITORING_NAMESPACE } from "./names";
import type { ResolvedMonitoringSettings } from "./settings";
import {
  componentLabels,
  componentSelector,
  httpProbe,
  imageTag,
  toResourceRequirements,
  unprivilegedContainerSecurity,
} from "./workload-defaults";

export interface KubeStateMetricsProps {
  /** Resolved `addons.monitoring.kubeStateMetrics`. */
  readonly settings: ResolvedMonitoringSettings["kubeStateMetrics"];
}

const NOBODY = 65534;
const listWatch = ["list", "watch"];

export class KubeStateMetrics extends Construct {
  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const { settings } = props;
    const name = KUBE_STATE_METRICS.name;
    const labels = componentLabels(name, "monitoring", imageTag(settings.image));
    const meta = { name, namespace: MONITORING_NAMESPACE, labels };

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: false });
    grantClusterRole(this, {
      roleName: name,
      labels,
      rules: [
        {
          apiGroups: [""],
          resources: [
            "configmaps",
            "secrets",
            "nodes",
            "pods",
            "services",
            "serviceaccounts",
            "resourcequotas",
            "replicationcontrollers",
            "limitranges",
            "persistentvolumeclaims",
            "persistentvolumes",
            "namespaces",
            "endpoints",
          ],
          verbs: listWatch,
        },
        { apiGroups: ["apps"], resources: ["statefulsets", "daemonsets", "deployments", "replicasets"], verbs: listWatch },
        { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: listWatch },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: listWatch },
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: listWatch },
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: listWatch },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: listWatch },
        { apiGroups: ["storage.k8s.io"], resources: ["storageclasses", "volumeattachments"], verbs: listWatch },
        {
          apiGroups: ["admissionregistration.k8s.io"],
          resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
          verbs: listWatch,
        },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses", "ingressclasses"], verbs: listWatch },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: listWatch },
        {
          apiGroups: ["rbac.authorization.k8s.io"],
          resources: ["clusterrolebindings", "clusterroles", "rolebindings", "roles"],
          verbs: listWatch,
        },
      ],
      serviceAccount: { name: name, namespace: MONITORING_NAMESPACE },
    });
    new k8s.KubeService(this, "service", {
      metadata: meta,
      spec: {
        clusterIp: "None",
        selector: componentSelector(name),
        ports: [
          {
            name: KUBE_STATE_METRICS.portName,
            port: KUBE_STATE_METRICS.port,
            targetPort: k8s.IntOrString.fromString(KUBE_STATE_METRICS.portName),
            protocol: "TCP",
          },
          {
            name: "telemetry",
            port: KUBE_STATE_METRICS.telemetryPort,
            targetPort: k8s.IntOrString.fromString("telemetry"),
            protocol: "TCP",
          },
        ],
      },
    });
    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: componentSelector(name) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // kube-state-metrics lists and watches the API.
            automountServiceAccountToken: true,
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: { runAsUser: NOBODY, runAsGroup: NOBODY, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                args: [`--port=${KUBE_STATE_METRICS.port}`, `--telemetry-port=${KUBE_STATE_METRICS.telemetryPort}`],
                ports: [
                  { name: KUBE_STATE_METRICS.portName, containerPort: KUBE_STATE_METRICS.port, protocol: "TCP" },
                  { name: "telemetry", containerPort: KUBE_STATE_METRICS.telemetryPort, protocol: "TCP" },
                ],
                resources: toResourceRequirements(settings.resources),
                livenessProbe: httpProbe("/livez", KUBE_STATE_METRICS.portName, { initialDelaySeconds: 5, timeoutSeconds: 5 }),
                readinessProbe: httpProbe("/readyz", "telemetry", { initialDelaySeconds: 5, timeoutSeconds: 5 }),
                securityContext: unprivilegedContainerSecurity(NOBODY),
              },
            ],
          },
        },
      },
    });
  }
}
