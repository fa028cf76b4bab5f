// Owns the approver of kubelet serving-certificate requests (postfinance/kubelet-csr-approver): with kubelets that
// request CA-signed serving certificates (`serverTLSBootstrap`), it approves only those for this generation's nodes
// (EC2 private DNS names, addresses in the VPC), so metrics-server can verify the kubelets it scrapes.
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { grantClusterRole } from "../common/rbac";
import type { ResolvedGeneration } from "../../definition/resolve";
import { addonLabels, CONTROL_PLANE_TOLERATIONS, fixedResources, httpGetProbe, restrictedSecurityContext } from "../common/workload";

export interface KubeletServingApproverProps {
  readonly generation: ResolvedGeneration;
  readonly namespace: string;
  readonly image: string;
}

export const APPROVER_NAME = "kubelet-serving-approver";
const HEALTH_PORT = 8081;
const METRICS_PORT = 8080;

/** The names EC2 gives instances of the generation's region (IP-based or resource-based), as kubelet registers them. */
export function nodeNameRegex(region: string): string {
  const domain = region === "us-east-1" ? "ec2\\.internal" : `${region}\\.compute\\.internal`;
  return `^(ip-[0-9]+(-[0-9]+){3}|i-[0-9a-f]+)\\.${domain}$`;
}

export class KubeletServingApprover extends Construct {
  constructor(scope: Construct, id: string, props: KubeletServingApproverProps) {
    super(scope, id);
    const { generation, namespace, image } = props;
    const selector = { "k8s-app": APPROVER_NAME };
    const labels = addonLabels(APPROVER_NAME, "metrics-server", image, selector);
    const meta = { name: APPROVER_NAME, namespace, labels };

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: true });
    grantClusterRole(this, {
      roleName: `immutable-clusters:${APPROVER_NAME}`,
      labels,
      rules: [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
        {
          apiGroups: ["certificates.k8s.io"],
          resources: ["signers"],
          resourceNames: ["kubernetes.io/kubelet-serving"],
          verbs: ["approve"],
        },
      ],
      serviceAccount: { name: APPROVER_NAME, namespace: namespace },
    });
    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: APPROVER_NAME,
            automountServiceAccountToken: true,
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [...CONTROL_PLANE_TOLERATIONS, { key: "CriticalAddonsOnly", operator: "Exists" }],
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "approver",
                image,
                imagePullPolicy: "IfNotPresent",
                args: ["-metrics-bind-address", `:${METRICS_PORT}`, "-health-probe-bind-address", `:${HEALTH_PORT}`],
                env: [
                  { name: "PROVIDER_REGEX", value: nodeNameRegex(generation.region) },
                  { name: "PROVIDER_IP_PREFIXES", value: generation.cluster.network.vpcCidr },
                ],
                ports: [
                  { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
                  { name: "health", containerPort: HEALTH_PORT, protocol: "TCP" },
                ],
                livenessProbe: httpGetProbe("/healthz", "health", { initialDelaySeconds: 5, periodSeconds: 20 }),
                readinessProbe: httpGetProbe("/readyz", "health", { periodSeconds: 10 }),
                resources: fixedResources("20m", "32Mi", "500m", "128Mi"),
                securityContext: restrictedSecurityContext(65532),
              },
            ],
          },
        },
      },
    });
  }
}
