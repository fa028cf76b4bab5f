// Owns the text of fluent-bit's configuration (classic format): service with health check and the node's filesystem
// buffer, container logs and the kubelet/containerd journal, the Kubernetes metadata filter, the one chosen output.
import type { ResolvedLoggingOutput, ResolvedLoggingSettings } from "./settings";

/** Paths inside the fluent-bit container; the chart mounts the host directories there. */
export const FLUENT_BIT_PATHS = {
  /** The ConfigMap's mount point. */
  config: "/fluent-bit/config",
  /** Host directory that keeps tail offsets and the filesystem buffer across restarts. */
  state: "/var/lib/fluent-bit",
  /** Host log directory (container logs are symlinks into /var/log/pods). */
  logs: "/var/log",
} as const;

/** The HTTP port of fluent-bit's monitoring server (health, metrics). */
export const FLUENT_BIT_HTTP_PORT = 2020;

/** Environment variables the config references; the chart sets them on the container. */
export const FLUENT_BIT_ENV = { nodeName: "NODE_NAME", searchUser: "SEARCH_USERNAME", searchPassword: "SEARCH_PASSWORD" } as const;

type Section = readonly [string, ReadonlyArray<readonly [string, string | number]>];

function renderSection([name, entries]: Section): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return [`[${name}]`, ...entries.map(([key, value]) => `    ${key.padEnd(width)} ${value}`)].join("\n");
}

const onOff = (value: boolean) => (value ? "On" : "Off");

function serviceSection(settings: ResolvedLoggingSettings): Section {
  return [
    "SERVICE",
    [
      ["Daemon", "Off"],
      ["Flush", 1],
      ["Log_Level", settings.logLevel],
      ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
      ["HTTP_Server", "On"],
      ["HTTP_Listen", "0.0.0.0"],
      ["HTTP_Port", FLUENT_BIT_HTTP_PORT],
      // /api/v1/health turns unhealthy after 5 errors or 5 failed retries within a minute: the liveness probe restarts the pod.
      ["Health_Check", "On"],
      ["HC_Errors_Count", 5],
      ["HC_Retry_Failure_Count", 5],
      ["HC_Period", 60],
      ["storage.path", `${FLUENT_BIT_PATHS.state}/buffer/`],
      ["storage.sync", "normal"],
      ["storage.checksum", "Off"],
      ["storage.backlog.mem_limit", "16M"],
      ["storage.metrics", "On"],
    ],
  ];
}

function tailInput(settings: ResolvedLoggingSettings): Section {
  return [
    "INPUT",
    [
      ["Name", "tail"],
      ["Tag", "kube.*"],
      ["Path", `${FLUENT_BIT_PATHS.logs}/containers/*.log`],
      // With the stdout output, reading our own logs would loop every record back through fluent-bit.
      ...(settings.output.type === "stdout"
        ? ([["Exclude_Path", `${FLUENT_BIT_PATHS.logs}/containers/fluent-bit-*_logging_*.log`]] as const)
        : []),
      ["multiline.parser", "cri"],
      ["DB", `${FLUENT_BIT_PATHS.state}/tail-containers.db`],
      ["DB.locking", "true"],
      ["Mem_Buf_Limit", settings.memBufLimit],
      ["storage.type", "filesystem"],
      ["Skip_Long_Lines", "On"],
      ["Refresh_Interval", 10],
    ],
  ];
}

/** The kubelet's and containerd's journal on the node (Flatcar keeps a persistent journal under /var/log/journal). */
function nodeJournalInput(settings: ResolvedLoggingSettings): Section {
  return [
    "INPUT",
    [
      ["Name", "systemd"],
      ["Tag", "node.*"],
      ["Path", `${FLUENT_BIT_PATHS.logs}/journal`],
      ["Systemd_Filter", "_SYSTEMD_UNIT=kubelet.service"],
      ["Systemd_Filter", "_SYSTEMD_UNIT=containerd.service"],
      ["Read_From_Tail", "On"],
      ["Strip_Underscores", "On"],
      ["DB", `${FLUENT_BIT_PATHS.state}/systemd-journal.db`],
      ["Mem_Buf_Limit", settings.memBufLimit],
      ["storage.type", "filesystem"],
    ],
  ];
}

/**
 * The API server's audit log on control-plane nodes (kube-apiserver --audit-log-path, constructs/ignition/kubeadm-config.ts;
 * one JSON event per line, rotated by the API server itself); on workers the path matches nothing. Parsed by the "json"
 * parser of the image's parsers.conf (fluent/fluent-bit conf/parsers.conf) so
 * the outputs receive the audit event's fields.
 */
export const AUDIT_LOG_PATH = "/var/log/kubernetes/audit/*.log";

function auditLogInput(settings: ResolvedLoggingSettings): Section {
  return [
    "INPUT",
    [
      ["Name", "tail"],
      ["Tag", "audit.*"],
      ["Path", AUDIT_LOG_PATH],
      ["Parser", "json"],
      ["DB", `${FLUENT_BIT_PATHS.state}/tail-audit.db`],
      ["DB.locking", "true"],
      ["Mem_Buf_Limit", settings.memBufLimit],
      ["storage.type", "filesystem"],
      ["Skip_Long_Lines", "On"],
      ["Refresh_Interval", 10],
    ],
  ];
}

function kubernetesFilter(): Section {
  return [
    "FILTER",
    [
      ["Name", "kubernetes"],
      ["Match", "kube.*"],
      ["Kube_URL", "https://kubernetes.default.svc:443"],
      ["Kube_CA_File", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"],
      ["Kube_Token_File", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
      ["Kube_Tag_Prefix", "kube.var.log.containers."],
      ["Merge_Log", "On"],
      ["Keep_Log", "Off"],
      ["K8S-Logging.Parser", "On"],
      ["K8S-Logging.Exclude", "On"],
      ["Labels", "On"],
      ["Annotations", "Off"],
      ["Buffer_Size", 0],
    ],
  ];
}

function clusterFilter(clusterName: string): Section {
  return [
    "FILTER",
    [
      ["Name", "record_modifier"],
      ["Match", "*"],
      ["Record", `cluster ${clusterName}`],
    ],
  ];
}

function output(out: ResolvedLoggingOutput, ctx: { clusterName: string; region: string; bufferLimit: string }): Section {
  const common: Array<readonly [string, string | number]> = [
    ["Match", "*"],
    ["Retry_Limit", "False"],
    ["storage.total_limit_size", ctx.bufferLimit],
  ];
  switch (out.type) {
    case "stdout":
      return ["OUTPUT", [["Name", "stdout"], ["Format", "json_lines"], ...common]];
    case "cloudwatch":
      return [
        "OUTPUT",
        [
          ["Name", "cloudwatch_logs"],
          ...common,
          ["region", out.region ?? ctx.region],
          ["log_group_name", cloudWatchLogGroup(out, ctx.clusterName)],
          ["log_stream_prefix", `\${${FLUENT_BIT_ENV.nodeName}}.`],
          ["auto_create_group", onOff(out.autoCreateGroup)],
        ],
      ];
    case "elasticsearch":
    case "opensearch":
      return [
        "OUTPUT",
        [
          ["Name", out.type === "opensearch" ? "opensearch" : "es"],
          ...common,
          ["Host", out.host],
          ["Port", out.port],
          ["Index", out.index],
          ["Suppress_Type_Name", "On"],
          ["Replace_Dots", "On"],
          ["Trace_Error", "On"],
          ["tls", onOff(out.tls)],
          ["tls.verify", onOff(out.tlsVerify)],
          ...(out.type === "opensearch" && out.awsAuth
            ? ([
                ["AWS_Auth", "On"],
                ["AWS_Region", ctx.region],
              ] as const)
            : []),
          ...(out.credentialsSecret
            ? ([
                ["HTTP_User", `\${${FLUENT_BIT_ENV.searchUser}}`],
                ["HTTP_Passwd", `\${${FLUENT_BIT_ENV.searchPassword}}`],
              ] as const)
            : []),
        ],
      ];
    case "loki": {
      const labels = { job: "fluent-bit", cluster: ctx.clusterName, ...out.labels };
      const labelText = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .concat(["namespace=$kubernetes['namespace_name']", "pod=$kubernetes['pod_name']", "container=$kubernetes['container_name']"])
        .join(", ");
      return [
        "OUTPUT",
        [
          ["Name", "loki"],
          ...common,
          ["Host", out.host],
          ["Port", out.port],
          ["tls", onOff(out.tls)],
          ["labels", labelText],
          ["line_format", "json"],
          ...(out.tenantId ? ([["tenant_id", out.tenantId]] as const) : []),
        ],
      ];
    }
  }
}

/** The CloudWatch log group an output writes to. */
export function cloudWatchLogGroup(out: { readonly logGroup?: string }, clusterName: string): string {
  return out.logGroup ?? `/immutable-clusters/${clusterName}/containers`;
}

/** The complete `fluent-bit.conf` of a generation. */
export function renderFluentBitConfig(settings: ResolvedLoggingSettings, ctx: { clusterName: string; region: string }): string {
  const sections: Section[] = [
    serviceSection(settings),
    tailInput(settings),
    nodeJournalInput(settings),
    auditLogInput(settings),
    kubernetesFilter(),
    clusterFilter(ctx.clusterName),
    output(settings.output, { ...ctx, bufferLimit: settings.bufferLimit }),
  ];
  return sections.map(renderSection).join("\n\n") + "\n";
}
