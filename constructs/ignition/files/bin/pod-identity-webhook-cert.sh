#!/usr/bin/env bash
# Creates the pod identity webhook's serving certificate on the control plane (pod-identity-webhook-cert.timer,
# control-plane nodes of generations that enable addons.podIdentityWebhook) and keeps the webhook configuration
# trusting it:
#   1. when the Secret kube-system/pod-identity-webhook-cert does not exist: a self-signed CA and a serving certificate
#      it signs for the webhook's Service (pod-identity-webhook.kube-system.svc and its shorter and longer names), made
#      by openssl, stored as a kubernetes.io/tls Secret with the CA beside them (ca.crt); a Secret that exists (an
#      earlier run's, another controller's, or yours, e.g. cert-manager's) is never touched;
#   2. the MutatingWebhookConfiguration pod-identity-webhook's caBundle is set to the Secret's ca.crt whenever it differs
#      (the addon's manifests carry no caBundle, and re-applying them may clear it). A Secret without ca.crt is yours:
#      the caBundle is then left to you.
# Upstream has no in-cluster way any more (aws/amazon-eks-pod-identity-webhook README "Note": the legacy-unknown CSR
# signer is no longer served by the v1 certificates API; use cert-manager "or some other external certificate
# provisioning system"); this is one, made where kubeadm's own CAs are made, as kOps issues it from its own PKI.
#
# Keys are made by openssl (EC P-256) in a 0700 temporary folder under /run (tmpfs) removed on exit; the serving key
# reaches the API server only through kubectl's stdin and the CA key is never stored: it is in no synthesized file, no
# Terraform state, no log. To rotate, delete the Secret: the next run makes a new one and sets the new caBundle, and
# the webhook reloads the mounted files (controller-runtime certwatcher, main.go). Idempotent; every controller runs it;
# kubectl failures fail this run only (the timer retries every minute), never the node's bootstrap.
set -euo pipefail

IC_ROOT="${IC_ROOT:-}"
ADMIN_CONF="${IC_ROOT}/etc/kubernetes/admin.conf"
# /run is a tmpfs on Flatcar (systemd mounts it, file-hierarchy(7)): the keys never touch a disk.
WORK_PARENT="${IC_ROOT}/run"
REQUEST_TIMEOUT="${IC_KUBECTL_REQUEST_TIMEOUT:-30s}"
# The addon's names (constructs/addons/pod-identity-webhook/chart.ts; test/pod-identity-webhook.test.ts checks they agree).
NAMESPACE="kube-system"
SERVICE="pod-identity-webhook"
SECRET="pod-identity-webhook-cert"
WEBHOOK_CONFIGURATION="pod-identity-webhook"
WEBHOOK_ENTRY="pod-identity-webhook.amazonaws.com"
# Ten years, as kubeadm's own CAs (constants.go CACertificateValidityPeriod); rotation is deleting the Secret.
VALIDITY_DAYS=3650

log() { printf 'pod-identity-webhook-cert: %s\n' "$*" >&2; }

if [[ ! -r "$ADMIN_CONF" ]]; then
  log "${ADMIN_CONF} is not readable yet (this node has not finished kubeadm init/join); will retry on the next run"
  exit 1
fi

# admin.conf (group kubeadm:cluster-admins since Kubernetes 1.29), not super-admin.conf: this needs no RBAC bypass.
kubectl_() { kubectl --kubeconfig "$ADMIN_CONF" --request-timeout="$REQUEST_TIMEOUT" "$@"; }

# Step 1: the Secret, when absent. --ignore-not-found: an absent Secret prints nothing and exits 0; any other failure
# (API down) exits non-zero.
if ! existing="$(kubectl_ get secret "$SECRET" --namespace "$NAMESPACE" --ignore-not-found -o name)"; then
  log "could not read Secret ${NAMESPACE}/${SECRET}; will retry on the next run"
  exit 1
fi
if [[ -z "$existing" ]]; then
  umask 077
  mkdir -p "$WORK_PARENT"
  workdir="$(mktemp -d "${WORK_PARENT}/pod-identity-webhook-cert.XXXXXX")"
  trap 'rm -rf "$workdir"' EXIT
  host="${SERVICE}.${NAMESPACE}.svc"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$VALIDITY_DAYS" \
      -subj "/O=immutable-clusters/CN=${SERVICE} CA" -keyout "${workdir}/ca.key" -out "${workdir}/ca.crt" &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=${host}" -keyout "${workdir}/tls.key" -out "${workdir}/tls.csr" &&
      printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' \
        "$SERVICE" "$SERVICE" "$NAMESPACE" "$host" "$host" >"${workdir}/ext.cnf" &&
      openssl x509 -req -in "${workdir}/tls.csr" -CA "${workdir}/ca.crt" -CAkey "${workdir}/ca.key" -CAcreateserial \
        -days "$VALIDITY_DAYS" -extfile "${workdir}/ext.cnf" -out "${workdir}/tls.crt"
  } 2>"${workdir}/openssl.err" || {
    log "openssl could not make the webhook's certificate: $(cat "${workdir}/openssl.err")"
    exit 1
  }
  # The CA key has signed its one certificate: gone before anything leaves this node.
  rm -f "${workdir}/ca.key"
  manifest() {
    printf '{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls",'
    printf '"metadata":{"name":"%s","namespace":"%s","labels":{"app.kubernetes.io/managed-by":"immutable-clusters"}},' "$SECRET" "$NAMESPACE"
    printf '"data":{"tls.crt":"%s","tls.key":"%s","ca.crt":"%s"}}\n' \
      "$(base64 -w0 "${workdir}/tls.crt")" "$(base64 -w0 "${workdir}/tls.key")" "$(base64 -w0 "${workdir}/ca.crt")"
  }
  # `kubectl create`, not apply: it fails with AlreadyExists instead of overwriting a Secret made since the check above.
  if output="$(manifest | kubectl_ create -f - 2>&1)"; then
    log "created Secret ${NAMESPACE}/${SECRET} (a self-signed CA and its serving certificate for ${host}, ${VALIDITY_DAYS} days)"
  elif [[ "$output" == *"AlreadyExists"* ]]; then
    log "Secret ${NAMESPACE}/${SECRET} was created meanwhile (another controller, or you); left as it is"
  else
    log "could not create Secret ${NAMESPACE}/${SECRET}: ${output}; will retry on the next run"
    exit 1
  fi
else
  log "Secret ${NAMESPACE}/${SECRET} exists; left as it is"
fi

# Step 2: the caBundle, whenever it is not the Secret's CA.
if ! ca_bundle="$(kubectl_ get secret "$SECRET" --namespace "$NAMESPACE" -o 'jsonpath={.data.ca\.crt}')"; then
  log "could not read Secret ${NAMESPACE}/${SECRET}; will retry on the next run"
  exit 1
fi
if [[ -z "$ca_bundle" ]]; then
  log "Secret ${NAMESPACE}/${SECRET} has no ca.crt (not made here): the webhook configuration's caBundle is left to you"
  exit 0
fi
if ! current="$(kubectl_ get mutatingwebhookconfiguration "$WEBHOOK_CONFIGURATION" --ignore-not-found -o 'jsonpath={.webhooks[0].name} {.webhooks[0].caBundle}')"; then
  log "could not read MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION}; will retry on the next run"
  exit 1
fi
if [[ -z "$current" ]]; then
  log "MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION} does not exist yet (the addons are not applied); will retry on the next run"
  exit 1
fi
if [[ "$current" == "${WEBHOOK_ENTRY} ${ca_bundle}" ]]; then
  exit 0
fi
# A JSON patch whose test makes sure index 0 is still the webhook's entry before its caBundle is set.
patch="$(printf '[{"op":"test","path":"/webhooks/0/name","value":"%s"},{"op":"add","path":"/webhooks/0/caBundle","value":"%s"}]' "$WEBHOOK_ENTRY" "$ca_bundle")"
if ! output="$(kubectl_ patch mutatingwebhookconfiguration "$WEBHOOK_CONFIGURATION" --type=json -p "$patch" 2>&1)"; then
  log "could not set the caBundle of MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION}: ${output}; will retry on the next run"
  exit 1
fi
log "set the caBundle of MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION} to the CA of Secret ${NAMESPACE}/${SECRET}"
