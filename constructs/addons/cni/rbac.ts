// Owns Cilium's ServiceAccounts and RBAC (after the upstream Helm chart with Hubble, Envoy, BGP, ingress and
// clustermesh off): the agent's and the operator's ClusterRoles, the agent's read access to cilium-config and, from
// Cilium 1.19 on, the operator's namespaced access to DaemonSets (its ztunnel controller).
import { k8s } from "../../platform/k8s";
import { Construct } from "constructs";
import { gatewayOperatorRules } from "./gateway-config";
import type { CiliumRelease } from "./settings";

export interface CiliumRbacProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The Cilium release whose chart (1.17 or 1.19) the RBAC follows. */
  readonly release: CiliumRelease;
  /** ServiceAccount names of the agent and the operator. */
  readonly agent: string;
  readonly operator: string;
  /** Whether Cilium serves the gateway addon: the operator gets the chart's gatewayAPI rules (gateway-config.ts). */
  readonly gateway?: boolean;
}

const CILIUM_READ_RESOURCES = [
  "ciliumloadbalancerippools",
  "ciliumbgppeeringpolicies",
  "ciliumbgpnodeconfigs",
  "ciliumbgpadvertisements",
  "ciliumbgppeerconfigs",
  "ciliumclusterwideenvoyconfigs",
  "ciliumclusterwidenetworkpolicies",
  "ciliumegressgatewaypolicies",
  "ciliumendpoints",
  "ciliumendpointslices",
  "ciliumenvoyconfigs",
  "ciliumidentities",
  "ciliumlocalredirectpolicies",
  "ciliumnetworkpolicies",
  "ciliumnodes",
  "ciliumnodeconfigs",
  "ciliumcidrgroups",
  "ciliuml2announcementpolicies",
  "ciliumpodippools",
];

const CILIUM_CRDS = [
  "ciliumloadbalancerippools",
  "ciliumbgpclusterconfigs",
  "ciliumbgppeerconfigs",
  "ciliumbgpadvertisements",
  "ciliumbgpnodeconfigs",
  "ciliumbgpnodeconfigoverrides",
  "ciliumclusterwideenvoyconfigs",
  "ciliumclusterwidenetworkpolicies",
  "ciliumegressgatewaypolicies",
  "ciliumendpoints",
  "ciliumendpointslices",
  "ciliumenvoyconfigs",
  "ciliumidentities",
  "ciliumlocalredirectpolicies",
  "ciliumnetworkpolicies",
  "ciliumnodes",
  "ciliumnodeconfigs",
  "ciliumcidrgroups",
  "ciliuml2announcementpolicies",
  "ciliumpodippools",
  "ciliumgatewayclassconfigs",
].map((r) => `${r}.cilium.io`);

export class CiliumRbac extends Construct {
  constructor(scope: Construct, id: string, props: CiliumRbacProps) {
    super(scope, id);
    const { namespace, labels } = props;
    const rbac = "rbac.authorization.k8s.io";
    const account = (name: string) => [{ kind: "ServiceAccount", name, namespace }];

    new k8s.KubeServiceAccount(this, "agent-service-account", {
      metadata: { name: props.agent, namespace, labels },
      automountServiceAccountToken: true,
    });
    new k8s.KubeServiceAccount(this, "operator-service-account", {
      metadata: { name: props.operator, namespace, labels },
      automountServiceAccountToken: true,
    });

    new k8s.KubeClusterRole(this, "agent-cluster-role", {
      metadata: { name: props.agent, labels },
      rules: [
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["namespaces", "services", "pods", "endpoints", "nodes"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["list", "watch", "get"] },
        { apiGroups: ["cilium.io"], resources: CILIUM_READ_RESOURCES, verbs: ["list", "watch"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumidentities", "ciliumendpoints", "ciliumnodes"], verbs: ["create"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumidentities"], verbs: ["update"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumendpoints"], verbs: ["delete", "get"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumnodes", "ciliumnodes/status"], verbs: ["get", "update"] },
        {
          apiGroups: ["cilium.io"],
          resources: [
            "ciliumendpoints",
            "ciliumendpoints/status",
            "ciliumnetworkpolicies/status",
            "ciliumclusterwidenetworkpolicies/status",
            "ciliuml2announcementpolicies/status",
            "ciliumbgpnodeconfigs/status",
          ],
          verbs: ["patch"],
        },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, "agent-cluster-role-binding", {
      metadata: { name: props.agent, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: props.agent },
      subjects: account(props.agent),
    });
    new k8s.KubeRole(this, "agent-config-role", {
      metadata: { name: "cilium-config-agent", namespace, labels },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
    });
    new k8s.KubeRoleBinding(this, "agent-config-role-binding", {
      metadata: { name: "cilium-config-agent", namespace, labels },
      roleRef: { apiGroup: rbac, kind: "Role", name: "cilium-config-agent" },
      subjects: account(props.agent),
    });

    new k8s.KubeClusterRole(this, "operator-cluster-role", {
      metadata: { name: props.operator, labels },
      rules: [
        // delete: restarts pods (e.g. CoreDNS) that started before Cilium managed them.
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete"] },
        { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cilium-config"], verbs: ["patch"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["nodes", "nodes/status"], verbs: ["patch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["services/status"], verbs: ["update", "patch"] },
        { apiGroups: [""], resources: ["namespaces", "services"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: ["cilium.io"],
          resources: ["ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"],
          verbs: ["create", "update", "deletecollection", "patch", "get", "list", "watch"],
        },
        {
          apiGroups: ["cilium.io"],
          resources: ["ciliumnetworkpolicies/status", "ciliumclusterwidenetworkpolicies/status"],
          verbs: ["patch", "update"],
        },
        { apiGroups: ["cilium.io"], resources: ["ciliumendpoints", "ciliumidentities"], verbs: ["delete", "list", "watch"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumidentities"], verbs: ["update"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumnodes"], verbs: ["create", "update", "get", "list", "watch", "delete"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumnodes/status"], verbs: ["update"] },
        {
          apiGroups: ["cilium.io"],
          resources: [
            "ciliumendpointslices",
            "ciliumenvoyconfigs",
            "ciliumbgppeerconfigs",
            "ciliumbgpadvertisements",
            "ciliumbgpnodeconfigs",
          ],
          verbs: ["create", "update", "get", "list", "watch", "delete", "patch"],
        },
        { apiGroups: ["cilium.io"], resources: ["ciliumendpointslices"], verbs: ["deletecollection"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumbgpclusterconfigs/status", "ciliumbgppeerconfigs/status"], verbs: ["update"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["create", "get", "list", "watch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], resourceNames: CILIUM_CRDS, verbs: ["update"] },
        {
          apiGroups: ["cilium.io"],
          resources: [
            "ciliumloadbalancerippools",
            "ciliumpodippools",
            "ciliumbgpclusterconfigs",
            "ciliumbgpnodeconfigoverrides",
            "ciliumbgppeerconfigs",
          ],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: ["cilium.io"], resources: ["ciliumpodippools"], verbs: ["create"] },
        { apiGroups: ["cilium.io"], resources: ["ciliumloadbalancerippools/status"], verbs: ["patch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "update"] },
        ...(props.gateway ? gatewayOperatorRules() : []),
      ],
    });
    new k8s.KubeClusterRoleBinding(this, "operator-cluster-role-binding", {
      metadata: { name: props.operator, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: props.operator },
      subjects: account(props.operator),
    });

    if (props.release.minor >= 19) {
      // The 1.19 chart's cilium-operator/role.yaml and rolebinding.yaml (cilium-1.19.6.tgz of cilium/charts): always
      // granted, as the operator's ztunnel controller also removes a stale ztunnel DaemonSet when ztunnel is off.
      const ztunnel = `${props.operator}-ztunnel`;
      new k8s.KubeRole(this, "operator-ztunnel-role", {
        metadata: { name: ztunnel, namespace, labels },
        rules: [{ apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["create", "delete", "get", "list", "watch"] }],
      });
      new k8s.KubeRoleBinding(this, "operator-ztunnel-role-binding", {
        metadata: { name: ztunnel, namespace, labels },
        roleRef: { apiGroup: rbac, kind: "Role", name: ztunnel },
        subjects: account(props.operator),
      });
    }
  }
}
