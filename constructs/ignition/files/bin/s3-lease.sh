#!/usr/bin/env bash
# Sourced library of reconcile-policy.sh and etcd-snapshot.sh: a lease object in the node bucket that lets one
# control-plane node at a time do a periodic job, with S3 conditional writes (If-None-Match: * to create, If-Match:
# <ETag> to take over a lease older than its lifetime; https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html),
# the same scheme as refresh-join-material.sh's state/refresh-lock. Needs aws-api.sh and bootstrap-lib.sh sourced first.

# lease_take KEY HOLDER SECONDS: 0 when HOLDER now holds s3://$NODE_BUCKET/KEY ({holder, takenAt}): it created it, or it
# took over one taken more than SECONDS ago; 1 when another holder's lease is younger (logged) or S3 refused the
# takeover (someone else was faster). Any other S3 failure ends the script (exit 1).
lease_take() {
  local key="$1" holder="$2" seconds="$3" rc=0 name file current taken_at owner etag
  name="$(basename "$key")"
  file="${RUN_DIR}/${name}.json"
  current="${RUN_DIR}/${name}-current.json"
  private_dir "$RUN_DIR"
  IC_HOLDER="$holder" IC_AT="$(date +%s)" jq -n '{holder: env.IC_HOLDER, takenAt: (env.IC_AT | tonumber)}' >"$file"
  s3_put "$NODE_BUCKET" "$key" "$file" create || rc=$?
  ((rc == 0)) && return 0
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot create s3://${NODE_BUCKET}/${key}"
  rc=0
  s3_get "$NODE_BUCKET" "$key" "$current" || rc=$?
  ((rc == 0)) || return 1
  owner="$(jq -r '.holder // "unknown"' "$current")"
  taken_at="$(jq -r '.takenAt // 0' "$current")"
  etag="$(s3_etag_of "$current")"
  if [[ "$taken_at" =~ ^[0-9]+$ ]] && (($(date +%s) - taken_at >= seconds)); then
    rc=0
    s3_put "$NODE_BUCKET" "$key" "$file" "$etag" || rc=$?
    ((rc == 0)) && log "took over the lease ${key} of ${owner} (taken $(($(date +%s) - taken_at))s ago)"
    ((rc == 0)) && return 0
    ((rc == AWS_API_EXPECTED)) || die 1 "cannot take over s3://${NODE_BUCKET}/${key}"
    log "another node took the lease ${key} first: nothing to do"
    return 1
  fi
  log "${owner} holds the lease ${key} (taken $(($(date +%s) - taken_at))s ago): nothing to do"
  return 1
}

# lease_release KEY HOLDER: deletes the lease if HOLDER still holds it.
lease_release() {
  local key="$1" holder="$2" current
  current="${RUN_DIR}/$(basename "$key")-release.json"
  if s3_get "$NODE_BUCKET" "$key" "$current" 2>/dev/null && [[ "$(jq -r '.holder // empty' "$current")" == "$holder" ]]; then
    s3_delete "$NODE_BUCKET" "$key" || true
  fi
}
