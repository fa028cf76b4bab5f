// Owns validation of a cluster definition: a zod schema for shapes plus cross-field rules, all errors reported at once,
// each naming the field and the fix. Every part is parsed on its own, so the cross-field rules still run on the parts
// that parsed when another part failed. validateDefinition returns the parsed definition: synthesis uses only that.
// Nothing is synthesized from a definition that fails here.
import { z } from "zod";
import { gatewayKubernetesVersion } from "../addons/gateway/settings";
import { INGRESS_HEALTH_PATH } from "../addons/ingress-nginx/chart";
import { addonsSchema } from "../addons/schema";
import { isSshPublicKey } from "../ignition/builder/passwd";
import { kubernetesNodeBinaries, SUPPORTED_KUBERNETES_VERSIONS } from "../ignition/kubernetes-releases";
import { regionProblem, zoneProblem } from "./aws-regions";
import { tagProblems } from "./aws-tags";
import { cidrProblem, cidrsOverlap, coversEverything, parseIpv4Cidr, publicAddressCount } from "./cidr";
import { flatcarVersionProblem } from "./flatcar-version";
import {
  DEFAULT_INSTANCE_TYPE,
  instanceArchitecture,
  instanceTypeProblem,
  mixedArchitectureProblem,
  nodeArchitecture,
  type NodeArchitecture,
} from "./instance-types";
import { dnsLabelProblem, dnsSubdomainProblem, labelKeyProblem, labelValueProblem, nodeLabelNamespaceProblem } from "./kubernetes-names";
import { genericMarker, ourMessage } from "./messages";
import { nearest, quotedList } from "./nearest";
import { NODE_PORT_RANGE_FLAG, nodePortRangeProblem } from "./node-port-range";
import { FLATCAR_OWNER_ACCOUNT } from "./resolve";
import { accessCrossProblems, accessSchema } from "./access";
import { type AutoscaleOptions, autoscaleProblems, autoscaleSchema } from "./autoscale";
import { apiServerOptionsSchema } from "./control-plane-options";
import { oidcServiceAccountIssuerProblems, oidcVersionProblem } from "./oidc";
import { serviceAccountIssuer } from "./service-account-issuer";
import { etcdRestoreSchema, restoreProblems } from "./etcd-restore";
import { etcdSnapshotsSchema } from "./etcd-snapshots";
import { reservedGenerationIdProblem, serviceAccountsCrossProblems, serviceAccountsSchema } from "./service-accounts";
import type { ClusterDefinition, GenerationDefinition, WorkerPoolDefinition } from "./types";

/** One problem in a definition. */
export interface DefinitionProblem {
  /** Dotted path of the field, e.g. `generations[0].workerPools[1].maxSize`. */
  readonly field: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Thrown when a definition is invalid; lists every problem found. */
export class DefinitionError extends Error {
  constructor(
    readonly clusterName: string,
    readonly problems: readonly DefinitionProblem[],
  ) {
    super(
      `cluster definition "${clusterName}" is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was synthesized:\n` +
        problems.map((p) => `  - ${p.field}: ${p.message}`).join("\n"),
    );
    this.name = "DefinitionError";
  }
}

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const dnsName = (max: number, example: string) =>
  z
    .string()
    .max(max, { error: `must be at most ${max} characters (AWS load balancer names are limited); use a shorter name such as "${example}"` })
    .regex(DNS_LABEL, {
      error: `must be DNS-safe: lower-case letters, digits and "-", starting with a letter and not ending with "-" (e.g. "${example}")`,
    });

/** A string field checked by a parser that returns why a value is wrong (or undefined). */
const parsedString = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });

/** Every CIDR field goes through the one parser (constructs/definition/cidr.ts). */
const cidr = parsedString((value) => cidrProblem(value));

const positiveInt = (what: string) =>
  z
    .number()
    .int({ error: `${what} must be a whole number (no fraction)` })
    .min(0, { error: `${what} must not be negative; use 0 or more` });

/**
 * A map of names to strings, with every own key checked, `__proto__` included: a JSON definition can carry a
 * `"__proto__"` key, which a zod record skips silently while the raw object still has it.
 */
const stringMap = (keyProblem: (key: string) => string | undefined, valueProblem: (value: string, key: string) => string | undefined) =>
  z
    .custom<Record<string, string>>(() => true)
    .superRefine((value, ctx) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        ctx.addIssue({ code: "custom", message: 'must be an object of names to text values, e.g. { "example.com/team": "payments" }' });
        return;
      }
      for (const key of Object.keys(value)) {
        const keyMessage = key === "__proto__" ? '"__proto__" is not allowed as a key; remove it' : keyProblem(key);
        if (keyMessage) ctx.addIssue({ code: "custom", path: [key], message: keyMessage });
        const entry = (value as Record<string, unknown>)[key];
        if (typeof entry !== "string")
          ctx.addIssue({ code: "custom", path: [key], message: `must be text (a quoted string), e.g. "payments"` });
        else {
          const valueMessage = valueProblem(entry, key);
          if (valueMessage) ctx.addIssue({ code: "custom", path: [key], message: valueMessage });
        }
      }
    })
    .transform((value) => Object.fromEntries(Object.entries(value)));

const rootVolume = z
  .object({
    sizeGiB: positiveInt("sizeGiB").min(8, { error: "must be at least 8 GiB (Flatcar's image needs it); e.g. 30" }).max(16384).optional(),
    type: z.enum(["gp3", "gp2", "io1", "io2"], { error: 'must be one of "gp3", "gp2", "io1", "io2"' }).optional(),
  })
  .strict();

/** Checked against the shipped catalogue here; a pool's types against each other (one architecture) among the cross-field rules. */
const instanceType = parsedString((value) => instanceTypeProblem(value));

const workerPool = z
  .object({
    name: dnsName(12, "general"),
    instanceTypes: z.array(instanceType).min(1, { error: 'list at least one instance type, e.g. ["m6i.large"]' }).optional(),
    minSize: positiveInt("minSize").optional(),
    maxSize: positiveInt("maxSize").min(1, { error: "must be at least 1" }).optional(),
    desiredCapacity: positiveInt("desiredCapacity").optional(),
    autoscale: autoscaleSchema.optional(),
    rootVolume: rootVolume.optional(),
    spot: z
      .object({
        onDemandBaseCapacity: positiveInt("onDemandBaseCapacity").optional(),
        onDemandPercentageAboveBase: positiveInt("onDemandPercentageAboveBase")
          .max(100, { error: "must be a percentage from 0 to 100" })
          .optional(),
        allocationStrategy: z.enum(["price-capacity-optimized", "capacity-optimized", "lowest-price"]).optional(),
      })
      .strict()
      .optional(),
    labels: stringMap(
      (key) => labelKeyProblem(key) ?? nodeLabelNamespaceProblem(key),
      (value) => labelValueProblem(value),
    ).optional(),
    taints: z
      .array(
        z
          .object({
            key: parsedString(labelKeyProblem),
            value: parsedString(labelValueProblem).optional(),
            effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], {
              error: 'must be "NoSchedule", "PreferNoSchedule" or "NoExecute"',
            }),
          })
          .strict(),
      )
      .optional(),
    ingress: z.boolean().optional(),
  })
  .strict();

const generation = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9]{0,7}$/, { error: 'must be 1-8 lower-case letters and digits, starting with a letter, e.g. "a" or "g7"' }),
    kubernetesVersion: z.string().regex(/^1\.\d{2}\.\d{1,2}$/, { error: 'must be an exact Kubernetes release such as "1.31.0"' }),
    flatcar: z
      .object({
        channel: z.enum(["stable", "beta", "alpha", "lts"], { error: 'must be "stable", "beta", "alpha" or "lts"' }),
        version: z.string(),
        // Deprecated: each pool's and the control plane's architecture follows its instance types. Kept (and, when set,
        // every node must match it) so definitions of deployed generations stay valid and unchanged.
        arch: z.enum(["amd64", "arm64"], { error: 'must be "amd64" or "arm64"' }).optional(),
        owner: z
          .string()
          .regex(/^\d{12}$/, { error: `must be a 12-digit AWS account id such as "${FLATCAR_OWNER_ACCOUNT}" (Flatcar's)` })
          .optional(),
        acknowledgeUnofficialOwner: z.boolean().optional(),
      })
      .strict()
      .superRefine((flatcar, ctx) => {
        const versionMessage = flatcarVersionProblem(flatcar.version, flatcar.channel);
        if (versionMessage) ctx.addIssue({ code: "custom", path: ["version"], message: versionMessage });
        if (flatcar.owner !== undefined && flatcar.owner !== FLATCAR_OWNER_ACCOUNT && flatcar.acknowledgeUnofficialOwner !== true) {
          ctx.addIssue({
            code: "custom",
            path: ["owner"],
            message: `account ${flatcar.owner} is not Flatcar's publisher (${FLATCAR_OWNER_ACCOUNT}): nodes would boot whatever image that account publishes under Flatcar's name; remove owner, or set flatcar.acknowledgeUnofficialOwner: true if you build and publish the images yourself`,
          });
        }
      }),
    weight: z
      .number({ error: "must be a number from 0 to 100" })
      .int({ error: "must be a whole number from 0 to 100" })
      .min(0, { error: "must be from 0 to 100" })
      .max(100, { error: "must be from 0 to 100" }),
    state: z.enum(["live", "retiring"], { error: 'must be "live" or "retiring"' }).optional(),
    controlPlane: z
      .object({
        count: z
          .number()
          .refine((n) => n === 1 || n === 3 || n === 5, {
            error: "must be 1, 3 or 5: etcd needs an odd number of members for quorum (use 3 for production)",
          })
          .optional(),
        instanceType: instanceType.optional(),
        rootVolume: rootVolume.optional(),
        apiServer: apiServerOptionsSchema.optional(),
        etcdSnapshots: etcdSnapshotsSchema.optional(),
        restore: etcdRestoreSchema.optional(),
      })
      .strict()
      .optional(),
    workerPools: z.array(workerPool).min(1, { error: "a generation needs at least one worker pool" }),
    networking: z.object({ podCidr: cidr.optional(), serviceCidr: cidr.optional() }).strict().optional(),
    addons: addonsSchema.optional(),
    osUpdates: z.boolean().optional(),
    sshAuthorizedKeys: z
      .array(z.string().refine(isSshPublicKey, { error: 'must be one OpenSSH public key line such as "ssh-ed25519 AAAA... name"' }))
      .optional(),
  })
  .strict();

const clusterSchema = z.object({
  name: dnsName(16, "prod"),
  region: parsedString(regionProblem),
  network: z
    .object({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must be a VPC id such as "vpc-0123456789abcdef0"' }),
      vpcCidr: cidr,
      privateSubnets: z.array(
        z
          .object({
            id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id such as "subnet-0123456789abcdef0"' }),
            availabilityZone: parsedString((zone) => zoneProblem(zone)),
          })
          .strict(),
      ),
      adminCidrs: z.array(cidr).optional(),
      acknowledgePublicAdminCidrs: z.boolean().optional(),
      nodePortsFromVpc: z.boolean().optional(),
    })
    .strict(),
  dns: z
    .object({
      privateZoneId: z.string().regex(/^[A-Z0-9]{1,32}$/, {
        error: 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (without "/hostedzone/")',
      }),
      privateZoneName: parsedString(
        (name) =>
          dnsSubdomainProblem(name, "internal.example.com") ??
          (name.includes(".") ? undefined : `"${name}" must have at least two labels, without a trailing dot, e.g. "internal.example.com"`),
      ),
    })
    .strict(),
  generations: z.array(generation).min(1, { error: "declare at least one generation" }),
  traffic: z
    .object({
      hostname: parsedString((name) => dnsLabelProblem(name, "apps")).optional(),
      healthPath: z
        .string()
        .regex(/^\/[A-Za-z0-9/_.-]*$/, { error: 'must be an absolute URL path such as "/healthz"' })
        .optional(),
    })
    .strict()
    .optional(),
  stateBackend: z
    .object({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: 'must be an S3 bucket name: 3-63 lower-case letters, digits, "." and "-", e.g. "my-terraform-state"',
      }),
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()/-]{1,512}$/, {
          error: 'must be an S3 key prefix of letters, digits and ! _ . * \' ( ) / -, e.g. "immutable-clusters"',
        })
        .optional(),
      region: parsedString(regionProblem).optional(),
      // DynamoDB table names: 3-255 of a-z A-Z 0-9 _ - . (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html)
      dynamodbTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
          error: 'must be a DynamoDB table name of 3-255 letters, digits, "_", "-" and ".", e.g. "terraform-locks"',
        })
        .optional(),
    })
    .strict()
    .optional(),
  tags: stringMap(
    () => undefined,
    () => undefined,
  )
    .superRefine((tags, ctx) => {
      for (const problem of tagProblems(tags))
        ctx.addIssue({ code: "custom", path: problem.key === undefined ? [] : [problem.key], message: problem.message });
    })
    .optional(),
  keyAdministratorRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
      error: 'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/kms-break-glass"',
    })
    .optional(),
  access: accessSchema.optional(),
  serviceAccounts: serviceAccountsSchema.optional(),
});
/** `generations[0].workerPools[1].maxSize`; a key that is not a plain name is bracketed: `labels["example.com/team"]`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    const name = String(key);
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `${acc}[${JSON.stringify(name)}]`;
    return acc ? `${acc}.${name}` : name;
  }, "");
}

/** A cluster definition as far as it parsed: a part that failed is absent and its path is in `failed`. */
interface ParsedParts {
  readonly definition: PartialCluster;
  readonly failed: ReadonlySet<string>;
  readonly problems: DefinitionProblem[];
}
type PartialPool = WorkerPoolDefinition;
type PartialGeneration = Partial<Omit<GenerationDefinition, "workerPools">> & {
  readonly workerPools?: ReadonlyArray<PartialPool | undefined>;
};
type PartialCluster = Partial<Omit<ClusterDefinition, "generations">> & {
  readonly generations?: ReadonlyArray<PartialGeneration | undefined>;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses an object field by field with the schemas of `shape` (a strict zod object's shape), so one bad field does not
 * hide the others; `lists` parse a list field entry by entry. Returns the parsed fields (a failed one absent), or
 * undefined when `input` is not an object at all.
 */
function parseFields(
  shape: Readonly<Record<string, z.ZodType>>,
  input: unknown,
  path: ReadonlyArray<string | number>,
  out: { failed: Set<string>; problems: DefinitionProblem[] },
  lists: Readonly<Record<string, (value: unknown, at: ReadonlyArray<string | number>) => unknown>> = {},
): Record<string, unknown> | undefined {
  const field = pathOf(path) || "(definition)";
  if (!isPlainObject(input)) {
    out.problems.push({ field, message: `must be an object ({ ... }) with the fields ${quotedList(Object.keys(shape).slice(0, 6))}, ...` });
    out.failed.add(field);
    return undefined;
  }
  const known = Object.keys(shape);
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(shape, key)) continue;
    const guess = nearest(key, known, 1)[0];
    out.problems.push({
      field: pathOf([...path, key]),
      message: `unknown field "${key}"; remove it${guess ? ` or check the spelling (did you mean "${guess}"?)` : ""}`,
    });
  }
  const result: Record<string, unknown> = {};
  for (const key of known) {
    const at = [...path, key];
    if (lists[key]) {
      const value = lists[key](input[key], at);
      if (value !== undefined) result[key] = value;
      continue;
    }
    // jitless: zod 4 otherwise compiles a parser per object schema (new Function) on its first parse, which costs more
    // than it saves for the one parse per definition a synth makes (ParseContext.jitless, zod 4.6.7 v4/core/schemas).
    const parsed = shape[key].safeParse(input[key], { reportInput: true, error: genericMarker, jitless: true });
    if (parsed.success) {
      if (parsed.data !== undefined) result[key] = parsed.data;
    } else {
      out.failed.add(pathOf(at));
      for (const issue of parsed.error.issues) {
        // The issue's path is relative to the field; the message's example is looked up by the full path.
        const full = { ...issue, path: [...at, ...issue.path] } as z.core.$ZodIssue;
        out.problems.push({ field: pathOf(full.path), message: ourMessage(full) });
      }
    }
  }
  return result;
}

/** Parses a list entry by entry; undefined (and a problem) when it is not a list or shorter than `min`. */
function parseList<T>(
  input: unknown,
  path: ReadonlyArray<string | number>,
  out: { failed: Set<string>; problems: DefinitionProblem[] },
  min: { readonly count: number; readonly message: string },
  entry: (value: unknown, at: ReadonlyArray<string | number>) => T | undefined,
): Array<T | undefined> | undefined {
  const field = pathOf(path);
  if (input === undefined || !Array.isArray(input) || input.length < min.count) {
    out.failed.add(field);
    out.problems.push({
      field,
      message:
        input === undefined
          ? `is required; ${min.message}`
          : !Array.isArray(input)
            ? `must be a list ([...]); ${min.message}`
            : min.message,
    });
    return undefined;
  }
  return input.map((value, i) => entry(value, [...path, i]));
}

/** Parses every part of a definition on its own; see ParsedParts. */
function parseParts(input: unknown): ParsedParts {
  const out = { failed: new Set<string>(), problems: [] as DefinitionProblem[] };
  const clusterShape = clusterSchema.shape as unknown as Record<string, z.ZodType>;
  const generationShape = generation.shape as unknown as Record<string, z.ZodType>;
  const poolShape = workerPool.shape as unknown as Record<string, z.ZodType>;
  const parsePool = (value: unknown, at: ReadonlyArray<string | number>): PartialPool | undefined =>
    parseFields(poolShape, value, at, out) as PartialPool | undefined;
  const parseGeneration = (value: unknown, at: ReadonlyArray<string | number>): PartialGeneration | undefined =>
    parseFields(generationShape, value, at, out, {
      workerPools: (pools, poolsAt) =>
        parseList(
          pools,
          poolsAt,
          out,
          { count: 1, message: 'a generation needs at least one worker pool, e.g. [{ name: "general" }]' },
          parsePool,
        ),
    }) as PartialGeneration | undefined;
  const definition = parseFields(clusterShape, input, [], out, {
    generations: (generations, at) =>
      parseList(
        generations,
        at,
        out,
        { count: 1, message: 'declare at least one generation, e.g. [{ id: "a", kubernetesVersion: "1.35.4", ... }]' },
        parseGeneration,
      ),
  }) as PartialCluster | undefined;
  return { definition: definition ?? {}, failed: out.failed, problems: out.problems };
}

/**
 * Cross-field rules that a schema of single fields cannot express. They run on every part that parsed: a rule whose
 * inputs include a failed part is skipped (that part already has its own problem).
 */
function crossFieldProblems(def: PartialCluster, failed: ReadonlySet<string>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const ok = (...fields: string[]) => fields.every((f) => !failed.has(f));
  const region = ok("region") ? def.region : undefined;
  if (def.access && ok("access")) {
    for (const p of accessCrossProblems(def.access)) add(`access.${p.field}`, p.message);
    // OIDC issuers reach every generation's API server: each generation's Kubernetes must accept the configuration.
    if (def.access.oidc?.length)
      (def.generations ?? []).forEach((g, i) => {
        const version = g?.kubernetesVersion;
        const problem = version && /^\d+\.\d+\.\d+$/.test(version) ? oidcVersionProblem(version) : undefined;
        if (problem) add(`generations[${i}].kubernetesVersion`, problem);
      });
    // Nor may an issuer be the cluster's own service-account issuer (kube-apiserver would not start).
    if (def.access.oidc?.length && def.name && def.region && def.network && ok("name", "region", "network")) {
      const issuer = serviceAccountIssuer({ name: def.name, region: def.region, network: def.network });
      for (const p of oidcServiceAccountIssuerProblems(def.access.oidc, issuer.url)) add(`access.oidc${p.field}`, p.message);
    }
  }

  if (def.serviceAccounts && ok("serviceAccounts"))
    for (const p of serviceAccountsCrossProblems(def.serviceAccounts)) add(`serviceAccounts${p.field}`, p.message);
  (def.generations ?? []).forEach((g, i) => {
    const problem = g?.id !== undefined && ok(`generations[${i}].id`) ? reservedGenerationIdProblem(g.id) : undefined;
    if (problem) add(`generations[${i}].id`, problem);
  });

  const subnets = def.network?.privateSubnets;
  if (subnets) {
    const zones = new Set(subnets.map((s) => s.availabilityZone));
    if (zones.size < 2) {
      add(
        "network.privateSubnets",
        `subnets span ${zones.size} availability zone${zones.size === 1 ? "" : "s"}; list private subnets in at least two zones so the control plane and pools survive a zone outage`,
      );
    }
    subnets.forEach((s, i) => {
      const message = region ? zoneProblem(s.availabilityZone, region) : undefined;
      if (message) add(`network.privateSubnets[${i}].availabilityZone`, message);
    });
    duplicates(subnets.map((s) => s.id)).forEach(([id, i]) =>
      add(`network.privateSubnets[${i}].id`, `subnet "${id}" is listed twice; list each subnet once`),
    );
  }

  const generations = def.generations ?? [];
  duplicates(generations.map((g, i) => (g?.id !== undefined ? g.id : `\u0000${i}`))).forEach(([id, i]) =>
    add(`generations[${i}].id`, `generation id "${id}" is used twice; give each generation its own id`),
  );
  // Whether any generation carries traffic can only be judged when every generation's weight and state parsed.
  const judged = generations.every((g, i) => g !== undefined && ok(`generations[${i}].weight`, `generations[${i}].state`));
  const live = generations.filter((g) => (g?.state ?? "live") === "live");
  if (def.generations && judged && !live.some((g) => (g?.weight ?? 0) > 0)) {
    add("generations", "no live generation carries traffic; give at least one live generation a weight above 0");
  }
  generations.forEach((g, gi) => {
    if (!g) return;
    const at = `generations[${gi}]`;
    const id = g.id ?? `#${gi}`;
    // flatcar.arch (deprecated): when written, every node must be of that architecture; unset, each node's follows its types.
    const flatcarParsed = ok(`${at}.flatcar`) && g.flatcar !== undefined;
    const writtenArch = flatcarParsed ? g.flatcar!.arch : undefined;
    const defaultArch: NodeArchitecture = writtenArch ?? "amd64";
    // The architectures the generation's nodes run, for the node-binary check below (types that failed are left out).
    const archsInUse = new Set<NodeArchitecture>();
    if ((g.state ?? "live") === "retiring" && g.weight !== undefined && g.weight !== 0) {
      add(
        `${at}.weight`,
        `generation "${id}" is retiring but has weight ${g.weight}; shift its traffic away (weight 0) before retiring it`,
      );
    }
    const pools = g.workerPools ?? [];
    duplicates(pools.map((p, i) => p?.name ?? `\u0000${i}`)).forEach(([name, i]) =>
      add(`${at}.workerPools[${i}].name`, `pool name "${name}" is used twice in generation "${id}"; give each pool its own name`),
    );
    // The first pool is the ingress pool unless a pool says otherwise (see resolveGeneration).
    const poolsParsed = g.workerPools !== undefined && pools.every((p, pi) => p !== undefined && ok(`${at}.workerPools[${pi}].ingress`));
    if (poolsParsed && g.weight !== undefined && g.weight > 0 && !pools.some((p, i) => p!.ingress ?? i === 0)) {
      add(
        `${at}.workerPools`,
        `generation "${id}" has weight ${g.weight} but no ingress pool, so its traffic record would point at a load balancer without targets; set ingress: true on a pool (or weight 0)`,
      );
    }
    pools.forEach((p, pi) => {
      if (!p) return;
      const pat = `${at}.workerPools[${pi}]`;
      // A size that failed to parse has its own problem; comparing its default would report a second, wrong one.
      if (
        p.autoscale &&
        ok(`${pat}.autoscale`, `${pat}.minSize`, `${pat}.maxSize`, `${pat}.desiredCapacity`, `${pat}.labels`, `${pat}.taints`)
      ) {
        // Besides the autoscaler's: the definition's tags, the library's 3 and the group's Name, role and pool (worker-pool.ts).
        const otherTags = (ok("tags") ? Object.keys(def.tags ?? {}).length : 0) + 6;
        for (const problem of autoscaleProblems(p as typeof p & { autoscale: AutoscaleOptions }, p.ingress ?? pi === 0, otherTags))
          add(`${pat}.${problem.field}`, problem.message);
        const max = p.autoscale.max;
        if (ok(`${pat}.spot`) && p.spot?.onDemandBaseCapacity !== undefined && p.spot.onDemandBaseCapacity > max) {
          add(
            `${pat}.spot.onDemandBaseCapacity`,
            `onDemandBaseCapacity ${p.spot.onDemandBaseCapacity} exceeds autoscale.max ${max}; lower it or raise autoscale.max`,
          );
        }
      } else if (!p.autoscale && ok(`${pat}.autoscale`, `${pat}.minSize`, `${pat}.maxSize`, `${pat}.desiredCapacity`, `${pat}.spot`)) {
        const min = p.minSize ?? 1;
        const max = p.maxSize ?? Math.max(3, min);
        if (min > max) add(`${pat}.minSize`, `minSize ${min} is greater than maxSize ${max}; lower minSize or raise maxSize`);
        // With minSize > maxSize the range is empty: that one problem is reported, not a second one about desiredCapacity.
        if (min <= max && p.desiredCapacity !== undefined && (p.desiredCapacity < min || p.desiredCapacity > max)) {
          add(
            `${pat}.desiredCapacity`,
            `desiredCapacity ${p.desiredCapacity} is outside minSize..maxSize (${min}..${max}); pick a value in that range`,
          );
        }
        if (p.spot?.onDemandBaseCapacity !== undefined && p.spot.onDemandBaseCapacity > max) {
          add(
            `${pat}.spot.onDemandBaseCapacity`,
            `onDemandBaseCapacity ${p.spot.onDemandBaseCapacity} exceeds maxSize ${max}; lower it or raise maxSize`,
          );
        }
      }
      duplicates(p.instanceTypes ?? []).forEach(([t, i]) =>
        add(`${pat}.instanceTypes[${i}]`, `instance type "${t}" is listed twice; list each type once`),
      );
      if (flatcarParsed && ok(`${pat}.instanceTypes`)) {
        const types = p.instanceTypes ?? [DEFAULT_INSTANCE_TYPE[defaultArch]];
        const mixed = mixedArchitectureProblem(types);
        if (mixed) add(`${pat}.instanceTypes`, mixed);
        else if (writtenArch) {
          types.forEach((t, ti) => {
            const message = instanceArchitecture(t) ? instanceTypeProblem(t, writtenArch) : undefined;
            if (message) add(`${pat}.instanceTypes[${ti}]`, message);
          });
        }
        const poolArch = nodeArchitecture(types);
        if (poolArch) archsInUse.add(poolArch);
      }
      duplicates((p.taints ?? []).map((t) => `${t.key}:${t.effect}`)).forEach(([t, i]) =>
        add(`${pat}.taints[${i}]`, `taint "${t}" is listed twice; list each key and effect once`),
      );
    });
    const cpType = g.controlPlane?.instanceType;
    if (writtenArch && cpType && instanceArchitecture(cpType)) {
      const message = instanceTypeProblem(cpType, writtenArch);
      if (message) add(`${at}.controlPlane.instanceType`, message);
    }
    if (flatcarParsed && ok(`${at}.controlPlane`)) {
      const cpArch = nodeArchitecture([cpType ?? DEFAULT_INSTANCE_TYPE[defaultArch]]);
      if (cpArch) archsInUse.add(cpArch);
    }
    // Every architecture in use needs the node binaries of this version pinned for it.
    for (const nodeArch of [...archsInUse].sort()) {
      if (
        g.kubernetesVersion !== undefined &&
        /^1\.\d{2}\.\d{1,2}$/.test(g.kubernetesVersion) &&
        !kubernetesNodeBinaries(g.kubernetesVersion, nodeArch)
      ) {
        add(
          `${at}.kubernetesVersion`,
          `no pinned node-binary hash for Kubernetes ${g.kubernetesVersion} (${nodeArch}); use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} or add the release to constructs/ignition/kubernetes-releases.ts`,
        );
      }
    }
    if (ok(`${at}.networking`)) {
      const podCidr = g.networking?.podCidr ?? "10.244.0.0/16";
      const serviceCidr = g.networking?.serviceCidr ?? "10.96.0.0/12";
      const vpcCidr = def.network?.vpcCidr;
      if (cidrsOverlap(podCidr, serviceCidr)) {
        add(`${at}.networking.serviceCidr`, `service CIDR ${serviceCidr} overlaps pod CIDR ${podCidr}; choose ranges that do not overlap`);
      }
      if (vpcCidr && cidrsOverlap(podCidr, vpcCidr)) {
        add(`${at}.networking.podCidr`, `pod CIDR ${podCidr} overlaps the VPC CIDR ${vpcCidr}; choose a range outside the VPC`);
      }
      if (vpcCidr && cidrsOverlap(serviceCidr, vpcCidr)) {
        add(`${at}.networking.serviceCidr`, `service CIDR ${serviceCidr} overlaps the VPC CIDR ${vpcCidr}; choose a range outside the VPC`);
      }
      if (parseIpv4Cidr(serviceCidr)!.prefix > 24) {
        add(`${at}.networking.serviceCidr`, `service CIDR ${serviceCidr} is too small; use a /24 or larger (e.g. 10.96.0.0/12)`);
      }
      if (parseIpv4Cidr(podCidr)!.prefix > 20) {
        add(`${at}.networking.podCidr`, `pod CIDR ${podCidr} is too small for per-node ranges; use a /20 or larger (e.g. 10.244.0.0/16)`);
      }
    }
    // ingress-nginx (generations before Kubernetes 1.33) answers the load balancer's health check only on its own path
    // (see the chart); newer generations run the gateway instead, which answers any health path (gateway/chart.ts).
    const healthPath = def.traffic?.healthPath ?? "/healthz";
    const version = ok(`${at}.kubernetesVersion`) ? g.kubernetesVersion : undefined;
    const gatewayVersion = version !== undefined && /^\d+\.\d+\.\d+$/.test(version) && gatewayKubernetesVersion(version);
    if (
      version !== undefined &&
      !gatewayVersion &&
      ok("traffic", `${at}.addons`) &&
      g.addons?.ingressNginx?.enabled !== false &&
      healthPath !== INGRESS_HEALTH_PATH
    ) {
      add(
        "traffic.healthPath",
        `"${healthPath}": ingress-nginx of generation "${id}" answers the load balancer's health check only on "${INGRESS_HEALTH_PATH}"; set traffic.healthPath to "${INGRESS_HEALTH_PATH}" or set addons.ingressNginx.enabled to false and run your own controller`,
      );
    }
  });

  // A service-node-port-range of the definition must keep the ingress ports where the generation's ingress needs them.
  generations.forEach((g, gi) => {
    const at = `generations[${gi}]`;
    const value = g?.controlPlane?.apiServer?.extraArgs?.[NODE_PORT_RANGE_FLAG];
    const version = g && ok(`${at}.kubernetesVersion`, `${at}.addons`, `${at}.controlPlane`) ? g.kubernetesVersion : undefined;
    if (value === undefined || version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) return;
    const ingress = gatewayKubernetesVersion(version)
      ? g!.addons?.gateway?.enabled !== false
        ? "gateway"
        : "none"
      : g!.addons?.ingressNginx?.enabled !== false
        ? "ingress-nginx"
        : "none";
    const problem = nodePortRangeProblem(value, ingress);
    if (problem) add(`${at}.controlPlane.apiServer.extraArgs[${JSON.stringify(NODE_PORT_RANGE_FLAG)}]`, problem);
  });

  // A restore names another generation: judged only over generations whose id, control plane and networking parsed.
  const restoreJudged = generations.every(
    (g, i) => g !== undefined && ok(`generations[${i}].id`, `generations[${i}].controlPlane`, `generations[${i}].networking`),
  );
  if (restoreJudged) for (const p of restoreProblems(generations, "10.96.0.0/12")) add(p.field, p.message);

  const adminCidrs = def.network?.adminCidrs ?? [];
  if (coversEverything(adminCidrs)) {
    add(
      "network.adminCidrs",
      `${adminCidrs.length === 1 ? adminCidrs[0] : `together, ${adminCidrs.join(" + ")}`} would open the API to every address; list your VPN or bastion ranges instead`,
    );
  } else if (publicAddressCount(adminCidrs) > 0 && def.network?.acknowledgePublicAdminCidrs !== true) {
    add(
      "network.adminCidrs",
      `${adminCidrs.filter((c) => publicAddressCount([c]) > 0).join(", ")} include${adminCidrs.filter((c) => publicAddressCount([c]) > 0).length === 1 ? "s" : ""} public (internet) addresses; list private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) or set network.acknowledgePublicAdminCidrs: true if the API must be reachable from those public addresses`,
    );
  }

  const hostname = def.traffic?.hostname ?? "apps";
  if (ok("traffic", "name", "dns") && def.name && def.dns) {
    const full = `${hostname}.${def.name}.${def.dns.privateZoneName}`;
    if (full.length > 253) {
      add(
        "traffic.hostname",
        `the traffic name "${full}" is ${full.length} characters; DNS names have at most 253: shorten the hostname, cluster name or zone`,
      );
    }
  }
  return problems;
}

function duplicates(values: readonly string[]): Array<[string, number]> {
  const seen = new Set<string>();
  const result: Array<[string, number]> = [];
  values.forEach((v, i) => {
    if (seen.has(v) && !v.startsWith("\u0000")) result.push([v, i]);
    seen.add(v);
  });
  return result;
}

/** Parses a definition and lists every problem: shape problems of each part and the cross-field rules over what parsed. */
function parseDefinition(input: unknown): { definition: PartialCluster; problems: DefinitionProblem[] } {
  const parts = parseParts(input);
  return { definition: parts.definition, problems: [...parts.problems, ...crossFieldProblems(parts.definition, parts.failed)] };
}

/** Every problem in a definition; empty when it is valid. */
export function definitionProblems(input: unknown): DefinitionProblem[] {
  return parseDefinition(input).problems;
}

/**
 * Returns the parsed definition (new objects, unknown and `__proto__` keys refused, addon settings with their defaults)
 * when valid; throws a DefinitionError listing every problem otherwise. Synthesis uses only what this returns.
 */
export function validateDefinition(input: unknown): ClusterDefinition {
  const { definition, problems } = parseDefinition(input);
  if (problems.length > 0) {
    const name =
      typeof definition.name === "string"
        ? definition.name
        : isPlainObject(input) && typeof input.name === "string"
          ? input.name
          : "(unnamed)";
    throw new DefinitionError(name, problems);
  }
  return definition as ClusterDefinition;
}
