// Owns the Cilium agent DaemonSet: one pod per node in the host network with upstream's unprivileged setup (explicit
// capabilities; only the bpf mount step is privileged), its init steps, host mounts and health probes, after the
// upstream chart of the release's Cilium minor (1.17.18, or 1.19 from Cilium 1.19 on: see agentOf119).
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import { fixedResources, httpGetProbe, resources } from "../common/workload";
import { AGENT_HEALTH_PORT, AGENT_METRICS_PORT } from "./cilium-config";
import type { CiliumRelease, ResolvedCniSettings } from "./settings";

export interface CiliumAgentProps {
  readonly generation: ResolvedGeneration;
  readonly settings: ResolvedCniSettings;
  /** The Cilium release: its image, and the chart (1.17 or 1.19) the DaemonSet follows. */
  readonly release: CiliumRelease;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
}

const SELINUX: k8s.SeLinuxOptions = { level: "s0", type: "spc_t" };
const HOST_BIN = "/opt/cni/bin";
const CGROUP_ROOT = "/run/cilium/cgroupv2";

/** A container security context with upstream's explicit capability set instead of `privileged`. */
function capabilities(add: string[]): k8s.SecurityContext {
  return {
    seLinuxOptions: SELINUX,
    capabilities: { add, drop: ["ALL"] },
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: false,
    runAsNonRoot: false,
    runAsUser: 0,
  };
}

/** Where the agent reaches the API server: the generation's endpoint, so it does not depend on kube-proxy. */
function apiServerEnv(generation: ResolvedGeneration): k8s.EnvVar[] {
  return [
    { name: "KUBERNETES_SERVICE_HOST", value: generation.apiEndpoint },
    { name: "KUBERNETES_SERVICE_PORT", value: String(generation.apiPort) },
  ];
}

const nodeEnv: k8s.EnvVar[] = [
  { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
  { name: "CILIUM_K8S_NAMESPACE", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } } },
];

const healthHeaders = [{ name: "brief", value: "true" }];

const AGENT_CAPABILITIES = [
  "CHOWN",
  "KILL",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "SYS_MODULE",
  "SYS_ADMIN",
  "SYS_RESOURCE",
  "DAC_OVERRIDE",
  "FOWNER",
  "SETGID",
  "SETUID",
];

/**
 * Where the Cilium 1.19 chart's agent DaemonSet (install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml and
 * values.yaml of cilium-1.19.6.tgz in cilium/charts) differs from the 1.17.18 one for these settings.
 */
function agentOf119(release: CiliumRelease) {
  const v119 = release.minor >= 19;
  return {
    // The pod annotation kubectl.kubernetes.io/default-container, added unconditionally.
    annotations: (v119 ? { "kubectl.kubernetes.io/default-container": "cilium-agent" } : {}) as Record<string, string>,
    // The init scripts run under bash instead of sh.
    shell: v119 ? "bash" : "sh",
    // The config init container gets a security context: NET_ADMIN, everything else dropped.
    configCapabilities: v119 ? ["NET_ADMIN"] : [],
    // securityContext.capabilities.ciliumAgent gains SYSLOG.
    agentCapabilities: v119 ? [...AGENT_CAPABILITIES, "SYSLOG"] : AGENT_CAPABILITIES,
    // The health port is declared as a named container port ("health") and the probes use its name.
    probePort: v119 ? "health" : AGENT_HEALTH_PORT,
    healthPorts: v119 ? [{ name: "health", containerPort: AGENT_HEALTH_PORT, hostPort: AGENT_HEALTH_PORT, protocol: "TCP" }] : [],
    // startupProbe.failureThreshold: 105 -> 300 (up to 600 s to start).
    startupFailureThreshold: v119 ? 300 : 105,
    // k8sClientExponentialBackoff (enabled, base 1 s, max 120 s): client-go backoff through the environment.
    backoffEnv: v119
      ? [
          { name: "KUBE_CLIENT_BACKOFF_BASE", value: "1" },
          { name: "KUBE_CLIENT_BACKOFF_DURATION", value: "120" },
        ]
      : [],
  };
}

export class CiliumAgent extends Construct {
  constructor(scope: Construct, id: string, props: CiliumAgentProps) {
    super(scope, id);
    const { generation, settings, release } = props;
    const image = release.image;
    const v119 = agentOf119(release);
    const initResources = fixedResources("10m", "16Mi", "500m", "128Mi");
    const hostPath = (name: string, path: string, type?: string): k8s.Volume => ({ name, hostPath: { path, ...(type ? { type } : {}) } });

    new k8s.KubeDaemonSet(this, "daemon-set", {
      metadata: { name: "cilium", namespace: props.namespace, labels: props.labels },
      spec: {
        selector: { matchLabels: props.selector },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(2) } },
        template: {
          metadata: {
            labels: props.labels,
            annotations: {
              "prometheus.io/scrape": "true",
              "prometheus.io/port": String(AGENT_METRICS_PORT),
              // As upstream: outside AppArmor confinement (the annotation form; cdk8s-plus-27's types predate the
              // appArmorProfile field, and the API server maps the annotation onto it). Flatcar does not use AppArmor.
              ...Object.fromEntries(
                ["cilium-agent", "clean-cilium-state", "mount-cgroup", "apply-sysctl-overwrites"].map((c) => [
                  `container.apparmor.security.beta.kubernetes.io/${c}`,
                  "unconfined",
                ]),
              ),
              ...v119.annotations,
            },
          },
          spec: {
            priorityClassName: "system-node-critical",
            serviceAccountName: props.serviceAccount,
            automountServiceAccountToken: true,
            hostNetwork: true,
            // Resolve through the node (the VPC resolver answers the private API name), never through the cluster DNS:
            // CoreDNS needs the pod network this agent provides, so ClusterFirstWithHostNet deadlocks a new cluster
            // (issue 11). Upstream's chart sets no dnsPolicy (values.yaml `dnsPolicy: ""`; ClusterFirstWithHostNet only
            // with managed etcd: install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml in cilium/cilium at
            // 02515d1e12e7023ae3b799785f2b5731effd3308), and the kubelet turns ClusterFirst into Default for host-network
            // pods (kubernetes/kubernetes pkg/kubelet/network/dns/dns.go getPodDNSType); we state Default outright.
            dnsPolicy: "Default",
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 1,
            nodeSelector: { "kubernetes.io/os": "linux" },
            // The CNI must run on every node, whatever its taints (including not-ready and uninitialized).
            tolerations: [{ operator: "Exists" }],
            securityContext: { seccompProfile: { type: "Unconfined" } },
            initContainers: [
              {
                name: "config",
                image,
                imagePullPolicy: "IfNotPresent",
                command: ["cilium-dbg", "build-config"],
                env: [...nodeEnv, ...apiServerEnv(generation)],
                resources: initResources,
                securityContext: capabilities(v119.configCapabilities),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
              {
                // Mounts the cgroup2 filesystem on the host, entering its namespaces with a static helper binary.
                name: "mount-cgroup",
                image,
                imagePullPolicy: "IfNotPresent",
                env: [
                  { name: "CGROUP_ROOT", value: CGROUP_ROOT },
                  { name: "BIN_PATH", value: HOST_BIN },
                ],
                command: [
                  v119.shell,
                  "-ec",
                  'cp /usr/bin/cilium-mount /hostbin/cilium-mount;\nnsenter --cgroup=/hostproc/1/ns/cgroup --mount=/hostproc/1/ns/mnt "${BIN_PATH}/cilium-mount" $CGROUP_ROOT;\nrm /hostbin/cilium-mount\n',
                ],
                resources: initResources,
                securityContext: capabilities(["SYS_ADMIN", "SYS_CHROOT", "SYS_PTRACE"]),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [
                  { name: "hostproc", mountPath: "/hostproc" },
                  { name: "cni-path", mountPath: "/hostbin" },
                ],
              },
              {
                name: "apply-sysctl-overwrites",
                image,
                imagePullPolicy: "IfNotPresent",
                env: [{ name: "BIN_PATH", value: HOST_BIN }],
                command: [
                  v119.shell,
                  "-ec",
                  'cp /usr/bin/cilium-sysctlfix /hostbin/cilium-sysctlfix;\nnsenter --mount=/hostproc/1/ns/mnt "${BIN_PATH}/cilium-sysctlfix";\nrm /hostbin/cilium-sysctlfix\n',
                ],
                resources: initResources,
                securityContext: capabilities(["SYS_ADMIN", "SYS_CHROOT", "SYS_PTRACE"]),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [
                  { name: "hostproc", mountPath: "/hostproc" },
                  { name: "cni-path", mountPath: "/hostbin" },
                ],
              },
              {
                // Bidirectional mount propagation is only allowed to privileged containers: this one step is privileged.
                name: "mount-bpf-fs",
                image,
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/bash", "-c", "--"],
                args: ['mount | grep "/sys/fs/bpf type bpf" || mount -t bpf bpf /sys/fs/bpf'],
                resources: initResources,
                securityContext: {
                  privileged: true,
                  allowPrivilegeEscalation: true,
                  runAsUser: 0,
                  runAsNonRoot: false,
                  readOnlyRootFilesystem: true,
                },
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [{ name: "bpf-maps", mountPath: "/sys/fs/bpf", mountPropagation: "Bidirectional" }],
              },
              {
                name: "clean-cilium-state",
                image,
                imagePullPolicy: "IfNotPresent",
                command: ["/init-container.sh"],
                env: [
                  {
                    name: "CILIUM_ALL_STATE",
                    valueFrom: { configMapKeyRef: { name: "cilium-config", key: "clean-cilium-state", optional: true } },
                  },
                  {
                    name: "CILIUM_BPF_STATE",
                    valueFrom: { configMapKeyRef: { name: "cilium-config", key: "clean-cilium-bpf-state", optional: true } },
                  },
                  ...apiServerEnv(generation),
                ],
                resources: initResources,
                securityContext: capabilities(["NET_ADMIN", "SYS_MODULE", "SYS_ADMIN", "SYS_RESOURCE"]),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [
                  { name: "bpf-maps", mountPath: "/sys/fs/bpf" },
                  { name: "cilium-cgroup", mountPath: CGROUP_ROOT, mountPropagation: "HostToContainer" },
                  { name: "cilium-run", mountPath: "/var/run/cilium" },
                ],
              },
              {
                // Installs the CNI plugin binaries, so the agent itself needs no writable host binary mount.
                name: "install-cni-binaries",
                image,
                imagePullPolicy: "IfNotPresent",
                command: ["/install-plugin.sh"],
                resources: fixedResources("100m", "10Mi", "500m", "128Mi"),
                securityContext: {
                  seLinuxOptions: SELINUX,
                  capabilities: { drop: ["ALL"] },
                  allowPrivilegeEscalation: false,
                  privileged: false,
                },
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [{ name: "cni-path", mountPath: "/host/opt/cni/bin" }],
              },
            ],
            containers: [
              {
                name: "cilium-agent",
                image,
                imagePullPolicy: "IfNotPresent",
                command: ["cilium-agent"],
                args: ["--config-dir=/tmp/cilium/config-map"],
                startupProbe: httpGetProbe(
                  "/healthz",
                  v119.probePort,
                  { periodSeconds: 2, failureThreshold: v119.startupFailureThreshold },
                  { host: "127.0.0.1", headers: healthHeaders },
                ),
                livenessProbe: httpGetProbe(
                  "/healthz",
                  v119.probePort,
                  { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 10 },
                  { host: "127.0.0.1", headers: [...healthHeaders, { name: "require-k8s-connectivity", value: "false" }] },
                ),
                readinessProbe: httpGetProbe(
                  "/healthz",
                  v119.probePort,
                  { periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                  { host: "127.0.0.1", headers: healthHeaders },
                ),
                env: [
                  ...nodeEnv,
                  {
                    name: "GOMEMLIMIT",
                    valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: k8s.Quantity.fromString("1") } },
                  },
                  ...apiServerEnv(generation),
                  ...v119.backoffEnv,
                ],
                lifecycle: { preStop: { exec: { command: ["/cni-uninstall.sh"] } } },
                ports: [
                  ...v119.healthPorts,
                  { name: "prometheus", containerPort: AGENT_METRICS_PORT, hostPort: AGENT_METRICS_PORT, protocol: "TCP" },
                ],
                resources: resources(settings.resources),
                securityContext: capabilities(v119.agentCapabilities),
                terminationMessagePolicy: "FallbackToLogsOnError",
                volumeMounts: [
                  // Unprivileged containers write host sysctls through these mounts.
                  { name: "host-proc-sys-net", mountPath: "/host/proc/sys/net" },
                  { name: "host-proc-sys-kernel", mountPath: "/host/proc/sys/kernel" },
                  { name: "bpf-maps", mountPath: "/sys/fs/bpf", mountPropagation: "HostToContainer" },
                  { name: "cilium-run", mountPath: "/var/run/cilium" },
                  { name: "etc-cni-netd", mountPath: "/host/etc/cni/net.d" },
                  { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                  { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: {} },
              hostPath("cilium-run", "/var/run/cilium", "DirectoryOrCreate"),
              hostPath("bpf-maps", "/sys/fs/bpf", "DirectoryOrCreate"),
              hostPath("hostproc", "/proc", "Directory"),
              hostPath("cilium-cgroup", CGROUP_ROOT, "DirectoryOrCreate"),
              hostPath("cni-path", HOST_BIN, "DirectoryOrCreate"),
              hostPath("etc-cni-netd", "/etc/cni/net.d", "DirectoryOrCreate"),
              hostPath("lib-modules", "/lib/modules"),
              hostPath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
              hostPath("host-proc-sys-net", "/proc/sys/net", "Directory"),
              hostPath("host-proc-sys-kernel", "/proc/sys/kernel", "Directory"),
            ],
          },
        },
      },
    });
  }
}
