#!/usr/bin/env bash
# Reconciles the policy layer of a running generation (immutable-clusters-policy.timer on control-plane nodes, every
# minute): downloads s3://$NODE_BUCKET/policy/manifests.yaml (uploaded by the generation stack on every deploy) and,
# only when its SHA-256 differs from the last successful apply recorded in state/policy-applied.json, applies it with
# server-side apply as a kubectl ApplySet and prunes the objects removed since (KEP-3659,
# https://git.k8s.io/enhancements/keps/sig-cli/3659-kubectl-apply-prune; kubectl docs:
# https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#alternative-kubectl-apply-f-directory-prune).
# ApplySet pruning is alpha behind KUBECTL_APPLYSET=true since kubectl v1.27 (the KEP's kep.yaml, alpha: "v1.27"); every
# Kubernetes version this library supports (1.31 and later, constructs/ignition/kubernetes-releases.ts) ships a kubectl
# that has it. Then reports what it did in state/policy-applied.json ({hash, appliedAt, result, holder, applied, pruned,
# error}). A lease (state/policy-lock) lets one controller at a time apply.
set -euo pipefail

IC_LOG_TAG="reconcile-policy"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"
# shellcheck source=s3-lease.sh
source "${SCRIPT_DIR}/s3-lease.sh"

# constructs/addons/policy-layer.ts POLICY_MANIFESTS_KEY, POLICY_REPORT_KEY, POLICY_APPLYSET_FLAG.
readonly K_POLICY="policy/manifests.yaml"
readonly K_POLICY_REPORT="state/policy-applied.json"
readonly K_POLICY_LOCK="state/policy-lock"
readonly APPLYSET="applysets.immutable-clusters.io/policy"
readonly APPLYSET_CRD="${IC_ROOT}/etc/immutable-clusters/policy/applyset-crd.yaml"
readonly APPLYSET_PARENT="${IC_ROOT}/etc/immutable-clusters/policy/applyset-parent.yaml"
LOCK_SECONDS="${IC_POLICY_LEASE_SECONDS:-300}"
INSTANCE_ID=""

# ensure_applyset_parent: the parent type (applied server-side each run, it is ours) and the parent object (created
# once: kubectl owns its annotations after the first apply, a re-apply of ours would reset them).
ensure_applyset_parent() {
  local err="${RUN_DIR}/policy-parent.err"
  kctl apply --server-side --field-manager=immutable-clusters -f "$APPLYSET_CRD" >&2 ||
    die 1 "cannot apply the ApplySet parent type ${APPLYSET_CRD#"$IC_ROOT"}"
  kctl wait --for=condition=Established --timeout=60s crd/applysets.immutable-clusters.io >&2 ||
    die 1 "the ApplySet parent type is not established"
  if ! kctl get "$APPLYSET" -o name >/dev/null 2>"$err"; then
    grep -q NotFound "$err" || die 1 "cannot read the ApplySet parent ${APPLYSET}: $(tail -n 1 "$err")"
    kctl create -f "$APPLYSET_PARENT" >&2 || die 1 "cannot create the ApplySet parent ${APPLYSET}"
    log "created the ApplySet parent ${APPLYSET}"
  fi
}

# already_applied HASH FILE: 0 when state/policy-applied.json (downloaded into FILE) says HASH was applied.
already_applied() {
  local hash="$1" last="$2" rc=0
  s3_get "$NODE_BUCKET" "$K_POLICY_REPORT" "$last" || rc=$?
  ((rc == 0 || rc == AWS_API_EXPECTED)) || die 1 "cannot read s3://${NODE_BUCKET}/${K_POLICY_REPORT}"
  if ((rc == 0)) && [[ "$(jq -r '.hash + " " + .result' "$last")" == "${hash} applied" ]]; then
    log "policy layer ${hash:0:19}… already applied: nothing to do"
    return 0
  fi
  return 1
}

# report HASH RESULT OUT ERR: writes state/policy-applied.json from kubectl's output (one "<kind>/<name> <verb>" a line).
report() {
  local file="${RUN_DIR}/policy-applied.json"
  IC_HASH="$1" IC_RESULT="$2" IC_HOLDER="$INSTANCE_ID" IC_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    IC_ERROR="$(tail -n 3 "$4" 2>/dev/null || true)" jq -R -s '
      split("\n") | map(select(length > 0)) as $lines
      | {hash: env.IC_HASH, appliedAt: env.IC_AT, result: env.IC_RESULT, holder: env.IC_HOLDER,
         applied: [$lines[] | select(endswith(" serverside-applied")) | sub(" serverside-applied$"; "")],
         pruned: [$lines[] | select(endswith(" pruned")) | sub(" pruned$"; "")]}
      + (if env.IC_RESULT == "applied" then {} else {error: env.IC_ERROR} end)' "$3" >"$file"
  s3_put "$NODE_BUCKET" "$K_POLICY_REPORT" "$file" || die 1 "cannot write s3://${NODE_BUCKET}/${K_POLICY_REPORT}"
}

main() {
  load_cluster_env
  if [[ "$NODE_ROLE" != controller ]]; then
    log "not a control-plane node: nothing to do"
    return 0
  fi
  if ! { [[ -r "$ADMIN_CONF" ]] && kctl get --raw=/readyz >/dev/null 2>&1; }; then
    log "no working ${ADMIN_CONF} on this node yet: nothing to do"
    return 0
  fi
  private_dir "$RUN_DIR"
  local manifest="${RUN_DIR}/policy-manifests.yaml" last="${RUN_DIR}/policy-applied-last.json" rc=0 hash
  s3_get "$NODE_BUCKET" "$K_POLICY" "$manifest" || rc=$?
  if ((rc == AWS_API_EXPECTED)); then
    log "no policy layer in s3://${NODE_BUCKET}/${K_POLICY}: nothing to do"
    return 0
  fi
  ((rc == 0)) || die 1 "cannot read s3://${NODE_BUCKET}/${K_POLICY}"
  hash="sha256:$(sha256sum "$manifest" | cut -d ' ' -f 1)"
  if already_applied "$hash" "$last"; then return 0; fi
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  lease_take "$K_POLICY_LOCK" "$INSTANCE_ID" "$LOCK_SECONDS" || return 0
  # shellcheck disable=SC2064 # the key and holder are fixed now
  trap "lease_release '${K_POLICY_LOCK}' '${INSTANCE_ID}'" EXIT
  # Read the report again under the lease: another controller may have applied this hash and released the lease
  # between the first read and our taking it.
  if already_applied "$hash" "$last"; then return 0; fi
  ensure_applyset_parent
  local out="${RUN_DIR}/policy-apply.out" err="${RUN_DIR}/policy-apply.err"
  rc=0
  KUBECTL_APPLYSET=true kctl apply --server-side --force-conflicts --prune --applyset="$APPLYSET" \
    -f "$manifest" >"$out" 2>"$err" || rc=$?
  cat "$out" >&2
  if ((rc != 0)); then
    cat "$err" >&2
    report "$hash" failed "$out" "$err"
    die 1 "kubectl apply of the policy layer ${hash:0:19}… failed (reported in ${K_POLICY_REPORT}); retried next run"
  fi
  report "$hash" applied "$out" "$err"
  log "applied the policy layer ${hash:0:19}…: $(grep -c ' serverside-applied$' "$out" || true) applied, $(grep -c ' pruned$' "$out" || true) pruned"
}

main "$@"
