// Owns Grafana: the provisioned Prometheus data source, the dashboard provider and the cluster dashboard (shipped as
// files/cluster-dashboard.json), a Deployment whose sign-in never needs a password in the manifests, and its Service.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { yamlDocument } from "../yaml-document";
import { GRAFANA, MONITORING_NAMESPACE, PROMETHEUS, serviceUrl } from "./names";
import type { ResolvedMonitoringSettings } from "./settings";
import {
  componentLabels,
  componentSelector,
  httpProbe,
  imageTag,
  toResourceRequirements,
  unprivilegedContainerSecurity,
} from "./workload-defaults";

export interface GrafanaProps {
  /** Resolved `addons.monitoring.grafana`. */
  readonly settings: ResolvedMonitoringSettings["grafana"];
  /** The scrape interval, so Grafana's `$__rate_interval` matches it. */
  readonly scrapeInterval: string;
}

const GRAFANA_USER = 472;
/** The uid every provisioned panel uses to reference the Prometheus data source. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";
const DASHBOARD_DIR = "/etc/grafana/dashboards";

/** The dashboard texts, read and formatted once per process (files shipped with the package do not change). */
let dashboardTexts: Readonly<Record<string, string>> | undefined;

/**
 * The dashboards shipped beside this file, as ConfigMap data (file name -> JSON text): a fresh object each call, its
 * texts read, parsed and formatted once per process instead of once per generation.
 */
export function clusterDashboards(): Record<string, string> {
  if (!dashboardTexts) {
    const file = "cluster-dashboard.json";
    const text = readFileSync(path.join(__dirname, "files", file), "utf8");
    dashboardTexts = { [file]: JSON.stringify(JSON.parse(text), null, 2) + "\n" };
  }
  return { ...dashboardTexts };
}

export class Grafana extends Construct {
  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const { settings } = props;
    const name = GRAFANA.name;
    const labels = componentLabels(name, "monitoring", imageTag(settings.image));
    const meta = (n: string) => ({ name: n, namespace: MONITORING_NAMESPACE, labels });

    new k8s.KubeServiceAccount(this, "service-account", { metadata: meta(name), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, "datasources", {
      metadata: meta(`${name}-datasources`),
      data: {
        // yamlDocument writes with lineWidth 0 where yaml's default is 80 columns: no line of these two files comes near
        // 80, so the bytes are the same (test/yaml-document.test.ts checks both against yaml's default).
        "datasources.yaml": yamlDocument({
          apiVersion: 1,
          datasources: [
            {
              name: "Prometheus",
              uid: PROMETHEUS_DATASOURCE_UID,
              type: "prometheus",
              access: "proxy",
              url: serviceUrl(PROMETHEUS),
              isDefault: true,
              editable: false,
              jsonData: { timeInterval: props.scrapeInterval, httpMethod: "POST" },
            },
          ],
        }),
      },
    });
    new k8s.KubeConfigMap(this, "dashboard-providers", {
      metadata: meta(`${name}-dashboard-providers`),
      data: {
        "dashboards.yaml": yamlDocument({
          apiVersion: 1,
          providers: [
            {
              name: "immutable-clusters",
              orgId: 1,
              folder: "Cluster",
              type: "file",
              disableDeletion: true,
              allowUiUpdates: false,
              updateIntervalSeconds: 60,
              options: { path: DASHBOARD_DIR, foldersFromFilesStructure: false },
            },
          ],
        }),
      },
    });
    new k8s.KubeConfigMap(this, "dashboards", { metadata: meta(`${name}-dashboards`), data: clusterDashboards() });
    new k8s.KubeService(this, "service", {
      metadata: meta(name),
      spec: {
        type: "ClusterIP",
        selector: componentSelector(name),
        ports: [{ name: GRAFANA.portName, port: GRAFANA.port, targetPort: k8s.IntOrString.fromString(GRAFANA.portName), protocol: "TCP" }],
      },
    });
    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta(name),
      spec: {
        replicas: 1,
        selector: { matchLabels: componentSelector(name) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // Grafana never talks to the Kubernetes API.
            automountServiceAccountToken: false,
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: {
              runAsUser: GRAFANA_USER,
              runAsGroup: GRAFANA_USER,
              runAsNonRoot: true,
              fsGroup: GRAFANA_USER,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name,
                image: settings.image,
                imagePullPolicy: "IfNotPresent",
                env: [...baseEnv(), ...authEnv(settings.auth)],
                ports: [{ name: GRAFANA.portName, containerPort: GRAFANA.port, protocol: "TCP" }],
                resources: toResourceRequirements(settings.resources),
                readinessProbe: httpProbe("/api/health", GRAFANA.portName, { initialDelaySeconds: 5, periodSeconds: 10 }),
                livenessProbe: httpProbe("/api/health", GRAFANA.portName, {
                  initialDelaySeconds: 60,
                  periodSeconds: 20,
                  failureThreshold: 5,
                }),
                securityContext: unprivilegedContainerSecurity(GRAFANA_USER),
                volumeMounts: [
                  { name: "data", mountPath: "/var/lib/grafana" },
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "datasources", mountPath: "/etc/grafana/provisioning/datasources", readOnly: true },
                  { name: "dashboard-providers", mountPath: "/etc/grafana/provisioning/dashboards", readOnly: true },
                  { name: "dashboards", mountPath: DASHBOARD_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              // Everything Grafana shows is provisioned: its database can start empty on every restart.
              { name: "data", emptyDir: { sizeLimit: k8s.Quantity.fromString("1Gi") } },
              { name: "tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("256Mi") } },
              { name: "datasources", configMap: { name: `${name}-datasources` } },
              { name: "dashboard-providers", configMap: { name: `${name}-dashboard-providers` } },
              { name: "dashboards", configMap: { name: `${name}-dashboards` } },
            ],
          },
        },
      },
    });
  }
}

function baseEnv(): k8s.EnvVar[] {
  return [
    { name: "GF_PATHS_PROVISIONING", value: "/etc/grafana/provisioning" },
    { name: "GF_LOG_MODE", value: "console" },
    { name: "GF_USERS_ALLOW_SIGN_UP", value: "false" },
    { name: "GF_ANALYTICS_REPORTING_ENABLED", value: "false" },
    { name: "GF_ANALYTICS_CHECK_FOR_UPDATES", value: "false" },
    { name: "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES", value: "false" },
  ];
}

/** Sign-in settings: anonymous read-only viewing, or an admin whose credentials come from an operator-created Secret. */
function authEnv(auth: ResolvedMonitoringSettings["grafana"]["auth"]): k8s.EnvVar[] {
  if (auth.mode === "anonymous-viewer") {
    return [
      { name: "GF_AUTH_ANONYMOUS_ENABLED", value: "true" },
      { name: "GF_AUTH_ANONYMOUS_ORG_ROLE", value: "Viewer" },
      { name: "GF_AUTH_DISABLE_LOGIN_FORM", value: "true" },
      { name: "GF_AUTH_BASIC_ENABLED", value: "false" },
      { name: "GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION", value: "true" },
    ];
  }
  return [
    { name: "GF_AUTH_ANONYMOUS_ENABLED", value: "false" },
    { name: "GF_SECURITY_ADMIN_USER", valueFrom: { secretKeyRef: { name: auth.secretName, key: auth.userKey } } },
    { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: auth.secretName, key: auth.passwordKey } } },
  ];
}
