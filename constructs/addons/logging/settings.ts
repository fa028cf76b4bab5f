// Owns the settings of the logging addon (fluent-bit on every node): the typed interface a definition writes under
// `addons.logging`, with documented defaults, and the zod schema that validates it and fills those defaults in.
import { z } from "zod";
import { type ContainerResources, pinnedImageSchema, resourcesSchema } from "../monitoring/workload-defaults";

/** Writes every log record to fluent-bit's own stdout (visible with `kubectl logs`); for trying things out. */
export interface StdoutOutput {
  readonly type: "stdout";
}

/**
 * Ships logs to CloudWatch Logs with the node's IAM role (fluent-bit then runs in the host network namespace so it can
 * reach the instance metadata service, whose hop limit is 1). The node roles need `logs:CreateLogStream` and
 * `logs:PutLogEvents` on the log group (and `logs:CreateLogGroup` when `autoCreateGroup`).
 */
export interface CloudWatchOutput {
  readonly type: "cloudwatch";
  /** @default the cluster's region */
  readonly region?: string;
  /** @default "/immutable-clusters/<cluster>-<generation>/containers" */
  readonly logGroup?: string;
  /** Let fluent-bit create the log group if it is missing (needs `logs:CreateLogGroup`). @default false */
  readonly autoCreateGroup?: boolean;
}

/** Credentials for an Elasticsearch/OpenSearch output, read from an existing Secret the operator creates. */
export interface SearchCredentialsSecret {
  /** Name of a Secret in the `logging` namespace. */
  readonly name: string;
  /** @default "username" */
  readonly usernameKey?: string;
  /** @default "password" */
  readonly passwordKey?: string;
}

/** Ships logs to Elasticsearch (`es` plugin) or OpenSearch (`opensearch` plugin). */
export interface SearchOutput {
  readonly type: "elasticsearch" | "opensearch";
  /** Host name of the cluster endpoint, e.g. `search.internal.example.com`. */
  readonly host: string;
  /** @default 9200 */
  readonly port?: number;
  /** @default "kubernetes" */
  readonly index?: string;
  /** @default true */
  readonly tls?: boolean;
  /** Verify the server certificate. @default true */
  readonly tlsVerify?: boolean;
  /** Sign requests with the node's IAM role (Amazon OpenSearch Service only). @default false */
  readonly awsAuth?: boolean;
  /** HTTP basic auth from an existing Secret. @default undefined (no basic auth) */
  readonly credentialsSecret?: SearchCredentialsSecret;
}

/** Ships logs to Grafana Loki. */
export interface LokiOutput {
  readonly type: "loki";
  readonly host: string;
  /** @default 3100 */
  readonly port?: number;
  /** @default false */
  readonly tls?: boolean;
  /** Static stream labels added to `job=fluent-bit` and `cluster=<cluster>-<generation>`. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Loki tenant (X-Scope-OrgID). @default undefined (single-tenant Loki) */
  readonly tenantId?: string;
}

export type LoggingOutput = StdoutOutput | CloudWatchOutput | SearchOutput | LokiOutput;

/** Settings of the logging addon, under `addons.logging` of a generation. */
export interface LoggingSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** Where logs go. @default { type: "stdout" } */
  readonly output?: LoggingOutput;
  /** @default "cr.fluentbit.io/fluent/fluent-bit:3.2.8" */
  readonly image?: string;
  /** Memory buffer per input before it pauses (and spills to the node's filesystem buffer). @default "50MB" */
  readonly memBufLimit?: string;
  /** Upper bound of the filesystem buffer per output on each node (`storage.total_limit_size`). @default "2G" */
  readonly bufferLimit?: string;
  /** @default "info" */
  readonly logLevel?: "error" | "warn" | "info" | "debug" | "trace";
  /** @default { requests: { cpu: "50m", memory: "100Mi" }, limits: { cpu: "500m", memory: "300Mi" } } */
  readonly resources?: ContainerResources;
}

const sizeSchema = z.string().regex(/^[0-9]+(K|M|G)B?$/, { error: 'must be a fluent-bit size such as "50MB" or "2G"' });
const hostSchema = z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, { error: "must be a host name or IP address" });
const portSchema = z.number().int().min(1).max(65535);
const labelValueSchema = z.string().regex(/^[A-Za-z0-9_.:/-]*$/, { error: "must contain only letters, digits and _ . : / -" });

const outputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stdout") }).strict(),
  z
    .object({
      type: z.literal("cloudwatch"),
      region: z
        .string()
        .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: 'must be an AWS region such as "eu-west-1"' })
        .optional(),
      logGroup: z
        .string()
        .regex(/^[A-Za-z0-9_\-/.#]{1,512}$/, { error: "must be a CloudWatch log group name (letters, digits, _ - / . #)" })
        .optional(),
      autoCreateGroup: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.enum(["elasticsearch", "opensearch"]),
      host: hostSchema,
      port: portSchema.default(9200),
      index: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_.-]*$/, { error: "must be a lowercase index name" })
        .default("kubernetes"),
      tls: z.boolean().default(true),
      tlsVerify: z.boolean().default(true),
      awsAuth: z.boolean().default(false),
      credentialsSecret: z
        .object({
          name: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, { error: "must be a Kubernetes Secret name" }),
          usernameKey: z.string().min(1).default("username"),
          passwordKey: z.string().min(1).default("password"),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("loki"),
      host: hostSchema,
      port: portSchema.default(3100),
      tls: z.boolean().default(false),
      labels: z
        .record(
          z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "must be a Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)" }),
          labelValueSchema,
        )
        .default({}),
      tenantId: z.string().min(1).optional(),
    })
    .strict(),
]);

/** Validates `addons.logging` and fills in every default. */
export const loggingSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    output: outputSchema.default({ type: "stdout" }),
    // By tag only: no digest published by upstream could be cited (its release notes and registry pages list none that our search tools reach), so it stays pinned by exact tag.
    image: pinnedImageSchema.default("cr.fluentbit.io/fluent/fluent-bit:3.2.8"),
    memBufLimit: sizeSchema.default("50MB"),
    bufferLimit: sizeSchema.default("2G"),
    logLevel: z.enum(["error", "warn", "info", "debug", "trace"]).default("info"),
    resources: resourcesSchema({ requests: { cpu: "50m", memory: "100Mi" }, limits: { cpu: "500m", memory: "300Mi" } }),
  })
  .strict();

/** Logging settings with every default applied. */
export type ResolvedLoggingSettings = z.output<typeof loggingSettingsSchema>;
/** The resolved output. */
export type ResolvedLoggingOutput = ResolvedLoggingSettings["output"];
