#!/usr/bin/env bash
# Restores an etcd snapshot into this control-plane node's etcd (docs/operations.md, "Etcd snapshots and restore"; run
# by an operator through SSM Session Manager on the first control-plane node of a fresh generation, as root):
#   etcd-restore.sh <bucket> <key>     e.g. etcd-restore.sh prod-a-nodes-1a2b3c4d snapshots/20250101T120000Z.db
# Steps (etcd's recovery guide, https://etcd.io/docs/v3.5/op-guide/recovery/, and Kubernetes' "Restoring an etcd
# cluster", https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/#restoring-an-etcd-cluster):
#   1. download the snapshot (the source generation's bucket; this node's role must be allowed to read it);
#   2. `etcdutl snapshot status`: a corrupt or truncated file stops here, nothing on the node changed;
#   3. `etcdutl snapshot restore` into a new data dir beside /var/lib/etcd, as a one-member cluster named after this
#      node with its peer URL (kubeadm's --name and --initial-advertise-peer-urls, cmd/kubeadm/app/phases/etcd/local.go);
#      restore refuses a non-empty data dir and checks the hash `snapshot save` appended (etcdutl/snapshot/v3_snapshot.go);
#   4. stop etcd by moving its static pod manifest out of /etc/kubernetes/manifests (the kubelet stops the pod), swap the
#      data dirs (the old one kept as /var/lib/etcd.before-restore-<time>), move the manifest back.
# etcdutl: from PATH, else run from the etcd image of the static pod manifest with containerd's ctr (Flatcar ships it).
set -euo pipefail

IC_LOG_TAG="etcd-restore"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=aws-api.sh
source "${SCRIPT_DIR}/aws-api.sh"
# shellcheck source=bootstrap-lib.sh
source "${SCRIPT_DIR}/bootstrap-lib.sh"

MANIFEST="${KUBE_DIR}/manifests/etcd.yaml"
STOP_WAIT_SECONDS="${IC_ETCD_STOP_WAIT_SECONDS:-30}"

# etcdutl ARGS...: etcdutl from PATH, or from the etcd image with the host's /var/lib and RUN_DIR mounted.
run_etcdutl() {
  if command -v etcdutl >/dev/null 2>&1; then
    etcdutl "$@"
    return
  fi
  local image
  image="$(sed -n 's/^ *image: *//p' "$MANIFEST" | head -n 1)"
  [[ -n "$image" ]] || die 1 "no etcdutl on PATH and no image in ${MANIFEST}"
  ctr -n k8s.io run --rm --mount "type=bind,src=${IC_ROOT}/var/lib,dst=/var/lib,options=rbind:rw" \
    --mount "type=bind,src=${RUN_DIR},dst=${RUN_DIR},options=rbind:rw" "$image" "etcd-restore-$$" etcdutl "$@"
}

main() {
  (($# == 2)) || die "$EXIT_CONFIG" "usage: etcd-restore.sh <bucket> <key> (e.g. prod-a-nodes-1a2b3c4d snapshots/20250101T120000Z.db)"
  local bucket="$1" key="$2" rc=0 node_name node_ip stamp restored snapshot status
  load_cluster_env
  [[ "$NODE_ROLE" == controller ]] || die "$EXIT_CONFIG" "run this on a control-plane node (NODE_ROLE is ${NODE_ROLE})"
  [[ -f "$MANIFEST" ]] || die "$EXIT_CONFIG" "no etcd static pod manifest at ${MANIFEST#"$IC_ROOT"}: run it after kubeadm init"
  node_name="$(imds_get meta-data/local-hostname)" || die 1 "cannot read the local hostname"
  node_name="${node_name%% *}"
  node_ip="$(imds_get meta-data/local-ipv4)" || die 1 "cannot read the local IP"
  private_dir "$RUN_DIR"
  snapshot="${RUN_DIR}/restore-snapshot.db"
  # The download is etcd's data, Secrets included: it leaves the node whether the restore succeeds or is refused.
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -f '${snapshot}' '${snapshot}.part' '${snapshot}.headers'" EXIT
  s3_get "$bucket" "$key" "$snapshot" || rc=$?
  ((rc != AWS_API_EXPECTED)) || die 1 "s3://${bucket}/${key} does not exist (list the snapshots: aws s3 ls s3://${bucket}/snapshots/)"
  ((rc == 0)) || die 1 "cannot download s3://${bucket}/${key}"
  status="$(run_etcdutl snapshot status "$snapshot" --write-out=json)" ||
    die 1 "s3://${bucket}/${key} is not a sound etcd snapshot (etcdutl snapshot status failed): nothing was changed"
  log "snapshot ${key}: $(jq -r '"revision \(.revision), \(.totalKey) keys, \(.totalSize) bytes"' <<<"$status")"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  restored="${ETCD_DATA_DIR}.restored-${stamp}"
  run_etcdutl snapshot restore "$snapshot" --data-dir "$restored" --name "$node_name" \
    --initial-cluster "${node_name}=https://${node_ip}:2380" --initial-advertise-peer-urls "https://${node_ip}:2380" >&2 ||
    die 1 "etcdutl snapshot restore failed: nothing was changed (${restored#"$IC_ROOT"} may hold a partial restore: delete it)"
  mv "$MANIFEST" "${RUN_DIR}/etcd.yaml"
  log "stopped etcd (manifest moved to ${RUN_DIR#"$IC_ROOT"}); waiting ${STOP_WAIT_SECONDS}s for the kubelet to stop the pod"
  sleep "$STOP_WAIT_SECONDS"
  mv "$ETCD_DATA_DIR" "${ETCD_DATA_DIR}.before-restore-${stamp}"
  mv "$restored" "$ETCD_DATA_DIR"
  mv "${RUN_DIR}/etcd.yaml" "$MANIFEST"
  log "restored ${key} into ${ETCD_DATA_DIR#"$IC_ROOT"} (the previous data is in ${ETCD_DATA_DIR#"$IC_ROOT"}.before-restore-${stamp}); etcd starts again from the manifest"
}

main "$@"
