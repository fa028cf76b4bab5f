// Owns the tenants addon's manifests: one TenantNamespace per entry of a generation's `addons.tenants`.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { ResolvedGeneration } from "../../definition/resolve";
import type { ResolvedTenant } from "./settings";
import { TenantNamespace } from "./tenant-namespace";

export interface TenantsChartProps {
  /** The generation the namespaces are created in. */
  readonly generation: ResolvedGeneration;
  /** Resolved `addons.tenants` (validated and defaulted by tenantsSettingsSchema). */
  readonly tenants: readonly ResolvedTenant[];
}

export class TenantsChart extends Chart {
  /** The tenant namespaces, by name. */
  readonly namespaces: ReadonlyMap<string, TenantNamespace>;

  constructor(scope: Construct, id: string, props: TenantsChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaces = new Map(
      props.tenants.map((tenant) => [
        tenant.name,
        new TenantNamespace(this, tenant.name, {
          ...tenant,
          kubernetesVersion: props.generation.kubernetesVersion,
          vpcCidr: props.generation.cluster.network.vpcCidr,
        }),
      ]),
    );
  }
}
