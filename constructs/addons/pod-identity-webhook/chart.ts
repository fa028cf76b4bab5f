// Owns the pod identity webhook addon's manifests: its ServiceAccount and RBAC, the Deployment on the control plane,
// its Service, PodDisruptionBudget and the MutatingWebhookConfiguration. The serving certificate is not here: the
// control plane creates the Secret and sets the configuration's caBundle (pod-identity-webhook-cert.sh), so no key is
// in any synthesized file.
// Upstream: aws/amazon-eks-pod-identity-webhook deploy/ (auth.yaml and deployment-base.yaml at b19c295a,
// mutatingwebhook.yaml at d3d1b4cb) and main.go at e326abfd (flags and defaults); placement and replicas as kOps ships it
// (kubernetes/kops upup/models/cloudup/resources/addons/eks-pod-identity-webhook.addons.k8s.io/k8s-1.16.yaml.template
// at 99b3ad76).
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
import type { ResolvedPodIdentityWebhookSettings } from "./settings";

export interface PodIdentityWebhookChartProps {
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.podIdentityWebhook`. */
  readonly settings: ResolvedPodIdentityWebhookSettings;
}

export const POD_IDENTITY_WEBHOOK_NAMESPACE = "kube-system";
/** The name of the ServiceAccount, RBAC, Deployment, Service, PDB and MutatingWebhookConfiguration. */
export const POD_IDENTITY_WEBHOOK_NAME = "pod-identity-webhook";
/** The kubernetes.io/tls Secret the control plane creates (pod-identity-webhook-cert.sh); upstream's name. */
export const POD_IDENTITY_WEBHOOK_CERT_SECRET = "pod-identity-webhook-cert";
/** The webhook's entry in the configuration (upstream's name; pod-identity-webhook-cert.sh patches it by index 0). */
export const POD_IDENTITY_WEBHOOK_ENTRY = "pod-identity-webhook.amazonaws.com";
/** The annotation prefix: the webhook reads `<prefix>/role-arn` on the pod's ServiceAccount (main.go default). */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
/** HTTPS port of the webhook: above 1024, so the non-root container binds it without NET_BIND_SERVICE (default 443). */
const WEBHOOK_PORT = 8443;
/** `--metrics-port` default 9999 (main.go): plain HTTP /metrics and /healthz. */
const METRICS_PORT = 9999;
/** Where the Secret is mounted: main.go's --tls-cert/--tls-key defaults are /etc/webhook/certs/tls.{crt,key}. */
const CERT_DIR = "/etc/webhook/certs";
/** An unprivileged user (nobody); the image's /webhook needs no file it cannot read as any user. */
const USER = 65534;

/** The webhook's command line (flags: main.go at e326abfd). */
export function podIdentityWebhookCommand(generation: ResolvedGeneration): string[] {
  return [
    "/webhook",
    // Out-of-cluster TLS: serve the mounted certificate (certwatcher reloads it when the Secret changes); in-cluster
    // mode asks for a CSR with the legacy-unknown signer, which the v1 certificates API no longer signs (README "Note").
    "--in-cluster=false",
    `--namespace=${POD_IDENTITY_WEBHOOK_NAMESPACE}`,
    `--service-name=${POD_IDENTITY_WEBHOOK_NAME}`,
    `--port=${WEBHOOK_PORT}`,
    `--metrics-port=${METRICS_PORT}`,
    `--tls-cert=${CERT_DIR}/tls.crt`,
    `--tls-key=${CERT_DIR}/tls.key`,
    // The annotation the identity stack's roles are named in (docs/workload-identity.md), and the audience the roles'
    // trust policies require (constructs/cluster/workload-role.ts): both upstream's defaults, set so they are visible.
    "--annotation-prefix=eks.amazonaws.com",
    "--token-audience=sts.amazonaws.com",
    // AWS_REGION/AWS_DEFAULT_REGION of the generation, and AWS_STS_REGIONAL_ENDPOINTS=regional: the SDKs call the
    // region's STS endpoint, not the global one (as kOps sets both).
    `--aws-default-region=${generation.region}`,
    "--sts-regional-endpoint=true",
    "--logtostderr",
  ];
}

export class PodIdentityWebhookChart extends Chart {
  constructor(scope: Construct, id: string, props: PodIdentityWebhookChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { generation, settings } = props;
    const NAME = POD_IDENTITY_WEBHOOK_NAME;
    const NAMESPACE = POD_IDENTITY_WEBHOOK_NAMESPACE;
    const selector = { app: NAME };
    const labels = addonLabels(NAME, NAME, settings.image, selector);
    const meta = { name: NAME, namespace: NAMESPACE, labels };
    const subjects = [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }];

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta, automountServiceAccountToken: true });
    // deploy/auth.yaml: the ServiceAccounts it reads the role annotation from (an informer: get, watch, list). Its
    // Role on ConfigMaps serves only --watch-config-map, which this addon does not use.
    new k8s.KubeClusterRole(this, "cluster-role", {
      metadata: { name: NAME, labels },
      rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "watch", "list"] }],
    });
    new k8s.KubeClusterRoleBinding(this, "cluster-role-binding", {
      metadata: { name: NAME, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: NAME },
      subjects,
    });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        // Two, as kOps: one can restart or move while the other answers the API server.
        replicas: 2,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            // On the control plane, where the certificate is made, with kubeadm's taint tolerated.
            nodeSelector: { ...CONTROL_PLANE_NODE_SELECTOR, "kubernetes.io/os": "linux" },
            tolerations: [...CONTROL_PLANE_TOLERATIONS, { key: "CriticalAddonsOnly", operator: "Exists" }],
            // kOps' spread: one per controller when there are two or more, zones as far as possible.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              },
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: selector },
              },
            ],
            securityContext: { runAsNonRoot: true, runAsUser: USER, runAsGroup: USER, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                command: podIdentityWebhookCommand(generation),
                ports: [
                  { name: "https", containerPort: WEBHOOK_PORT, protocol: "TCP" },
                  { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
                ],
                // /healthz on the metrics port answers "ok" once the server runs (main.go metricsMux).
                readinessProbe: httpGetProbe("/healthz", METRICS_PORT, { initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 3 }),
                livenessProbe: httpGetProbe("/healthz", METRICS_PORT, { initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 }),
                resources: resources(settings.resources),
                securityContext: restrictedSecurityContext(USER),
                volumeMounts: [{ name: "cert", mountPath: CERT_DIR, readOnly: true }],
              },
            ],
            // The Secret appears once the control plane's timer made it; until then the pods wait in
            // ContainerCreating and pods are admitted unmutated (failurePolicy Ignore below).
            volumes: [{ name: "cert", secret: { secretName: POD_IDENTITY_WEBHOOK_CERT_SECRET } }],
          },
        },
      },
    });

    // deploy/service.yaml: 443 in front of the webhook, the port the API server calls by default.
    new k8s.KubeService(this, "service", {
      metadata: meta,
      spec: {
        selector,
        ports: [{ name: "https", port: 443, targetPort: k8s.IntOrString.fromNumber(WEBHOOK_PORT), protocol: "TCP" }],
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: meta,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    new k8s.KubeMutatingWebhookConfiguration(this, "webhook", {
      metadata: { name: NAME, labels },
      webhooks: [
        {
          name: POD_IDENTITY_WEBHOOK_ENTRY,
          // No caBundle: pod-identity-webhook-cert.sh sets it from the Secret it made on the control plane.
          clientConfig: { service: { name: NAME, namespace: NAMESPACE, path: "/mutate", port: 443 } },
          rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], scope: "*" }],
          // Ignore, as upstream's deploy/mutatingwebhook.yaml at d3d1b4cb (kOps' template at 99b3ad76 chose Fail): the
          // webhook serves only once its Secret exists and its pods run on the control plane; with Fail every pod
          // creation outside kube-system would be refused until then, and during any outage of both replicas. A pod
          // admitted unmutated gets no AWS credentials and fails its AWS calls visibly (the instance metadata hop
          // limit of 1 keeps it from the node's role); recreate it.
          failurePolicy: "Ignore",
          // kube-system is never mutated: its system pods (this webhook's own included) must start without it.
          namespaceSelector: {
            matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [NAMESPACE] }],
          },
          sideEffects: "None",
          timeoutSeconds: 10,
          // v1beta1 as upstream's deploy/mutatingwebhook.yaml (d3d1b4cb) and kOps: the webhook answers v1 reviews without the
          // response's apiVersion/kind, which the API server refuses (noted by sivchari/fjord internal/cluster/irsa.go
          // at fb2f6f6d for v0.6.17).
          admissionReviewVersions: ["v1beta1"],
        },
      ],
    });
  }
}
