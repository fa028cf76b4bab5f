#!/usr/bin/env bash
# Publishes this generation's cluster CA certificate (/etc/kubernetes/pki/ca.crt, PEM, written by kubeadm init on the
# first control-plane node and copied to the others at join) to the String SSM parameter ${SSM_PREFIX}/ca-certificate,
# which Terraform pre-created with a placeholder (constructs/cluster/ca-certificate-parameter.ts). `immutable-clusters
# kubeconfig` reads it into certificate-authority-data. A CA certificate is public: no SecureString, no KMS key.
# Run by immutable-clusters-publish-ca.timer on control-plane nodes. Idempotent: once a certificate with this content is
# published from this node, later runs only compare hashes (state file); before kubeadm wrote ca.crt it does nothing.
set -euo pipefail

IC_LOG_TAG="publish-ca"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"

IC_ROOT="${IC_ROOT:-}"
CA_FILE="${IC_ROOT}/etc/kubernetes/pki/ca.crt"
STATE_FILE="${IC_ROOT}/var/lib/immutable-clusters/ca-published.sha256"

log() { printf 'publish-ca: %s\n' "$*" >&2; }

: "${SSM_PREFIX:?SSM_PREFIX is not set (cluster.env)}"
: "${AWS_REGION:?AWS_REGION is not set (cluster.env)}"
readonly PARAMETER="${SSM_PREFIX}/ca-certificate"

if [[ ! -s "$CA_FILE" ]]; then
  log "${CA_FILE} does not exist yet (kubeadm init or join has not run); nothing to publish, the timer runs again"
  exit 0
fi
# Exactly one PEM certificate that openssl can parse: never publish a half-written or foreign file.
if ! openssl x509 -in "$CA_FILE" -noout 2>/dev/null || [[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$CA_FILE")" != 1 ]]; then
  log "${CA_FILE} is not one PEM certificate; not publishing it"
  exit 1
fi

hash="$(sha256sum "$CA_FILE" | cut -d' ' -f1)"
if [[ -r "$STATE_FILE" && "$(cat "$STATE_FILE")" == "$hash" ]]; then
  exit 0
fi
ssm_put "$PARAMETER" "$(cat "$CA_FILE")" String true
mkdir -p "$(dirname "$STATE_FILE")"
printf '%s\n' "$hash" >"${STATE_FILE}.tmp"
mv "${STATE_FILE}.tmp" "$STATE_FILE"
log "published ${CA_FILE} (sha256 ${hash}) to ${PARAMETER}"
