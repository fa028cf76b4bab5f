// Owns every import of @cdktf/provider-aws: deep imports of exactly the classes the library uses (the package index
// loads all ~1,500 resources), in one place so a provider or fork switch changes this file only.
// Before the package loads: the packages it loads but a synth never calls wait for first use (deferred-packages.ts).
import "./deferred-packages";
export { AwsProvider } from "@cdktf/provider-aws/lib/provider";
export { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
export { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
export { AmiCopy } from "@cdktf/provider-aws/lib/ami-copy";
export { DataAwsAmiIds } from "@cdktf/provider-aws/lib/data-aws-ami-ids";
export { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
export { DataAwsIamSessionContext } from "@cdktf/provider-aws/lib/data-aws-iam-session-context";
export { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
export { DataAwsLbTargetGroup } from "@cdktf/provider-aws/lib/data-aws-lb-target-group";
export { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
export { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
export { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
export { IamRole } from "@cdktf/provider-aws/lib/iam-role";
export { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
export { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
export { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
export { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
export { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
export { Lb } from "@cdktf/provider-aws/lib/lb";
export { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
export { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
export { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
export { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
export { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
export { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
export { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
export { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
export { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
export { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
export { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
export { S3Object } from "@cdktf/provider-aws/lib/s3-object";
export { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
export { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
export { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
export { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
