// The bad-definition table (issue 13): each of 150+ bad cluster definitions, as a new user would write them, is refused
// by validateDefinition with a problem at the exact field path whose message names the fix in our words (no generic
// schema text), and addClusters writes nothing to the output folder.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addClusters, DefinitionError, definitionProblems, type ClusterDefinition } from "../constructs";
import { App } from "../constructs/platform/terraform";
import { withField } from "./support/definition-mutations";
import { sampleCluster, sampleGeneration } from "./support/fixtures";

type Mutation = (c: ClusterDefinition) => unknown;
const set =
  (path: string, value: unknown): Mutation =>
  (c) =>
    withField(c, path, value);
const setAll =
  (...changes: Array<[string, unknown]>): Mutation =>
  (c) =>
    changes.reduce<unknown>((acc, [path, value]) => withField(acc, path, value), c);
const G = "generations[0]";
const P = `${G}.workerPools[0]`;
const T = `${G}.addons.tenants[0]`;
const tenant = (overrides: Record<string, unknown>) => set(`${G}.addons.tenants`, [{ name: "team-a", ...overrides }]);

/** Text the schema library writes on its own; none of it may reach a user. */
const GENERIC =
  /Invalid input|Invalid option|Too small|Too big|expected (string|number|boolean|object|array|record)|received|Unrecognized key|Invalid string/;

// [case, mutation, exact field path of the problem, words of the message that name the fix]
const cases: Array<[string, Mutation, string, RegExp]> = [
  // --- the cases of issue 13: accepted before, broken at plan, apply or boot
  ["region that does not exist", set("region", "xx-moon-1"), "region", /not an AWS region; use one such as "/],
  [
    "Flatcar version outside the format",
    set(`${G}.flatcar.version`, "4152.2"),
    `${G}.flatcar.version`,
    /MAJOR\.MINOR\.PATCH such as "4230\.2\.1"/,
  ],
  [
    "instance type that does not exist",
    set(`${P}.instanceTypes`, ["banana.huge"]),
    `${P}.instanceTypes[0]`,
    /not an EC2 instance type; did you mean/,
  ],
  ["weight > 0 with no ingress pool", set(`${P}.ingress`, false), `${G}.workerPools`, /no ingress pool.*set ingress: true on a pool/],
  [
    "label key prefix over 253 characters",
    set(`${P}.labels`, { [`${"a".repeat(254)}/team`]: "x" }),
    `${P}.labels["${"a".repeat(254)}/team"]`,
    /at most 253/,
  ],
  [
    "kubelet-refused node-role label",
    set(`${P}.labels`, { "node-role.kubernetes.io/worker": "" }),
    `${P}.labels["node-role.kubernetes.io/worker"]`,
    /kubelet refuses.*use your own prefix/,
  ],
  ["k8s.io label namespace", set(`${P}.labels`, { "example.k8s.io/x": "y" }), `${P}.labels["example.k8s.io/x"]`, /kubelet refuses/],
  [
    "quota quantity with a sign",
    tenant({ quota: { requestsCpu: "-4" } }),
    `${T}.quota.requestsCpu`,
    /has a sign; .*without a sign, e\.g\./,
  ],
  [
    "tenant egress CIDR 999.1.1.1/99",
    tenant({ egressCidrs: ["999.1.1.1/99"] }),
    `${T}.egressCidrs[0]`,
    /not an IPv4 CIDR; write it as "a\.b\.c\.d\/n"/,
  ],
  ["traffic hostname label over 63 characters", set("traffic.hostname", "a".repeat(64)), "traffic.hostname", /at most 63/],
  ["tag in the aws: namespace", set("tags", { "aws:team": "x" }), 'tags["aws:team"]', /reserved for AWS; choose another key/],
  ["tag key over 128 characters", set("tags", { ["k".repeat(129)]: "x" }), `tags.${"k".repeat(129)}`, /1 to 128/],
  ["tag value over 256 characters", set("tags", { team: "v".repeat(257) }), "tags.team", /at most 256/],
  [
    "state backend region that is not a region",
    set("stateBackend", { bucket: "my-state", region: "europe" }),
    "stateBackend.region",
    /not an AWS region/,
  ],
  [
    "__proto__ label key from JSON",
    (c) => withField(c, `${P}.labels`, JSON.parse('{"__proto__": "x"}')),
    `${P}.labels.__proto__`,
    /"__proto__" is not allowed as a key; remove it/,
  ],
  // --- accepted before, weakening security
  ["public admin range", set("network.adminCidrs", ["203.0.113.0/24"]), "network.adminCidrs", /public .*acknowledgePublicAdminCidrs: true/],
  [
    "admin ranges split to cover everything",
    set("network.adminCidrs", ["0.0.0.0/1", "128.0.0.0/1"]),
    "network.adminCidrs",
    /every address; list your VPN or bastion ranges/,
  ],
  ["admin range 0.0.0.0/0", set("network.adminCidrs", ["0.0.0.0/0"]), "network.adminCidrs", /every address/],
  [
    "admin ranges in quarters",
    set("network.adminCidrs", ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]),
    "network.adminCidrs",
    /every address/,
  ],
  [
    "Flatcar owner not Flatcar's",
    set(`${G}.flatcar.owner`, "123456789012"),
    `${G}.flatcar.owner`,
    /not Flatcar's publisher.*acknowledgeUnofficialOwner: true/,
  ],
  [
    "tenant admins system:unauthenticated",
    tenant({ groups: { admins: ["system:unauthenticated"] } }),
    `${T}.groups.admins[0]`,
    /built-in groups.*identity-provider group/,
  ],
  [
    "tenant viewers system:serviceaccounts",
    tenant({ groups: { viewers: ["system:serviceaccounts"] } }),
    `${T}.groups.viewers[0]`,
    /built-in groups/,
  ],
  [
    "tenant admins system:authenticated",
    tenant({ groups: { admins: ["system:authenticated"] } }),
    `${T}.groups.admins[0]`,
    /built-in groups/,
  ],
  // --- unclear before
  ["weight as a string", set(`${G}.weight`, "50"), `${G}.weight`, /from 0 to 100/],
  ["maxSize Infinity", set(`${P}.maxSize`, Infinity), `${P}.maxSize`, /finite number, not Infinity/],
  ["rootVolume.sizeGiB 1e6", set(`${P}.rootVolume`, { sizeGiB: 1e6 }), `${P}.rootVolume.sizeGiB`, /at most 16384, not 1000000/],
  ["minSize negative", set(`${P}.minSize`, -1), `${P}.minSize`, /must not be negative; use 0 or more/],
  [
    "allocation strategy unknown",
    set(`${P}.spot`, { allocationStrategy: "cheapest" }),
    `${P}.spot.allocationStrategy`,
    /one of "price-capacity-optimized", "capacity-optimized" or "lowest-price"/,
  ],
  [
    "malformed quota quantity",
    tenant({ quota: { limitsMemory: "16 GB" } }),
    `${T}.quota.limitsMemory`,
    /not a Kubernetes quantity; .*e\.g\./,
  ],
  [
    "healthPath ingress-nginx cannot answer",
    set("traffic.healthPath", "/ready"),
    "traffic.healthPath",
    /answers .* only on "\/healthz"; set traffic\.healthPath/,
  ],
  // --- cluster fields
  ["definition is a string", () => "prod", "(definition)", /must be an object/],
  ["definition is null", () => null, "(definition)", /must be an object/],
  ["definition is a list", () => [], "(definition)", /must be an object/],
  ["name missing", set("name", undefined), "name", /is required, e\.g\. "prod"/],
  ["name a number", set("name", 42), "name", /must be text .*not 42/],
  ["name with capitals", set("name", "Prod"), "name", /DNS-safe/],
  ["name too long", set("name", "a".repeat(17)), "name", /at most 16 characters/],
  ["name ending in -", set("name", "prod-"), "name", /DNS-safe/],
  ["name empty", set("name", ""), "name", /DNS-safe/],
  ["unknown top-level field", set("vpc", "x"), "vpc", /unknown field "vpc"; remove it/],
  ["misspelt top-level field", set("regoin", "eu-west-1"), "regoin", /did you mean "region"/],
  ["region missing", set("region", undefined), "region", /is required, e\.g\. "eu-west-1"/],
  ["region upper-case", set("region", "EU-WEST-1"), "region", /not an AWS region/],
  ["region typo", set("region", "eu-wset-1"), "region", /"eu-west-1"/],
  ["region a number", set("region", 1), "region", /must be text/],
  ["region as a zone", set("region", "eu-west-1a"), "region", /not an AWS region; use one such as "eu-west-1"/],
  // --- network
  ["network missing", set("network", undefined), "network", /is required/],
  ["network a string", set("network", "vpc-1"), "network", /must be an object/],
  ["vpcId malformed", set("network.vpcId", "my-vpc"), "network.vpcId", /VPC id such as/],
  ["vpcCidr not a CIDR", set("network.vpcCidr", "10.0.0.0"), "network.vpcCidr", /not an IPv4 CIDR/],
  [
    "vpcCidr with host bits",
    set("network.vpcCidr", "10.0.0.1/16"),
    "network.vpcCidr",
    /host bits set; write the network address "10\.0\.0\.0\/16"/,
  ],
  ["vpcCidr octet 256", set("network.vpcCidr", "10.256.0.0/16"), "network.vpcCidr", /each number 0-255/],
  ["vpcCidr prefix 33", set("network.vpcCidr", "10.0.0.0/33"), "network.vpcCidr", /n 0-32/],
  ["vpcCidr leading zero", set("network.vpcCidr", "010.0.0.0/8"), "network.vpcCidr", /not an IPv4 CIDR/],
  ["vpcCidr IPv6", set("network.vpcCidr", "fd00::/8"), "network.vpcCidr", /not an IPv4 CIDR/],
  ["vpcCidr a number", set("network.vpcCidr", 10), "network.vpcCidr", /must be text/],
  ["subnets not a list", set("network.privateSubnets", "subnet-1"), "network.privateSubnets", /must be a list/],
  ["subnets in one zone", set("network.privateSubnets[1].availabilityZone", "eu-west-1a"), "network.privateSubnets", /at least two zones/],
  ["subnets empty", set("network.privateSubnets", []), "network.privateSubnets", /at least two zones/],
  ["subnet id malformed", set("network.privateSubnets[0].id", "sub-1"), "network.privateSubnets[0].id", /subnet id such as/],
  ["subnet listed twice", set("network.privateSubnets[1].id", "subnet-00000000000000001"), "network.privateSubnets[1].id", /listed twice/],
  [
    "subnet zone of another region",
    set("network.privateSubnets[1].availabilityZone", "us-east-1b"),
    "network.privateSubnets[1].availabilityZone",
    /not in region "eu-west-1"/,
  ],
  [
    "subnet zone without letter",
    set("network.privateSubnets[1].availabilityZone", "eu-west-1"),
    "network.privateSubnets[1].availabilityZone",
    /region followed by a letter, e\.g\. "eu-west-1a"/,
  ],
  [
    "subnet zone of unknown region",
    set("network.privateSubnets[1].availabilityZone", "eu-moon-1b"),
    "network.privateSubnets[1].availabilityZone",
    /unknown region "eu-moon-1"/,
  ],
  ["subnet unknown field", set("network.privateSubnets[0].zone", "a"), "network.privateSubnets[0]", /unknown field "zone"/],
  [
    "subnet zone missing",
    set("network.privateSubnets[0].availabilityZone", undefined),
    "network.privateSubnets[0].availabilityZone",
    /is required/,
  ],
  ["admin CIDRs not a list", set("network.adminCidrs", "10.0.0.0/8"), "network.adminCidrs", /must be a list/],
  ["admin CIDR malformed", set("network.adminCidrs", ["10.0.0/8"]), "network.adminCidrs[0]", /not an IPv4 CIDR/],
  ["admin CIDR host bits", set("network.adminCidrs", ["10.0.0.1/8"]), "network.adminCidrs[0]", /"10\.0\.0\.0\/8"/],
  [
    "public admin range mixed with private",
    set("network.adminCidrs", ["10.0.0.0/8", "8.8.8.0/24"]),
    "network.adminCidrs",
    /8\.8\.8\.0\/24 includes public/,
  ],
  [
    "admin /0 even when acknowledged",
    set("network", { ...sampleCluster().network, adminCidrs: ["0.0.0.0/0"], acknowledgePublicAdminCidrs: true }),
    "network.adminCidrs",
    /every address/,
  ],
  [
    "acknowledgement not a boolean",
    set("network.acknowledgePublicAdminCidrs", "yes"),
    "network.acknowledgePublicAdminCidrs",
    /true or false/,
  ],
  ["network unknown field", set("network.subnets", []), "network", /unknown field "subnets"/],
  // --- dns
  ["dns missing", set("dns", undefined), "dns", /is required/],
  ["zone id with /hostedzone/", set("dns.privateZoneId", "/hostedzone/Z123"), "dns.privateZoneId", /without "\/hostedzone\/"/],
  ["zone id lower-case", set("dns.privateZoneId", "z123"), "dns.privateZoneId", /hosted zone id/],
  ["zone name with trailing dot", set("dns.privateZoneName", "internal.example.com."), "dns.privateZoneName", /not a DNS name/],
  ["zone name single label", set("dns.privateZoneName", "internal"), "dns.privateZoneName", /at least two labels/],
  ["zone name label over 63", set("dns.privateZoneName", `${"a".repeat(64)}.example.com`), "dns.privateZoneName", /at most 63/],
  ["zone name upper-case", set("dns.privateZoneName", "Internal.Example.com"), "dns.privateZoneName", /lower-case/],
  ["zone name with underscore", set("dns.privateZoneName", "my_zone.example.com"), "dns.privateZoneName", /not a DNS name/],
  ["dns unknown field", set("dns.zoneId", "Z1"), "dns", /unknown field "zoneId"/],
  // --- traffic
  ["traffic hostname with dot", set("traffic.hostname", "apps.prod"), "traffic.hostname", /not a DNS label/],
  ["traffic hostname upper-case", set("traffic.hostname", "Apps"), "traffic.hostname", /not a DNS label/],
  ["traffic hostname empty", set("traffic.hostname", ""), "traffic.hostname", /must not be empty/],
  [
    "traffic name over 253",
    setAll(["traffic.hostname", "a".repeat(63)], ["dns.privateZoneName", `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}`]),
    "traffic.hostname",
    /at most 253/,
  ],
  ["healthPath relative", set("traffic.healthPath", "healthz"), "traffic.healthPath", /absolute URL path such as "\/healthz"/],
  ["healthPath with query", set("traffic.healthPath", "/healthz?x=1"), "traffic.healthPath", /absolute URL path/],
  ["traffic unknown field", set("traffic.host", "apps"), "traffic", /unknown field "host"/],
  // --- state backend
  ["state bucket upper-case", set("stateBackend", { bucket: "My-State" }), "stateBackend.bucket", /S3 bucket name: 3-63/],
  ["state bucket too short", set("stateBackend", { bucket: "ab" }), "stateBackend.bucket", /e\.g\. "my-terraform-state"/],
  ["state bucket missing", set("stateBackend", { keyPrefix: "x" }), "stateBackend.bucket", /is required, e\.g\. "my-terraform-state"/],
  [
    "state key prefix with spaces",
    set("stateBackend", { bucket: "my-state", keyPrefix: "my prefix" }),
    "stateBackend.keyPrefix",
    /S3 key prefix/,
  ],
  [
    "state lock table too short",
    set("stateBackend", { bucket: "my-state", dynamodbTable: "ab" }),
    "stateBackend.dynamodbTable",
    /DynamoDB table name of 3-255/,
  ],
  [
    "state region typo",
    set("stateBackend", { bucket: "my-state", region: "eu-west-9" }),
    "stateBackend.region",
    /not an AWS region; use one such as "eu-west-1"/,
  ],
  ["state backend unknown field", set("stateBackend", { bucket: "my-state", table: "x" }), "stateBackend", /unknown field "table"/],
  // --- tags
  ["tags a list", set("tags", ["team"]), "tags", /must be an object of names to text values/],
  ["tag value a number", set("tags", { cost: 5 }), "tags.cost", /must be text/],
  ["tag key AWS: upper-case", set("tags", { "AWS:x": "y" }), 'tags["AWS:x"]', /reserved for AWS/],
  ["tag key with !", set("tags", { "team!": "x" }), 'tags["team!"]', /letters, digits, spaces and _ \. : \/ = \+ - @ only/],
  ["tag value with <", set("tags", { team: "<script>" }), "tags.team", /letters, digits, spaces/],
  ["tag key empty", set("tags", { "": "x" }), 'tags[""]', /1 to 128/],
  [
    "tag set by the library",
    set("tags", { "immutable-clusters/cluster": "x" }),
    'tags["immutable-clusters/cluster"]',
    /set by the library; choose another key/,
  ],
  [
    "kubernetes.io/cluster tag",
    set("tags", { "kubernetes.io/cluster/x": "owned" }),
    'tags["kubernetes.io/cluster/x"]',
    /set by the library/,
  ],
  ["too many tags", set("tags", Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, "x"]))), "tags", /list at most 47/],
  ["__proto__ tag key", (c) => withField(c, "tags", JSON.parse('{"__proto__": "x"}')), "tags.__proto__", /not allowed as a key/],
  // --- generations
  ["generations missing", set("generations", undefined), "generations", /is required; declare at least one generation/],
  ["generations empty", set("generations", []), "generations", /declare at least one generation/],
  ["generations an object", set("generations", { a: sampleGeneration() }), "generations", /must be a list/],
  ["generation a string", set("generations", ["a"]), G, /must be an object/],
  ["generation id upper-case", set(`${G}.id`, "A"), `${G}.id`, /lower-case letters and digits/],
  ["generation id too long", set(`${G}.id`, "abcdefghi"), `${G}.id`, /1-8/],
  ["generation id a number", set(`${G}.id`, 1), `${G}.id`, /must be text/],
  [
    "generation ids twice",
    set("generations", [sampleGeneration({ weight: 50 }), sampleGeneration({ weight: 50 })]),
    "generations[1].id",
    /used twice/,
  ],
  ["generation unknown field", set(`${G}.kubernetes`, "1.31.0"), `${G}.kubernetes`, /did you mean "kubernetesVersion"/],
  ["no live generation carries traffic", set(`${G}.weight`, 0), "generations", /at least one live generation a weight above 0/],
  [
    "retiring generation with weight",
    setAll(["generations", [sampleGeneration({ weight: 50 }), sampleGeneration({ id: "b", weight: 50, state: "retiring" })]]),
    "generations[1].weight",
    /retiring but has weight 50/,
  ],
  ["state unknown", set(`${G}.state`, "draining"), `${G}.state`, /"live" or "retiring"/],
  ["weight over 100", set(`${G}.weight`, 101), `${G}.weight`, /from 0 to 100/],
  ["weight negative", set(`${G}.weight`, -1), `${G}.weight`, /from 0 to 100/],
  ["weight fractional", set(`${G}.weight`, 12.5), `${G}.weight`, /whole number/],
  ["weight missing", set(`${G}.weight`, undefined), `${G}.weight`, /from 0 to 100/],
  ["weight NaN", set(`${G}.weight`, NaN), `${G}.weight`, /from 0 to 100/],
  [
    "kubernetes version unpinned",
    set(`${G}.kubernetesVersion`, "1.31.99"),
    `${G}.kubernetesVersion`,
    /no pinned node-binary hash.*use one of/,
  ],
  ["kubernetes version with v", set(`${G}.kubernetesVersion`, "v1.31.0"), `${G}.kubernetesVersion`, /exact Kubernetes release such as/],
  ["kubernetes version minor only", set(`${G}.kubernetesVersion`, "1.31"), `${G}.kubernetesVersion`, /exact Kubernetes release/],
  ["osUpdates a string", set(`${G}.osUpdates`, "false"), `${G}.osUpdates`, /true or false, not "false"/],
  ["ssh key not a key", set(`${G}.sshAuthorizedKeys`, ["my key"]), `${G}.sshAuthorizedKeys[0]`, /OpenSSH public key line/],
  ["ssh keys a string", set(`${G}.sshAuthorizedKeys`, "ssh-ed25519 AAAA"), `${G}.sshAuthorizedKeys`, /must be a list/],
  // --- flatcar
  ["flatcar missing", set(`${G}.flatcar`, undefined), `${G}.flatcar`, /is required/],
  ["flatcar channel unknown", set(`${G}.flatcar.channel`, "edge"), `${G}.flatcar.channel`, /"stable", "beta", "alpha" or "lts"/],
  [
    "flatcar stable with beta minor",
    set(`${G}.flatcar.version`, "4152.1.0"),
    `${G}.flatcar.version`,
    /not a stable release: stable releases have minor 2.*set flatcar\.channel to "beta"/,
  ],
  [
    "flatcar beta with stable minor",
    set(`${G}.flatcar`, { channel: "beta", version: "4152.2.3" }),
    `${G}.flatcar.version`,
    /not a beta release.*"stable"/,
  ],
  [
    "flatcar alpha with patch minor",
    set(`${G}.flatcar`, { channel: "alpha", version: "4152.1.0" }),
    `${G}.flatcar.version`,
    /not a alpha release|not an alpha release/,
  ],
  [
    "flatcar lts with stable minor",
    set(`${G}.flatcar`, { channel: "lts", version: "4152.2.3" }),
    `${G}.flatcar.version`,
    /lts releases have minor 3/,
  ],
  ["flatcar version from the future", set(`${G}.flatcar.version`, "9999.2.0"), `${G}.flatcar.version`, /lies in the future/],
  ["flatcar version with v", set(`${G}.flatcar.version`, "v4152.2.3"), `${G}.flatcar.version`, /MAJOR\.MINOR\.PATCH/],
  ["flatcar version 'current'", set(`${G}.flatcar.version`, "current"), `${G}.flatcar.version`, /not a Flatcar release number/],
  ["flatcar version a number", set(`${G}.flatcar.version`, 4152.2), `${G}.flatcar.version`, /must be text/],
  ["flatcar arch unknown", set(`${G}.flatcar.arch`, "x86_64"), `${G}.flatcar.arch`, /"amd64" or "arm64"/],
  ["flatcar owner not 12 digits", set(`${G}.flatcar.owner`, "flatcar"), `${G}.flatcar.owner`, /12-digit AWS account id/],
  ["flatcar unknown field", set(`${G}.flatcar.ami`, "ami-1"), `${G}.flatcar`, /unknown field "ami"/],
  // --- control plane
  ["control plane count 2", set(`${G}.controlPlane.count`, 2), `${G}.controlPlane.count`, /1, 3 or 5/],
  ["control plane count a string", set(`${G}.controlPlane.count`, "3"), `${G}.controlPlane.count`, /must be a number, not "3", e\.g\. 3/],
  [
    "control plane type unknown",
    set(`${G}.controlPlane.instanceType`, "m6i.hyuge"),
    `${G}.controlPlane.instanceType`,
    /did you mean .*"m6i\.huge"|did you mean/,
  ],
  [
    "control plane arm type on flatcar.arch amd64",
    setAll([`${G}.flatcar.arch`, "amd64"], [`${G}.controlPlane.instanceType`, "m7g.large"]),
    `${G}.controlPlane.instanceType`,
    /arm64 \(Graviton\).*e\.g\. "m6i\.large".*remove flatcar\.arch \(deprecated/,
  ],
  ["control plane mac type", set(`${G}.controlPlane.instanceType`, "mac2.metal"), `${G}.controlPlane.instanceType`, /macOS instance type/],
  [
    "control plane root volume too small",
    set(`${G}.controlPlane.rootVolume`, { sizeGiB: 4 }),
    `${G}.controlPlane.rootVolume.sizeGiB`,
    /at least 8 GiB/,
  ],
  [
    "control plane volume type",
    set(`${G}.controlPlane.rootVolume`, { type: "st1" }),
    `${G}.controlPlane.rootVolume.type`,
    /"gp3", "gp2", "io1", "io2"/,
  ],
  ["control plane unknown field", set(`${G}.controlPlane.size`, 3), `${G}.controlPlane`, /unknown field "size"/],
  // --- worker pools
  ["worker pools empty", set(`${G}.workerPools`, []), `${G}.workerPools`, /at least one worker pool/],
  [
    "worker pools missing",
    set(`${G}.workerPools`, undefined),
    `${G}.workerPools`,
    /is required; a generation needs at least one worker pool/,
  ],
  ["pool a string", set(`${G}.workerPools`, ["general"]), P, /must be an object/],
  ["pool name missing", set(`${P}.name`, undefined), `${P}.name`, /is required, e\.g\. "general"/],
  ["pool name with space", set(`${P}.name`, "General Pool"), `${P}.name`, /DNS-safe/],
  ["pool name too long", set(`${P}.name`, "generalpurpose"), `${P}.name`, /at most 12 characters/],
  ["pool names twice", set(`${G}.workerPools`, [{ name: "general" }, { name: "general" }]), `${G}.workerPools[1].name`, /used twice/],
  ["pool minSize > maxSize", setAll([`${P}.minSize`, 5], [`${P}.maxSize`, 2]), `${P}.minSize`, /lower minSize or raise maxSize/],
  ["pool desired outside range", set(`${P}.desiredCapacity`, 9), `${P}.desiredCapacity`, /outside minSize\.\.maxSize/],
  ["pool maxSize 0", set(`${P}.maxSize`, 0), `${P}.maxSize`, /at least 1/],
  ["pool minSize fractional", set(`${P}.minSize`, 1.5), `${P}.minSize`, /whole number/],
  ["pool minSize a string", set(`${P}.minSize`, "1"), `${P}.minSize`, /must be a number, not "1", e\.g\. 1/],
  ["pool instance types empty", set(`${P}.instanceTypes`, []), `${P}.instanceTypes`, /at least one instance type/],
  [
    "pool instance type upper-case",
    set(`${P}.instanceTypes`, ["M6i.large"]),
    `${P}.instanceTypes[0]`,
    /not an EC2 instance type; did you mean "m6i\.large"/,
  ],
  ["pool instance type size typo", set(`${P}.instanceTypes`, ["m6i.lage"]), `${P}.instanceTypes[0]`, /"m6i\.large"/],
  ["pool instance type family only", set(`${P}.instanceTypes`, ["m6i"]), `${P}.instanceTypes[0]`, /not an EC2 instance type/],
  ["pool instance type twice", set(`${P}.instanceTypes`, ["m6i.large", "m6i.large"]), `${P}.instanceTypes[1]`, /listed twice/],
  [
    "pool arm type on flatcar.arch amd64",
    setAll([`${G}.flatcar.arch`, "amd64"], [`${P}.instanceTypes`, ["m6g.large"]]),
    `${P}.instanceTypes[0]`,
    /arm64 \(Graviton\) type but the generation boots Flatcar amd64/,
  ],
  [
    "pool mixes amd64 and arm64 types",
    set(`${P}.instanceTypes`, ["m6i.large", "m7g.large", "c7g.large"]),
    `${P}.instanceTypes`,
    /mix architectures: "m6i\.large" is x86_64 \(amd64\), "m7g\.large" and "c7g\.large" are arm64 \(Graviton\); .*a pool of their own/,
  ],
  [
    "pool x86 type on arm64",
    set(`${G}.flatcar.arch`, "arm64"),
    `${P}.instanceTypes[0]`,
    /x86_64 type but the generation boots Flatcar arm64; .*"m7g\.large"/,
  ],
  [
    "pool g5g (arm GPU) on flatcar.arch amd64",
    setAll([`${G}.flatcar.arch`, "amd64"], [`${P}.instanceTypes`, ["g5g.xlarge"]]),
    `${P}.instanceTypes[0]`,
    /arm64/,
  ],
  ["pool mac type", set(`${P}.instanceTypes`, ["mac1.metal"]), `${P}.instanceTypes[0]`, /macOS/],
  ["pool instance types a string", set(`${P}.instanceTypes`, "m6i.large"), `${P}.instanceTypes`, /must be a list/],
  ["pool root volume 1 GiB", set(`${P}.rootVolume`, { sizeGiB: 1 }), `${P}.rootVolume.sizeGiB`, /at least 8 GiB/],
  ["pool root volume fractional", set(`${P}.rootVolume`, { sizeGiB: 30.5 }), `${P}.rootVolume.sizeGiB`, /whole number/],
  ["pool root volume unknown field", set(`${P}.rootVolume`, { iops: 3000 }), `${P}.rootVolume`, /unknown field "iops"/],
  ["spot base above maxSize", set(`${P}.spot`, { onDemandBaseCapacity: 9 }), `${P}.spot.onDemandBaseCapacity`, /exceeds maxSize 4/],
  [
    "spot percentage over 100",
    set(`${P}.spot`, { onDemandPercentageAboveBase: 150 }),
    `${P}.spot.onDemandPercentageAboveBase`,
    /percentage from 0 to 100/,
  ],
  ["spot a boolean", set(`${P}.spot`, true), `${P}.spot`, /must be an object/],
  ["spot unknown field", set(`${P}.spot`, { maxPrice: "0.1" }), `${P}.spot`, /unknown field "maxPrice"/],
  ["labels a list", set(`${P}.labels`, ["team"]), `${P}.labels`, /must be an object of names to text values/],
  ["label key with space", set(`${P}.labels`, { "bad key": "x" }), `${P}.labels["bad key"]`, /not a label key/],
  ["label name over 63", set(`${P}.labels`, { ["n".repeat(64)]: "x" }), `${P}.labels.${"n".repeat(64)}`, /at most 63 are allowed/],
  ["label prefix not DNS", set(`${P}.labels`, { "Example.com/team": "x" }), `${P}.labels["Example.com/team"]`, /prefix before "\/"/],
  ["label empty name", set(`${P}.labels`, { "example.com/": "x" }), `${P}.labels["example.com/"]`, /empty name/],
  ["label value over 63", set(`${P}.labels`, { team: "v".repeat(64) }), `${P}.labels.team`, /at most 63/],
  ["label value with space", set(`${P}.labels`, { team: "a b" }), `${P}.labels.team`, /letters, digits/],
  ["label value a number", set(`${P}.labels`, { replicas: 3 }), `${P}.labels.replicas`, /must be text/],
  [
    "label node-restriction.kubernetes.io",
    set(`${P}.labels`, { "node-restriction.kubernetes.io/x": "y" }),
    `${P}.labels["node-restriction.kubernetes.io/x"]`,
    /kubelet refuses/,
  ],
  [
    "label kubernetes.io/role",
    set(`${P}.labels`, { "kubernetes.io/role": "worker" }),
    `${P}.labels["kubernetes.io/role"]`,
    /kubelet refuses/,
  ],
  [
    "taint without effect",
    set(`${P}.taints`, [{ key: "dedicated" }]),
    `${P}.taints[0].effect`,
    /"NoSchedule", "PreferNoSchedule" or "NoExecute"/,
  ],
  [
    "taint effect unknown",
    set(`${P}.taints`, [{ key: "dedicated", effect: "NoExec" }]),
    `${P}.taints[0].effect`,
    /"NoSchedule", "PreferNoSchedule" or "NoExecute"/,
  ],
  ["taint key invalid", set(`${P}.taints`, [{ key: "bad key", effect: "NoSchedule" }]), `${P}.taints[0].key`, /not a label key/],
  [
    "taint value too long",
    set(`${P}.taints`, [{ key: "dedicated", value: "v".repeat(64), effect: "NoSchedule" }]),
    `${P}.taints[0].value`,
    /at most 63/,
  ],
  [
    "taint twice",
    set(`${P}.taints`, [
      { key: "d", effect: "NoSchedule" },
      { key: "d", effect: "NoSchedule" },
    ]),
    `${P}.taints[1]`,
    /listed twice/,
  ],
  [
    "taint unknown field",
    set(`${P}.taints`, [{ key: "d", effect: "NoSchedule", operator: "Equal" }]),
    `${P}.taints[0]`,
    /unknown field "operator"/,
  ],
  ["ingress a string", set(`${P}.ingress`, "yes"), `${P}.ingress`, /true or false/],
  ["pool unknown field", set(`${P}.instanceType`, "m6i.large"), `${P}.instanceType`, /did you mean "instanceTypes"/],
  // --- networking
  ["pod CIDR overlaps the VPC", set(`${G}.networking`, { podCidr: "10.0.0.0/16" }), `${G}.networking.podCidr`, /overlaps the VPC CIDR/],
  [
    "service CIDR overlaps pods",
    set(`${G}.networking`, { serviceCidr: "10.244.0.0/16" }),
    `${G}.networking.serviceCidr`,
    /overlaps pod CIDR/,
  ],
  ["service CIDR too small", set(`${G}.networking`, { serviceCidr: "10.96.0.0/28" }), `${G}.networking.serviceCidr`, /\/24 or larger/],
  ["pod CIDR too small", set(`${G}.networking`, { podCidr: "10.244.0.0/24" }), `${G}.networking.podCidr`, /\/20 or larger/],
  ["pod CIDR malformed", set(`${G}.networking`, { podCidr: "10.244/16" }), `${G}.networking.podCidr`, /not an IPv4 CIDR/],
  ["networking unknown field", set(`${G}.networking`, { clusterCidr: "10.0.0.0/8" }), `${G}.networking`, /unknown field "clusterCidr"/],
  // --- addons and tenants
  ["addons unknown addon", set(`${G}.addons`, { istio: {} }), `${G}.addons`, /unknown field "istio"/],
  ["addon enabled a string", set(`${G}.addons`, { coredns: { enabled: "no" } }), `${G}.addons.coredns.enabled`, /true or false/],
  ["tenants an object", set(`${G}.addons.tenants`, { name: "a" }), `${G}.addons.tenants`, /must be a list/],
  ["tenant name kube-", tenant({ name: "kube-team" }), `${T}.name`, /must not start with "kube-"/],
  ["tenant name platform namespace", tenant({ name: "monitoring" }), `${T}.name`, /platform namespace/],
  ["tenant name upper-case", tenant({ name: "Team" }), `${T}.name`, /DNS label/],
  ["tenant quota memory with sign", tenant({ quota: { requestsMemory: "+8Gi" } }), `${T}.quota.requestsMemory`, /has a sign/],
  ["tenant quota cpu unit typo", tenant({ quota: { limitsCpu: "4 cores" } }), `${T}.quota.limitsCpu`, /not a Kubernetes quantity/],
  ["tenant quota memory GB", tenant({ quota: { requestsStorage: "100GB" } }), `${T}.quota.requestsStorage`, /Ki\/Mi\/Gi/],
  ["tenant quota pods negative", tenant({ quota: { pods: -1 } }), `${T}.quota.pods`, /at least 0/],
  ["tenant quota pods a string", tenant({ quota: { pods: "50" } }), `${T}.quota.pods`, /must be a number, not "50", e\.g\. 50/],
  ["tenant limit max with sign", tenant({ limits: { max: { cpu: "-1" } } }), `${T}.limits.max.cpu`, /has a sign/],
  ["tenant egress CIDR host bits", tenant({ egressCidrs: ["10.1.2.3/8"] }), `${T}.egressCidrs[0]`, /"10\.0\.0\.0\/8"/],
  ["tenant egress CIDR without prefix", tenant({ egressCidrs: ["8.8.8.8"] }), `${T}.egressCidrs[0]`, /not an IPv4 CIDR/],
  ["tenant group empty", tenant({ groups: { admins: [""] } }), `${T}.groups.admins[0]`, /identity-provider group/],
  ["tenant pod security privileged", tenant({ podSecurity: "privileged" }), `${T}.podSecurity`, /"restricted" or "baseline"/],
  ["tenant unknown field", tenant({ quotas: {} }), T, /unknown field|quotas/],
];

describe("bad definitions", () => {
  test("the table holds at least 150 distinct cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
  });

  const outdir = mkdtempSync(join(tmpdir(), "bad-definitions-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(cases)("%s: refused at the field, naming the fix, nothing written", (_name, mutate, field, message) => {
    const definition = mutate(sampleCluster());
    const problems = definitionProblems(definition);
    const problem = problems.find((p) => p.field === field);
    if (!problem) throw new Error(`no problem at ${field}; got:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join("\n")}`);
    expect(problem.message).toMatch(message);
    for (const p of problems) expect(p.message).not.toMatch(GENERIC);

    const app = new App({ outdir });
    expect(() => addClusters(app, [definition as ClusterDefinition])).toThrow(DefinitionError);
    expect(app.node.children).toHaveLength(0);
    // The app makes its empty stacks/ folder when constructed; no file may be written anywhere below the output folder.
    expect(readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
  });
});
