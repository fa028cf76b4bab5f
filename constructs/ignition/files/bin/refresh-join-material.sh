#!/usr/bin/env bash
# Keeps the join material usable and the control plane clean (immutable-clusters-join-refresh.timer on control-plane
# nodes, every few minutes): renews the published bootstrap token when it expires within IC_REFRESH_BEFORE_HOURS;
# answers join requests of control-plane nodes (removes etcd members and Node objects of gone instances, uploads the
# control-plane certificates under a new key, publishes the key); and deletes the uploaded certificates when no
# control-plane node is joining. A lease in S3 (state/refresh-lock, conditional writes) lets one controller at a time
# do it, so every controller may run it on the same schedule.
set -euo pipefail

IC_LOG_TAG="refresh-join-material"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"

REFRESH_BEFORE_HOURS="${IC_REFRESH_BEFORE_HOURS:-12}"
LOCK_SECONDS="${IC_REFRESH_LEASE_SECONDS:-900}"
INSTANCE_ID=""
NODE_NAME=""
LOCK_HELD=false

# admin_works: whether this node can talk to the API server as cluster admin.
admin_works() {
  [[ -r "$ADMIN_CONF" ]] && kctl get --raw=/readyz >/dev/null 2>&1
}

# token_hours_left: hours until the published token expires (-1 when none is published or its expiry is unknown).
token_hours_left() {
  local expiry rc=0 expiry_epoch
  expiry="$(published "$K_TOKEN_EXPIRY")" || rc=$?
  ((rc == 0 || rc == AWS_API_EXPECTED)) || die 1 "cannot read $(object_url "$K_TOKEN_EXPIRY")"
  if ((rc != 0)) || ! expiry_epoch="$(date -u -d "$expiry" +%s 2>/dev/null)"; then
    printf '%s' -1
    return 0
  fi
  printf '%s' "$(((expiry_epoch - $(date +%s)) / 3600))"
}

# take_lock: 0 when this controller now holds s3://<bucket>/state/refresh-lock: created it (If-None-Match), or took over
# a lock older than IC_REFRESH_LEASE_SECONDS (its holder died) with If-Match on the stale ETag.
take_lock() {
  local rc=0 file="${RUN_DIR}/refresh-lock.json" current="${RUN_DIR}/refresh-lock-current.json" taken_at holder etag
  private_dir "$RUN_DIR"
  IC_HOLDER="$INSTANCE_ID" IC_AT="$(date +%s)" jq -n '{holder: env.IC_HOLDER, takenAt: (env.IC_AT | tonumber)}' >"$file"
  s3_put "$NODE_BUCKET" "$K_REFRESH_LOCK" "$file" create || rc=$?
  ((rc == 0)) && return 0
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot create s3://${NODE_BUCKET}/${K_REFRESH_LOCK}"
  s3_get "$NODE_BUCKET" "$K_REFRESH_LOCK" "$current" || return 1
  holder="$(jq -r '.holder // "unknown"' "$current")"
  taken_at="$(jq -r '.takenAt // 0' "$current")"
  etag="$(s3_etag_of "$current")"
  if [[ "$taken_at" =~ ^[0-9]+$ ]] && (($(date +%s) - taken_at > LOCK_SECONDS)); then
    log "taking over the stale refresh lock of ${holder}"
    s3_put "$NODE_BUCKET" "$K_REFRESH_LOCK" "$file" "$etag"
    return
  fi
  log "${holder} is refreshing the join material right now: nothing to do"
  return 1
}

# release_lock: deletes the lock if this controller holds it.
release_lock() {
  local current="${RUN_DIR}/refresh-lock-current.json"
  [[ "$LOCK_HELD" == true ]] || return 0
  if s3_get "$NODE_BUCKET" "$K_REFRESH_LOCK" "$current" 2>/dev/null &&
    [[ "$(jq -r '.holder // empty' "$current")" == "$INSTANCE_ID" ]]; then
    s3_delete "$NODE_BUCKET" "$K_REFRESH_LOCK" || true
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
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  NODE_NAME="$(imds_get meta-data/local-hostname)" || die 1 "cannot read the local hostname"
  NODE_NAME="${NODE_NAME%% *}"
  take_lock || return 0
  LOCK_HELD=true
  trap release_lock EXIT
  local hours_left
  hours_left="$(token_hours_left)"
  if ((hours_left < REFRESH_BEFORE_HOURS)); then
    log "refreshing: the published token expires in less than ${REFRESH_BEFORE_HOURS}h (${hours_left}h left)"
    publish_ca_cert_hash
    publish_token
  else
    log "the published token is valid for ${hours_left}h more"
  fi
  remove_stale_members
  serve_join_requests pending
}

main "$@"
