#!/usr/bin/env bash
# Boots this node into the cluster generation (immutable-clusters-bootstrap.service), as a restartable state machine:
# a control-plane node takes the election lease in S3 (or takes it over from a dead or stale holder); the holder runs
# `kubeadm init`, publishes the join material and applies the addons; every other node waits for the join material
# (capped backoff, total timeout) and runs `kubeadm join`. Each finished phase leaves a marker under
# /var/lib/immutable-clusters; an unfinished kubeadm run is reset before the next attempt; after IC_MAX_ATTEMPTS failed
# attempts the node marks itself Unhealthy so its autoscaling group replaces it.
set -euo pipefail

IC_LOG_TAG="node-bootstrap"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"
# shellcheck source=cluster-identity.sh
source "${SCRIPT_DIR}/cluster-identity.sh"
# shellcheck source=restore-from-snapshot.sh
source "${SCRIPT_DIR}/restore-from-snapshot.sh"

JOIN_TIMEOUT_SECONDS="${IC_JOIN_TIMEOUT_SECONDS:-1800}"
ADDONS_TIMEOUT_SECONDS="${IC_ADDONS_TIMEOUT_SECONDS:-1800}"
BACKOFF_INITIAL_SECONDS="${IC_BACKOFF_INITIAL_SECONDS:-5}"

NODE_NAME=""
NODE_IP=""
INSTANCE_ID=""
JOIN_TOKEN=""
JOIN_CA_HASH=""
JOIN_CERT_KEY=""
JOIN_ENCRYPTION_KEY=""
CERT_KEY=""

# read_identity: this instance's id, node name (EC2 private DNS name) and private IP from the metadata service.
read_identity() {
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  NODE_NAME="$(imds_get meta-data/local-hostname)" || die 1 "cannot read the local hostname"
  NODE_NAME="${NODE_NAME%% *}"
  NODE_IP="$(imds_get meta-data/local-ipv4)" || die 1 "cannot read the local IPv4 address"
  log "node ${NODE_NAME} (${INSTANCE_ID}, ${NODE_IP}), role ${NODE_ROLE}, cluster ${CLUSTER_NAME}"
}

# init_control_plane: kubeadm init (the certificates uploaded for the initial control plane), renewing the election lease
# while it runs. The phase marker is written only after kubeadm exits 0.
init_control_plane() {
  local boot_token config args encryption_key
  CERT_KEY="$(kubeadm certs certificate-key)" || die 1 "kubeadm certs certificate-key failed"
  boot_token="$(kubeadm token generate)" || die 1 "kubeadm token generate failed"
  config="$(render_kubeadm_config init NODE_NAME="$NODE_NAME" NODE_IP="$NODE_IP" \
    BOOTSTRAP_TOKEN="$boot_token" CERTIFICATE_KEY="$CERT_KEY")"
  args=(init --config "$config" --upload-certs)
  template_has init CERTIFICATE_KEY || args+=(--certificate-key "$CERT_KEY")
  wait_for_api init
  if restore_requested; then
    # controlPlane.restore: the old generation's identity and etcd data in place before kubeadm init, which uses them
    # (restore-from-snapshot.sh); /var/lib/etcd is not empty on purpose. The lease is renewed while it waits.
    renew_lease_in_background
    restore_before_init "$config"
    stop_lease_renewer
    args+=(--ignore-preflight-errors=DirAvailable--var-lib-etcd)
  fi
  # kube-apiserver reads --encryption-provider-config at start and exits when it cannot (kubeadm-config.ts).
  encryption_key="$(ensure_encryption_key)" || exit $?
  write_encryption_config "$encryption_key"
  # Node contract 3: the cluster's service-account signing key into pki/ and its public key into the issuer's JWKS,
  # before kubeadm init (which keeps an existing sa.key). Older configs have no SA_SIGNING_KEY_PARAMETER.
  if [[ -n "${SA_SIGNING_KEY_PARAMETER:-}" ]]; then
    "${SCRIPT_DIR}/service-account-issuer.sh" || die 1 "could not install the cluster's service-account signing key"
  fi
  systemctl enable kubelet.service
  renew_lease_in_background
  log "running kubeadm init (output kept in ${RUN_DIR}/kubeadm-init.log)"
  run_kubeadm "${args[@]}" || die 1 "kubeadm init failed: see ${RUN_DIR}/kubeadm-init.log and journalctl -u kubelet"
  stop_lease_renewer
  mark "$MARK_KUBEADM" init
  ! restore_requested || mark "$MARK_RESTORED" "${RESTORE_FROM_GENERATION} ${RESTORE_SNAPSHOT}"
  log "kubeadm init finished"
}

# stop_lease_renewer: stops the background lease renewal, if any.
stop_lease_renewer() {
  if [[ -n "${LEASE_RENEWER:-}" ]]; then
    kill "$LEASE_RENEWER" 2>/dev/null || true
    wait "$LEASE_RENEWER" 2>/dev/null || true
    LEASE_RENEWER=""
  fi
}

# finish_leader: what the node that ran kubeadm init does afterwards, each step once (marker per step): publish the
# join material (only while it still holds the lease), then apply the addons.
finish_leader() {
  if [[ ! -e "$MARK_PUBLISHED" ]]; then
    still_leader
    publish_ca_cert_hash
    if [[ -n "${CERT_KEY:-}" ]]; then
      publish_certificate_key "$CERT_KEY"
    else
      log "kubeadm init finished in an earlier run: uploading the control-plane certificates under a new key"
      upload_certificates
    fi
    publish_token
    serve_join_requests uploaded
    mark "$MARK_PUBLISHED"
  fi
  if [[ ! -e "$MARK_ADDONS" ]]; then
    apply_addons
    mark "$MARK_ADDONS"
  fi
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
      if kctl apply --server-side --force-conflicts -f "$manifests" >&2; then
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

# fetch_join_material ROLE: reads the published join material (a worker: token and CA hash only; a controller also the
# certificate key); 0 when all of it is published.
fetch_join_material() {
  JOIN_CA_HASH="$(published "$K_CA_HASH")" || return 1
  JOIN_TOKEN="$(published "$K_TOKEN")" || return 1
  if [[ "$1" == controller ]]; then
    JOIN_CERT_KEY="$(published "$K_CERT_KEY")" || return 1
    JOIN_ENCRYPTION_KEY="$(published "$K_ENCRYPTION_KEY")" || return 1
  fi
  return 0
}

# join_timeout_error: exits EXIT_JOIN_TIMEOUT naming what never happened.
join_timeout_error() {
  die "$EXIT_JOIN_TIMEOUT" "timed out after ${JOIN_TIMEOUT_SECONDS}s ($1 attempts) waiting for $2." \
    "Check the immutable-clusters-bootstrap journal of the election lease holder (s3://${NODE_BUCKET}/${K_LEASE}) or" \
    "the join-refresh timer of the initialized controllers; replace this generation if none is alive."
}

# wait_for_join_material: a worker polls the node bucket with capped exponential backoff until the token and CA hash are
# published.
wait_for_join_material() {
  local deadline delay="$BACKOFF_INITIAL_SECONDS" attempt=1 what
  deadline=$(($(date +%s) + JOIN_TIMEOUT_SECONDS))
  what="the join material $(object_url "$K_TOKEN") and ${K_CA_HASH}"
  log "waiting up to ${JOIN_TIMEOUT_SECONDS}s for ${what}"
  until fetch_join_material worker; do
    (($(date +%s) < deadline)) || join_timeout_error "$attempt" "${what} (absent, or this role may not read it)"
    log "the join material is not published yet (attempt ${attempt}): next check in at most ${delay}s"
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
  log "found the join material (attempt ${attempt})"
}

# elect_or_wait: a controller's election round, repeated with backoff: 0 when this node holds the lease (it inits),
# 1 when it joins: the join material is published and its join request was served (the certificates are uploaded).
elect_or_wait() {
  local deadline delay="$BACKOFF_INITIAL_SECONDS" attempt=1 requested=false
  deadline=$(($(date +%s) + JOIN_TIMEOUT_SECONDS))
  while true; do
    if acquire_lease; then
      [[ "$requested" == false ]] || s3_delete "$NODE_BUCKET" "${K_JOIN_REQUESTS}${INSTANCE_ID}" || true
      return 0
    fi
    if [[ "$requested" == false ]]; then
      log "another controller (${LEASE_HOLDER:-unknown}) holds the election lease: joining as a control-plane node"
      request_certificate_upload
      requested=true
    elif fetch_join_material controller && certificate_upload_served && fetch_join_material controller; then
      log "found the join material and the uploaded certificates (attempt ${attempt})"
      return 1
    fi
    (($(date +%s) < deadline)) || join_timeout_error "$attempt" "the join material and the control-plane certificates"
    log "waiting for the join material and the control-plane certificates (attempt ${attempt}): next check in at most ${delay}s"
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
}

# join_cluster TEMPLATE: renders the join config of this role and runs kubeadm join.
join_cluster() {
  local template="$1" config
  config="$(render_kubeadm_config "$template" NODE_NAME="$NODE_NAME" NODE_IP="$NODE_IP" \
    BOOTSTRAP_TOKEN="$JOIN_TOKEN" CA_CERT_HASH="$JOIN_CA_HASH" CERTIFICATE_KEY="$JOIN_CERT_KEY")"
  # A control-plane node's kube-apiserver must decrypt what the others encrypted: the same key as the init winner's.
  [[ "$template" != join-controller ]] || write_encryption_config "$JOIN_ENCRYPTION_KEY"
  systemctl enable kubelet.service
  log "running kubeadm join with ${config} (output kept in ${RUN_DIR}/kubeadm-join.log)"
  run_kubeadm join --config "$config" || die 1 "kubeadm join failed: see ${RUN_DIR}/kubeadm-join.log and journalctl -u kubelet"
}

# bootstrap_worker: reset leftovers of an unfinished join, wait for the join material and the API, join.
bootstrap_worker() {
  [[ ! -e "$MARK_KUBEADM" ]] || return 0
  [[ -z "$(kubeadm_leftovers)" ]] || reset_node
  wait_for_join_material
  wait_for_api join
  join_cluster join-worker
  mark "$MARK_KUBEADM" join
}

# bootstrap_controller: finish what an earlier run started, or elect: init and finish as leader, or join.
bootstrap_controller() {
  if [[ -e "$MARK_KUBEADM" ]]; then
    if grep -q ' init$' "$MARK_KUBEADM"; then
      lease_read || die 1 "cannot read s3://${NODE_BUCKET}/${K_LEASE}"
      finish_leader
    fi
    return 0
  fi
  [[ -z "$(kubeadm_leftovers)" ]] || reset_node
  if elect_or_wait; then
    init_control_plane
    finish_leader
  else
    wait_for_api join
    join_cluster join-controller
    mark "$MARK_KUBEADM" join
    s3_delete "$NODE_BUCKET" "${K_JOIN_REQUESTS}${INSTANCE_ID}" || log "could not delete this node's join request"
  fi
}

# on_exit CODE: stops the lease renewal and, after too many failed attempts, has the group replace this node.
on_exit() {
  stop_lease_renewer
  give_up_if_exhausted "$1"
}

main() {
  load_cluster_env
  if [[ -e "$MARK_COMPLETE" ]]; then
    log "bootstrap completed earlier ($(<"$MARK_COMPLETE")): nothing to do"
    return 0
  fi
  read_identity
  count_attempt
  trap 'on_exit $?' EXIT
  log "attempt ${ATTEMPT} (of ${IC_MAX_ATTEMPTS:-5} before this node has itself replaced)"
  if [[ "$NODE_ROLE" == worker ]]; then
    bootstrap_worker
  else
    bootstrap_controller
  fi
  mark "$MARK_COMPLETE"
  rm -f "$ATTEMPTS_FILE"
  log "bootstrap complete"
}

main "$@"
