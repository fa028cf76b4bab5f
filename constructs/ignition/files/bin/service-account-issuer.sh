#!/usr/bin/env bash
# Node contract 3, on the control-plane node that won the election, before `kubeadm init` (node-bootstrap.sh): puts the
# cluster's service-account signing key into /etc/kubernetes/pki (sa.key, sa.pub) and publishes its public key in the
# cluster issuer's JWKS, so tokens of every generation of the cluster carry one issuer and verify with one key set
# (docs/workload-identity.md).
#
#   1. The key is the SecureString SSM parameter ${SA_SIGNING_KEY_PARAMETER} (encrypted with the cluster key
#      ${SA_KMS_KEY_ID}). The first controller of the cluster's first issuing generation finds none, generates an RSA
#      2048 key and creates the parameter with PutParameter without Overwrite: a conditional create that fails with
#      ParameterAlreadyExists when another controller (another generation racing) created it first
#      (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html, "Overwrite ... The
#      default value is false"); then the winner's key is read back and used. Only one key ever exists.
#   2. kubeadm init keeps an sa.key it finds: "if we find a key file with the same path kubeadm thinks those files are
#      equal and doesn't bother writing a new file" (kubernetes/kubernetes cmd/kubeadm/app/phases/certs/certs.go
#      CreateServiceAccountKeyAndPublicKeyFiles); the other control-plane nodes get it from kubeadm's uploaded
#      certificates at join.
#   3. The JWKS object ${SA_ISSUER_BUCKET}/keys.json is read, this key's JWK (kid = base64url of the SHA-256 of the
#      public key's DER, as kube-apiserver computes it: kubernetes/kubernetes pkg/serviceaccount/jwt.go
#      keyIDFromPublicKey; alg RS256, use sig, keys sorted by kid as kOps publishes them, kubernetes/kops
#      pkg/model/issuerdiscovery.go) merged in, and written back conditionally (If-Match the read ETag, or If-None-Match
#      when absent), so a concurrent publisher never loses a key: keys of other generations (a rotation) stay.
#
# The private key never reaches a command line, a log line or Terraform: it is read from SSM into a 0600 file.
set -euo pipefail

IC_LOG_TAG="service-account-issuer"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"

IC_ROOT="${IC_ROOT:-}"
CLUSTER_ENV_FILE="${IC_CLUSTER_ENV:-${IC_ROOT}/etc/immutable-clusters/cluster.env}"
PKI_DIR="${IC_ROOT}/etc/kubernetes/pki"
WORK_DIR="${IC_ROOT}/run/immutable-clusters/service-account-issuer"
PUBLISH_ATTEMPTS="${IC_JWKS_PUBLISH_ATTEMPTS:-5}"

log() { printf 'service-account-issuer: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# shellcheck source=/dev/null
[[ -r "$CLUSTER_ENV_FILE" ]] && source "$CLUSTER_ENV_FILE"
: "${AWS_REGION:?AWS_REGION is not set (cluster.env)}"
: "${SA_SIGNING_KEY_PARAMETER:?SA_SIGNING_KEY_PARAMETER is not set (cluster.env, node contract 3)}"
: "${SA_KMS_KEY_ID:?SA_KMS_KEY_ID is not set (cluster.env, node contract 3)}"
: "${SA_ISSUER_BUCKET:?SA_ISSUER_BUCKET is not set (cluster.env, node contract 3)}"
export AWS_REGION

# private_dir DIR: a directory only root can read.
private_dir() {
  (
    umask 077
    mkdir -p "$1"
  )
  chmod 0700 "$1"
}

# write_private FILE VALUE: VALUE into FILE, mode 0600 from the start.
write_private() {
  (
    umask 077
    printf '%s\n' "$2" >"$1.tmp"
  )
  mv -f "$1.tmp" "$1"
}

# is_rsa_private_key FILE: whether FILE is one RSA private key openssl can read.
is_rsa_private_key() {
  # grep reads all of openssl's output (no -q): an early exit could end openssl with SIGPIPE, a failure under pipefail.
  openssl pkey -in "$1" -noout 2>/dev/null && openssl pkey -in "$1" -text -noout 2>/dev/null | grep "Private-Key: (2048 bit" >/dev/null
}

# ensure_signing_key: the cluster's key (existing, or created here once) into sa.key; sa.pub derived from it.
ensure_signing_key() {
  local value rc=0 candidate
  private_dir "$WORK_DIR"
  private_dir "$PKI_DIR"
  value="$(ssm_get "$SA_SIGNING_KEY_PARAMETER")" || rc=$?
  if ((rc == AWS_API_EXPECTED)); then
    candidate="${WORK_DIR}/new-sa.key"
    (
      umask 077
      openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$candidate" 2>/dev/null
    ) || die "openssl could not generate an RSA key"
    rc=0
    # KMS_KEY_ID is what ssm_put encrypts a SecureString with.
    KMS_KEY_ID="$SA_KMS_KEY_ID" ssm_put "$SA_SIGNING_KEY_PARAMETER" "$(<"$candidate")" SecureString false || rc=$?
    rm -f "$candidate"
    if ((rc == 0)); then
      log "created the cluster's service-account signing key ${SA_SIGNING_KEY_PARAMETER}"
    elif ((rc == AWS_API_EXPECTED)); then
      log "another controller created ${SA_SIGNING_KEY_PARAMETER} first: using that key"
    else
      die "cannot create ${SA_SIGNING_KEY_PARAMETER}"
    fi
    value="$(ssm_get "$SA_SIGNING_KEY_PARAMETER")" || die "cannot read back ${SA_SIGNING_KEY_PARAMETER}"
  elif ((rc != 0)); then
    die "cannot read ${SA_SIGNING_KEY_PARAMETER}"
  else
    log "reusing the cluster's service-account signing key ${SA_SIGNING_KEY_PARAMETER}"
  fi
  write_private "${WORK_DIR}/sa.key" "$value"
  is_rsa_private_key "${WORK_DIR}/sa.key" || die "${SA_SIGNING_KEY_PARAMETER} does not hold an RSA 2048 private key (PEM)"
  mv -f "${WORK_DIR}/sa.key" "${PKI_DIR}/sa.key"
  openssl pkey -in "${PKI_DIR}/sa.key" -pubout -out "${PKI_DIR}/sa.pub" 2>/dev/null || die "cannot derive sa.pub"
  chmod 0644 "${PKI_DIR}/sa.pub"
  log "wrote ${PKI_DIR#"$IC_ROOT"}/sa.key (0600) and sa.pub"
}

# base64url: stdin as unpadded base64url (RFC 7515 section 2), one line.
base64url() {
  base64 -w0 | tr '+/' '-_' | tr -d '='
}

# hex_bytes HEX: the bytes of an even-length hex string on stdout.
hex_bytes() {
  local escaped
  # shellcheck disable=SC2001 # every pair of hex digits becomes \xHH: sed's & does it in one pass
  escaped="$(sed 's/../\\x&/g' <<<"$1")"
  printf '%b' "$escaped"
}

# public_jwk PUB: the JWK of an RSA public key file (PEM): kty, alg, use, kid, n, e.
public_jwk() {
  local pub="$1" kid modulus exponent
  kid="$(openssl pkey -pubin -in "$pub" -outform DER | openssl dgst -sha256 -binary | base64url)"
  modulus="$(openssl rsa -pubin -in "$pub" -noout -modulus | sed 's/^Modulus=//')"
  exponent="$(openssl rsa -pubin -in "$pub" -noout -text | sed -n 's/^Exponent: [0-9]* (0x\([0-9a-fA-F]*\))$/\1/p')"
  [[ -n "$modulus" && -n "$exponent" ]] || die "cannot read the modulus and exponent of ${pub}"
  ((${#exponent} % 2 == 0)) || exponent="0${exponent}"
  IC_KID="$kid" IC_N="$(hex_bytes "$modulus" | base64url)" IC_E="$(hex_bytes "$exponent" | base64url)" \
    jq -cn '{use: "sig", kty: "RSA", kid: env.IC_KID, alg: "RS256", n: env.IC_N, e: env.IC_E}'
}

# publish_jwks: merges this key's JWK into keys.json of the issuer bucket, conditionally, retrying a lost race.
publish_jwks() {
  local jwk attempt=1 rc condition current="${WORK_DIR}/keys.json" next="${WORK_DIR}/keys.next.json"
  jwk="$(public_jwk "${PKI_DIR}/sa.pub")"
  while ((attempt <= PUBLISH_ATTEMPTS)); do
    rc=0
    s3_get "$SA_ISSUER_BUCKET" keys.json "$current" || rc=$?
    if ((rc == 0)); then
      condition="$(s3_etag_of "$current")"
      jq -e '.keys | type == "array"' "$current" >/dev/null 2>&1 || die "s3://${SA_ISSUER_BUCKET}/keys.json is not a JWKS"
    elif ((rc == AWS_API_EXPECTED)); then
      condition=create
      printf '{"keys":[]}' >"$current"
    else
      die "cannot read s3://${SA_ISSUER_BUCKET}/keys.json"
    fi
    if jq -e --argjson jwk "$jwk" 'any(.keys[]; . == $jwk)' "$current" >/dev/null; then
      log "s3://${SA_ISSUER_BUCKET}/keys.json already publishes key $(jq -r .kid <<<"$jwk")"
      return 0
    fi
    jq --argjson jwk "$jwk" '{keys: ([.keys[] | select(.kid != $jwk.kid)] + [$jwk] | sort_by(.kid))}' "$current" >"$next"
    rc=0
    s3_put "$SA_ISSUER_BUCKET" keys.json "$next" "$condition" || rc=$?
    if ((rc == 0)); then
      log "published key $(jq -r .kid <<<"$jwk") in s3://${SA_ISSUER_BUCKET}/keys.json ($(jq '.keys | length' "$next") keys)"
      return 0
    fi
    ((rc == AWS_API_EXPECTED)) || die "cannot write s3://${SA_ISSUER_BUCKET}/keys.json"
    log "keys.json changed meanwhile (attempt ${attempt}): merging again"
    attempt=$((attempt + 1))
    sleep "$((attempt))"
  done
  die "gave up publishing s3://${SA_ISSUER_BUCKET}/keys.json after ${PUBLISH_ATTEMPTS} conflicting writes"
}

ensure_signing_key
publish_jwks
