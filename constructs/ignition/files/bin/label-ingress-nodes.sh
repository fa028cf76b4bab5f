#!/usr/bin/env bash
# Gives the ingress nodes a label their kubelets cannot set on themselves (label-ingress-nodes.timer, control-plane
# nodes only). The NodeRestriction admission plugin refuses a kubelet setting or changing any label under the
# node-restriction.kubernetes.io/ prefix on its own Node
# (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction), so a worker of
# another pool cannot claim ingress traffic by relabelling itself. Only nodes of an ingress pool of this generation
# (INGRESS_POOLS, written by Ignition from the definition) that registered immutable-clusters.io/ingress=true get it;
# the label is taken off any other node. ingress-nginx's nodeSelector uses it. Idempotent: every controller runs it.
set -euo pipefail

IC_ROOT="${IC_ROOT:-}"
ADMIN_CONF="${IC_ROOT}/etc/kubernetes/admin.conf"
LABEL="node-restriction.kubernetes.io/ingress"
POOL_LABEL="immutable-clusters.io/pool"
INGRESS_LABEL="immutable-clusters.io/ingress"
REQUEST_TIMEOUT="${IC_KUBECTL_REQUEST_TIMEOUT:-30s}"

log() { printf 'label-ingress-nodes: %s\n' "$*" >&2; }

if [[ -z "${INGRESS_POOLS:-}" ]]; then
  log "INGRESS_POOLS is empty: no pool of this generation serves ingress; nothing to label"
  exit 0
fi
if [[ ! -r "$ADMIN_CONF" ]]; then
  log "${ADMIN_CONF} is not readable yet (this node has not finished kubeadm init/join); will retry on the next run"
  exit 1
fi

# Pool names are DNS labels (validated at synth); a space-separated list becomes a selector set "(a,b)".
read -r -a pools <<<"$INGRESS_POOLS"
pool_set="$(IFS=,; printf '%s' "${pools[*]}")"

# admin.conf (group kubeadm:cluster-admins since Kubernetes 1.29), not super-admin.conf: this needs no RBAC bypass.
kubectl_() { kubectl --kubeconfig "$ADMIN_CONF" --request-timeout="$REQUEST_TIMEOUT" "$@"; }

kubectl_ label nodes --overwrite \
  --selector "${INGRESS_LABEL}=true,${POOL_LABEL} in (${pool_set})" "${LABEL}=true"
kubectl_ label nodes --selector "${LABEL},${POOL_LABEL} notin (${pool_set})" "${LABEL}-"
kubectl_ label nodes --selector "${LABEL},${INGRESS_LABEL}!=true" "${LABEL}-"
