#!/usr/bin/env bash
# Pre-generates aws-iam-authenticator's serving certificate, key and the kube-apiserver's webhook kubeconfig on a
# control-plane node before kubeadm starts the API server (aws-iam-authenticator-init.service): kube-apiserver reads
# --authentication-token-webhook-config-file at start and refuses to start without it, and the authenticator's
# DaemonSet is applied only after `kubeadm init`. This does what `aws-iam-authenticator init --hostname 127.0.0.1
# --address 127.0.0.1` does (upstream README, "Pre-generate a certificate, key, and kubeconfig"; Flatcar has openssl but
# no authenticator binary), with upstream's formats at tag v0.7.18 (commit c0e2ecd6c9e352db19435db4d2c7e64282554d2f):
# - pkg/config/certs/certs.go selfSignedCertificate: RSA 2048, CN "aws-iam-authenticator", CA:TRUE, key usages
#   digitalSignature/keyEncipherment/keyCertSign, extended usage serverAuth, the address as an IP SAN, 100 years;
#   cert.pem (0666 upstream, 0644 here) and key.pem ("RSA PRIVATE KEY", PKCS#1, 0600) in the state directory;
# - pkg/config/kubeconfig/kubeconfig.go WriteKubeconfig: the kubeconfig text, the certificate as its own CA, server
#   https://<hostname>:<port>/authenticate.
# An existing pair is kept (GetOrCreateX509KeyPair loads it first), so a restart never changes what the running
# server presents. The files belong to the image's user (65532), which reads them; the server never writes them
# (--kubeconfig-pregenerated=true).
set -euo pipefail

IC_ROOT="${IC_ROOT:-}"
STATE_DIR="${IC_ROOT}/var/aws-iam-authenticator"
KUBECONFIG_DIR="${IC_ROOT}/etc/kubernetes/aws-iam-authenticator"
ADDRESS="127.0.0.1"
PORT="21362"
OWNER="${IC_AUTHENTICATOR_OWNER:-65532}"

log() { printf 'access-webhook-init: %s\n' "$*" >&2; }

mkdir -p "$STATE_DIR" "$KUBECONFIG_DIR"
chmod 0700 "$STATE_DIR"
chmod 0755 "$KUBECONFIG_DIR"

if [[ -s "${STATE_DIR}/cert.pem" && -s "${STATE_DIR}/key.pem" ]]; then
  log "keeping the existing certificate and key in ${STATE_DIR}"
else
  tmp="$(mktemp -d "${STATE_DIR}/.new.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  openssl genrsa -traditional -out "${tmp}/key.pem" 2048 2>/dev/null
  openssl req -x509 -new -key "${tmp}/key.pem" -out "${tmp}/cert.pem" -days 36500 -sha256 \
    -config /dev/null -subj "/CN=aws-iam-authenticator" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
    -addext "extendedKeyUsage=serverAuth" \
    -addext "subjectAltName=IP:${ADDRESS}"
  chmod 0600 "${tmp}/key.pem"
  chmod 0644 "${tmp}/cert.pem"
  # The key first: a crash between the renames leaves no certificate, so the next run generates a fresh pair.
  mv "${tmp}/key.pem" "${STATE_DIR}/key.pem"
  mv "${tmp}/cert.pem" "${STATE_DIR}/cert.pem"
  log "generated a certificate and key in ${STATE_DIR}"
fi

ca_data="$(base64 -w0 <"${STATE_DIR}/cert.pem")"
cat >"${KUBECONFIG_DIR}/kubeconfig.yaml.new" <<KUBECONFIG

clusters:
  - name: aws-iam-authenticator
    cluster:
      certificate-authority-data: ${ca_data}
      server: https://${ADDRESS}:${PORT}/authenticate
# user refers to the API server client
users:
  - name: apiserver
current-context: webhook
contexts:
- name: webhook
  context:
    cluster: aws-iam-authenticator
    user: apiserver
KUBECONFIG
chmod 0644 "${KUBECONFIG_DIR}/kubeconfig.yaml.new"
mv "${KUBECONFIG_DIR}/kubeconfig.yaml.new" "${KUBECONFIG_DIR}/kubeconfig.yaml"
if [[ "$(id -u)" == 0 ]]; then
  chown -R "${OWNER}:${OWNER}" "$STATE_DIR"
fi
log "wrote ${KUBECONFIG_DIR}/kubeconfig.yaml (server https://${ADDRESS}:${PORT}/authenticate)"
