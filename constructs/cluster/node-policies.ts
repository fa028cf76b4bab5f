// Owns the least-privilege IAM statements of each node role under node contract 2: what a control-plane node and a
// worker may do in AWS (read their own config, exchange bootstrap material as objects of the generation's bucket, mark
// themselves unhealthy, what the AWS cloud controller manager needs), scoped to this generation's account, VPC, bucket,
// key and autoscaling groups, and the bucket keys of that material (the node-side contract). docs/security.md gives the
// reason of every statement.
import { autoscalerClusterTag } from "../addons/cluster-autoscaler/asg-tags";
import { caPublishingStatement } from "./ca-certificate-parameter";
import type { PolicyStatement } from "./node-identity";
import { operationsStatements } from "./operations-policies";

export interface NodePolicyScope {
  readonly region: string;
  /** The AWS account id of the stack (a token of the caller-identity data source in a stack, a literal in tests). */
  readonly accountId: string;
  /** The id of the existing VPC the generation runs in, e.g. `vpc-0123456789abcdef0`. */
  readonly vpcId: string;
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  /** The generation's SSM prefix, e.g. `/immutable-clusters/prod/a` (controllers publish the cluster CA under it). */
  readonly ssmPrefix: string;
  /** e.g. `prod-a`: the value of the `kubernetes.io/cluster/<name>` tag and the prefix of the autoscaling group names. */
  readonly clusterFullName: string;
  /** CloudWatch Logs group the logging addon ships to, when its output is CloudWatch. @default undefined (no access) */
  readonly logShipping?: { readonly logGroup: string; readonly region: string; readonly createGroup: boolean };
  /** Whether cluster-autoscaler runs on the control plane (some worker pool is autoscaled). @default false (no access) */
  readonly clusterAutoscaler?: boolean;
}

/**
 * Keys, in the generation's node bucket, of the material the nodes publish (the node-bootstrap contract, read and written
 * by constructs/ignition/files/bin/bootstrap-lib.sh). Objects, not SSM parameters: the AWS provider reads an
 * aws_ssm_parameter's value with decryption on every refresh (hashicorp/terraform-provider-aws v5.100.0, vcs.revision
 * f7a3b98d of the released binary, internal/service/ssm/parameter.go resourceParameterRead:
 * `findParameterByName(ctx, conn, d.Id(), true)`, the last argument being GetParameter's WithDecryption), so a parameter
 * Terraform manages puts its published value into every state file. Terraform never reads these objects, nodes create
 * them, and the bucket's force_destroy removes them with the generation. An absent object is "not published yet".
 */
export const BOOTSTRAP_OBJECT_KEYS = {
  /** The bootstrap token. Workers may read it. */
  joinToken: "join/token",
  /** kubeadm's discovery hash of the cluster CA, `sha256:<hex>`. Workers may read it. */
  joinCaCertHash: "join/ca-cert-hash",
  /** When the published token expires, RFC 3339 UTC. Controllers only. */
  joinTokenExpiry: "join/token-expiry",
  /** The key that decrypts the uploaded control-plane certificates. Controllers only. */
  controlPlaneCertificateKey: "control-plane/certificate-key",
  /** The kube-apiserver Secrets encryption key (32 random bytes, base64), written once. Controllers only. */
  controlPlaneSecretsEncryptionKey: "control-plane/secrets-encryption-key",
} as const;

/** The bootstrap objects a worker reads to join: exactly the token and the CA hash. */
export const WORKER_BOOTSTRAP_OBJECT_KEYS: readonly string[] = [BOOTSTRAP_OBJECT_KEYS.joinToken, BOOTSTRAP_OBJECT_KEYS.joinCaCertHash];

/** Key prefix of the controllers' coordination objects (election lease, refresh lock, join requests) in the node bucket. */
export const COORDINATION_PREFIX = "state/";

/** The tag the AWS cloud provider marks a cluster's resources with (cloud-provider-aws pkg/providers/v1/tags.go). */
export const clusterTagKey = (clusterFullName: string) => `kubernetes.io/cluster/${clusterFullName}`;

const s3Service = (scope: NodePolicyScope) => `s3.${scope.region}.amazonaws.com`;
const bucketArn = (scope: NodePolicyScope) => `arn:aws:s3:::${scope.bucketName}`;
const objectArn = (scope: NodePolicyScope, key: string) => `${bucketArn(scope)}/${key}`;
const vpcArn = (scope: NodePolicyScope) => `arn:aws:ec2:${scope.region}:${scope.accountId}:vpc/${scope.vpcId}`;

/**
 * The generation's own autoscaling groups: every group it creates is named `<cluster>-<gen>-...`
 * (control-plane.ts, worker-pool.ts). ARN format: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html#amazonec2autoscaling-resources-for-iam-policies
 */
const ownAutoScalingGroups = (scope: NodePolicyScope) =>
  `arn:aws:autoscaling:${scope.region}:${scope.accountId}:autoScalingGroup:*:autoScalingGroupName/${scope.clusterFullName}-*`;

/** Both roles run fluent-bit: write access to exactly the configured log group (and creating it, if asked). */
function logShippingStatements(scope: NodePolicyScope): PolicyStatement[] {
  const shipping = scope.logShipping;
  if (!shipping) return [];
  const group = `arn:aws:logs:${shipping.region}:${scope.accountId}:log-group:${shipping.logGroup}`;
  return [
    {
      Sid: "ShipContainerLogs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
        ...(shipping.createGroup ? ["logs:CreateLogGroup"] : []),
      ],
      Resource: [group, `${group}:*`],
    },
  ];
}

/**
 * cluster-autoscaler runs on the control plane with the controller role (host network; no per-pod identity exists) and
 * scales the generation's autoscaled pools. Its reads are those of upstream's "Full Cluster Autoscaler Features Policy"
 * (kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md at b6e1991f) on "*" as there, less
 * eks:DescribeNodegroup (EKS managed node groups only) and what the cloud controller already reads; it changes a
 * group's size only where the group is this generation's (name prefix) AND carries this generation's discovery tag, as
 * the README recommends ("using tag based conditionals"). The control plane's group has no such tag, so it is never
 * scaled; no node role can tag an Auto Scaling group, so none can widen this.
 * autoscaling:SetDesiredCapacity and TerminateInstanceInAutoScalingGroup take aws:ResourceTag/${TagKey}:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 */
function clusterAutoscalerStatements(scope: NodePolicyScope): PolicyStatement[] {
  if (!scope.clusterAutoscaler) return [];
  return [
    {
      Sid: "ClusterAutoscalerDescribe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeScalingActivities",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: "*",
    },
    {
      Sid: "ClusterAutoscalerScaleOwnPools",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: [ownAutoScalingGroups(scope)],
      Condition: { StringEquals: { [`aws:ResourceTag/${autoscalerClusterTag(scope.clusterFullName)}`]: "owned" } },
    },
  ];
}

/**
 * KMS decryption of the node bucket's objects (its default encryption uses the generation key with an S3 Bucket Key,
 * so S3 puts the bucket ARN in the encryption context: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html),
 * only through S3. With a Bucket Key the context is the same for every object, so KMS cannot tell the objects apart:
 * which objects a role reads is decided by its s3:GetObject resources alone.
 */
const nodeConfigDecryption = (scope: NodePolicyScope): PolicyStatement => ({
  Sid: "NodeConfigDecryption",
  Effect: "Allow",
  Action: ["kms:Decrypt"],
  Resource: [scope.kmsKeyArn],
  Condition: {
    StringEquals: { "kms:ViaService": s3Service(scope) },
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn(scope), `${bucketArn(scope)}/*`] },
  },
});

/** Both roles: a node whose bootstrap failed a bounded number of times marks itself Unhealthy in its own group. */
const markSelfUnhealthy = (scope: NodePolicyScope): PolicyStatement => ({
  Sid: "MarkSelfUnhealthy",
  Effect: "Allow",
  Action: ["autoscaling:SetInstanceHealth"],
  Resource: [ownAutoScalingGroups(scope)],
});

/** Statements of control-plane nodes: bootstrap material, coordination objects, the cloud controller manager. */
export function controllerStatements(scope: NodePolicyScope): PolicyStatement[] {
  const tagKey = clusterTagKey(scope.clusterFullName);
  const ownedByThisCluster = { [`aws:ResourceTag/${tagKey}`]: "owned" };
  const requestsThisClusterTag = { [`aws:RequestTag/${tagKey}`]: "owned" };
  /** Tag changes on an existing resource of ours must never add or remove a cluster ownership key. */
  const noClusterKeys = { "ForAllValues:StringNotLike": { "aws:TagKeys": ["kubernetes.io/cluster/*"] } };
  const securityGroups = `arn:aws:ec2:${scope.region}:${scope.accountId}:security-group/*`;
  const loadBalancerResources = [
    `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:loadbalancer/*`,
    `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:targetgroup/*`,
    `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:listener/*`,
  ];
  return [
    {
      Sid: "ReadNodeConfigAndAddons",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${bucketArn(scope)}/ignition/controller.ign`, `${bucketArn(scope)}/addons/manifests.yaml`],
    },
    nodeConfigDecryption(scope),
    {
      // Publish and read the join material and the control-plane secrets: exactly these five keys. No DeleteObject:
      // the generation's destroy removes them with the bucket.
      Sid: "ExchangeBootstrapObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: Object.values(BOOTSTRAP_OBJECT_KEYS).map((key) => objectArn(scope, key)),
    },
    {
      Sid: "CoordinationObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: [`${bucketArn(scope)}/${COORDINATION_PREFIX}*`],
    },
    {
      Sid: "ListCoordinationObjects",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucketArn(scope)],
      Condition: { StringLike: { "s3:prefix": [COORDINATION_PREFIX, `${COORDINATION_PREFIX}*`] } },
    },
    {
      // Writing a bootstrap or coordination object makes S3 ask KMS for a data key of the bucket's key; with a Bucket Key
      // the encryption context is the bucket ARN (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html),
      // whichever object is written.
      Sid: "NodeBucketEncryption",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey"],
      Resource: [scope.kmsKeyArn],
      Condition: {
        StringEquals: { "kms:ViaService": s3Service(scope), "kms:EncryptionContext:aws:s3:arn": bucketArn(scope) },
      },
    },
    markSelfUnhealthy(scope),
    caPublishingStatement(scope),
    {
      // Read-only calls of the cloud controller manager (cloud-provider-aws docs/prerequisites.md at 63ec440c, kOps
      // pkg/model/iam/iam_builder.go AddCCMPermissions at 268927e2); DescribeInstances also tells the bootstrap
      // whether a lease holder's or an etcd member's instance still exists.
      Sid: "CloudControllerDescribe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeTags",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstanceTopology",
        "ec2:DescribeInstances",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
      ],
      Resource: "*",
    },
    {
      // A Service's security group is created in the cluster's VPC only, carrying the cluster tag in the request
      // (cloud-provider-aws pkg/providers/v1/aws.go ensureSecurityGroup sends TagSpecifications; kOps
      // AddEC2CreateAction + the CreateSecurityGroup-on-vpc statement in iam_builder.go).
      Sid: "CloudControllerCreateSecurityGroup",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup"],
      Resource: [securityGroups],
      Condition: { StringEquals: requestsThisClusterTag },
    },
    {
      Sid: "CloudControllerCreateSecurityGroupInVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup"],
      Resource: [vpcArn(scope)],
    },
    {
      // Tags only as part of creating a security group (ec2:CreateAction), and only with this cluster's tag (kOps).
      Sid: "CloudControllerTagOnCreate",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [securityGroups],
      Condition: { StringEquals: { ...requestsThisClusterTag, "ec2:CreateAction": ["CreateSecurityGroup"] } },
    },
    {
      // Rules and deletion only on groups this cluster owns, in its VPC.
      Sid: "CloudControllerManageOwnedSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      Resource: [securityGroups],
      Condition: { StringEquals: { ...ownedByThisCluster, "ec2:Vpc": vpcArn(scope) } },
    },
    {
      // Non-ownership tags on a group this cluster owns; never a kubernetes.io/cluster/* key (no re-tagging).
      Sid: "CloudControllerRetagOwnedSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: [securityGroups],
      Condition: { StringEquals: ownedByThisCluster, ...noClusterKeys },
    },
    {
      // The controller sets the security groups of this cluster's own instances only.
      Sid: "CloudControllerModifyOwnedInstances",
      Effect: "Allow",
      Action: ["ec2:ModifyInstanceAttribute"],
      Resource: [`arn:aws:ec2:${scope.region}:${scope.accountId}:instance/*`, securityGroups],
      Condition: { StringEquals: { ...ownedByThisCluster, "ec2:Vpc": vpcArn(scope) } },
    },
    {
      // Load balancers, target groups and listeners are created with this cluster's tag in the request (kOps
      // clusterTaggedCreateAction; cloud-provider-aws sends Tags on CreateLoadBalancer/CreateTargetGroup/CreateListener).
      Sid: "CloudControllerCreateLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
      Condition: { StringEquals: requestsThisClusterTag },
    },
    {
      // ELB authorizes tag-on-create as AddTags with elasticloadbalancing:CreateAction
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/security_iam_service-with-iam.html#security_iam_service-with-iam-tags).
      Sid: "CloudControllerTagLoadBalancersOnCreate",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags"],
      Resource: loadBalancerResources,
      Condition: {
        StringEquals: {
          ...requestsThisClusterTag,
          "elasticloadbalancing:CreateAction": ["CreateListener", "CreateLoadBalancer", "CreateTargetGroup"],
        },
      },
    },
    {
      Sid: "CloudControllerRetagOwnedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: loadBalancerResources,
      Condition: { StringEquals: ownedByThisCluster, ...noClusterKeys },
    },
    {
      // Changes only on load balancers and target groups this cluster owns (kOps clusterTaggedAction).
      Sid: "CloudControllerManageOwnedLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
        "elasticloadbalancing:AttachLoadBalancerToSubnets",
        "elasticloadbalancing:ConfigureHealthCheck",
        "elasticloadbalancing:CreateLoadBalancerListeners",
        "elasticloadbalancing:CreateLoadBalancerPolicy",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancerListeners",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:DetachLoadBalancerFromSubnets",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
        "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
        "elasticloadbalancing:SetSecurityGroups",
      ],
      Resource: "*",
      Condition: { StringEquals: ownedByThisCluster },
    },
    {
      Sid: "CloudControllerLoadBalancerServiceRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: `arn:aws:iam::${scope.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    ...operationsStatements(scope),
    ...clusterAutoscalerStatements(scope),
    ...logShippingStatements(scope),
  ];
}

/** Statements of workers: read their pool's config and exactly the join token and CA hash objects. */
export function workerStatements(scope: NodePolicyScope): PolicyStatement[] {
  return [
    {
      Sid: "ReadNodeConfig",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`${bucketArn(scope)}/ignition/worker-*.ign`],
    },
    nodeConfigDecryption(scope),
    {
      // Nothing else of the bucket: not control-plane/* (certificate key, Secrets encryption key), not state/*.
      Sid: "ReadJoinObjects",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: WORKER_BOOTSTRAP_OBJECT_KEYS.map((key) => objectArn(scope, key)),
    },
    markSelfUnhealthy(scope),
    {
      // The node policy of cloud-provider-aws docs/prerequisites.md (at 63ec440c): the kubelet and bootstrap read their instance.
      Sid: "DescribeSelf",
      Effect: "Allow",
      Action: ["ec2:DescribeInstances", "ec2:DescribeRegions"],
      Resource: "*",
    },
    {
      Sid: "PullPrivateImages",
      Effect: "Allow",
      Action: ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: "*",
    },
    ...logShippingStatements(scope),
  ];
}
