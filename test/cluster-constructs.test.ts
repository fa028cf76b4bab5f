// Unit tests of the synthesized Terraform of one cluster generation: the resources and properties the foundation issue
// names (security groups, load balancers, control plane, pools, IAM, bucket, AMI pin, instance defaults).
import { createHash } from "node:crypto";
import { App, TerraformStack } from "../constructs/platform/terraform";
import { AwsProvider } from "../constructs/platform/aws";
import { KubernetesCluster, type ClusterDefinition } from "../constructs";
import { storedObjectText } from "../constructs/cluster/node-bucket-object-content";
import { sampleCluster, sampleGeneration } from "./support/fixtures";
import { resourcesOf, synthClusters, type TerraformJson } from "./support/synth";

type Resource = Record<string, unknown>;
type Rule = {
  ip_protocol: string;
  from_port?: number;
  to_port?: number;
  cidr_ipv4?: string;
  referenced_security_group_id?: string;
  security_group_id: string;
};

const cluster: ClusterDefinition = sampleCluster({
  generations: [
    sampleGeneration({
      controlPlane: { count: 3, instanceType: "m6i.large" },
      workerPools: [
        { name: "general", instanceTypes: ["m6i.large", "m5.large"], minSize: 2, maxSize: 6, desiredCapacity: 3, ingress: true },
        {
          name: "batch",
          instanceTypes: ["c6i.xlarge", "c5.xlarge"],
          minSize: 0,
          maxSize: 10,
          rootVolume: { sizeGiB: 100, type: "gp3" },
          spot: { onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 20 },
          labels: { "example.com/workload": "batch" },
          taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }],
        },
      ],
    }),
  ],
});

let doc: TerraformJson;
beforeAll(() => {
  doc = synthClusters([cluster]).json("demo-a");
});

const all = (type: string): Resource[] => Object.values(resourcesOf(doc, type));
const one = (type: string, where: (r: Resource) => boolean): Resource => {
  const found = all(type).filter(where);
  if (found.length !== 1) throw new Error(`expected one ${type} matching, found ${found.length}`);
  return found[0];
};
/** The `${aws_security_group.<id>.id}` reference of the group named `demo-a-<suffix>`. */
const groupRef = (suffix: string) => {
  const [id] = Object.entries(resourcesOf(doc, "aws_security_group")).find(([, g]) => g.name === `demo-a-${suffix}`)!;
  return `\${aws_security_group.${id}.id}`;
};
const rulesInto = (suffix: string) =>
  (all("aws_vpc_security_group_ingress_rule") as unknown as Rule[]).filter((r) => r.security_group_id === groupRef(suffix));
const hasRule = (into: string, proto: string, from: number, to: number, source: { group?: string; cidr?: string }) =>
  rulesInto(into).some(
    (r) =>
      r.ip_protocol === proto &&
      r.from_port === from &&
      r.to_port === to &&
      (source.group ? r.referenced_security_group_id === groupRef(source.group) : r.cidr_ipv4 === source.cidr),
  );

describe("security groups", () => {
  test("the issue's rules exist, each explicit", () => {
    expect(hasRule("api-lb", "tcp", 6443, 6443, { group: "workers" })).toBe(true);
    expect(hasRule("api-lb", "tcp", 6443, 6443, { cidr: "10.99.0.0/24" })).toBe(true); // admin CIDR
    expect(hasRule("controllers", "tcp", 6443, 6443, { group: "api-lb" })).toBe(true);
    expect(hasRule("workers", "tcp", 10250, 10250, { group: "controllers" })).toBe(true);
    expect(hasRule("controllers", "tcp", 2379, 2380, { group: "controllers" })).toBe(true);
    for (const into of ["controllers", "workers"]) {
      for (const from of ["controllers", "workers"]) expect(hasRule(into, "udp", 8472, 8472, { group: from })).toBe(true);
    }
    // The NodePort range is open to the VPC only with network.nodePortsFromVpc (issue 12); the ingress NodePorts from its load balancer.
    expect(hasRule("workers", "tcp", 30000, 32767, { cidr: "10.0.0.0/16" })).toBe(false);
    expect(hasRule("workers", "tcp", 30080, 30080, { group: "ingress-lb" })).toBe(true);
  });

  test("no node accepts SSH when the generation sets no keys", () => {
    expect((all("aws_vpc_security_group_ingress_rule") as unknown as Rule[]).filter((r) => r.from_port === 22)).toEqual([]);
  });

  test("with SSH keys, port 22 on every node is open to the admin ranges and nothing else", () => {
    const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0 ops@example.com";
    const withKeys = synthClusters([sampleCluster({ generations: [sampleGeneration({ sshAuthorizedKeys: [KEY] })] })]).json("demo-a");
    const groups = resourcesOf(withKeys, "aws_security_group");
    const groupName = (ref: string) => groups[/aws_security_group\.([^.]+)\.id/.exec(ref)![1]].name;
    const ssh = (Object.values(resourcesOf(withKeys, "aws_vpc_security_group_ingress_rule")) as unknown as Rule[]).filter(
      (r) => r.from_port === 22 || r.to_port === 22,
    );
    expect(ssh.map((r) => [groupName(r.security_group_id), r.ip_protocol, r.to_port, r.cidr_ipv4]).sort()).toEqual([
      ["demo-a-controllers", "tcp", 22, "10.99.0.0/24"],
      ["demo-a-workers", "tcp", 22, "10.99.0.0/24"],
    ]);
  });

  test("etcd is reachable only from control-plane nodes", () => {
    const etcd = (all("aws_vpc_security_group_ingress_rule") as unknown as Rule[]).filter((r) => r.from_port === 2379);
    expect(etcd).toHaveLength(1);
    expect(etcd[0].referenced_security_group_id).toBe(groupRef("controllers"));
  });

  test("nothing is open to 0.0.0.0/0 inbound, and every rule has a description", () => {
    for (const rule of all("aws_vpc_security_group_ingress_rule")) {
      expect(rule.cidr_ipv4).not.toBe("0.0.0.0/0");
      expect(String(rule.description)).not.toHaveLength(0);
    }
    for (const group of all("aws_security_group")) {
      expect(group.ingress).toBeUndefined(); // no inline rules: every rule is its own reviewed resource
      expect(group.vpc_id).toBe("vpc-0123456789abcdef0");
    }
  });
});

describe("API load balancer", () => {
  test("internal NLB on 6443 with a TCP health check across the subnets", () => {
    const nlb = one("aws_lb", (r) => r.name === "demo-a-api");
    expect(nlb).toMatchObject({
      internal: true,
      load_balancer_type: "network",
      subnets: ["subnet-00000000000000001", "subnet-00000000000000002"],
    });
    const tg = one("aws_lb_target_group", (r) => r.name === "demo-a-api");
    expect(tg).toMatchObject({ port: 6443, protocol: "TCP", health_check: expect.objectContaining({ protocol: "TCP" }) });
    const listener = one("aws_lb_listener", (r) => r.port === 6443);
    expect(listener.protocol).toBe("TCP");
  });

  test("with several subnets in one zone, the load balancers take the first of each zone and the nodes use all", () => {
    const base = sampleCluster({});
    const subnets = [
      { id: "subnet-0000000000000000a", availabilityZone: "eu-west-1a" },
      { id: "subnet-0000000000000000b", availabilityZone: "eu-west-1b" },
      { id: "subnet-0000000000000000c", availabilityZone: "eu-west-1a" },
    ];
    const json = synthClusters([{ ...base, network: { ...base.network, privateSubnets: subnets } }]).json("demo-a");
    for (const lb of Object.values(resourcesOf(json, "aws_lb"))) {
      expect(lb.subnets).toEqual(["subnet-0000000000000000a", "subnet-0000000000000000b"]);
    }
    for (const group of Object.values(resourcesOf(json, "aws_autoscaling_group"))) {
      expect(group.vpc_zone_identifier).toEqual(subnets.map((s) => s.id));
    }
  });

  test("a private Route53 record names the API endpoint", () => {
    const record = one("aws_route53_record", (r) => r.name === "api.a.demo.internal.example.com");
    expect(record).toMatchObject({
      type: "A",
      zone_id: "Z0000000000000000TEST",
      alias: expect.objectContaining({ evaluate_target_health: true }),
    });
  });
});

describe("nodes", () => {
  test("the control plane is one group of the configured odd size behind the API target group", () => {
    const asg = one("aws_autoscaling_group", (r) => r.name === "demo-a-controllers");
    expect(asg).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3 });
    expect(asg.vpc_zone_identifier).toEqual(["subnet-00000000000000001", "subnet-00000000000000002"]);
    expect(String((asg.target_group_arns as string[])[0])).toMatch(/aws_lb_target_group\.cluster_api/);
  });

  test("each pool is a group with its sizes, instance types and on-demand/spot mix", () => {
    const general = one("aws_autoscaling_group", (r) => r.name === "demo-a-general");
    expect(general).toMatchObject({ min_size: 2, max_size: 6, desired_capacity: 3 });
    const batch = one("aws_autoscaling_group", (r) => r.name === "demo-a-batch");
    const policy = batch.mixed_instances_policy as {
      launch_template: { override: Array<{ instance_type: string }> };
      instances_distribution: Resource;
    };
    expect(policy.launch_template.override.map((o) => o.instance_type)).toEqual(["c6i.xlarge", "c5.xlarge"]);
    expect(policy.instances_distribution).toMatchObject({ on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 20 });
    const tags = Object.fromEntries((batch.tag as Array<{ key: string; value: string }>).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ "kubernetes.io/cluster/demo-a": "owned" });
    // A pool without `autoscale` is not discovered by cluster-autoscaler (test/addons-autoscaler.test.ts has the tags of one that is).
    expect(Object.keys(tags).filter((k) => k.startsWith("k8s.io/cluster-autoscaler/"))).toEqual([]);
    // Only ingress pools register with the ingress load balancer.
    expect(general.target_group_arns).toHaveLength(2);
    expect(batch.target_group_arns).toEqual([]);
  });

  test("launch templates: IMDSv2 only, root volume encrypted with the generation's key, no public IP, the generation's AMI copy", () => {
    const templates = all("aws_launch_template");
    expect(templates).toHaveLength(3);
    const [keyId] = Object.keys(resourcesOf(doc, "aws_kms_key"));
    const [copyId] = Object.keys(resourcesOf(doc, "aws_ami_copy"));
    for (const lt of templates) {
      expect(lt.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
      expect((lt.block_device_mappings as Array<{ ebs: Resource }>)[0].ebs).toMatchObject({
        encrypted: "true",
        kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      });
      expect((lt.network_interfaces as Resource[])[0].associate_public_ip_address).toBe("false");
      expect(lt.image_id).toBe(`\${aws_ami_copy.${copyId}.id}`);
    }
    const batch = one("aws_launch_template", (r) => r.name === "demo-a-worker-batch");
    expect((batch.block_device_mappings as Array<{ ebs: Resource }>)[0].ebs).toMatchObject({ volume_size: 100, volume_type: "gp3" });
  });

  test("the Flatcar image is pinned by exact name, architecture and owner, deprecated or not", () => {
    // aws_ami_ids, not aws_ami: an unpublished image gives an empty list instead of failing the plan.
    expect(doc.data!.aws_ami).toBeUndefined();
    const [ami] = Object.values(doc.data!.aws_ami_ids);
    expect(ami.owners).toEqual(["075585003325"]);
    expect(ami.filter).toEqual(
      expect.arrayContaining([
        { name: "name", values: ["Flatcar-stable-4152.2.3-hvm"] },
        { name: "architecture", values: ["x86_64"] },
      ]),
    );
    // Still found after AWS deprecates the image (two years after publication by default).
    expect(ami.include_deprecated).toBe(true);
  });

  test("the generation launches from its own copy of the image, encrypted with its key, kept after the public image is gone", () => {
    const copies = all("aws_ami_copy");
    expect(copies).toHaveLength(1);
    const [copy] = copies;
    const [keyId] = Object.keys(resourcesOf(doc, "aws_kms_key"));
    const [lookupId] = Object.keys(doc.data!.aws_ami_ids);
    expect(copy).toMatchObject({
      name: "demo-a-Flatcar-stable-4152.2.3-hvm",
      source_ami_region: "eu-west-1",
      encrypted: true,
      kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      lifecycle: { ignore_changes: ["source_ami_id"] },
    });
    // The first id found, or a placeholder naming the image once nothing is found: the copy ignores it after creation.
    expect(copy.source_ami_id).toBe(
      `\${element(concat(data.aws_ami_ids.${lookupId}.ids, ["unpublished:Flatcar-stable-4152.2.3-hvm"]), 0)}`,
    );
  });

  test("user data is a small Ignition pointer that replaces itself with the role's config from S3, verified by hash", () => {
    const objects = all("aws_s3_object");
    for (const lt of all("aws_launch_template")) {
      const pointer = JSON.parse(Buffer.from(String(lt.user_data), "base64").toString("utf8"));
      expect(pointer.ignition.version).toBe("3.3.0");
      const { source, verification } = pointer.ignition.config.replace;
      const key = String(source).replace(/^s3:\/\/[^/]+\//, "");
      expect(String(source)).toMatch(/^s3:\/\/demo-a-nodes-[0-9a-f]{8}\/ignition\/(controller|worker-(general|batch))\.ign$/);
      const stored = objects.find((o) => o.key === key);
      expect(stored).toBeDefined();
      expect(verification.hash).toBe(`sha512-${createHash("sha512").update(storedObjectText(stored!)!).digest("hex")}`);
      expect(Buffer.byteLength(String(lt.user_data))).toBeLessThan(16 * 1024);
    }
  });
});

describe("identity and storage", () => {
  test("each node role has its own instance profile and role, trusted by EC2 only", () => {
    expect(
      all("aws_iam_instance_profile")
        .map((p) => p.name)
        .sort(),
    ).toEqual(["demo-a-controller", "demo-a-worker"]);
    for (const role of all("aws_iam_role")) {
      const trust = JSON.parse(String(role.assume_role_policy));
      expect(trust.Statement).toEqual([expect.objectContaining({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } })]);
    }
  });

  test("node policies are scoped: no wildcard actions; workers read only their config and the join objects, no SSM", () => {
    const policies = Object.fromEntries(all("aws_iam_role_policy").map((p) => [String(p.name), JSON.parse(String(p.policy))]));
    const statements = Object.values(policies).flatMap((p: { Statement: Array<{ Action: string | string[] }> }) => p.Statement);
    for (const s of statements) for (const action of ([] as string[]).concat(s.Action)) expect(action).not.toMatch(/(^\*$|:\*$)/);
    const worker = Object.entries(policies).find(([name]) => name.includes("worker"))![1] as {
      Statement: Array<{ Action: string[]; Resource: unknown }>;
    };
    const workerActions = worker.Statement.flatMap((s) => s.Action);
    expect(workerActions.filter((a) => a.startsWith("ssm:"))).toEqual([]);
    expect(workerActions.filter((a) => a.startsWith("s3:") && a !== "s3:GetObject")).toEqual([]);
    const reads = worker.Statement.filter((s) => s.Action.includes("s3:GetObject")).flatMap((s) =>
      ([] as string[]).concat(s.Resource as string[]),
    );
    expect(reads.map((r) => r.replace(/^arn:aws:s3:::demo-a-nodes-[0-9a-f]{8}\//, "")).sort()).toEqual(
      ["ignition/worker-*.ign", "join/ca-cert-hash", "join/token"].sort(),
    );
  });

  test("the node-config bucket is private, versioned, KMS-encrypted and TLS-only", () => {
    const [bucket] = all("aws_s3_bucket");
    expect(String(bucket.bucket)).toMatch(/^demo-a-nodes-[0-9a-f]{8}$/);
    expect(all("aws_s3_bucket_public_access_block")[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(all("aws_s3_bucket_versioning")[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
    const sse = all("aws_s3_bucket_server_side_encryption_configuration")[0] as {
      rule: Array<{ apply_server_side_encryption_by_default: Resource }>;
    };
    expect(sse.rule[0].apply_server_side_encryption_by_default).toMatchObject({ sse_algorithm: "aws:kms" });
    const policy = JSON.parse(String(all("aws_s3_bucket_policy")[0].policy));
    expect(policy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]),
    );
  });

  test("everything that takes tags carries the cluster ownership tag", () => {
    const untaggable = new Set([
      "aws_iam_role_policy",
      "aws_kms_alias",
      "aws_route53_record",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_policy",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_versioning",
      "aws_s3_bucket_lifecycle_configuration", // no tags argument in hashicorp/aws 5.100.0's schema (a bucket sub-resource)
      "aws_autoscaling_group", // tagged through `tag` blocks, checked above
      "aws_lb_listener",
      "aws_ssm_parameter",
      "aws_s3_object", // lives in the tagged bucket; S3 allows only 10 tags per object, which belong to the user
    ]);
    for (const [type, resources] of Object.entries(doc.resource)) {
      if (untaggable.has(type)) continue;
      for (const [id, r] of Object.entries(resources)) {
        expect([type, id, (r.tags as Record<string, string> | undefined)?.["kubernetes.io/cluster/demo-a"]]).toEqual([type, id, "owned"]);
      }
    }
  });
});

describe("growth by verbs", () => {
  const build = () => {
    const app = new App({ outdir: "/tmp/unused-outdir" });
    const stack = new TerraformStack(app, "verbs");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    return new KubernetesCluster(stack, "cluster", { cluster: sampleCluster(), generationId: "a" });
  };

  test("addWorkerPool adds a validated pool with its own group and node config", () => {
    const k8s = build();
    const pool = k8s.addWorkerPool("gpu", {
      instanceTypes: ["g5.xlarge"],
      minSize: 0,
      maxSize: 2,
      taints: [{ key: "nvidia.com/gpu", effect: "NoSchedule" }],
    });
    expect(pool.autoScalingGroupName).toBe("demo-a-gpu");
    expect([...k8s.workerPools.keys()]).toEqual(["general", "gpu"]);
  });

  test("addWorkerPool refuses bad options naming the field, and duplicate names", () => {
    const k8s = build();
    expect(() => k8s.addWorkerPool("big", { minSize: 4, maxSize: 1 })).toThrow(
      /workerPools\[1\]\.minSize: minSize 4 is greater than maxSize 1/,
    );
    expect(() => k8s.addWorkerPool("general")).toThrow(/"general" is used twice/);
  });

  test("an unknown generation id is refused with the ids that exist", () => {
    const app = new App({ outdir: "/tmp/unused-outdir" });
    const stack = new TerraformStack(app, "verbs");
    expect(() => new KubernetesCluster(stack, "cluster", { cluster: sampleCluster(), generationId: "z" })).toThrow(
      /generationId: .*use one of "a"/,
    );
  });
});

describe("addon permissions", () => {
  const policiesOf = (addons: Record<string, unknown>) => {
    const json = synthClusters([sampleCluster({ name: "logs", generations: [sampleGeneration({ addons: addons as never })] })]).json(
      "logs-a",
    );
    return Object.values(resourcesOf(json, "aws_iam_role_policy")).map(
      (p) => JSON.parse(String(p.policy)) as { Statement: Array<Record<string, unknown>> },
    );
  };

  test("nodes may write to exactly the CloudWatch log group fluent-bit ships to", () => {
    const policies = policiesOf({ logging: { output: { type: "cloudwatch", logGroup: "/teams/logs" } } });
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const shipping = policy.Statement.find((s) => s.Sid === "ShipContainerLogs");
      expect(shipping).toMatchObject({
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        // The account id, not a wildcard (issue 12): the caller-identity data source's reference.
        Resource: [
          expect.stringMatching(/^arn:aws:logs:eu-west-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:log-group:\/teams\/logs$/),
          expect.stringMatching(/^arn:aws:logs:eu-west-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:log-group:\/teams\/logs:\*$/),
        ],
      });
    }
  });

  test("no CloudWatch Logs access when logs go elsewhere", () => {
    // The suite's cluster (synthesized once above) sets no addons: the default logging output.
    expect(cluster.generations[0].addons).toBeUndefined();
    const policies = all("aws_iam_role_policy").map((p) => JSON.parse(String(p.policy)) as { Statement: Array<Record<string, unknown>> });
    expect(policies).toHaveLength(2);
    for (const policy of policies) expect(policy.Statement.some((s) => s.Sid === "ShipContainerLogs")).toBe(false);
  });
});
