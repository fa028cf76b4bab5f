// Owns the node IAM statements of node contract 1 (see node-contract.ts): exactly what immutable-clusters 0.1.0 granted
// (commit 834097f), kept so that a generation frozen with 0.1.0's node configs keeps the permissions its bootstrap
// scripts use (the election and join material under one SSM path, the hourly certificate refresh). Its known weaknesses
// (workers may read the certificate key; the cloud controller may tag any security group or load balancer) are fixed in
// contract 2 and reach a cluster through a new generation, like every other node change. Never edit this file.
import type { PolicyStatement } from "./node-identity";

export interface Contract1PolicyScope {
  readonly region: string;
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  /** e.g. `/immutable-clusters/prod/a` */
  readonly ssmPrefix: string;
  /** e.g. `prod-a`: the value of the `kubernetes.io/cluster/<name>` tag. */
  readonly clusterFullName: string;
  /** CloudWatch Logs group the logging addon ships to, when its output is CloudWatch. @default undefined (no access) */
  readonly logShipping?: { readonly logGroup: string; readonly region: string; readonly createGroup: boolean };
}

/** Both roles run fluent-bit: write access to exactly the configured log group (and creating it, if asked). */
function logShippingStatements(scope: Contract1PolicyScope): PolicyStatement[] {
  const shipping = scope.logShipping;
  if (!shipping) return [];
  const group = `arn:aws:logs:${shipping.region}:*:log-group:${shipping.logGroup}`;
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

const parameterArn = (scope: Contract1PolicyScope, suffix: string) => `arn:aws:ssm:${scope.region}:*:parameter${scope.ssmPrefix}/${suffix}`;

/**
 * KMS use only through SSM, only for this generation's join parameters (SSM puts the parameter ARN in the
 * encryption context of every SecureString it encrypts or decrypts).
 */
const joinParameterEncryptionContext = (scope: Contract1PolicyScope) => ({
  StringEquals: { "kms:ViaService": `ssm.${scope.region}.amazonaws.com` },
  StringLike: { "kms:EncryptionContext:PARAMETER_ARN": parameterArn(scope, "join/*") },
});

/** KMS decryption of the node bucket's objects (its default encryption uses the generation key), only through S3. */
const nodeConfigDecryption = (scope: Contract1PolicyScope): PolicyStatement => ({
  Sid: "NodeConfigDecryption",
  Effect: "Allow",
  Action: ["kms:Decrypt"],
  Resource: [scope.kmsKeyArn],
  Condition: {
    StringEquals: { "kms:ViaService": `s3.${scope.region}.amazonaws.com` },
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [`arn:aws:s3:::${scope.bucketName}`, `arn:aws:s3:::${scope.bucketName}/*`] },
  },
});

/** Statements of control-plane nodes: election, publishing join material, the cloud controller manager. */
export function contract1ControllerStatements(scope: Contract1PolicyScope): PolicyStatement[] {
  return [
    {
      Sid: "ReadNodeConfigAndAddons",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`arn:aws:s3:::${scope.bucketName}/ignition/controller.ign`, `arn:aws:s3:::${scope.bucketName}/addons/manifests.yaml`],
    },
    nodeConfigDecryption(scope),
    {
      Sid: "ElectionAndJoinParameters",
      Effect: "Allow",
      Action: ["ssm:PutParameter", "ssm:GetParameter"],
      Resource: [parameterArn(scope, "election/leader"), parameterArn(scope, "join/*")],
    },
    {
      Sid: "JoinRefreshLease",
      Effect: "Allow",
      Action: ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"],
      Resource: [parameterArn(scope, "state/refresh-lock")],
    },
    {
      Sid: "JoinParameterEncryption",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: joinParameterEncryptionContext(scope),
    },
    {
      Sid: "CloudControllerDescribe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeTags",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances",
        "ec2:DescribeImages",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeVpcs",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "kms:DescribeKey",
      ],
      Resource: "*",
    },
    {
      Sid: "CloudControllerManageTagged",
      Effect: "Allow",
      Action: [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateRoute",
        "ec2:DeleteRoute",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifyInstanceAttribute",
        "ec2:RevokeSecurityGroupIngress",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:ConfigureHealthCheck",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancerListeners",
        "elasticloadbalancing:CreateLoadBalancerPolicy",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancerListeners",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
        "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
        "elasticloadbalancing:AttachLoadBalancerToSubnets",
        "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
      ],
      Resource: "*",
      Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${scope.clusterFullName}`]: "owned" } },
    },
    {
      // The cloud controller creates a load balancer's security group and target groups first and tags them after
      // (upstream cloud-provider-aws), so creation cannot be gated on request tags; creating harms nothing existing.
      Sid: "CloudControllerCreate",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
    },
    {
      // Tags only on security groups and load balancer resources, never on instances, volumes or the VPC.
      Sid: "CloudControllerTagCreated",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "elasticloadbalancing:AddTags"],
      Resource: [
        `arn:aws:ec2:${scope.region}:*:security-group/*`,
        `arn:aws:elasticloadbalancing:${scope.region}:*:loadbalancer/*`,
        `arn:aws:elasticloadbalancing:${scope.region}:*:targetgroup/*`,
      ],
    },
    {
      Sid: "CloudControllerTopologyAndSubnets",
      Effect: "Allow",
      Action: ["ec2:DescribeInstanceTopology", "elasticloadbalancing:DetachLoadBalancerFromSubnets"],
      Resource: "*",
    },
    {
      Sid: "CloudControllerLoadBalancerServiceRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    ...logShippingStatements(scope),
  ];
}

/** Statements of workers: read their pool's config, read the join material, decrypt it. */
export function contract1WorkerStatements(scope: Contract1PolicyScope): PolicyStatement[] {
  return [
    {
      Sid: "ReadNodeConfig",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`arn:aws:s3:::${scope.bucketName}/ignition/worker-*.ign`],
    },
    nodeConfigDecryption(scope),
    {
      Sid: "ReadJoinParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: [parameterArn(scope, "join/*")],
    },
    {
      Sid: "DecryptJoinParameters",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: joinParameterEncryptionContext(scope),
    },
    {
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
