#!/usr/bin/env bash
# Sourced library shared by node-bootstrap.sh and refresh-join-material.sh: node paths and settings, logging, the node
# bucket keys of the join material, the control-plane secrets and the state objects, the per-phase state markers, kubeadm reset and clean-up,
# waiting for the API endpoint, the election lease, failed-attempt counting, join requests and stale-member removal.
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
# The API server's own config folder: Ignition writes its audit, admission and authentication configs there and this
# script the Secrets encryption config (constructs/ignition/api-server-files.ts API_SERVER_CONFIG_DIR). kubeadm neither
# writes nor resets it, so it is no kubeadm leftover and survives reset_node.
API_SERVER_DIR="${KUBE_DIR}/apiserver"
ENCRYPTION_CONFIG="${API_SERVER_DIR}/encryption-config.yaml"
# What kubeadm leaves on a node besides /etc/kubernetes: its etcd data (kubeadm's default Etcd.Local.DataDir), the
# kubelet's run directory, and the CNI config the network addon writes.
ETCD_DATA_DIR="${IC_ROOT}/var/lib/etcd"
KUBELET_RUN_DIR="${IC_ROOT}/var/lib/kubelet"
CNI_CONF_DIR="${IC_ROOT}/etc/cni/net.d"

# One marker per finished phase; a marker is written only after its phase succeeded (kubeadm exited 0, every object
# was written, the API accepted the addons). kubelet.conf is no marker: kubeadm init writes it in its kubeconfig phase,
# long before the control plane is up.
MARK_KUBEADM="${STATE_DIR}/kubeadm-done"
MARK_PUBLISHED="${STATE_DIR}/join-material-published"
MARK_ADDONS="${STATE_DIR}/addons-applied"
MARK_COMPLETE="${STATE_DIR}/bootstrap-complete"
ATTEMPTS_FILE="${STATE_DIR}/failed-attempts"

# Kubernetes binaries live in /opt/bin on Flatcar; appended so that whatever PATH already has (tests: fakes) wins.
PATH="${PATH}:/opt/bin"

# Exit codes (documented in README.md next to this file).
readonly EXIT_CONFIG=2
readonly EXIT_JOIN_TIMEOUT=3
readonly EXIT_ADDONS_TIMEOUT=4
readonly EXIT_API_UNREACHABLE=5
readonly EXIT_GAVE_UP=6

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
  for name in CLUSTER_NAME NODE_ROLE AWS_REGION NODE_BUCKET API_ENDPOINT API_PORT; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "$EXIT_CONFIG" "${CLUSTER_ENV_FILE} lacks ${missing[*]}"
  [[ "$NODE_ROLE" == controller || "$NODE_ROLE" == worker ]] ||
    die "$EXIT_CONFIG" "NODE_ROLE must be controller or worker, got '${NODE_ROLE}'"
  # The published material: objects of the node bucket (node contract 2, constructs/cluster/node-policies.ts
  # BOOTSTRAP_OBJECT_KEYS), never SSM parameters, which Terraform would read back, decrypted, into its state. Terraform
  # never reads these objects, and destroying the generation removes them with the bucket (force_destroy). An absent
  # object is "not published yet". Workers may read exactly the first two.
  K_TOKEN="join/token"
  K_CA_HASH="join/ca-cert-hash"
  K_TOKEN_EXPIRY="join/token-expiry"
  K_CERT_KEY="control-plane/certificate-key"
  K_ENCRYPTION_KEY="control-plane/secrets-encryption-key"
  # S3 state objects in the node bucket (controllers only; gone with the bucket when the generation is destroyed).
  K_LEASE="state/election-lease"
  K_REFRESH_LOCK="state/refresh-lock"
  K_JOIN_REQUESTS="state/join-requests/"
  export AWS_REGION
}

# private_dir DIR: creates a directory only root can read (files holding secrets go there).
private_dir() {
  (
    umask 077
    mkdir -p "$1"
  )
  chmod 0700 "$1"
}

# render_kubeadm_config [--to PATH] NAME KEY=VALUE...: substitutes @@KEY@@ placeholders of ${TEMPLATE_DIR}/NAME.yaml
# into ${RUN_DIR}/kubeadm-NAME.yaml, or PATH (mode 0600, its folder created root-only), and prints that path. Done in
# bash so no value reaches a command line.
render_kubeadm_config() {
  local out=""
  if [[ "$1" == --to ]]; then
    out="$2"
    shift 2
  fi
  local name="$1" template="${TEMPLATE_DIR}/${1}.yaml" content pair key value
  out="${out:-${RUN_DIR}/kubeadm-${1}.yaml}"
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
  private_dir "$(dirname "$out")"
  (
    umask 077
    printf '%s\n' "$content" >"$out"
  )
  chmod 0600 "$out"
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
  publish "$K_TOKEN_EXPIRY" "$expiry"
  publish "$K_TOKEN" "$token"
  log "published a new bootstrap token to $(object_url "$K_TOKEN") (expires ${expiry})"
}

# publish_certificate_key KEY: publishes the key that decrypts the control-plane certificates uploaded by kubeadm.
publish_certificate_key() {
  publish "$K_CERT_KEY" "$1"
  log "published the certificate key to $(object_url "$K_CERT_KEY")"
}

# publish_ca_cert_hash: publishes the CA discovery hash.
publish_ca_cert_hash() {
  local hash
  hash="$(ca_cert_hash)"
  publish "$K_CA_HASH" "$hash"
  log "published the CA certificate hash ${hash} to $(object_url "$K_CA_HASH")"
}

# upload_certificates: uploads the control-plane certificates (kubeadm's kubeadm-certs Secret, encrypted with a new
# certificate key) and publishes the key where only controllers read it. Needs a working admin.conf.
upload_certificates() {
  local cert_key
  cert_key="$(kubeadm certs certificate-key)" || die 1 "kubeadm certs certificate-key failed"
  run_kubeadm init phase upload-certs --upload-certs --kubeconfig "$ADMIN_CONF" --certificate-key "$cert_key" ||
    die 1 "kubeadm init phase upload-certs failed: see ${RUN_DIR}/kubeadm-init.log"
  publish_certificate_key "$cert_key"
}

# ---- the Secrets encryption key ----------------------------------------------------------------------------------------

# new_encryption_key: 32 random bytes, base64 (44 characters, one line): the secretbox key size
# (https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/#providers: secretbox "32-byte key").
new_encryption_key() {
  head -c 32 /dev/urandom | base64
}

# ensure_encryption_key: on the init winner, before kubeadm init: prints the Secrets encryption key of this generation,
# reusing the published one (an init retry, or a leader that died after publishing) and otherwise making one and
# publishing it once, while this node still holds the election lease. Never a second key: Secrets written with the
# first would be unreadable. The write is conditional (If-None-Match: *, like the election lease): when another node
# published one meanwhile, S3 answers 412 and that one is used. The published value is read back so every control-plane
# node uses the same key.
ensure_encryption_key() {
  local key rc=0 url
  url="$(object_url "$K_ENCRYPTION_KEY")"
  key="$(published "$K_ENCRYPTION_KEY")" || rc=$?
  if ((rc == 0)); then
    log "reusing the Secrets encryption key published earlier (${url})"
    printf '%s' "$key"
    return 0
  fi
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot read ${url}"
  still_leader
  key="$(new_encryption_key)" || die 1 "cannot read 32 random bytes"
  [[ "$key" =~ ^[A-Za-z0-9+/]{43}=$ ]] || die 1 "the new Secrets encryption key is not 32 bytes of base64"
  rc=0
  s3_put_value "$NODE_BUCKET" "$K_ENCRYPTION_KEY" "$key" create || rc=$?
  if ((rc == 0)); then
    log "published a new Secrets encryption key to ${url}"
  elif ((rc == AWS_API_EXPECTED)); then
    log "another node published the Secrets encryption key first (${url}): using that one"
  else
    die 1 "cannot publish ${url}"
  fi
  key="$(published "$K_ENCRYPTION_KEY")" || die 1 "cannot read back ${url}"
  [[ "$key" =~ ^[A-Za-z0-9+/]{43}=$ ]] || die 1 "the published Secrets encryption key (${url}) is not 32 bytes of base64"
  printf '%s' "$key"
}

# write_encryption_config KEY: renders the encryption config template (constructs/ignition/files/config/
# encryption-config.yaml, placeholder @@SECRETS_ENCRYPTION_KEY@@) to the file kube-apiserver reads
# (--encryption-provider-config, constructs/ignition/kubeadm-config.ts), root-only 0600 in a 0700 folder.
write_encryption_config() {
  render_kubeadm_config --to "$ENCRYPTION_CONFIG" encryption-config SECRETS_ENCRYPTION_KEY="$1" >/dev/null
  log "wrote ${ENCRYPTION_CONFIG#"$IC_ROOT"} (0600)"
}

# kctl ARGS...: kubectl as cluster admin, every request bounded by IC_KUBECTL_TIMEOUT (30s) so a hung API server
# cannot hold a unit forever (kubectl --request-timeout: https://kubernetes.io/docs/reference/kubectl/kubectl/).
kctl() {
  kubectl --kubeconfig "$ADMIN_CONF" --request-timeout="${IC_KUBECTL_TIMEOUT:-30s}" "$@"
}

# ---- state markers -------------------------------------------------------------------------------------------------

# mark PATH [CONTENT]: records a finished phase.
mark() {
  mkdir -p "$STATE_DIR"
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${2:-done}" >"$1"
}

# ---- published material (objects of the node bucket) ---------------------------------------------------------------

# object_url KEY: s3://<node bucket>/KEY, for log lines.
object_url() {
  printf 's3://%s/%s' "$NODE_BUCKET" "$1"
}

# published KEY: prints a published value; returns 10 when it is not published (the object is absent), 1 on an error.
published() {
  s3_get_value "$NODE_BUCKET" "$1"
}

# publish KEY VALUE: publishes a value (overwriting the previous one; the bucket keeps earlier versions), or dies.
publish() {
  s3_put_value "$NODE_BUCKET" "$1" "$2" || die 1 "cannot publish $(object_url "$1")"
}

# ---- kubeadm leftovers -----------------------------------------------------------------------------------------------

# dir_has_files DIR: whether DIR exists and is not empty.
dir_has_files() {
  [[ -d "$1" ]] && [[ -n "$(find "$1" -mindepth 1 -print -quit 2>/dev/null)" ]]
}

# kubeadm_leftovers: prints what an unfinished kubeadm run left on this node (nothing on a fresh node).
kubeadm_leftovers() {
  local dir
  [[ -z "$(kube_dir_leftovers)" ]] || printf '%s ' "${KUBE_DIR#"$IC_ROOT"}"
  for dir in "$ETCD_DATA_DIR" "$KUBELET_RUN_DIR" "$CNI_CONF_DIR"; do
    dir_has_files "$dir" && printf '%s ' "${dir#"$IC_ROOT"}"
  done
  return 0
}

# kube_dir_leftovers: the entries of /etc/kubernetes other than the API server config folder (see API_SERVER_DIR).
kube_dir_leftovers() {
  [[ -d "$KUBE_DIR" ]] || return 0
  find "$KUBE_DIR" -mindepth 1 -maxdepth 1 ! -path "$API_SERVER_DIR" -print 2>/dev/null
}

# reset_node: undoes an unfinished kubeadm init or join so the next attempt passes kubeadm's preflight, which refuses
# existing files ("/etc/kubernetes/pki/ca.crt already exists", "/etc/kubernetes/kubelet.conf already exists",
# "/var/lib/etcd is not empty"). `kubeadm reset` stops the kubelet and empties /etc/kubernetes/manifests,
# /var/lib/kubelet and the pki folder, deletes admin/kubelet/bootstrap-kubelet/controller-manager/scheduler.conf
# (kubernetes/kubernetes cmd/kubeadm/app/cmd/phases/reset/cleanupnode.go @0738386), /etc/kubernetes/tmp only with
# --cleanup-tmp-dir, and empties the etcd data dir only when it can find one (phases/reset/removeetcdmember.go
# @0738386; older releases print "No etcd config found. Assuming external etcd" and leave it). It says itself that it
# "does not clean CNI configuration" (/etc/cni/net.d) and "does not reset or clean up iptables rules or IPVS tables"
# (cmd/kubeadm/app/cmd/reset.go). So this also empties /var/lib/etcd, /etc/cni/net.d and whatever is still under
# /etc/kubernetes except /etc/kubernetes/apiserver (Ignition's API server configs; the encryption config is rendered
# again before every kubeadm run). iptables rules stay: none exist before the addons are applied (kube-proxy is not installed, Cilium
# rewrites its own rules when its agent starts), and flushing would drop the host's own rules.
reset_node() {
  local leftovers
  leftovers="$(kubeadm_leftovers)"
  log "an earlier kubeadm run did not finish (left: ${leftovers% }): kubeadm reset before trying again"
  run_kubeadm reset --force --cleanup-tmp-dir || die 1 "kubeadm reset failed: see ${RUN_DIR}/kubeadm-reset.log"
  local dir entry
  for dir in "$ETCD_DATA_DIR" "$CNI_CONF_DIR"; do
    if dir_has_files "$dir"; then
      log "kubeadm reset left files in ${dir#"$IC_ROOT"}: removing them"
      find "$dir" -mindepth 1 -delete
    fi
  done
  if [[ -n "$(kube_dir_leftovers)" ]]; then
    log "kubeadm reset left files in ${KUBE_DIR#"$IC_ROOT"}: removing them (keeping ${API_SERVER_DIR#"$IC_ROOT"})"
    while IFS= read -r entry; do
      rm -rf -- "$entry"
    done < <(kube_dir_leftovers)
  fi
  leftovers="$(kubeadm_leftovers)"
  [[ -z "$leftovers" ]] || die 1 "files are still there after kubeadm reset: ${leftovers% }"
}

# ---- the API endpoint --------------------------------------------------------------------------------------------

# api_name_resolves: whether the API endpoint's DNS name resolves (getent uses the node's resolver, like kubeadm).
api_name_resolves() {
  getent hosts "$API_ENDPOINT" >/dev/null 2>&1
}

# api_port_answers: whether a TCP connection to the API endpoint's port opens within 5 seconds.
api_port_answers() {
  # shellcheck disable=SC2016 # $1 and $2 expand in the child bash
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$API_ENDPOINT" "$API_PORT" 2>/dev/null
}

# wait_for_api MODE: waits, with capped exponential backoff for at most IC_API_WAIT_SECONDS (900), until the API
# endpoint's name resolves and, for MODE join, its port answers. For MODE init only the name: the load balancer has no
# healthy target before the first control plane is up. Exits EXIT_API_UNREACHABLE when it does not happen in time.
wait_for_api() {
  local mode="$1" deadline delay="${IC_BACKOFF_INITIAL_SECONDS:-5}" attempt=1 limit="${IC_API_WAIT_SECONDS:-900}" missing
  deadline=$(($(date +%s) + limit))
  while true; do
    missing=""
    if ! api_name_resolves; then
      missing="the name ${API_ENDPOINT} does not resolve"
    elif [[ "$mode" == join ]] && ! api_port_answers; then
      missing="nothing answers on ${API_ENDPOINT}:${API_PORT}"
    fi
    if [[ -z "$missing" ]]; then
      ((attempt == 1)) || log "the API endpoint ${API_ENDPOINT}:${API_PORT} is ready for ${mode} (attempt ${attempt})"
      return 0
    fi
    if (($(date +%s) >= deadline)); then
      die "$EXIT_API_UNREACHABLE" "gave up after ${limit}s (${attempt} attempts) waiting for the API endpoint: ${missing}." \
        "Check the generation's Route53 record and API load balancer (terraform apply must have finished)."
    fi
    log "${missing} (attempt ${attempt}): next check in at most ${delay}s"
    delay="$(backoff_sleep "$delay" "$deadline")"
    attempt=$((attempt + 1))
  done
}

# ---- failed attempts and self-replacement ----------------------------------------------------------------------------

# count_attempt: counts this run in ATTEMPTS_FILE (kept across unit restarts) and sets ATTEMPT.
count_attempt() {
  local previous=0
  mkdir -p "$STATE_DIR"
  [[ -r "$ATTEMPTS_FILE" ]] && previous="$(<"$ATTEMPTS_FILE")"
  [[ "$previous" =~ ^[0-9]+$ ]] || previous=0
  ATTEMPT=$((previous + 1))
  printf '%s\n' "$ATTEMPT" >"$ATTEMPTS_FILE"
}

# give_up_if_exhausted EXIT_CODE: after a failed run that was attempt IC_MAX_ATTEMPTS (5) or later, marks this instance
# Unhealthy in its autoscaling group so the group terminates and replaces it.
give_up_if_exhausted() {
  local code="$1" max="${IC_MAX_ATTEMPTS:-5}"
  ((code != 0)) || return 0
  [[ -n "${INSTANCE_ID:-}" && -n "${ATTEMPT:-}" ]] || return 0
  if ((ATTEMPT >= max)); then
    log "ERROR: the bootstrap failed ${ATTEMPT} times (limit ${max}): marking ${INSTANCE_ID} Unhealthy so its group replaces it"
    asg_set_unhealthy "$INSTANCE_ID" || log "ERROR: could not mark ${INSTANCE_ID} Unhealthy; the next attempt tries again"
  else
    log "attempt ${ATTEMPT} of ${max} failed; the unit restarts and tries again"
  fi
}

# ---- the election lease (S3 conditional writes) -------------------------------------------------------------------

LEASE_HOLDER=""
LEASE_RENEWED=0
LEASE_ETAG=""

# lease_read: reads the election lease into LEASE_HOLDER, LEASE_RENEWED (epoch) and LEASE_ETAG; 10 when there is none.
lease_read() {
  local file="${RUN_DIR}/election-lease.json" rc=0 renewed
  private_dir "$RUN_DIR"
  s3_get "$NODE_BUCKET" "$K_LEASE" "$file" || rc=$?
  ((rc == 0)) || return "$rc"
  LEASE_ETAG="$(s3_etag_of "$file")"
  LEASE_HOLDER="$(jq -r '.holder // empty' "$file" 2>/dev/null || true)"
  renewed="$(jq -r '.renewedAt // empty' "$file" 2>/dev/null || true)"
  LEASE_RENEWED="$(date -u -d "$renewed" +%s 2>/dev/null || printf 0)"
}

# lease_write CONDITION: writes {holder: this instance, renewedAt: now} with the S3 condition "create" or an ETag.
lease_write() {
  local file="${RUN_DIR}/election-lease-new.json"
  private_dir "$RUN_DIR"
  IC_HOLDER="$INSTANCE_ID" IC_NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)" jq -n '{holder: env.IC_HOLDER, renewedAt: env.IC_NOW}' >"$file"
  s3_put "$NODE_BUCKET" "$K_LEASE" "$file" "$1"
}

# join_material_published: 0 when the CA hash is published (the init finished and its leader published).
join_material_published() {
  published "$K_CA_HASH" >/dev/null
}

# acquire_lease: 0 when this instance holds the election lease now: created it, held it already (a restart), or took
# it over because its holder's instance is gone or it was not renewed for IC_LEASE_STALE_SECONDS (300) while nothing
# was published. 1 when another live controller holds it, or the join material is published (then nobody inits again).
acquire_lease() {
  local rc=0 age reason=""
  lease_write create || rc=$?
  if ((rc == 0)); then
    log "won the election: created s3://${NODE_BUCKET}/${K_LEASE}"
    return 0
  fi
  ((rc == AWS_API_EXPECTED)) || die 1 "the election failed: cannot create s3://${NODE_BUCKET}/${K_LEASE}"
  rc=0
  lease_read || rc=$?
  ((rc == AWS_API_EXPECTED)) && return 1 # deleted meanwhile: the next round creates it
  ((rc == 0)) || die 1 "cannot read s3://${NODE_BUCKET}/${K_LEASE}"
  if [[ "$LEASE_HOLDER" == "$INSTANCE_ID" ]]; then
    lease_write "$LEASE_ETAG" || return 1
    log "won the election earlier (the lease holds this instance)"
    return 0
  fi
  join_material_published && return 1
  age=$(($(date +%s) - LEASE_RENEWED))
  rc=0
  ec2_instance_alive instance-id "$LEASE_HOLDER" || rc=$?
  if ((rc == AWS_API_EXPECTED)); then
    reason="its instance ${LEASE_HOLDER} is gone"
  elif ((age > ${IC_LEASE_STALE_SECONDS:-300})); then
    reason="${LEASE_HOLDER} has not renewed it for ${age}s and published nothing"
  else
    return 1
  fi
  rc=0
  lease_write "$LEASE_ETAG" || rc=$?
  if ((rc == 0)); then
    log "took over the election lease: ${reason}"
    return 0
  fi
  ((rc == AWS_API_EXPECTED)) || die 1 "cannot take over s3://${NODE_BUCKET}/${K_LEASE}"
  return 1
}

# renew_lease_in_background: renews the lease every IC_LEASE_RENEW_SECONDS (60) while kubeadm init runs; sets
# LEASE_RENEWER to the renewing process. It stops by itself when another controller took the lease.
renew_lease_in_background() {
  (
    # stop_lease_renewer's SIGTERM must also end the pending sleep: an orphaned sleep would keep the unit's stdout and
    # stderr open (and linger in its cgroup) for up to IC_LEASE_RENEW_SECONDS. bash runs a trap as soon as `wait`
    # returns on a signal, whereas a foreground sleep would delay it until the sleep ends.
    local sleeper=""
    trap '[[ -z "$sleeper" ]] || kill "$sleeper" 2>/dev/null; exit 0' TERM
    while true; do
      sleep "${IC_LEASE_RENEW_SECONDS:-60}" &
      sleeper=$!
      wait "$sleeper" || exit 0
      sleeper=""
      lease_read || continue
      if [[ "$LEASE_HOLDER" != "$INSTANCE_ID" ]]; then
        log "ERROR: ${LEASE_HOLDER} took over the election lease"
        exit 0
      fi
      lease_write "$LEASE_ETAG" || true
    done
  ) &
  LEASE_RENEWER=$!
}

# still_leader: dies unless this instance still holds the lease (checked before publishing anything).
still_leader() {
  lease_read || die 1 "cannot read s3://${NODE_BUCKET}/${K_LEASE} before publishing"
  [[ "$LEASE_HOLDER" == "$INSTANCE_ID" ]] ||
    die 1 "${LEASE_HOLDER} took over the election lease while kubeadm init ran: not publishing; the next attempt resets and joins"
}

# ---- join requests: control-plane certificates are uploaded only while a control-plane node joins ------------------

# request_certificate_upload: asks the initialized controllers to upload the control-plane certificates for this node.
request_certificate_upload() {
  local file="${RUN_DIR}/join-request.json"
  private_dir "$RUN_DIR"
  IC_ID="$INSTANCE_ID" IC_NODE="$NODE_NAME" IC_NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    jq -n '{instanceId: env.IC_ID, nodeName: env.IC_NODE, requestedAt: env.IC_NOW}' >"$file"
  s3_put "$NODE_BUCKET" "${K_JOIN_REQUESTS}${INSTANCE_ID}" "$file" ||
    die 1 "cannot write the join request s3://${NODE_BUCKET}/${K_JOIN_REQUESTS}${INSTANCE_ID}"
  log "asked for the control-plane certificates: s3://${NODE_BUCKET}/${K_JOIN_REQUESTS}${INSTANCE_ID}"
}

# certificate_upload_served: 0 when this node's join request was answered (certificates uploaded, key published).
certificate_upload_served() {
  local file="${RUN_DIR}/join-request-state.json"
  s3_get "$NODE_BUCKET" "${K_JOIN_REQUESTS}${INSTANCE_ID}" "$file" >/dev/null 2>&1 || return 1
  [[ -n "$(jq -r '.servedAt // empty' "$file" 2>/dev/null)" ]]
}

# serve_join_requests pending|uploaded: on an initialized controller, answers pending join requests: uploads the certificates
# under a new key (not with "uploaded": kubeadm init just did) and marks the requests served. Requests of instances that
# are gone are deleted. With no request left, kubeadm's kubeadm-certs Secret is deleted (not with "uploaded": the other
# initial controllers may not have asked yet): the certificates stay uploaded only while a control-plane node joins.
serve_join_requests() {
  local just_uploaded="${1:-}" key file="${RUN_DIR}/join-request-serve.json" pending=() keys rc id etag
  private_dir "$RUN_DIR"
  keys="$(s3_list "$NODE_BUCKET" "$K_JOIN_REQUESTS")" || die 1 "cannot list s3://${NODE_BUCKET}/${K_JOIN_REQUESTS}"
  local remaining=0
  for key in $keys; do
    id="${key##*/}"
    rc=0
    ec2_instance_alive instance-id "$id" || rc=$?
    if ((rc == AWS_API_EXPECTED)); then
      log "deleting the join request of ${id}: its instance is gone"
      s3_delete "$NODE_BUCKET" "$key" || true
      continue
    fi
    remaining=$((remaining + 1))
    s3_get "$NODE_BUCKET" "$key" "$file" || continue
    [[ -n "$(jq -r '.servedAt // empty' "$file" 2>/dev/null)" ]] || pending+=("$key")
  done
  if ((remaining == 0)) && [[ "$just_uploaded" != uploaded ]]; then
    if kctl --namespace kube-system get secret kubeadm-certs >/dev/null 2>&1; then
      kctl --namespace kube-system delete secret kubeadm-certs >&2 ||
        die 1 "cannot delete the kube-system/kubeadm-certs Secret"
      log "no control-plane node is joining: deleted the uploaded control-plane certificates (kube-system/kubeadm-certs)"
    fi
    return 0
  fi
  ((${#pending[@]} > 0)) || return 0
  [[ "$just_uploaded" == uploaded ]] || upload_certificates
  for key in "${pending[@]}"; do
    s3_get "$NODE_BUCKET" "$key" "$file" || continue
    etag="$(s3_etag_of "$file")"
    IC_NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)" jq '. + {servedAt: env.IC_NOW}' "$file" >"${file}.new"
    if s3_put "$NODE_BUCKET" "$key" "${file}.new" "$etag"; then
      log "uploaded the control-plane certificates for the join request ${key##*/}"
    fi
  done
}

# ---- stale members: etcd members and Node objects of instances that are gone ------------------------------------

# remove_stale_members: removes the etcd members and Node objects whose EC2 instance is gone. kubeadm names a stacked
# etcd member after the node name (`--name=<nodeName>` in cmd/kubeadm/app/phases/etcd/local.go, getEtcdCommand), which
# on our nodes is the EC2 private DNS name; a member that never started has no name, only its peer URL (the node IP).
# etcdctl runs inside this node's etcd static pod (etcd-<node name>), with the etcd CA and the healthcheck client
# certificate kubeadm writes under /etc/kubernetes/pki/etcd (cmd/kubeadm/app/constants/constants.go).
remove_stale_members() {
  local nodes name line id member_name peer ip members rc etcd_args
  nodes="$(kctl get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')" ||
    die 1 "cannot list the Node objects"
  for name in $nodes; do
    rc=0
    ec2_instance_alive private-dns-name "$name" || rc=$?
    if ((rc == AWS_API_EXPECTED)); then
      kctl delete node "$name" >&2 || die 1 "cannot delete the Node ${name} of a gone instance"
      log "deleted the Node ${name}: its instance is gone"
    fi
  done
  etcd_args=(--namespace kube-system exec "etcd-${NODE_NAME}" -- etcdctl --endpoints=https://127.0.0.1:2379
    --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt
    --key=/etc/kubernetes/pki/etcd/healthcheck-client.key)
  members="$(kctl "${etcd_args[@]}" member list)" || die 1 "cannot list the etcd members (etcd-${NODE_NAME})"
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    # etcdctl member list (simple): "<hex id>, <started|unstarted>, <name>, <peer URLs>, <client URLs>, <is learner>"
    # (an unstarted member has an empty name).
    IFS=',' read -r id _ member_name peer _ <<<"$line"
    member_name="${member_name// /}"
    peer="${peer// /}"
    rc=0
    if [[ -n "$member_name" ]]; then
      ec2_instance_alive private-dns-name "$member_name" || rc=$?
    else
      ip="${peer#*://}"
      ip="${ip%%:*}"
      ec2_instance_alive private-ip-address "$ip" || rc=$?
    fi
    if ((rc == AWS_API_EXPECTED)); then
      kctl "${etcd_args[@]}" member remove "$id" >&2 || die 1 "cannot remove the etcd member ${id} (${member_name:-$peer})"
      log "removed the etcd member ${id} (${member_name:-$peer}): its instance is gone"
    fi
  done <<<"$members"
}
