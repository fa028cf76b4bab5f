#!/usr/bin/env bash
# Sourced library of node-bootstrap.sh: on the init winner of a generation whose definition sets controlPlane.restore
# (cluster.env RESTORE_FROM_GENERATION and RESTORE_SNAPSHOT), everything between the election and `kubeadm init` that
# makes the new control plane start from the old generation's etcd snapshot with the old cluster identity
# (docs/operations.md, "Restore into a fresh generation"):
#   1. wait, bounded by IC_RESTORE_WAIT_SECONDS (3600), for restore/manifest.json, which `immutable-clusters restore`
#      writes after copying restore/snapshot.db and restore/identity.tar; it must name this definition's snapshot;
#   2. download both into a root-only folder under /run (removed on every exit: etcd data and private keys);
#   3. check them before anything changes: `etcdutl snapshot status` (a damaged snapshot fails,
#      https://etcd.io/docs/v3.5/op-guide/recovery/) and the bundle (cluster-identity.sh identity_unpack: every file,
#      each private key matching its certificate, a 32-byte encryption key);
#   4. publish the old Secrets encryption key as this generation's control-plane/secrets-encryption-key (written once,
#      If-None-Match: *; the same key already there is fine, another one stops the restore), so ensure_encryption_key
#      and the joining controllers use it and kube-apiserver reads the Secrets in the snapshot;
#   5. put the CAs and the service-account key pair into /etc/kubernetes/pki: kubeadm init uses a CA pair it finds
#      ("If both files already exist, kubeadm skips the generation step and existing files will be used",
#      https://kubernetes.io/docs/reference/setup-tools/kubeadm/generated/kubeadm_init/kubeadm_init_phase_certs_ca/, and
#      the same for etcd-ca, front-proxy-ca and sa: .../kubeadm_init_phase_certs_etcd-ca/, .../kubeadm_init_phase_certs_sa/)
#      and signs the new serving and client certificates with them;
#   6. `etcdutl snapshot restore` into /var/lib/etcd.restoring as a one-member cluster named after this node with its
#      peer URL (kubeadm's --name and --initial-advertise-peer-urls, cmd/kubeadm/app/phases/etcd/local.go), then moved to
#      /var/lib/etcd, kubeadm's Etcd.Local.DataDir; restore checks the hash `snapshot save` appended.
# kubeadm init then runs with --ignore-preflight-errors=DirAvailable--var-lib-etcd (the name of the DirAvailableCheck
# of Etcd.Local.DataDir, "DirAvailable-" + the path with "/" as "-", matched case-insensitively by RunChecks:
# kubernetes/kubernetes cmd/kubeadm/app/preflight/checks.go at 00b6a4c7; a flag kubeadm accepts beside --config,
# cmd/kubeadm/app/apis/kubeadm/validation/validation.go isAllowedFlag at 76179d26), and its etcd starts from the
# restored data.
# A failure at any step leaves nothing the next attempt trips over: before it, node-bootstrap.sh's reset_node empties
# /etc/kubernetes (but apiserver/) and /var/lib/etcd, and step 6 removes a half-restored /var/lib/etcd.restoring.
# etcdutl: from PATH, else run from kubeadm's etcd image (`kubeadm config images list/pull --config`,
# https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-config/) with containerd's ctr in the k8s.io
# namespace, where the CRI keeps the images it pulled. Needs aws-api.sh, bootstrap-lib.sh and cluster-identity.sh.
# shellcheck disable=SC2034 # the variables defined here are read by the scripts that source this file

readonly K_RESTORE_MANIFEST="restore/manifest.json"
readonly K_RESTORE_SNAPSHOT="restore/snapshot.db"
readonly K_RESTORE_IDENTITY="restore/identity.tar"
RESTORE_DIR="${RUN_DIR}/restore"
# Written after kubeadm init of a restored generation succeeded: "<from generation> <snapshot key>".
MARK_RESTORED="${STATE_DIR}/restored-from-snapshot"

# restore_requested: whether this generation starts from a snapshot (controlPlane.restore).
restore_requested() {
  [[ -n "${RESTORE_SNAPSHOT:-}" ]]
}

# restore_etcdutl INIT_CONFIG ARGS...: etcdutl from PATH, or from kubeadm's etcd image.
restore_etcdutl() {
  local config="$1" image
  shift
  if command -v etcdutl >/dev/null 2>&1; then
    etcdutl "$@"
    return
  fi
  image="$(kubeadm config images list --config "$config" 2>/dev/null | grep '/etcd:' | head -n 1)" || image=""
  [[ -n "$image" ]] || die 1 "no etcdutl on PATH, and kubeadm config images list names no etcd image"
  kubeadm config images pull --config "$config" >&2 || die 1 "kubeadm config images pull failed: cannot run etcdutl from ${image}"
  ctr -n k8s.io run --rm --mount "type=bind,src=${IC_ROOT}/var/lib,dst=/var/lib,options=rbind:rw" \
    --mount "type=bind,src=${RUN_DIR},dst=${RUN_DIR},options=rbind:rw" "$image" "etcd-restore-$$" etcdutl "$@"
}

# restore_wait_for_manifest: polls restore/manifest.json with backoff until it is there, and checks it names this
# definition's snapshot and generation.
restore_wait_for_manifest() {
  local manifest="${RESTORE_DIR}/manifest.json" wait="${IC_RESTORE_WAIT_SECONDS:-3600}" deadline delay attempt=1 snapshot from
  delay="${IC_BACKOFF_INITIAL_SECONDS:-5}"
  deadline=$(($(date +%s) + wait))
  log "restoring ${RESTORE_SNAPSHOT} of generation ${RESTORE_FROM_GENERATION}: waiting up to ${wait}s for" \
    "$(object_url "$K_RESTORE_MANIFEST") (immutable-clusters restore <cluster>/<this generation> writes it)"
  # A missing object answers 404, or 403 to a role that may not list restore/: both are "not there yet".
  until s3_get "$NODE_BUCKET" "$K_RESTORE_MANIFEST" "$manifest" 2>/dev/null; do
    (($(date +%s) < deadline)) || die 1 "gave up after ${wait}s (${attempt} attempts) waiting for $(object_url "$K_RESTORE_MANIFEST"):" \
      "run \`immutable-clusters restore <cluster>/<this generation>\` with the deployer's credentials (docs/operations.md)"
    log "$(object_url "$K_RESTORE_MANIFEST") is not there yet (attempt ${attempt}): next check in at most ${delay}s"
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
  snapshot="$(jq -r '.snapshot // empty' "$manifest" 2>/dev/null)" || snapshot=""
  from="$(jq -r '.fromGeneration // empty' "$manifest" 2>/dev/null)" || from=""
  [[ "$snapshot" == "$RESTORE_SNAPSHOT" && "$from" == "$RESTORE_FROM_GENERATION" ]] ||
    die 1 "$(object_url "$K_RESTORE_MANIFEST") names ${snapshot:-no snapshot} of generation ${from:-none}, but this" \
      "generation restores ${RESTORE_SNAPSHOT} of ${RESTORE_FROM_GENERATION}: run immutable-clusters restore again for this definition"
}

# restore_download KEY DEST: downloads a restore object or dies naming it.
restore_download() {
  s3_get "$NODE_BUCKET" "$1" "$2" || die 1 "cannot download $(object_url "$1") (immutable-clusters restore copies it)"
  rm -f "${2}.headers"
}

# restore_encryption_key KEY: publishes the restored Secrets encryption key as this generation's, once.
restore_encryption_key() {
  local key="$1" rc=0 existing
  still_leader
  s3_put_value "$NODE_BUCKET" "$K_ENCRYPTION_KEY" "$key" create || rc=$?
  if ((rc == 0)); then
    log "published the Secrets encryption key of generation ${RESTORE_FROM_GENERATION} to $(object_url "$K_ENCRYPTION_KEY")"
    return 0
  fi
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot publish $(object_url "$K_ENCRYPTION_KEY")"
  existing="$(published "$K_ENCRYPTION_KEY")" || die 1 "cannot read $(object_url "$K_ENCRYPTION_KEY")"
  [[ "$existing" == "$key" ]] ||
    die 1 "$(object_url "$K_ENCRYPTION_KEY") holds another key than generation ${RESTORE_FROM_GENERATION}'s: this generation" \
      "began without the restore, and its key is written once; destroy it and deploy it again with controlPlane.restore set"
  log "the Secrets encryption key of generation ${RESTORE_FROM_GENERATION} is published already ($(object_url "$K_ENCRYPTION_KEY"))"
}

# restore_place_identity DIR: the unpacked bundle's pki files into /etc/kubernetes/pki (keys 0600, the rest 0644).
restore_place_identity() {
  local dir="$1" file
  mkdir -p "${KUBE_DIR}/pki/etcd"
  for file in "${IDENTITY_PKI_FILES[@]}"; do
    if [[ "$file" == *.key ]]; then
      install -m 0600 "${dir}/pki/${file}" "${KUBE_DIR}/pki/${file}"
    else
      install -m 0644 "${dir}/pki/${file}" "${KUBE_DIR}/pki/${file}"
    fi
  done
  log "placed the CAs and the service-account key pair of generation ${RESTORE_FROM_GENERATION} in ${KUBE_DIR#"$IC_ROOT"}/pki"
}

# restore_etcd_data INIT_CONFIG SNAPSHOT: etcdutl snapshot restore into a fresh dir, moved to the etcd data dir.
restore_etcd_data() {
  local config="$1" snapshot="$2" restoring="${ETCD_DATA_DIR}.restoring" peer="https://${NODE_IP}:2380"
  if [[ -e "$restoring" ]]; then
    log "removing ${restoring#"$IC_ROOT"} of an interrupted restore"
    rm -rf -- "$restoring"
  fi
  ! dir_has_files "$ETCD_DATA_DIR" || die 1 "${ETCD_DATA_DIR#"$IC_ROOT"} is not empty before the restore (kubeadm reset left it?)"
  restore_etcdutl "$config" snapshot restore "$snapshot" --data-dir "$restoring" --name "$NODE_NAME" \
    --initial-cluster "${NODE_NAME}=${peer}" --initial-advertise-peer-urls "$peer" >&2 ||
    die 1 "etcdutl snapshot restore failed (see above); the next attempt starts over"
  rm -rf -- "$ETCD_DATA_DIR"
  mv "$restoring" "$ETCD_DATA_DIR"
  log "restored the snapshot into ${ETCD_DATA_DIR#"$IC_ROOT"} (member ${NODE_NAME}, ${peer})"
}

# restore_before_init INIT_CONFIG: steps 1-6 (see the top of this file), in a subshell whose exit removes the
# downloads; under set -e its failure ends the caller with the same code.
restore_before_init() {
  local config="$1"
  (
    # shellcheck disable=SC2064 # the path is fixed now
    trap "rm -rf '${RESTORE_DIR}'" EXIT
    rm -rf "$RESTORE_DIR"
    private_dir "$RESTORE_DIR"
    restore_wait_for_manifest
    local snapshot="${RESTORE_DIR}/snapshot.db" bundle="${RESTORE_DIR}/identity.tar" status
    restore_download "$K_RESTORE_SNAPSHOT" "$snapshot"
    restore_download "$K_RESTORE_IDENTITY" "$bundle"
    status="$(restore_etcdutl "$config" snapshot status "$snapshot" --write-out=json)" ||
      die 1 "$(object_url "$K_RESTORE_SNAPSHOT") (${RESTORE_SNAPSHOT} of generation ${RESTORE_FROM_GENERATION}) is not a sound etcd" \
        "snapshot (etcdutl snapshot status failed): nothing was changed; name another snapshot in controlPlane.restore"
    identity_unpack "$bundle" "${RESTORE_DIR}/identity" ||
      die 1 "$(object_url "$K_RESTORE_IDENTITY") is not a complete identity bundle (see above): nothing was changed"
    log "snapshot ${RESTORE_SNAPSHOT}: $(jq -r '"revision \(.revision), \(.totalKey) keys, \(.totalSize) bytes"' <<<"$status")"
    restore_encryption_key "$(<"${RESTORE_DIR}/identity/${IDENTITY_KEY_FILE}")"
    restore_place_identity "${RESTORE_DIR}/identity"
    restore_etcd_data "$config" "$snapshot"
  )
}
