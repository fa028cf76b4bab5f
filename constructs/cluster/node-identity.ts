// Owns the IAM identity of one node role: the role EC2 assumes, its inline least-privilege policy, the instance profile.
import { Construct } from "constructs";
import { IamInstanceProfile, IamRole, IamRolePolicy } from "../platform/aws";
import type { ITerraformDependable } from "../platform/terraform";

/** One IAM policy statement. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

export interface NodeIdentityProps {
  /** Role and profile name, e.g. `prod-a-controller`. */
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role and instance profile for nodes of one role. */
export class NodeIdentity extends Construct {
  readonly roleName: string;
  readonly roleArn: string;
  readonly instanceProfileArn: string;
  readonly instanceProfileName: string;
  /** The role's policy and instance profile: nodes of this role must not boot before both exist. */
  readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: NodeIdentityProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: props.name,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: { ...props.tags },
    });
    // The role's `name` read once: cdktf 0.21.0 makes a new token per read of an attribute (lib/terraform-resource.ts
    // getStringAttribute), all resolving to the same reference (issue 17).
    const roleName = role.name;
    const policy = new IamRolePolicy(this, "policy", {
      name: `${props.name}-node`,
      role: roleName,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: props.statements }),
    });
    const profile = new IamInstanceProfile(this, "profile", { name: props.name, role: roleName, tags: { ...props.tags } });
    this.dependables = [policy, profile];
    this.roleName = props.name;
    this.roleArn = role.arn;
    this.instanceProfileArn = profile.arn;
    this.instanceProfileName = props.name;
  }
}
