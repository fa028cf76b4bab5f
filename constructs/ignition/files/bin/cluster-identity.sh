#!/usr/bin/env bash
# Sourced library of etcd-snapshot.sh and node-bootstrap.sh: the cluster identity bundle, what a fresh generation
# needs besides an etcd snapshot to carry a cluster over (docs/operations.md, "Restore into a fresh generation"): the
# cluster CA, the front-proxy CA, the etcd CA and the service-account key pair, as kubeadm writes them under
# /etc/kubernetes/pki (cmd/kubeadm/app/constants/constants.go: ca.crt/ca.key, front-proxy-ca.crt/.key,
# etcd/ca.crt/.key, sa.key/sa.pub), and the Secrets encryption key (control-plane/secrets-encryption-key). A tar of
# pki/<those files> and secrets-encryption-key, uploaded by a controller to control-plane/identity/bundle.tar once per
# change (the hash of its content in state/identity-backup.json), encrypted by the bucket's default SSE-KMS with the
# generation key; workers may read nothing under control-plane/ (node-policies.ts). Needs aws-api.sh and
# bootstrap-lib.sh sourced first.
# shellcheck disable=SC2034 # the variables defined here are read by the scripts that source this file

readonly K_IDENTITY_BUNDLE="control-plane/identity/bundle.tar"
readonly K_IDENTITY_BACKUP_STATE="state/identity-backup.json"
# The pki files of the bundle, relative to /etc/kubernetes/pki; each private key is followed by its certificate or
# public key (identity_check pairs them).
readonly IDENTITY_PKI_FILES=(ca.key ca.crt front-proxy-ca.key front-proxy-ca.crt etcd/ca.key etcd/ca.crt sa.key sa.pub)
readonly IDENTITY_KEY_FILE="secrets-encryption-key"

# identity_stage DIR: copies this node's identity into DIR (pki/... and secrets-encryption-key, 0600 in 0700 dirs).
# 1 (logged) when a file is missing: kubeadm init has not written it, or the encryption key is not published.
identity_stage() {
  local dir="$1" file key
  rm -rf "$dir"
  private_dir "$dir"
  private_dir "${dir}/pki"
  private_dir "${dir}/pki/etcd"
  for file in "${IDENTITY_PKI_FILES[@]}"; do
    if [[ ! -s "${KUBE_DIR}/pki/${file}" ]]; then
      log "no ${KUBE_DIR#"$IC_ROOT"}/pki/${file} on this node: no identity backup"
      return 1
    fi
    install -m 0600 "${KUBE_DIR}/pki/${file}" "${dir}/pki/${file}"
  done
  key="$(published "$K_ENCRYPTION_KEY")" || {
    log "cannot read $(object_url "$K_ENCRYPTION_KEY"): no identity backup"
    return 1
  }
  (
    umask 077
    printf '%s\n' "$key" >"${dir}/${IDENTITY_KEY_FILE}"
  )
}

# identity_hash DIR: the SHA-256 over the names and SHA-256s of the staged files, in bundle order.
identity_hash() {
  local hash
  hash="$(cd "$1" && sha256sum "${IDENTITY_PKI_FILES[@]/#/pki/}" "$IDENTITY_KEY_FILE" | sha256sum)"
  printf 'sha256:%s' "${hash%% *}"
}

# identity_pack DIR OUT: the bundle of a staged DIR, as a tar with fixed owner, mode and order.
identity_pack() {
  (
    umask 077
    tar -C "$1" --owner=0 --group=0 --numeric-owner --mode=0600 -cf "$2" "${IDENTITY_PKI_FILES[@]/#/pki/}" "$IDENTITY_KEY_FILE"
  )
}

# identity_unpack BUNDLE DIR: extracts a bundle into a fresh private DIR and checks it (identity_check); 1 with the
# reason logged when it is not a complete, consistent bundle.
identity_unpack() {
  local bundle="$1" dir="$2" entry
  rm -rf "$dir"
  private_dir "$dir"
  # Only the bundle's own names: nothing of another shape is extracted (no absolute path, no "..", no link).
  while IFS= read -r entry; do
    case " ${IDENTITY_PKI_FILES[*]/#/pki/} ${IDENTITY_KEY_FILE} pki/ pki/etcd/ " in
    *" ${entry} "*) ;;
    *)
      log "the identity bundle holds ${entry}, which is not one of its files"
      return 1
      ;;
    esac
  done < <(tar -tf "$bundle") || {
    log "the identity bundle is not a tar archive"
    return 1
  }
  (
    umask 077
    tar -C "$dir" --no-same-owner --no-same-permissions -xf "$bundle"
  ) || return 1
  identity_check "$dir"
}

# public_key_of FILE: the DER SubjectPublicKeyInfo (hex) of a certificate, public key or private key.
public_key_of() {
  case "$1" in
  *.crt) openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform der | od -An -tx1 | tr -d ' \n' ;;
  *.pub) openssl pkey -pubin -in "$1" -outform der | od -An -tx1 | tr -d ' \n' ;;
  *) openssl pkey -in "$1" -pubout -outform der | od -An -tx1 | tr -d ' \n' ;;
  esac
}

# identity_check DIR: every file of the bundle is there, each private key belongs to its certificate or public key,
# and the encryption key is 32 bytes of base64 (secretbox, bootstrap-lib.sh new_encryption_key); 1 (logged) otherwise.
identity_check() {
  local dir="$1" i key pair mine theirs secret
  for ((i = 0; i < ${#IDENTITY_PKI_FILES[@]}; i += 2)); do
    key="${IDENTITY_PKI_FILES[i]}"
    pair="${IDENTITY_PKI_FILES[i + 1]}"
    if [[ ! -s "${dir}/pki/${key}" || ! -s "${dir}/pki/${pair}" ]]; then
      log "the identity bundle lacks pki/${key} or pki/${pair}"
      return 1
    fi
    mine="$(public_key_of "${dir}/pki/${key}" 2>/dev/null)" || mine=""
    theirs="$(public_key_of "${dir}/pki/${pair}" 2>/dev/null)" || theirs=""
    if [[ -z "$mine" || "$mine" != "$theirs" ]]; then
      log "pki/${key} of the identity bundle does not belong to pki/${pair} (or one of them is not PEM)"
      return 1
    fi
  done
  secret="$(<"${dir}/${IDENTITY_KEY_FILE}")" || secret=""
  if [[ ! "$secret" =~ ^[A-Za-z0-9+/]{43}=$ ]]; then
    log "the identity bundle's ${IDENTITY_KEY_FILE} is not 32 bytes of base64"
    return 1
  fi
}

# backup_identity HOLDER: uploads the bundle of this node's identity when it differs from the last one uploaded
# (state/identity-backup.json), and removes its staged copies. Never fails its caller: a node without the files yet,
# or a role without the permission (a generation whose IAM predates the backup), logs why and returns 0.
backup_identity() {
  upload_identity_if_changed "$1" "${RUN_DIR}/identity" "${RUN_DIR}/identity-bundle.tar" "${RUN_DIR}/identity-backup.json" || true
  rm -rf "${RUN_DIR}/identity" "${RUN_DIR}/identity-bundle.tar" "${RUN_DIR}/identity-backup.json" "${RUN_DIR}/identity-backup.json.headers"
}

# upload_identity_if_changed HOLDER STAGE_DIR BUNDLE STATE_FILE: the steps of backup_identity.
upload_identity_if_changed() {
  local holder="$1" dir="$2" bundle="$3" state="$4" hash rc=0 previous=""
  identity_stage "$dir" || return 0
  hash="$(identity_hash "$dir")"
  s3_get "$NODE_BUCKET" "$K_IDENTITY_BACKUP_STATE" "$state" 2>/dev/null || rc=$?
  ((rc != 0)) || previous="$(jq -r '.hash // empty' "$state" 2>/dev/null || true)"
  if [[ "$previous" == "$hash" ]]; then
    log "the cluster identity is unchanged since its last backup ($(object_url "$K_IDENTITY_BUNDLE"))"
    return 0
  fi
  identity_pack "$dir" "$bundle" || {
    log "ERROR: cannot pack the cluster identity: no backup"
    return 0
  }
  if ! s3_put_file "$NODE_BUCKET" "$K_IDENTITY_BUNDLE" "$bundle" application/x-tar; then
    log "ERROR: cannot upload $(object_url "$K_IDENTITY_BUNDLE") (a controller role without s3:PutObject on" \
      "control-plane/identity/*, as of a generation deployed with an earlier library?): no identity backup; the snapshot is not affected"
    return 0
  fi
  IC_HASH="$hash" IC_HOLDER="$holder" IC_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    jq -n '{hash: env.IC_HASH, uploadedAt: env.IC_AT, holder: env.IC_HOLDER}' >"$state"
  s3_put "$NODE_BUCKET" "$K_IDENTITY_BACKUP_STATE" "$state" || log "could not record the identity backup's hash: the next run uploads it again"
  log "backed up the cluster identity to $(object_url "$K_IDENTITY_BUNDLE") (${hash})"
}
