// Owns validation of a cluster definition: a zod schema for shapes plus cross-field rules, all errors reported at once,
// each naming the field and the fix. Nothing is synthesized from a definition that fails here.
import { z } from "zod";
import { addonsSchema } from "../addons/schema";
import { isSshPublicKey } from "../ignition/builder/passwd";
import { kubernetesNodeBinaries, SUPPORTED_KUBERNETES_VERSIONS } from "../ignition/kubernetes-releases";
import { canonicalCidr, cidrsOverlap, parseIpv4Cidr } from "./cidr";
import type { ClusterDefinition } from "./types";

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
    .string({ error: `must be a string such as "${example}"` })
    .max(max, { error: `must be at most ${max} characters (AWS load balancer names are limited); use a shorter name such as "${example}"` })
    .regex(DNS_LABEL, {
      error: `must be DNS-safe: lower-case letters, digits and "-", starting with a letter and not ending with "-" (e.g. "${example}")`,
    });

const cidr = z.string({ error: 'must be an IPv4 CIDR such as "10.0.0.0/16"' }).superRefine((value, ctx) => {
  if (parseIpv4Cidr(value)) return;
  const canonical = canonicalCidr(value);
  ctx.addIssue({
    code: "custom",
    message:
      canonical && canonical !== value
        ? `"${value}" has host bits set; write the network address "${canonical}"`
        : `"${value}" is not an IPv4 CIDR; write it as "a.b.c.d/n", e.g. "10.0.0.0/16"`,
  });
});

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .min(0, { error: `${what} must not be negative` });

const rootVolume = z
  .object({
    sizeGiB: positiveInt("sizeGiB").min(8, { error: "must be at least 8 GiB (Flatcar's image needs it); e.g. 30" }).max(16384).optional(),
    type: z.enum(["gp3", "gp2", "io1", "io2"], { error: 'must be one of "gp3", "gp2", "io1", "io2"' }).optional(),
  })
  .strict();

const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an EC2 instance type such as "m6i.large"' });

const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const workerPool = z
  .object({
    name: dnsName(12, "general"),
    instanceTypes: z.array(instanceType).min(1, { error: 'list at least one instance type, e.g. ["m6i.large"]' }).optional(),
    minSize: positiveInt("minSize").optional(),
    maxSize: positiveInt("maxSize").min(1, { error: "must be at least 1" }).optional(),
    desiredCapacity: positiveInt("desiredCapacity").optional(),
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
    labels: z
      .record(
        z.string().regex(labelKey, { error: 'label keys must be valid Kubernetes label keys, e.g. "example.com/team"' }),
        z.string().regex(labelValue, { error: "label values must be at most 63 characters of letters, digits, '-', '_' and '.'" }),
      )
      .optional(),
    taints: z
      .array(
        z
          .object({
            key: z.string().regex(labelKey, { error: 'must be a valid Kubernetes taint key, e.g. "dedicated"' }),
            value: z
              .string()
              .regex(labelValue, { error: "taint values must be at most 63 characters of letters, digits, '-', '_' and '.'" })
              .optional(),
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
        version: z.string().regex(/^\d{4}\.\d+\.\d+$/, { error: 'must be an exact Flatcar release such as "4230.2.3"' }),
        arch: z.enum(["amd64", "arm64"], { error: 'must be "amd64" or "arm64"' }).optional(),
        owner: z
          .string()
          .regex(/^\d{12}$/, { error: "must be a 12-digit AWS account id" })
          .optional(),
      })
      .strict(),
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

const clusterSchema = z
  .object({
    name: dnsName(16, "prod"),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'must be an AWS region such as "eu-west-1"' }),
    network: z
      .object({
        vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must be a VPC id such as "vpc-0123456789abcdef0"' }),
        vpcCidr: cidr,
        privateSubnets: z.array(
          z
            .object({
              id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id such as "subnet-0123456789abcdef0"' }),
              availabilityZone: z
                .string()
                .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: 'must be an availability zone such as "eu-west-1a"' }),
            })
            .strict(),
        ),
        adminCidrs: z.array(cidr).optional(),
      })
      .strict(),
    dns: z
      .object({
        privateZoneId: z.string().regex(/^[A-Z0-9]{1,32}$/, {
          error: 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (without "/hostedzone/")',
        }),
        privateZoneName: z.string().regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, {
          error: 'must be a domain name without trailing dot, e.g. "internal.example.com"',
        }),
      })
      .strict(),
    generations: z.array(generation).min(1, { error: "declare at least one generation" }),
    traffic: z
      .object({
        hostname: z.string().regex(DNS_LABEL, { error: 'must be a DNS label such as "apps"' }).optional(),
        healthPath: z
          .string()
          .regex(/^\/[A-Za-z0-9/_.-]*$/, { error: 'must be an absolute URL path such as "/healthz"' })
          .optional(),
      })
      .strict()
      .optional(),
    stateBackend: z
      .object({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "must be an S3 bucket name" }),
        keyPrefix: z.string().optional(),
        region: z.string().optional(),
        dynamodbTable: z.string().optional(),
      })
      .strict()
      .optional(),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .strict();

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

function zodMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} or check the spelling`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  // A bad record key (e.g. a label key): zod nests the key's own issue; its message says what a valid key looks like.
  if (issue.code === "invalid_key" && issue.issues.length > 0)
    return `key ${JSON.stringify(String(issue.path.at(-1)))}: ${issue.issues[0].message}`;
  return issue.message;
}

/** Cross-field rules that a schema of single fields cannot express. */
function crossFieldProblems(def: ClusterDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });

  const zones = new Set(def.network.privateSubnets.map((s) => s.availabilityZone));
  if (zones.size < 2) {
    add(
      "network.privateSubnets",
      `subnets span ${zones.size} availability zone${zones.size === 1 ? "" : "s"}; list private subnets in at least two zones so the control plane and pools survive a zone outage`,
    );
  }
  def.network.privateSubnets.forEach((s, i) => {
    if (!s.availabilityZone.startsWith(def.region)) {
      add(
        `network.privateSubnets[${i}].availabilityZone`,
        `"${s.availabilityZone}" is not in region "${def.region}"; use a zone of that region`,
      );
    }
  });
  duplicates(def.network.privateSubnets.map((s) => s.id)).forEach(([id, i]) =>
    add(`network.privateSubnets[${i}].id`, `subnet "${id}" is listed twice; list each subnet once`),
  );

  duplicates(def.generations.map((g) => g.id)).forEach(([id, i]) =>
    add(`generations[${i}].id`, `generation id "${id}" is used twice; give each generation its own id`),
  );
  const live = def.generations.filter((g) => (g.state ?? "live") === "live");
  if (def.generations.length > 0 && !live.some((g) => g.weight > 0)) {
    add("generations", "no live generation carries traffic; give at least one live generation a weight above 0");
  }
  def.generations.forEach((g, gi) => {
    const at = `generations[${gi}]`;
    if ((g.state ?? "live") === "retiring" && g.weight !== 0) {
      add(
        `${at}.weight`,
        `generation "${g.id}" is retiring but has weight ${g.weight}; shift its traffic away (weight 0) before retiring it`,
      );
    }
    duplicates(g.workerPools.map((p) => p.name)).forEach(([name, i]) =>
      add(`${at}.workerPools[${i}].name`, `pool name "${name}" is used twice in generation "${g.id}"; give each pool its own name`),
    );
    g.workerPools.forEach((p, pi) => {
      const pat = `${at}.workerPools[${pi}]`;
      const min = p.minSize ?? 1;
      const max = p.maxSize ?? Math.max(3, min);
      if (min > max) add(`${pat}.minSize`, `minSize ${min} is greater than maxSize ${max}; lower minSize or raise maxSize`);
      if (p.desiredCapacity !== undefined && (p.desiredCapacity < min || p.desiredCapacity > max)) {
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
      duplicates((p.instanceTypes ?? []).map((t) => t)).forEach(([t, i]) =>
        add(`${pat}.instanceTypes[${i}]`, `instance type "${t}" is listed twice; list each type once`),
      );
      const arch = g.flatcar.arch ?? "amd64";
      (p.instanceTypes ?? []).forEach((t, ti) => {
        if (isArmInstanceType(t) !== (arch === "arm64")) {
          add(
            `${pat}.instanceTypes[${ti}]`,
            `"${t}" is ${isArmInstanceType(t) ? "an arm64 (Graviton)" : "an x86_64"} type but the generation boots Flatcar ${arch}; use a matching instance type or set flatcar.arch`,
          );
        }
      });
      duplicates((p.taints ?? []).map((t) => `${t.key}:${t.effect}`)).forEach(([t, i]) =>
        add(`${pat}.taints[${i}]`, `taint "${t}" is listed twice; list each key and effect once`),
      );
    });
    if (!kubernetesNodeBinaries(g.kubernetesVersion, g.flatcar.arch ?? "amd64") && /^1\.\d{2}\.\d{1,2}$/.test(g.kubernetesVersion)) {
      add(
        `${at}.kubernetesVersion`,
        `no pinned node-binary hash for Kubernetes ${g.kubernetesVersion} (${g.flatcar.arch ?? "amd64"}); use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} or add the release to constructs/ignition/kubernetes-releases.ts`,
      );
    }
    const cpType = g.controlPlane?.instanceType;
    if (cpType && isArmInstanceType(cpType) !== ((g.flatcar.arch ?? "amd64") === "arm64")) {
      add(
        `${at}.controlPlane.instanceType`,
        `"${cpType}" does not match the generation's Flatcar architecture "${g.flatcar.arch ?? "amd64"}"; use a matching instance type`,
      );
    }
    const podCidr = g.networking?.podCidr ?? "10.244.0.0/16";
    const serviceCidr = g.networking?.serviceCidr ?? "10.96.0.0/12";
    const validCidrs = parseIpv4Cidr(podCidr) && parseIpv4Cidr(serviceCidr) && parseIpv4Cidr(def.network.vpcCidr);
    if (validCidrs) {
      if (cidrsOverlap(podCidr, serviceCidr)) {
        add(`${at}.networking.serviceCidr`, `service CIDR ${serviceCidr} overlaps pod CIDR ${podCidr}; choose ranges that do not overlap`);
      }
      if (cidrsOverlap(podCidr, def.network.vpcCidr)) {
        add(`${at}.networking.podCidr`, `pod CIDR ${podCidr} overlaps the VPC CIDR ${def.network.vpcCidr}; choose a range outside the VPC`);
      }
      if (cidrsOverlap(serviceCidr, def.network.vpcCidr)) {
        add(
          `${at}.networking.serviceCidr`,
          `service CIDR ${serviceCidr} overlaps the VPC CIDR ${def.network.vpcCidr}; choose a range outside the VPC`,
        );
      }
      if (parseIpv4Cidr(serviceCidr)!.prefix > 24) {
        add(`${at}.networking.serviceCidr`, `service CIDR ${serviceCidr} is too small; use a /24 or larger (e.g. 10.96.0.0/12)`);
      }
      if (parseIpv4Cidr(podCidr)!.prefix > 20) {
        add(`${at}.networking.podCidr`, `pod CIDR ${podCidr} is too small for per-node ranges; use a /20 or larger (e.g. 10.244.0.0/16)`);
      }
    }
  });
  (def.network.adminCidrs ?? []).forEach((c, i) => {
    if (c === "0.0.0.0/0")
      add(`network.adminCidrs[${i}]`, "0.0.0.0/0 would open the API to everyone; list your VPN or bastion ranges instead");
  });
  return problems;
}

/** Arm64 (Graviton) instance families carry a "g" after the generation digit, e.g. m7g, c6gn, t4g. */
function isArmInstanceType(type: string): boolean {
  const family = type.split(".")[0];
  return /^[a-z]+\d+g[a-z]*$/.test(family) && !/^(g\d|p\d)/.test(family);
}

function duplicates(values: readonly string[]): Array<[string, number]> {
  const seen = new Set<string>();
  const result: Array<[string, number]> = [];
  values.forEach((v, i) => {
    if (seen.has(v)) result.push([v, i]);
    seen.add(v);
  });
  return result;
}

/** Every problem in a definition; empty when it is valid. */
export function definitionProblems(input: unknown): DefinitionProblem[] {
  const parsed = clusterSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({ field: pathOf(issue.path) || "(definition)", message: zodMessage(issue) }));
  }
  return crossFieldProblems(parsed.data as ClusterDefinition);
}

/** Returns the definition typed when valid; throws a DefinitionError listing every problem otherwise. */
export function validateDefinition(input: unknown): ClusterDefinition {
  const problems = definitionProblems(input);
  if (problems.length > 0) {
    const name =
      typeof input === "object" && input !== null && typeof (input as { name?: unknown }).name === "string"
        ? (input as { name: string }).name
        : "(unnamed)";
    throw new DefinitionError(name, problems);
  }
  return input as ClusterDefinition;
}
