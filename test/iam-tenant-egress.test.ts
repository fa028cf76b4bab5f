// Tenant egress never reaches the instance metadata address (the node role's credentials) and, unless the tenant opts
// in with allowVpcEgress, nothing inside the VPC: checked on the rendered NetworkPolicy and on the refusals.
import { Chart, Testing } from "cdk8s";
import { INSTANCE_METADATA_CIDR, TenantNamespace, type TenantNamespaceProps } from "../constructs/addons/tenants/tenant-namespace";

const VPC = "10.0.0.0/16";
type Obj = { kind: string; metadata: { name: string }; spec: { egress: unknown[] } };

function egressOf(props: Omit<TenantNamespaceProps, "kubernetesVersion">): unknown[] {
  const chart = new Chart(Testing.app(), "c", { disableResourceNameHashes: true });
  new TenantNamespace(chart, props.name, { kubernetesVersion: "1.35.4", ...props });
  const policy = (Testing.synth(chart) as Obj[]).find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-egress-cidrs");
  if (!policy) throw new Error("no allow-egress-cidrs policy");
  return policy.spec.egress;
}

test("the internet without the metadata address and without the VPC, by default", () => {
  expect(egressOf({ name: "team-a", egressCidrs: ["0.0.0.0/0"], vpcCidr: VPC })).toEqual([
    { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [INSTANCE_METADATA_CIDR, VPC] } }] },
  ]);
});

test("a CIDR that contains the VPC excludes it; one outside both is left as written", () => {
  expect(egressOf({ name: "team-a", egressCidrs: ["10.0.0.0/8", "192.168.0.0/16"], vpcCidr: VPC })).toEqual([
    { to: [{ ipBlock: { cidr: "10.0.0.0/8", except: [VPC] } }, { ipBlock: { cidr: "192.168.0.0/16" } }] },
  ]);
});

test("allowVpcEgress opens the VPC but still not the metadata address", () => {
  expect(egressOf({ name: "team-a", egressCidrs: ["0.0.0.0/0", "10.0.5.0/24"], vpcCidr: VPC, allowVpcEgress: true })).toEqual([
    { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [INSTANCE_METADATA_CIDR] } }, { ipBlock: { cidr: "10.0.5.0/24" } }] },
  ]);
});

test("a CIDR inside the VPC without allowVpcEgress, or the metadata address itself, is refused naming the field and the fix", () => {
  expect(() => egressOf({ name: "team-a", egressCidrs: ["10.0.5.0/24"], vpcCidr: VPC })).toThrow(
    /addons\.tenants\["team-a"\]\.egressCidrs: 10\.0\.5\.0\/24 lies inside the VPC 10\.0\.0\.0\/16.*set allowVpcEgress: true/,
  );
  expect(() => egressOf({ name: "team-a", egressCidrs: ["169.254.169.254/32"], vpcCidr: VPC, allowVpcEgress: true })).toThrow(
    /egressCidrs: 169\.254\.169\.254\/32 is the instance metadata address/,
  );
});
