#!/usr/bin/env bash
# Sourced library shared by node-bootstrap.sh and refresh-join-material.sh: node paths and settings, logging, the SSM
# parameter names of the join material, rendering kubeadm templates, backoff, and publishing the join material.
# shellcheck disable=SC2034 # the variables defined here are read by the scripts that source this file

# All absolute paths hang off IC_ROOT ("" on a node) so the tests can run the scripts in a temporary directory.
IC_ROOT="${IC_ROOT:-}"
CLUSTER_ENV_FILE="${IC_CLUSTER_ENV:-${IC_ROOT}/etc/immutable-clusters/cluster.env}"
TEMPLATE_DIR="${IC_ROOT}/etc/immutable-clusters/kubeadm"
RUN_DIR="${IC_ROOT}/run/immutable-clusters"
STATE_DIR="${IC_ROOT}/var/lib/immutable-clusters"
KUBE_DIR="${IC_ROOT}/etc/kubernetes"
ADMIN_CONF="${KUBE_DIR}/admin.conf"
KUBELET_CONF="${KUBE_DIR}/kubelet.conf"
CA_CERT="${KUBE_DIR}/pki/ca.crt"

# Kubernetes binaries live in /opt/bin on Flatcar; appended so that whatever PATH already has (tests: fakes) wins.
PATH="${PATH}:/opt/bin"

# Exit codes (documented in README.md next to this file).
readonly EXIT_CONFIG=2
readonly EXIT_JOIN_TIMEOUT=3
readonly EXIT_ADDONS_TIMEOUT=4

# Token lifetime of every published bootstrap token.
readonly TOKEN_TTL_HOURS=24

log() {
  printf '%s: %s\n' "${IC_LOG_TAG:-immutable-clusters}" "$*" >&2
}

die() {
  local code="$1"
  shift
  log "ERROR: $*"
  exit "$code"
}

# load_cluster_env: reads cluster.env and checks the settings every script needs.
load_cluster_env() {
  [[ -r "$CLUSTER_ENV_FILE" ]] || die "$EXIT_CONFIG" "cannot read ${CLUSTER_ENV_FILE}: the Ignition config must write it"
  # shellcheck source=/dev/null
  source "$CLUSTER_ENV_FILE"
  local name missing=()
  for name in CLUSTER_NAME NODE_ROLE AWS_REGION SSM_PREFIX KMS_KEY_ID NODE_BUCKET; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "$EXIT_CONFIG" "${CLUSTER_ENV_FILE} lacks ${missing[*]}"
  [[ "$NODE_ROLE" == controller || "$NODE_ROLE" == worker ]] ||
    die "$EXIT_CONFIG" "NODE_ROLE must be controller or worker, got '${NODE_ROLE}'"
  SSM_PREFIX="${SSM_PREFIX%/}"
  P_LEADER="${SSM_PREFIX}/election/leader"
  P_TOKEN="${SSM_PREFIX}/join/token"
  P_TOKEN_EXPIRY="${SSM_PREFIX}/join/token-expiry"
  P_CA_HASH="${SSM_PREFIX}/join/ca-cert-hash"
  P_CERT_KEY="${SSM_PREFIX}/join/certificate-key"
  P_REFRESH_LOCK="${SSM_PREFIX}/state/refresh-lock"
  export AWS_REGION KMS_KEY_ID
}

# private_dir DIR: creates a directory only root can read (files holding secrets go there).
private_dir() {
  mkdir -p "$1"
  chmod 0700 "$1"
}

# render_kubeadm_config NAME KEY=VALUE...: substitutes @@KEY@@ placeholders of ${TEMPLATE_DIR}/NAME.yaml into
# ${RUN_DIR}/kubeadm-NAME.yaml (mode 0600) and prints that path. Done in bash so no value reaches a command line.
render_kubeadm_config() {
  local name="$1" template="${TEMPLATE_DIR}/${1}.yaml" out="${RUN_DIR}/kubeadm-${1}.yaml" content pair key value
  shift
  [[ -r "$template" ]] || die "$EXIT_CONFIG" "missing kubeadm template ${template}"
  content="$(<"$template")"
  for pair in "$@"; do
    key="${pair%%=*}"
    value="${pair#*=}"
    content="${content//"@@${key}@@"/"$value"}"
  done
  if [[ "$content" =~ @@([A-Z_]+)@@ ]]; then
    die "$EXIT_CONFIG" "template ${template} has a placeholder this script does not know: ${BASH_REMATCH[0]}"
  fi
  private_dir "$RUN_DIR"
  (
    umask 077
    printf '%s\n' "$content" >"$out"
  )
  printf '%s' "$out"
}

# template_has NAME PLACEHOLDER: whether a kubeadm template asks for @@PLACEHOLDER@@.
template_has() {
  grep -q "@@${2}@@" "${TEMPLATE_DIR}/${1}.yaml"
}

# backoff_sleep DELAY DEADLINE: sleeps DELAY seconds (never past DEADLINE) and prints the next, doubled, delay
# capped at IC_BACKOFF_MAX_SECONDS.
backoff_sleep() {
  local delay="$1" deadline="$2" now remaining
  now="$(date +%s)"
  remaining=$((deadline - now))
  ((remaining > 0)) || remaining=0
  sleep "$((delay < remaining ? delay : remaining))"
  delay=$((delay * 2))
  printf '%s' "$((delay < ${IC_BACKOFF_MAX_SECONDS:-60} ? delay : ${IC_BACKOFF_MAX_SECONDS:-60}))"
}

# run_kubeadm ARGS...: runs kubeadm with its stdout (which prints join commands, tokens and keys) kept in a
# root-only file instead of the journal.
run_kubeadm() {
  private_dir "$RUN_DIR"
  local output="${RUN_DIR}/kubeadm-${1}.log"
  (
    umask 077
    kubeadm "$@" >"$output"
  )
}

# ca_cert_hash: the discovery hash of the cluster CA, "sha256:<hex of the DER SubjectPublicKeyInfo>".
ca_cert_hash() {
  local hex
  hex="$(openssl x509 -pubkey -noout -in "$CA_CERT" | openssl pkey -pubin -outform der | openssl dgst -sha256 -r)"
  printf 'sha256:%s' "${hex%% *}"
}

# rfc3339_in HOURS: the UTC time HOURS from now.
rfc3339_in() {
  date -u -d "@$(($(date +%s) + $1 * 3600))" +%Y-%m-%dT%H:%M:%SZ
}

# publish_token: creates a new bootstrap token in the cluster and publishes it with its expiry.
# The expiry is taken before the token is created, so the published one is never later than the real one.
publish_token() {
  local expiry token
  expiry="$(rfc3339_in "$TOKEN_TTL_HOURS")"
  token="$(kubeadm token create --kubeconfig "$ADMIN_CONF" --ttl "${TOKEN_TTL_HOURS}h" \
    --description "immutable-clusters join token of ${CLUSTER_NAME}")" || die 1 "kubeadm token create failed"
  ssm_put "$P_TOKEN_EXPIRY" "$expiry" String || die 1 "cannot publish ${P_TOKEN_EXPIRY}"
  ssm_put "$P_TOKEN" "$token" SecureString || die 1 "cannot publish ${P_TOKEN}"
  log "published a new bootstrap token to ${P_TOKEN} (expires ${expiry})"
}

# publish_certificate_key KEY: publishes the key that decrypts the control-plane certificates uploaded by kubeadm.
publish_certificate_key() {
  ssm_put "$P_CERT_KEY" "$1" SecureString || die 1 "cannot publish ${P_CERT_KEY}"
  log "published the certificate key to ${P_CERT_KEY}"
}

# publish_ca_cert_hash: publishes the CA discovery hash.
publish_ca_cert_hash() {
  local hash
  hash="$(ca_cert_hash)"
  ssm_put "$P_CA_HASH" "$hash" String || die 1 "cannot publish ${P_CA_HASH}"
  log "published the CA certificate hash ${hash} to ${P_CA_HASH}"
}

# rotate_certificate_key: uploads the control-plane certificates again under a new certificate key (kubeadm deletes
# the uploaded copy after 2 hours) and publishes the key. Needs a working admin.conf.
rotate_certificate_key() {
  local cert_key
  cert_key="$(kubeadm certs certificate-key)" || die 1 "kubeadm certs certificate-key failed"
  run_kubeadm init phase upload-certs --upload-certs --kubeconfig "$ADMIN_CONF" --certificate-key "$cert_key" ||
    die 1 "kubeadm init phase upload-certs failed: see ${RUN_DIR}/kubeadm-init.log"
  publish_certificate_key "$cert_key"
}

# rotate_join_material: new certificate key and new bootstrap token, all of it published (with the CA hash).
rotate_join_material() {
  publish_ca_cert_hash
  rotate_certificate_key
  publish_token
}
