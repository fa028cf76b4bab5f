// Tests of the security group patch in test/support/moto-patches: the end-to-end tests rely on moto answering as AWS
// does where terraform's behaviour depends on it. The error-code test fails against an unpatched moto_server; the
// concurrency test guards the lock (the race it closes is too narrow to show on demand unpatched).
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { startMoto, type Moto } from "./support/moto";

jest.setTimeout(120_000);

let moto: Moto;
let ec2: EC2Client;

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client({ ...moto.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  ec2?.destroy();
  await moto?.stop();
});

async function groupWithRules(count: number): Promise<{ groupId: string; ruleIds: string[] }> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.42.0.0/16" }));
  const group = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `patch-test-${Date.now()}`, Description: "test", VpcId: vpc.Vpc!.VpcId }),
  );
  const groupId = group.GroupId!;
  // All at once, as terraform's parallel walk sends them.
  const created = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 1000 + i, ToPort: 1000 + i, IpRanges: [{ CidrIp: "10.42.0.0/16" }] }],
        }),
      ),
    ),
  );
  return { groupId, ruleIds: created.map((c) => c.SecurityGroupRules![0].SecurityGroupRuleId!) };
}

async function ingressRuleIds(groupId: string): Promise<string[]> {
  const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }));
  return (rules.SecurityGroupRules ?? []).filter((r) => !r.IsEgress).map((r) => r.SecurityGroupRuleId!);
}

test("concurrent authorizations and revocations on one security group neither lose nor resurrect rules", async () => {
  const { groupId, ruleIds } = await groupWithRules(60);
  expect((await ingressRuleIds(groupId)).sort()).toEqual([...ruleIds].sort());

  await Promise.all(ruleIds.map((id) => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [id] }))));
  expect(await ingressRuleIds(groupId)).toEqual([]);
});

test("revoking an unknown rule id answers AWS's InvalidSecurityGroupRuleId.NotFound, which the AWS provider treats as already deleted", async () => {
  const { groupId, ruleIds } = await groupWithRules(1);
  await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ruleIds }));
  await expect(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ruleIds }))).rejects.toMatchObject({
    name: "InvalidSecurityGroupRuleId.NotFound",
  });
});
