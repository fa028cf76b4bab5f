#!/usr/bin/env bash
# Boots this node into the cluster generation (immutable-clusters-bootstrap.service): a control-plane node races for the
# election in SSM; the winner runs `kubeadm init`, publishes the join material and applies the addons; every other node
# waits for the join material (capped backoff, total timeout) and runs `kubeadm join`. Safe to run again.
set -euo pipefail

IC_LOG_TAG="node-bootstrap"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"

JOIN_TIMEOUT_SECONDS="${IC_JOIN_TIMEOUT_SECONDS:-1800}"
ADDONS_TIMEOUT_SECONDS="${IC_ADDONS_TIMEOUT_SECONDS:-1800}"
BACKOFF_INITIAL_SECONDS="${IC_BACKOFF_INITIAL_SECONDS:-5}"
COMPLETE_MARKER="${STATE_DIR}/bootstrap-complete"

NODE_NAME=""
NODE_IP=""
INSTANCE_ID=""
JOIN_TOKEN=""
JOIN_CA_HASH=""
JOIN_CERT_KEY=""

# read_identity: this instance's id, node name (EC2 private DNS name) and private IP from the metadata service.
read_identity() {
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  NODE_NAME="$(imds_get meta-data/local-hostname)" || die 1 "cannot read the local hostname"
  NODE_NAME="${NODE_NAME%% *}"
  NODE_IP="$(imds_get meta-data/local-ipv4)" || die 1 "cannot read the local IPv4 address"
  log "node ${NODE_NAME} (${INSTANCE_ID}, ${NODE_IP}), role ${NODE_ROLE}, cluster ${CLUSTER_NAME}"
}

# win_election: 0 when this instance holds the leader parameter (created now, or by an earlier run of this node).
win_election() {
  local rc=0 holder
  ssm_put "$P_LEADER" "$INSTANCE_ID" String false || rc=$?
  if ((rc == 0)); then
    log "won the election: created ${P_LEADER}"
    return 0
  fi
  ((rc == AWS_API_EXPECTED)) || die 1 "the election failed: cannot create ${P_LEADER}"
  holder="$(ssm_get "$P_LEADER")" || die 1 "cannot read ${P_LEADER}"
  if [[ "$holder" == "$INSTANCE_ID" ]]; then
    log "won the election earlier (${P_LEADER} holds this instance)"
    return 0
  fi
  log "lost the election to ${holder}: joining as a control-plane node"
  return 1
}

# init_control_plane: kubeadm init with a fresh certificate key, then publish the join material.
init_control_plane() {
  local cert_key boot_token config args
  if [[ -e "${KUBE_DIR}/manifests/kube-apiserver.yaml" ]]; then
    log "an earlier kubeadm init did not finish: kubeadm reset before trying again"
    kubeadm reset --force >&2 || die 1 "kubeadm reset failed"
  fi
  cert_key="$(kubeadm certs certificate-key)" || die 1 "kubeadm certs certificate-key failed"
  boot_token="$(kubeadm token generate)" || die 1 "kubeadm token generate failed"
  config="$(render_kubeadm_config init NODE_NAME="$NODE_NAME" NODE_IP="$NODE_IP" \
    BOOTSTRAP_TOKEN="$boot_token" CERTIFICATE_KEY="$cert_key")"
  args=(init --config "$config" --upload-certs)
  template_has init CERTIFICATE_KEY || args+=(--certificate-key "$cert_key")
  systemctl enable kubelet.service
  log "running kubeadm init (output kept in ${RUN_DIR}/kubeadm-init.log)"
  run_kubeadm "${args[@]}" || die 1 "kubeadm init failed: see ${RUN_DIR}/kubeadm-init.log and journalctl -u kubelet"
  publish_ca_cert_hash
  publish_certificate_key "$cert_key"
  publish_token
}

# apply_addons: downloads the addon manifests and applies them server-side, retrying until the API accepts them all
# (CRDs, webhooks and the CNI need a few rounds) or ADDONS_TIMEOUT_SECONDS pass.
apply_addons() {
  local manifests="${RUN_DIR}/addons.yaml" deadline delay="$BACKOFF_INITIAL_SECONDS" attempt=1 rc
  deadline=$(($(date +%s) + ADDONS_TIMEOUT_SECONDS))
  private_dir "$RUN_DIR"
  while true; do
    rc=0
    s3_get "$NODE_BUCKET" addons/manifests.yaml "$manifests" || rc=$?
    if ((rc == 0)); then
      if kubectl --kubeconfig "$ADMIN_CONF" apply --server-side --force-conflicts -f "$manifests" >&2; then
        log "applied the addons (attempt ${attempt})"
        return 0
      fi
      log "kubectl apply of the addons failed (attempt ${attempt}): retrying"
    elif ((rc == AWS_API_EXPECTED)); then
      log "s3://${NODE_BUCKET}/addons/manifests.yaml does not exist (attempt ${attempt}): retrying"
    fi
    if (($(date +%s) >= deadline)); then
      die "$EXIT_ADDONS_TIMEOUT" "gave up applying the addons after ${ADDONS_TIMEOUT_SECONDS}s (${attempt} attempts)"
    fi
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
}

# fetch_join_material NEED_CERT_KEY: reads the published join material; 0 when all of it is there.
fetch_join_material() {
  local need_cert_key="$1" rc=0
  JOIN_CA_HASH="$(ssm_get "$P_CA_HASH")" || return 1
  JOIN_TOKEN="$(ssm_get "$P_TOKEN")" || return 1
  if [[ "$need_cert_key" == true ]]; then
    JOIN_CERT_KEY="$(ssm_get "$P_CERT_KEY")" || rc=$?
  fi
  return "$rc"
}

# wait_for_join_material NEED_CERT_KEY: polls SSM with capped exponential backoff; exits EXIT_JOIN_TIMEOUT when the
# material does not appear within JOIN_TIMEOUT_SECONDS (e.g. the election winner died before publishing it).
wait_for_join_material() {
  local need_cert_key="$1" deadline delay="$BACKOFF_INITIAL_SECONDS" attempt=1 holder
  deadline=$(($(date +%s) + JOIN_TIMEOUT_SECONDS))
  log "waiting up to ${JOIN_TIMEOUT_SECONDS}s for the join material under ${SSM_PREFIX}/join"
  until fetch_join_material "$need_cert_key"; do
    if (($(date +%s) >= deadline)); then
      holder="$(ssm_get "$P_LEADER" 2>/dev/null || printf 'nobody')"
      die "$EXIT_JOIN_TIMEOUT" "timed out after ${JOIN_TIMEOUT_SECONDS}s (${attempt} attempts) waiting for the join material" \
        "under ${SSM_PREFIX}/join: the election winner (${P_LEADER} = ${holder}) never published it." \
        "Check that instance's immutable-clusters-bootstrap journal; replace this generation if it died."
    fi
    log "the join material is not published yet (attempt ${attempt}): next check in at most ${delay}s"
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
  log "found the join material (attempt ${attempt})"
}

# join_cluster TEMPLATE: renders the join config of this role and runs kubeadm join.
join_cluster() {
  local template="$1" config
  config="$(render_kubeadm_config "$template" NODE_NAME="$NODE_NAME" NODE_IP="$NODE_IP" \
    BOOTSTRAP_TOKEN="$JOIN_TOKEN" CA_CERT_HASH="$JOIN_CA_HASH" CERTIFICATE_KEY="$JOIN_CERT_KEY")"
  systemctl enable kubelet.service
  log "running kubeadm join with ${config} (output kept in ${RUN_DIR}/kubeadm-join.log)"
  run_kubeadm join --config "$config" || die 1 "kubeadm join failed: see ${RUN_DIR}/kubeadm-join.log and journalctl -u kubelet"
}

mark_complete() {
  mkdir -p "$STATE_DIR"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$COMPLETE_MARKER"
  log "bootstrap complete"
}

main() {
  load_cluster_env
  if [[ -e "$COMPLETE_MARKER" && -e "$KUBELET_CONF" ]]; then
    log "${KUBELET_CONF} exists and bootstrap completed earlier: nothing to do"
    return 0
  fi
  read_identity
  if [[ "$NODE_ROLE" == worker ]]; then
    if [[ ! -e "$KUBELET_CONF" ]]; then
      wait_for_join_material false
      join_cluster join-worker
    fi
  elif win_election; then
    if [[ ! -e "$KUBELET_CONF" ]]; then
      init_control_plane
    elif ! fetch_join_material true; then
      log "kubeadm init finished earlier but the join material is missing: publishing it now"
      rotate_join_material
    fi
    apply_addons
  elif [[ ! -e "$KUBELET_CONF" ]]; then
    wait_for_join_material true
    join_cluster join-controller
  fi
  mark_complete
}

main "$@"
