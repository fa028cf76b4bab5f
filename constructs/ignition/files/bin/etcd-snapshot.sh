#!/usr/bin/env bash
# Takes an etcd snapshot and uploads it to s3://$NODE_BUCKET/snapshots/<UTC time>.db (immutable-clusters-etcd-snapshot.timer
# on control-plane nodes, every ETCD_SNAPSHOT_INTERVAL_MINUTES of cluster.env). One controller per interval: the lease
# state/etcd-snapshot-lease is kept after a successful upload and taken over only once it is older than the interval
# less IC_SNAPSHOT_SLACK_SECONDS (120; the timer's randomized delay), so the other controllers skip that interval; a
# failed run deletes it so another controller may try at its next run. The bucket's default encryption (SSE-KMS with the
# generation key, node-config-bucket.ts) encrypts the object; its lifecycle rule expires old snapshots.
#
# etcdctl runs inside this node's etcd static pod (etcd-<node name>; the kubelet names a mirror pod <name>-<node name>,
# kubernetes/kubernetes pkg/kubelet/config/common.go generatePodName) with the etcd CA and the healthcheck client
# certificate kubeadm writes under /etc/kubernetes/pki/etcd (cmd/kubeadm/app/constants/constants.go), like
# remove_stale_members in bootstrap-lib.sh. It writes the snapshot under /var/lib/etcd, the data dir kubeadm's etcd pod
# mounts read-write from the host at the same path (GetEtcdPodSpec in cmd/kubeadm/app/phases/etcd/local.go at
# 0009808f: hostPath cfg.Etcd.Local.DataDir, kubeadm's default /var/lib/etcd). `etcdctl snapshot save` and `etcdutl
# snapshot status` are both in the etcd image kubeadm runs (https://etcd.io/docs/v3.5/op-guide/recovery/), and status
# fails on a file that is not a sound snapshot ("snapshot file integrity check failed", etcd etcdutl/snapshot/v3_snapshot.go).
# After an upload the same run backs the cluster identity up beside the snapshots when it changed (cluster-identity.sh:
# CAs, service-account key pair, Secrets encryption key; what a restore into a fresh generation needs besides the
# snapshot); a failed backup is logged and does not fail the snapshot.
set -euo pipefail

IC_LOG_TAG="etcd-snapshot"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"
# shellcheck source=s3-lease.sh
source "${SCRIPT_DIR}/s3-lease.sh"
# shellcheck source=cluster-identity.sh
source "${SCRIPT_DIR}/cluster-identity.sh"

readonly K_SNAPSHOT_LEASE="state/etcd-snapshot-lease"
readonly SNAPSHOT_PREFIX="snapshots/"
# Inside the pod and on the host: the same path (see above).
readonly POD_SNAPSHOT="/var/lib/etcd/immutable-clusters-snapshot.db"
readonly HOST_SNAPSHOT="${ETCD_DATA_DIR}/immutable-clusters-snapshot.db"
INSTANCE_ID=""
NODE_NAME=""
UPLOADED=false

# cleanup: removes the snapshot file; gives the lease back when this run did not upload.
cleanup() {
  rm -f "$HOST_SNAPSHOT" "${HOST_SNAPSHOT}.part"
  [[ "$UPLOADED" == true ]] || lease_release "$K_SNAPSHOT_LEASE" "$INSTANCE_ID"
}

main() {
  load_cluster_env
  if [[ "$NODE_ROLE" != controller ]]; then
    log "not a control-plane node: nothing to do"
    return 0
  fi
  if ! { [[ -r "$ADMIN_CONF" ]] && kctl get --raw=/readyz >/dev/null 2>&1; }; then
    log "no working ${ADMIN_CONF} on this node yet: nothing to do"
    return 0
  fi
  local interval="${ETCD_SNAPSHOT_INTERVAL_MINUTES:-30}" slack="${IC_SNAPSHOT_SLACK_SECONDS:-120}" name key status
  [[ "$interval" =~ ^[0-9]+$ ]] || die "$EXIT_CONFIG" "ETCD_SNAPSHOT_INTERVAL_MINUTES must be a whole number of minutes, got '${interval}'"
  INSTANCE_ID="$(imds_get meta-data/instance-id)" || die 1 "cannot read the instance id"
  NODE_NAME="$(imds_get meta-data/local-hostname)" || die 1 "cannot read the local hostname"
  NODE_NAME="${NODE_NAME%% *}"
  lease_take "$K_SNAPSHOT_LEASE" "$INSTANCE_ID" "$((interval * 60 - slack))" || return 0
  trap cleanup EXIT
  name="$(date -u +%Y%m%dT%H%M%SZ)"
  key="${SNAPSHOT_PREFIX}${name}.db"
  rm -f "$HOST_SNAPSHOT"
  local etcd=(--namespace kube-system exec "etcd-${NODE_NAME}" --)
  local tls=(--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt
    --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key)
  # A large keyspace takes longer than one API request's default bound to save.
  IC_KUBECTL_TIMEOUT="${IC_SNAPSHOT_TIMEOUT:-10m}" kctl "${etcd[@]}" etcdctl "${tls[@]}" snapshot save "$POD_SNAPSHOT" >&2 ||
    die 1 "etcdctl snapshot save failed in etcd-${NODE_NAME}"
  status="$(kctl "${etcd[@]}" etcdutl snapshot status "$POD_SNAPSHOT" --write-out=json)" ||
    die 1 "the snapshot etcd-${NODE_NAME} wrote is not sound (etcdutl snapshot status failed): not uploaded"
  [[ -s "$HOST_SNAPSHOT" ]] || die 1 "no snapshot at ${HOST_SNAPSHOT#"$IC_ROOT"}: is ${ETCD_DATA_DIR#"$IC_ROOT"} the etcd pod's data dir?"
  s3_put_file "$NODE_BUCKET" "$key" "$HOST_SNAPSHOT" application/octet-stream || die 1 "cannot upload s3://${NODE_BUCKET}/${key}"
  UPLOADED=true
  log "uploaded s3://${NODE_BUCKET}/${key} ($(jq -r '"revision \(.revision), \(.totalKey) keys, \(.totalSize) bytes"' <<<"$status"))"
  backup_identity "$INSTANCE_ID"
}

main "$@"
