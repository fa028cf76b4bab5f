// Owns what a generation stack knows about the AWS account it deploys into: the account id (for exact ARNs instead of
// account wildcards) and the IAM principal running Terraform (for the key policy), both read by data sources at plan.
import { Construct } from "constructs";
import { DataAwsCallerIdentity, DataAwsIamSessionContext } from "../platform/aws";

/** The account id and the deploying principal of the stack this construct is in. */
export class DeployingAccount extends Construct {
  /** The 12-digit account id (a Terraform reference). */
  readonly accountId: string;
  /**
   * The IAM role or user running Terraform: for an assumed-role session, the role's ARN (with its path), which is what
   * `aws:PrincipalArn` holds in a request; the `aws_iam_session_context` data source resolves it
   * (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/data-sources/iam_session_context).
   */
  readonly deployerArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const caller = new DataAwsCallerIdentity(this, "caller");
    this.accountId = caller.accountId;
    this.deployerArn = new DataAwsIamSessionContext(this, "session", { arn: caller.arn }).issuerArn;
  }
}
