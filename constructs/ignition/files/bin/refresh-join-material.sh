#!/usr/bin/env bash
# Keeps the published join material usable (immutable-clusters-join-refresh.timer on control-plane nodes): when the
# published bootstrap token expires within IC_REFRESH_BEFORE_HOURS, or the uploaded control-plane certificates are gone,
# it creates a new token, uploads the certificates under a new key and overwrites the SSM parameters. An SSM lease
# lets only one controller at a time do it, so every controller may run it on the same schedule.
set -euo pipefail

IC_LOG_TAG="refresh-join-material"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"

REFRESH_BEFORE_HOURS="${IC_REFRESH_BEFORE_HOURS:-12}"
LEASE_SECONDS="${IC_REFRESH_LEASE_SECONDS:-900}"
LEASE_VALUE=""

# admin_works: whether this node can talk to the API server as cluster admin.
admin_works() {
  [[ -r "$ADMIN_CONF" ]] && kubectl --kubeconfig "$ADMIN_CONF" get --raw=/readyz >/dev/null 2>&1
}

# token_hours_left: hours until the published token expires (-1 when none is published or its expiry is unknown).
token_hours_left() {
  local expiry rc=0 expiry_epoch
  expiry="$(ssm_get "$P_TOKEN_EXPIRY")" || rc=$?
  ((rc == 0 || rc == AWS_API_EXPECTED)) || die 1 "cannot read ${P_TOKEN_EXPIRY}"
  if ((rc != 0)) || ! expiry_epoch="$(date -u -d "$expiry" +%s 2>/dev/null)"; then
    printf '%s' -1
    return 0
  fi
  printf '%s' "$(((expiry_epoch - $(date +%s)) / 3600))"
}

# uploaded_certs_present: whether kubeadm's kubeadm-certs Secret (deleted 2 hours after each upload) still exists.
uploaded_certs_present() {
  kubectl --kubeconfig "$ADMIN_CONF" --namespace kube-system get secret kubeadm-certs >/dev/null 2>&1
}

# take_lease: 0 when this controller now holds the refresh lease; a lease older than LEASE_SECONDS (its holder died)
# is broken.
take_lease() {
  local rc=0 holder taken_at
  LEASE_VALUE="${INSTANCE_ID} $(date +%s)"
  ssm_put "$P_REFRESH_LOCK" "$LEASE_VALUE" String false || rc=$?
  ((rc == 0)) && return 0
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot create ${P_REFRESH_LOCK}"
  holder="$(ssm_get "$P_REFRESH_LOCK")" || return 1
  taken_at="${holder##* }"
  if [[ "$taken_at" =~ ^[0-9]+$ ]] && (($(date +%s) - taken_at > LEASE_SECONDS)); then
    log "breaking the stale refresh lease of ${holder% *}"
    ssm_delete "$P_REFRESH_LOCK" || true
    rc=0
    ssm_put "$P_REFRESH_LOCK" "$LEASE_VALUE" String false || rc=$?
    return "$rc"
  fi
  log "${holder% *} is refreshing the join material right now: nothing to do"
  return 1
}

# release_lease: deletes the lease if it is still ours.
release_lease() {
  local holder
  if holder="$(ssm_get "$P_REFRESH_LOCK" 2>/dev/null)" && [[ "$holder" == "$LEASE_VALUE" ]]; then
    ssm_delete "$P_REFRESH_LOCK" || true
  fi
}

# refresh_reason: prints why the join material needs refreshing ("token: ..." or "certs: ..."); nothing when it
# does not.
refresh_reason() {
  local hours_left
  hours_left="$(token_hours_left)"
  if ((hours_left < REFRESH_BEFORE_HOURS)); then
    printf 'token: the published token expires in less than %sh (%sh left)' "$REFRESH_BEFORE_HOURS" "$hours_left"
  elif ! uploaded_certs_present; then
    printf 'certs: the uploaded control-plane certificates expired'
  else
    log "the published token is valid for ${hours_left}h more and the certificates are uploaded"
  fi
}

main() {
  load_cluster_env
  if [[ "$NODE_ROLE" != controller ]]; then
    log "not a control-plane node: nothing to do"
    return 0
  fi
  if ! admin_works; then
    log "no working ${ADMIN_CONF} on this node yet: nothing to do"
    return 0
  fi
  local reason
  reason="$(refresh_reason)"
  [[ -n "$reason" ]] || return 0
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  take_lease || return 0
  trap release_lease EXIT
  # Check again under the lease: another controller may have refreshed it meanwhile.
  reason="$(refresh_reason)"
  [[ -n "$reason" ]] || return 0
  log "refreshing: ${reason#*: }"
  if [[ "$reason" == token:* ]]; then
    rotate_join_material
  else
    rotate_certificate_key
  fi
}

main "$@"
