// Owns the cluster-autoscaler addon's manifests: its ServiceAccount, the RBAC of upstream's AWS example manifest, and
// the Deployment on the control plane that discovers the generation's autoscaled pools by their Auto Scaling group tags.
// Upstream: kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml at
// 71612d68 (RBAC, flags, security context) and cluster-autoscaler-run-on-control-plane.yaml at abe3e86e (placement).
import { Chart } from "cdk8s";
import { k8s } from "../../platform/k8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import {
  addonLabels,
  CONTROL_PLANE_NODE_SELECTOR,
  CONTROL_PLANE_TOLERATIONS,
  httpGetProbe,
  resources,
  restrictedSecurityContext,
} from "../common/workload";
import { autoDiscoverySpec } from "./asg-tags";
import { clusterAutoscalerRelease, type ResolvedClusterAutoscalerSettings } from "./settings";

export interface ClusterAutoscalerChartProps {
  /** The generation whose autoscaled pools it scales (discovered by `k8s.io/cluster-autoscaler/<fullName>`). */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.clusterAutoscaler`. */
  readonly settings: ResolvedClusterAutoscalerSettings;
}

const NAMESPACE = "kube-system";
const NAME = "cluster-autoscaler";
/** `--address` default ":8085" (cluster-autoscaler/config/flags/flags.go at cluster-autoscaler-1.35.2): metrics and /health-check. */
const METRICS_PORT = 8085;
/** The image's user: gcr.io/distroless/static:nonroot (cluster-autoscaler/Dockerfile); upstream's example runs as 65534. */
const USER = 65534;

/** The command line of a generation's cluster-autoscaler (flags: cluster-autoscaler/main.go and config/flags/flags.go). */
export function clusterAutoscalerCommand(generation: ResolvedGeneration): string[] {
  return [
    // The image's binary (cluster-autoscaler/Dockerfile: COPY ... /cluster-autoscaler).
    "/cluster-autoscaler",
    "--cloud-provider=aws",
    `--namespace=${NAMESPACE}`,
    // Both tags, so only this generation's autoscaled groups are found (README "Auto-Discovery Setup").
    `--node-group-auto-discovery=${autoDiscoverySpec(generation.fullName)}`,
    // least-waste is the default from 1.35 on and random before: set, so every minor picks groups alike.
    "--expander=least-waste",
    // As upstream's examples: emptyDir scratch space (metrics-server's /tmp, for one) does not pin a node forever.
    "--skip-nodes-with-local-storage=false",
    `--address=:${METRICS_PORT}`,
    // klog flags as upstream's examples set them, at a quieter level (--v=4 there).
    "--stderrthreshold=info",
    "--v=2",
  ];
}

export class ClusterAutoscalerChart extends Chart {
  constructor(scope: Construct, id: string, props: ClusterAutoscalerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const release = clusterAutoscalerRelease(settings, generation.kubernetesVersion);
    const selector = { "k8s-app": NAME };
    const labels = addonLabels(NAME, NAME, release.image, selector);
    const meta = { name: NAME, namespace: NAMESPACE, labels };
    const rbac = "rbac.authorization.k8s.io";
    const subjects = [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }];
    const read = ["watch", "list", "get"];

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: true });
    // Upstream's ClusterRole, less the `extensions` API group (no supported Kubernetes serves replicasets, daemonsets or
    // jobs there: https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16), and resource.k8s.io only for
    // a release that always handles Dynamic Resource Allocation.
    new k8s.KubeClusterRole(this, "cluster-role", {
      metadata: { name: NAME, labels },
      rules: [
        { apiGroups: [""], resources: ["events", "endpoints"], verbs: ["create", "patch"] },
        { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
        { apiGroups: [""], resources: ["endpoints"], resourceNames: [NAME], verbs: ["get", "update"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["watch", "list", "get", "update"] },
        {
          apiGroups: [""],
          resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"],
          verbs: read,
        },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["watch", "list"] },
        { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: read },
        {
          apiGroups: ["storage.k8s.io"],
          resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
          verbs: read,
        },
        ...(release.handlesDra
          ? [{ apiGroups: ["resource.k8s.io"], resources: ["deviceclasses", "resourceslices", "resourceclaims"], verbs: read }]
          : []),
        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "patch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [NAME], verbs: ["get", "update"] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, "cluster-role-binding", {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: NAME },
      subjects,
    });
    new k8s.KubeRole(this, "role", {
      metadata: meta,
      rules: [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
        {
          apiGroups: [""],
          resources: ["configmaps"],
          resourceNames: ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"],
          verbs: ["delete", "get", "update", "watch"],
        },
      ],
    });
    new k8s.KubeRoleBinding(this, "role-binding", {
      metadata: meta,
      roleRef: { apiGroup: rbac, kind: "Role", name: NAME },
      subjects,
    });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        // One replica as upstream's examples: it acts only as the elected leader, and a replacement resumes the work.
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            // The controller role's credentials come from the instance metadata service, whose hop limit (1, in
            // node-launch-template.ts) reaches only the host network. It resolves AWS endpoints through the node
            // (dnsPolicy Default) and reaches the API by the kubernetes Service, so it needs neither CoreDNS nor the
            // pod network.
            hostNetwork: true,
            dnsPolicy: "Default",
            nodeSelector: { ...CONTROL_PLANE_NODE_SELECTOR, "kubernetes.io/os": "linux" },
            tolerations: [...CONTROL_PLANE_TOLERATIONS, { key: "CriticalAddonsOnly", operator: "Exists" }],
            securityContext: { runAsNonRoot: true, runAsUser: USER, runAsGroup: USER, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: release.image,
                imagePullPolicy: "IfNotPresent",
                command: clusterAutoscalerCommand(generation),
                // The AWS SDK's region, as in README "Using AWS Credentials".
                env: [{ name: "AWS_REGION", value: generation.region }],
                ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
                // /health-check (main.go) fails once the main loop has not run for --max-inactivity (default 10m,
                // config/flags/flags.go at cluster-autoscaler-1.35.2): the kubelet restarts it.
                livenessProbe: httpGetProbe("/health-check", METRICS_PORT, {
                  initialDelaySeconds: 60,
                  periodSeconds: 30,
                  failureThreshold: 3,
                }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(USER),
              },
            ],
          },
        },
      },
    });
  }
}
