// Tests of the logging and monitoring addons: the synthesized objects' key properties, every fluent-bit output,
// Prometheus scrape jobs pointing at the Services that exist, Grafana provisioning, no secret in the output, and
// settings errors that name the field.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdk8s";
import { parse } from "yaml";
import { LoggingChart } from "../constructs/addons/logging/chart";
import { loggingSettingsSchema } from "../constructs/addons/logging/settings";
import { MonitoringChart } from "../constructs/addons/monitoring/chart";
import { clusterDashboards } from "../constructs/addons/monitoring/grafana";
import { monitoringSettingsSchema } from "../constructs/addons/monitoring/settings";
import { synthesizeAddonObjects } from "../constructs/addons/render";
import { manifestProblems } from "../constructs/addons/validate";
import { resolveGeneration } from "../constructs/definition/resolve";
import { definitionProblems } from "../constructs/definition/validate";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const cluster = sampleCluster();
const generation = resolveGeneration(cluster, cluster.generations[0]);

function logging(input: unknown = {}): Obj[] {
  return Testing.synth(new LoggingChart(Testing.app(), "logging", { generation, settings: loggingSettingsSchema.parse(input) }));
}
function monitoring(input: unknown = {}): Obj[] {
  return Testing.synth(new MonitoringChart(Testing.app(), "monitoring", { generation, settings: monitoringSettingsSchema.parse(input) }));
}
function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}; have ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
function fluentBitConf(objects: Obj[]): string {
  return find(objects, "ConfigMap", "fluent-bit").data["fluent-bit.conf"];
}
/** The `[OUTPUT]` section of a fluent-bit config as key -> value. */
function outputSection(conf: string): Record<string, string> {
  const section = conf.split("[OUTPUT]")[1];
  expect(section).toBeDefined();
  return Object.fromEntries(
    section
      .trim()
      .split("\n")
      .map((line) =>
        line
          .trim()
          .match(/^(\S+)\s+(.*)$/)!
          .slice(1, 3),
      ),
  );
}
function podSpecs(objects: Obj[]): Array<{ owner: string; spec: Obj }> {
  return objects.filter((o) => o.spec?.template?.spec).map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}
function issuePaths(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }): string[] {
  expect(result.success).toBe(false);
  return [...new Set(result.error!.issues.map((i) => i.path.join(".")))];
}

describe("logging addon (fluent-bit)", () => {
  const objects = logging();

  test("runs fluent-bit on every node, node-critical, in the logging namespace", () => {
    const ds = find(objects, "DaemonSet", "fluent-bit");
    expect(ds.metadata.namespace).toBe("logging");
    const spec = ds.spec.template.spec;
    expect(spec.priorityClassName).toBe("system-node-critical");
    expect(spec.tolerations).toEqual([{ operator: "Exists" }]);
    expect(spec.serviceAccountName).toBe("fluent-bit");
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(find(objects, "ServiceAccount", "fluent-bit").metadata.namespace).toBe("logging");
    expect(find(objects, "Namespace", "logging")).toBeDefined();
  });

  test("reads pods and namespaces only", () => {
    const role = find(objects, "ClusterRole", "fluent-bit");
    expect(role.rules).toEqual([{ apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] }]);
    const binding = find(objects, "ClusterRoleBinding", "fluent-bit");
    expect(binding.roleRef.name).toBe("fluent-bit");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "fluent-bit", namespace: "logging" }]);
  });

  test("tails container logs with the cri parser, enriches with Kubernetes metadata and buffers on the node's disk", () => {
    const conf = fluentBitConf(objects);
    expect(conf).toMatch(/Name\s+tail\n/);
    expect(conf).toMatch(/Path\s+\/var\/log\/containers\/\*\.log/);
    expect(conf).toMatch(/multiline\.parser\s+cri/);
    expect(conf).toMatch(/\[FILTER\]\n\s+Name\s+kubernetes\n\s+Match\s+kube\.\*/);
    expect(conf).toMatch(/storage\.path\s+\/var\/lib\/fluent-bit\/buffer\//);
    expect(conf).toMatch(/storage\.type\s+filesystem/);
    expect(conf).toMatch(/Mem_Buf_Limit\s+50MB/);
    expect(conf).toMatch(/Health_Check\s+On/);
    expect(conf).toMatch(/Name\s+systemd\n\s+Tag\s+node\.\*\n\s+Path\s+\/var\/log\/journal/);
    expect(conf).toMatch(/Systemd_Filter\s+_SYSTEMD_UNIT=kubelet\.service/);
    expect(conf).toMatch(/Record\s+cluster demo-a/);
    const ds = find(objects, "DaemonSet", "fluent-bit").spec.template.spec;
    const state = ds.volumes.find((v: Obj) => v.name === "state");
    expect(state.hostPath).toEqual({ path: "/var/lib/fluent-bit", type: "DirectoryOrCreate" });
    const mounts = ds.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: "state", mountPath: "/var/lib/fluent-bit" });
    expect(mounts).toContainEqual({ name: "varlog", mountPath: "/var/log", readOnly: true });
  });

  test("probes the health endpoint on the metrics port", () => {
    const container = find(objects, "DaemonSet", "fluent-bit").spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/api/v1/health", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 2020, protocol: "TCP" }]);
    expect(find(objects, "Service", "fluent-bit").spec.ports[0].port).toBe(2020);
  });

  test("its pods announce the metrics port and path Prometheus' annotated-pods job scrapes", () => {
    const template = find(objects, "DaemonSet", "fluent-bit").spec.template;
    const port = template.spec.containers[0].ports.find((p: Obj) => p.name === "http").containerPort;
    expect(template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(port),
      "prometheus.io/path": "/api/v2/metrics/prometheus",
    });
  });

  test("defaults to stdout and excludes its own logs to avoid a loop", () => {
    const conf = fluentBitConf(objects);
    expect(outputSection(conf)).toMatchObject({ Name: "stdout", Match: "*" });
    expect(conf).toMatch(/Exclude_Path\s+\/var\/log\/containers\/fluent-bit-\*_logging_\*\.log/);
  });

  test("cloudwatch output uses the node role through the host network", () => {
    const objs = logging({ output: { type: "cloudwatch", logGroup: "/teams/prod" } });
    expect(outputSection(fluentBitConf(objs))).toMatchObject({
      Name: "cloudwatch_logs",
      region: "eu-west-1",
      log_group_name: "/teams/prod",
      auto_create_group: "Off",
    });
    const spec = find(objs, "DaemonSet", "fluent-bit").spec.template.spec;
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe("ClusterFirstWithHostNet");
    const defaultGroup = outputSection(fluentBitConf(logging({ output: { type: "cloudwatch" } })));
    expect(defaultGroup.log_group_name).toBe("/immutable-clusters/demo-a/containers");
  });

  test.each([
    ["elasticsearch", "es"],
    ["opensearch", "opensearch"],
  ])("%s output goes to the configured host, port and index over TLS", (type, plugin) => {
    const objs = logging({ output: { type, host: "search.internal.example.com", port: 443, index: "k8s" } });
    expect(outputSection(fluentBitConf(objs))).toMatchObject({
      Name: plugin,
      Host: "search.internal.example.com",
      Port: "443",
      Index: "k8s",
      tls: "On",
      "tls.verify": "On",
    });
    expect(find(objs, "DaemonSet", "fluent-bit").spec.template.spec.hostNetwork).toBe(false);
  });

  test("search credentials come from an existing Secret, never from the manifests", () => {
    const objs = logging({ output: { type: "elasticsearch", host: "es.example.com", credentialsSecret: { name: "es-creds" } } });
    const out = outputSection(fluentBitConf(objs));
    expect(out.HTTP_User).toBe("${SEARCH_USERNAME}");
    expect(out.HTTP_Passwd).toBe("${SEARCH_PASSWORD}");
    const env = find(objs, "DaemonSet", "fluent-bit").spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "SEARCH_PASSWORD", valueFrom: { secretKeyRef: { name: "es-creds", key: "password" } } });
    expect(objs.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  test("opensearch with AWS auth signs with the node role", () => {
    const objs = logging({ output: { type: "opensearch", host: "vpc-logs.eu-west-1.es.amazonaws.com", port: 443, awsAuth: true } });
    expect(outputSection(fluentBitConf(objs))).toMatchObject({ AWS_Auth: "On", AWS_Region: "eu-west-1" });
    expect(find(objs, "DaemonSet", "fluent-bit").spec.template.spec.hostNetwork).toBe(true);
  });

  test("loki output labels streams with the cluster and the pod's namespace", () => {
    const objs = logging({ output: { type: "loki", host: "loki.monitoring.svc", labels: { env: "prod" } } });
    const out = outputSection(fluentBitConf(objs));
    expect(out).toMatchObject({ Name: "loki", Host: "loki.monitoring.svc", Port: "3100", tls: "Off" });
    expect(out.labels).toContain("cluster=demo-a");
    expect(out.labels).toContain("env=prod");
    expect(out.labels).toContain("namespace=$kubernetes['namespace_name']");
  });

  test("settings errors name the field", () => {
    expect(issuePaths(loggingSettingsSchema.safeParse({ output: { type: "loki" } }))).toEqual(["output.host"]);
    expect(issuePaths(loggingSettingsSchema.safeParse({ output: { type: "kafka" } }))).toEqual(["output.type"]);
    expect(issuePaths(loggingSettingsSchema.safeParse({ image: "fluent/fluent-bit:latest" }))).toEqual(["image"]);
    expect(issuePaths(loggingSettingsSchema.safeParse({ memBufLimit: "lots" }))).toEqual(["memBufLimit"]);
    expect(issuePaths(loggingSettingsSchema.safeParse({ resources: { limits: { memory: "a lot" } } }))).toEqual([
      "resources.limits.memory",
    ]);
    expect(issuePaths(loggingSettingsSchema.safeParse({ output: { type: "stdout", host: "x" } }))).toEqual(["output"]);
  });
});

describe("monitoring addon", () => {
  const objects = monitoring();
  const promConfig = parse(find(objects, "ConfigMap", "prometheus").data["prometheus.yml"]);
  const job = (name: string) => {
    const found = promConfig.scrape_configs.find((j: Obj) => j.job_name === name);
    if (!found) throw new Error(`no scrape job ${name}`);
    return found;
  };

  test("scrapes the API servers through the default/kubernetes endpoints over https", () => {
    const apiservers = job("kubernetes-apiservers");
    expect(apiservers.scheme).toBe("https");
    expect(apiservers.kubernetes_sd_configs[0].role).toBe("endpoints");
    expect(apiservers.relabel_configs[0]).toMatchObject({ action: "keep", regex: "default;kubernetes;https" });
    expect(apiservers.tls_config.ca_file).toBe("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
  });

  test("scrapes every kubelet and its cAdvisor with the ServiceAccount token", () => {
    for (const [name, path] of [
      ["kubernetes-kubelet", "/metrics"],
      ["kubernetes-cadvisor", "/metrics/cadvisor"],
    ]) {
      const kubelet = job(name);
      expect(kubelet.kubernetes_sd_configs[0].role).toBe("node");
      expect(kubelet.metrics_path).toBe(path);
      expect(kubelet.authorization.credentials_file).toBe("/var/run/secrets/kubernetes.io/serviceaccount/token");
    }
    const rules = find(objects, "ClusterRole", "prometheus").rules;
    expect(rules[0].resources).toContain("nodes/metrics");
  });

  test("node-exporter and kube-state-metrics jobs keep exactly the Services and ports that exist", () => {
    for (const [jobName, service] of [
      ["node-exporter", "node-exporter"],
      ["kube-state-metrics", "kube-state-metrics"],
    ]) {
      const keep = job(jobName).relabel_configs.find((r: Obj) => r.action === "keep");
      const [serviceName, portName] = keep.regex.split(";");
      const svc = find(objects, "Service", service);
      expect(serviceName).toBe(svc.metadata.name);
      expect(svc.spec.ports.map((p: Obj) => p.name)).toContain(portName);
      expect(job(jobName).kubernetes_sd_configs[0].namespaces.names).toEqual([svc.metadata.namespace]);
    }
    expect(job("kubernetes-pods").relabel_configs[0]).toMatchObject({
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
      action: "keep",
    });
  });

  test("Prometheus keeps its TSDB in an emptyDir by default and on a claim when a StorageClass is set", () => {
    const sts = find(objects, "StatefulSet", "prometheus");
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: "data", emptyDir: { sizeLimit: "20Gi" } });
    expect(sts.spec.template.spec.containers[0].args).toContain("--storage.tsdb.retention.time=15d");
    const persistent = find(
      monitoring({ prometheus: { retention: "30d", storage: { storageClass: "gp3", size: "100Gi" } } }),
      "StatefulSet",
      "prometheus",
    );
    expect(persistent.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: "gp3",
      resources: { requests: { storage: "100Gi" } },
    });
    expect(persistent.spec.template.spec.volumes.map((v: Obj) => v.name)).not.toContain("data");
    expect(persistent.spec.template.spec.containers[0].args).toContain("--storage.tsdb.retention.time=30d");
  });

  test("node-exporter reads the host read-only from the host network and PID namespace on every node", () => {
    const spec = find(objects, "DaemonSet", "node-exporter").spec.template.spec;
    expect(spec).toMatchObject({
      hostNetwork: true,
      hostPID: true,
      tolerations: [{ operator: "Exists" }],
      priorityClassName: "system-node-critical",
    });
    for (const mount of spec.containers[0].volumeMounts) expect(mount.readOnly).toBe(true);
  });

  test("Grafana's provisioned data source points at the Prometheus Service", () => {
    const datasources = parse(find(objects, "ConfigMap", "grafana-datasources").data["datasources.yaml"]).datasources;
    const svc = find(objects, "Service", "prometheus");
    expect(datasources).toHaveLength(1);
    expect(datasources[0].url).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`);
    expect(datasources[0].type).toBe("prometheus");
  });

  test("the cluster dashboard is provisioned from the directory its ConfigMap is mounted at", () => {
    const provider = parse(find(objects, "ConfigMap", "grafana-dashboard-providers").data["dashboards.yaml"]).providers[0];
    const deployment = find(objects, "Deployment", "grafana").spec.template.spec;
    const volume = deployment.volumes.find((v: Obj) => v.configMap?.name === "grafana-dashboards");
    const mount = deployment.containers[0].volumeMounts.find((m: Obj) => m.name === volume.name);
    expect(mount.mountPath).toBe(provider.options.path);
    const dashboard = JSON.parse(find(objects, "ConfigMap", "grafana-dashboards").data["cluster-dashboard.json"]);
    const uid = parse(find(objects, "ConfigMap", "grafana-datasources").data["datasources.yaml"]).datasources[0].uid;
    const exprs: string[] = dashboard.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr));
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(uid);
    for (const metric of ["node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "kube_pod_info", "apiserver_request_total"]) {
      expect(exprs.some((e) => e.includes(metric))).toBe(true);
    }
  });

  test("the dashboard texts are the shipped file, formatted, handed out as a fresh object each time", () => {
    const file = join(__dirname, "../constructs/addons/monitoring/files/cluster-dashboard.json");
    const expected = { "cluster-dashboard.json": JSON.stringify(JSON.parse(readFileSync(file, "utf8")), null, 2) + "\n" };
    const first = clusterDashboards();
    expect(first).toEqual(expected);
    // Read once per process and shared: a change to one call's object reaches no later call.
    first["cluster-dashboard.json"] = "changed";
    expect(clusterDashboards()).toEqual(expected);
  });

  test("Grafana signs in anonymously read-only by default, or with an operator-created admin Secret", () => {
    const env = find(objects, "Deployment", "grafana").spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "GF_AUTH_ANONYMOUS_ORG_ROLE", value: "Viewer" });
    expect(env).toContainEqual({ name: "GF_AUTH_DISABLE_LOGIN_FORM", value: "true" });
    const secretEnv = find(monitoring({ grafana: { auth: { mode: "admin-secret" } } }), "Deployment", "grafana").spec.template.spec
      .containers[0].env;
    expect(secretEnv).toContainEqual({
      name: "GF_SECURITY_ADMIN_PASSWORD",
      valueFrom: { secretKeyRef: { name: "grafana-admin", key: "admin-password" } },
    });
    expect(monitoring({ grafana: { enabled: false } }).filter((o) => o.metadata.name.startsWith("grafana"))).toEqual([]);
  });

  test("settings errors name the field", () => {
    expect(issuePaths(monitoringSettingsSchema.safeParse({ prometheus: { retention: "forever" } }))).toEqual(["prometheus.retention"]);
    expect(issuePaths(monitoringSettingsSchema.safeParse({ grafana: { auth: { mode: "password", password: "x" } } }))).toEqual([
      "grafana.auth.mode",
    ]);
    expect(issuePaths(monitoringSettingsSchema.safeParse({ nodeExporter: { image: "node-exporter" } }))).toEqual(["nodeExporter.image"]);
    expect(issuePaths(monitoringSettingsSchema.safeParse({ prometheus: { storage: { storageClass: "GP3!" } } }))).toEqual([
      "prometheus.storage.storageClass",
    ]);
  });
});

describe("every observability workload", () => {
  const all = [
    ...logging(),
    ...logging({ output: { type: "cloudwatch" } }),
    ...monitoring({ grafana: { auth: { mode: "admin-secret" } } }),
  ];

  test("sets requests and limits, liveness and readiness probes, a pinned image and no privilege escalation", () => {
    const pods = podSpecs(all);
    expect(pods.map((p) => p.owner).sort()).toEqual(
      expect.arrayContaining([
        "DaemonSet/fluent-bit",
        "DaemonSet/node-exporter",
        "Deployment/grafana",
        "Deployment/kube-state-metrics",
        "StatefulSet/prometheus",
      ]),
    );
    for (const { owner, spec } of pods) {
      for (const c of spec.containers) {
        const where = `${owner} ${c.name}`;
        expect([where, Object.keys(c.resources.requests).sort()]).toEqual([where, ["cpu", "memory"]]);
        expect([where, Object.keys(c.resources.limits).sort()]).toEqual([where, ["cpu", "memory"]]);
        expect([where, Boolean(c.livenessProbe && c.readinessProbe)]).toEqual([where, true]);
        expect([where, c.image]).toEqual([where, expect.stringMatching(/:[^:/@]+(@sha256:[a-f0-9]{64})?$/)]);
        expect([where, c.image]).not.toEqual([where, expect.stringMatching(/:latest$/)]);
        expect([where, c.securityContext.allowPrivilegeEscalation]).toEqual([where, false]);
        expect([where, c.securityContext.capabilities.drop]).toEqual([where, ["ALL"]]);
      }
      expect([owner, typeof spec.automountServiceAccountToken]).toEqual([owner, "boolean"]);
    }
  });

  test("has stable names without hashes", () => {
    for (const o of all) expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
  });

  test("contains no Secret and no literal credential", () => {
    expect(all.filter((o) => o.kind === "Secret")).toEqual([]);
    for (const { owner, spec } of podSpecs(all)) {
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|PASSWD|TOKEN|SECRET/i.test(e.name)) expect([owner, e.name, e.value]).toEqual([owner, e.name, undefined]);
        }
      }
    }
    // A key-value pair whose key says password or secret and whose value is a literal (not a reference).
    expect(JSON.stringify(all)).not.toMatch(/(passw(or)?d|secret)\\?["']?(\s*[:=]\s*|\s+)\\?["']?[A-Za-z0-9]/i);
  });
});

describe("logging and monitoring through a generation's definition", () => {
  const render = (addons: Record<string, unknown>) => {
    const c = sampleCluster({ generations: [sampleGeneration({ addons })] });
    return synthesizeAddonObjects(resolveGeneration(c, c.generations[0]));
  };

  test.each([
    ["defaults", {}],
    ["cloudwatch", { logging: { output: { type: "cloudwatch" } } }],
    [
      "elasticsearch with credentials",
      { logging: { output: { type: "elasticsearch", host: "es.example.com", credentialsSecret: { name: "es" } } } },
    ],
    ["opensearch with AWS auth", { logging: { output: { type: "opensearch", host: "search.example.com", port: 443, awsAuth: true } } }],
    ["loki", { logging: { output: { type: "loki", host: "loki.example.com", tenantId: "prod" } } }],
    [
      "persistent Prometheus and Grafana admin Secret",
      { monitoring: { prometheus: { storage: { storageClass: "gp3" } }, grafana: { auth: { mode: "admin-secret" } } } },
    ],
  ])("%s: every object passes the OpenAPI schema and the cross-object checks", (_name, addons) => {
    const files = render(addons);
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(["60-logging.yaml", "70-monitoring.yaml"]));
    expect(manifestProblems(files)).toEqual([]);
  });

  test("turning them off removes their files", () => {
    const files = render({ logging: { enabled: false }, monitoring: { enabled: false } }).map((f) => f.file);
    expect(files).not.toContain("60-logging.yaml");
    expect(files).not.toContain("70-monitoring.yaml");
  });

  test("a bad setting is refused naming the field path in the definition", () => {
    const problems = definitionProblems(
      sampleCluster({
        generations: [
          // Deliberately invalid: a Loki output without a host.
          sampleGeneration({
            addons: { logging: { output: { type: "loki" } as never }, monitoring: { prometheus: { retention: "1 year" } } },
          }),
        ],
      }),
    );
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(["generations[0].addons.logging.output.host", "generations[0].addons.monitoring.prometheus.retention"]),
    );
  });
});
