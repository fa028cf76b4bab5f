// Owns the coredns addon's manifests: CoreDNS as the cluster DNS (`kube-dns` Service at the generation's fixed DNS IP),
// its RBAC, Corefile, a spread-out Deployment with a PodDisruptionBudget, and the autoscaler that sizes it.
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import { grantClusterRole } from "../common/rbac";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { addonLabels, CONTROL_PLANE_TOLERATIONS, httpGetProbe, resources, restrictedSecurityContext } from "../common/workload";
import { CoreDnsAutoscaler } from "./autoscaler";
import { HEALTH_PORT, METRICS_PORT, READY_PORT, renderCorefile } from "./corefile";
import { coreDnsImage, type ResolvedCoreDnsSettings } from "./settings";

export interface CoreDnsChartProps {
  /** The generation whose cluster DNS this is (its `clusterDnsIp`). */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.coredns`. */
  readonly settings: ResolvedCoreDnsSettings;
}

const NAMESPACE = "kube-system";
const NAME = "coredns";
/** The Service name kubelet's `clusterDNS` and every tool expect. */
export const DNS_SERVICE_NAME = "kube-dns";
/** CoreDNS runs as this unprivileged user (the image's `nonroot`) and binds :53 via an unprivileged-port sysctl. */
const COREDNS_USER = 65532;

export class CoreDnsChart extends Chart {
  constructor(scope: Construct, id: string, props: CoreDnsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const selector = { "k8s-app": DNS_SERVICE_NAME };
    const image = coreDnsImage(settings, generation.kubernetesVersion);
    const labels = addonLabels(NAME, "coredns", image, selector);
    const meta = (name: string) => ({ name, namespace: NAMESPACE, labels });

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta(NAME), automountServiceAccountToken: true });
    grantClusterRole(this, {
      roleName: "system:coredns",
      labels,
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
      serviceAccount: { name: NAME, namespace: NAMESPACE },
    });
    new k8s.KubeConfigMap(this, "corefile", { metadata: meta(NAME), data: { Corefile: renderCorefile(settings) } });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta(NAME),
      spec: {
        // The initial size; cluster-proportional-autoscaler owns it afterwards.
        replicas: settings.replicas.min,
        revisionHistoryLimit: 3,
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1), maxSurge: k8s.IntOrString.fromString("25%") },
        },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            // As kubeadm deploys CoreDNS (cmd/kubeadm/app/phases/addons/dns/manifests.go in kubernetes/kubernetes at
            // 008b3652959ca58af8be3fb5b6ecfe9ae7638282): resolve upstream through the node, and tolerate the
            // control-plane taint, so the cluster DNS can come up on the control plane before any worker has joined.
            // It tolerates neither not-ready nor uninitialized: it needs the pod network (see docs/addons.md, "Bring-up order").
            dnsPolicy: "Default",
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, ...CONTROL_PLANE_TOLERATIONS],
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: selector }, topologyKey: "kubernetes.io/hostname" },
                ],
              },
            },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              },
            ],
            securityContext: {
              runAsNonRoot: true,
              runAsUser: COREDNS_USER,
              runAsGroup: COREDNS_USER,
              seccompProfile: { type: "RuntimeDefault" },
              // A namespaced, "safe" sysctl: lets the unprivileged user bind port 53 without NET_BIND_SERVICE.
              sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "53" }],
            },
            containers: [
              {
                name: NAME,
                image,
                imagePullPolicy: "IfNotPresent",
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
                  { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
                  { name: "ready", containerPort: READY_PORT, protocol: "TCP" },
                ],
                livenessProbe: httpGetProbe("/health", "health", { initialDelaySeconds: 60, timeoutSeconds: 5, failureThreshold: 5 }),
                readinessProbe: httpGetProbe("/ready", "ready", { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(COREDNS_USER),
                volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config-volume", configMap: { name: NAME, items: [{ key: "Corefile", path: "Corefile" }] } }],
          },
        },
      },
    });

    new k8s.KubeService(this, "service", {
      metadata: {
        name: DNS_SERVICE_NAME,
        namespace: NAMESPACE,
        labels: { ...labels, "kubernetes.io/name": "CoreDNS" },
        annotations: { "prometheus.io/port": String(METRICS_PORT), "prometheus.io/scrape": "true" },
      },
      spec: {
        type: "ClusterIP",
        clusterIp: generation.clusterDnsIp,
        selector,
        ports: [
          { name: "dns", port: 53, targetPort: k8s.IntOrString.fromString("dns"), protocol: "UDP" },
          { name: "dns-tcp", port: 53, targetPort: k8s.IntOrString.fromString("dns-tcp"), protocol: "TCP" },
          { name: "metrics", port: METRICS_PORT, targetPort: k8s.IntOrString.fromString("metrics"), protocol: "TCP" },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: meta(NAME),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    new CoreDnsAutoscaler(this, "autoscaler", { namespace: NAMESPACE, target: NAME, settings });
  }
}
