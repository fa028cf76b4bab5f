// Owns node-exporter: a DaemonSet on every node (host network and PID namespace, the host's /proc, /sys and root
// mounted read-only) and the headless Service whose endpoints Prometheus scrapes.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { NODE_EXPORTER, NODE_EXPORTER_NAMESPACE } from "./names";
import type { ResolvedMonitoringSettings } from "./settings";
import {
  componentLabels,
  componentSelector,
  httpProbe,
  imageTag,
  toResourceRequirements,
  unprivilegedContainerSecurity,
} from "./workload-defaults";

export interface NodeExporterProps {
  /** Resolved `addons.monitoring.nodeExporter`. */
  readonly settings: ResolvedMonitoringSettings["nodeExporter"];
}

const NOBODY = 65534;

export class NodeExporter extends Construct {
  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const { settings } = props;
    const name = NODE_EXPORTER.name;
    const labels = componentLabels(name, "monitoring", imageTag(settings.image));
    const meta = { name, namespace: NODE_EXPORTER_NAMESPACE, labels };

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: false });
    new k8s.KubeService(this, "service", {
      metadata: meta,
      spec: {
        clusterIp: "None",
        selector: componentSelector(name),
        ports: [
          {
            name: NODE_EXPORTER.portName,
            port: NODE_EXPORTER.port,
            targetPort: k8s.IntOrString.fromString(NODE_EXPORTER.portName),
            protocol: "TCP",
          },
        ],
      },
    });
    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: meta,
      spec: {
        selector: { matchLabels: componentSelector(name) },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString("10%") } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // node-exporter never talks to the API server.
            automountServiceAccountToken: false,
            priorityClassName: "system-node-critical",
            hostNetwork: true,
            hostPid: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            tolerations: [{ operator: "Exists" }],
            nodeSelector: { "kubernetes.io/os": "linux" },
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsUser: NOBODY, runAsGroup: NOBODY, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                args: [
                  `--web.listen-address=:${NODE_EXPORTER.port}`,
                  "--path.procfs=/host/proc",
                  "--path.sysfs=/host/sys",
                  "--path.rootfs=/host/root",
                  "--path.udev.data=/host/root/run/udev/data",
                  "--no-collector.wifi",
                  "--no-collector.hwmon",
                  "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/containerd/.+|var/lib/kubelet/pods/.+)($|/)",
                  "--collector.netclass.ignored-devices=^(veth.*|cali.*|lxc.*|[a-f0-9]{15})$",
                  "--collector.netdev.device-exclude=^(veth.*|cali.*|lxc.*|[a-f0-9]{15})$",
                ],
                ports: [{ name: NODE_EXPORTER.portName, containerPort: NODE_EXPORTER.port, hostPort: NODE_EXPORTER.port, protocol: "TCP" }],
                resources: toResourceRequirements(settings.resources),
                readinessProbe: httpProbe("/", NODE_EXPORTER.portName, { initialDelaySeconds: 0, periodSeconds: 10 }),
                livenessProbe: httpProbe("/", NODE_EXPORTER.portName, { initialDelaySeconds: 10, periodSeconds: 20 }),
                securityContext: unprivilegedContainerSecurity(NOBODY),
                volumeMounts: [
                  { name: "proc", mountPath: "/host/proc", readOnly: true },
                  { name: "sys", mountPath: "/host/sys", readOnly: true },
                  { name: "root", mountPath: "/host/root", readOnly: true, mountPropagation: "HostToContainer" },
                ],
              },
            ],
            volumes: [
              { name: "proc", hostPath: { path: "/proc", type: "Directory" } },
              { name: "sys", hostPath: { path: "/sys", type: "Directory" } },
              { name: "root", hostPath: { path: "/", type: "Directory" } },
            ],
          },
        },
      },
    });
  }
}
