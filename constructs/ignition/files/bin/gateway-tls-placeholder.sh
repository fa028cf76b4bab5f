#!/usr/bin/env bash
# Creates a self-signed placeholder for the shared Gateway's TLS Secret (gateway-tls-placeholder.timer, control-plane
# nodes of generations that run the gateway addon) when, and only when, that Secret does not exist. Never touches a
# Secret that exists (yours, cert-manager's, or an earlier placeholder).
#
# Why: Cilium turns every certificateRef of the https listener into an Envoy TLS secret without checking the Secret
# exists (cilium/cilium operator/pkg/model/ingestion/gateway.go toTLS: only ReferenceGrants are checked), and Envoy does
# not open a listener whose server certificate comes by SDS before the secret arrives ("it will NOT be marked as active,
# its port will not be opened before the certificates are fetched", envoyproxy.io docs, configuration/security/secret,
# "Secret discovery service (SDS)"). Cilium builds one Envoy listener with the plain-HTTP filter chain and one TLS filter
# chain per secret, its certificate by SDS as cilium-secrets/<namespace>-<name> (cilium/cilium
# operator/pkg/model/translation/envoy_listener.go NewHTTPListener, "both secure and insecure filters"), so a missing
# Secret could keep plain HTTP on 30080, and with it the load balancer's health check, down. ingress-nginx
# served a self-signed default certificate until one was configured; this is the same for the gateway.
#
# The key is made here by openssl (EC P-256), lives only in a 0700 temporary folder under /run (tmpfs) removed on exit,
# and reaches the API server only through kubectl's stdin: it is in no synthesized file, no Terraform state, no log.
# The Secret carries the label immutable-clusters.io/tls-placeholder=true and the SHA-256 of its tls.crt in the
# annotation immutable-clusters.io/placeholder-certificate-sha256: a Secret whose tls.crt no longer has that hash was
# replaced (docs/addons.md, "Gateway TLS"). Idempotent; every controller runs it; kubectl failures fail this run only
# (the timer retries every minute), never the node's bootstrap.
set -euo pipefail

IC_ROOT="${IC_ROOT:-}"
ADMIN_CONF="${IC_ROOT}/etc/kubernetes/admin.conf"
# /run is a tmpfs on Flatcar (systemd mounts it, file-hierarchy(7)): the key never touches a disk.
WORK_PARENT="${IC_ROOT}/run"
REQUEST_TIMEOUT="${IC_KUBECTL_REQUEST_TIMEOUT:-30s}"
PLACEHOLDER_LABEL="immutable-clusters.io/tls-placeholder"
FINGERPRINT_ANNOTATION="immutable-clusters.io/placeholder-certificate-sha256"
VALIDITY_DAYS=365

log() { printf 'gateway-tls-placeholder: %s\n' "$*" >&2; }

: "${GATEWAY_NAMESPACE:?GATEWAY_NAMESPACE must be set (gateway-tls.env, written by Ignition)}"
: "${TLS_SECRET_NAME:?TLS_SECRET_NAME must be set (gateway-tls.env, written by Ignition)}"
: "${TLS_HOSTNAME:?TLS_HOSTNAME must be set (gateway-tls.env, written by Ignition)}"
secret="${GATEWAY_NAMESPACE}/${TLS_SECRET_NAME}"

if [[ ! -r "$ADMIN_CONF" ]]; then
  log "${ADMIN_CONF} is not readable yet (this node has not finished kubeadm init/join); will retry on the next run"
  exit 1
fi

# admin.conf (group kubeadm:cluster-admins since Kubernetes 1.29), not super-admin.conf: this needs no RBAC bypass.
kubectl_() { kubectl --kubeconfig "$ADMIN_CONF" --request-timeout="$REQUEST_TIMEOUT" "$@"; }

# --ignore-not-found: an absent Secret prints nothing and exits 0; any other failure (API down) exits non-zero.
if ! existing="$(kubectl_ get secret "$TLS_SECRET_NAME" --namespace "$GATEWAY_NAMESPACE" --ignore-not-found -o name)"; then
  log "could not read Secret ${secret}; will retry on the next run"
  exit 1
fi
if [[ -n "$existing" ]]; then
  log "Secret ${secret} exists; left as it is"
  exit 0
fi

umask 077
mkdir -p "$WORK_PARENT"
workdir="$(mktemp -d "${WORK_PARENT}/gateway-tls.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT

# A certificate's commonName is at most 64 characters (RFC 5280 ub-common-name); clients match the subjectAltName
# (RFC 6125), which carries the full name and its subdomains (app routes use names under the traffic hostname).
cn="$TLS_HOSTNAME"
((${#cn} <= 64)) || cn="${TLS_HOSTNAME%%.*}"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$VALIDITY_DAYS" \
  -subj "/O=immutable-clusters placeholder/CN=${cn}" \
  -addext "subjectAltName=DNS:${TLS_HOSTNAME},DNS:*.${TLS_HOSTNAME}" \
  -keyout "${workdir}/tls.key" -out "${workdir}/tls.crt" 2>"${workdir}/openssl.err" || {
  log "openssl could not make the placeholder certificate: $(cat "${workdir}/openssl.err")"
  exit 1
}
fingerprint="$(sha256sum "${workdir}/tls.crt" | cut -d' ' -f1)"

# `kubectl create`, not apply: it fails with AlreadyExists instead of overwriting a Secret made since the check above.
manifest() {
  printf '{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls",'
  printf '"metadata":{"name":"%s","namespace":"%s",' "$TLS_SECRET_NAME" "$GATEWAY_NAMESPACE"
  printf '"labels":{"%s":"true","app.kubernetes.io/managed-by":"immutable-clusters"},' "$PLACEHOLDER_LABEL"
  printf '"annotations":{"%s":"%s"}},' "$FINGERPRINT_ANNOTATION" "$fingerprint"
  printf '"data":{"tls.crt":"%s","tls.key":"%s"}}\n' "$(base64 -w0 "${workdir}/tls.crt")" "$(base64 -w0 "${workdir}/tls.key")"
}
if output="$(manifest | kubectl_ create -f - 2>&1)"; then
  log "created the self-signed placeholder Secret ${secret} (CN=${cn}, ${VALIDITY_DAYS} days, sha256 ${fingerprint}); replace it with your certificate (docs/addons.md)"
  exit 0
fi
if [[ "$output" == *"AlreadyExists"* ]]; then
  log "Secret ${secret} was created meanwhile (another controller, or you); left as it is"
  exit 0
fi
log "could not create Secret ${secret}: ${output}; will retry on the next run"
exit 1
