#!/usr/bin/env bash
# bench/builder-pull.sh — what a node's first build pays for the builder image: pull + unpack of the same builder
# with zstd layers (scripts/image.sh's default) and with gzip layers (--compression gzip), side by side, by the test
# cluster's own containerd (../shared/kube), ROUNDS times each, alternating, from empty content every time.
#
#   bench/builder-pull.sh            # ROUNDS=5; KUBE_STATE=/tmp/kube/state; the cluster must be up (up.sh)
#
# Both images are built from this checkout (target/quarkus-app) into the cluster's registry under bench/builder-pull-*.
# Each pull runs in a containerd namespace of its own (mimg-pull-bench), emptied before every pull (its images, its
# content and its snapshots; containerd does not share content across namespaces), so nothing the kubelet's k8s.io
# namespace holds makes a pull warm. `ctr images pull` fetches and unpacks into the overlayfs snapshotter, which is
# what the kubelet's pull through CRI does. Prints each pull, the medians and the ratio.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
state=${KUBE_STATE:-/tmp/kube/state}
[[ -f $state/cluster.env ]] || { echo "builder-pull.sh: no cluster at $state: run ../shared/kube/up.sh" >&2; exit 1; }
# shellcheck disable=SC1091
. "$state/cluster.env"
[[ -e /run/netns/$KUBE_NETNS ]] || { echo "builder-pull.sh: the cluster at $state is down: run ../shared/kube/up.sh" >&2; exit 1; }
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
kns() { nsenter --mount=/run/mimgkube/mnt --net="/run/netns/$KUBE_NETNS" -- "$@"; }
log() { echo "[builder-pull $(date +%T)] $*" >&2; }
NS=mimg-pull-bench
declare -A ref
for v in zstd gzip; do
  ref[$v]=$KUBE_REGISTRY/bench/builder-pull-$v:1
  log "building the builder with $v layers -> ${ref[$v]}"
  knet timeout 1200 "$here/scripts/image.sh" --component builder --compression "$v" --image "${ref[$v]}" --insecure \
    > "/tmp/builder-pull-$v.log" 2>&1 || { tail "/tmp/builder-pull-$v.log" >&2; exit 1; }
  log "$(grep 'compressed size' "/tmp/builder-pull-$v.log")"
done
empty_namespace() {
  local refs
  refs=$(kns ctr -n "$NS" images ls -q 2>/dev/null || true)
  [[ -z $refs ]] || kns ctr -n "$NS" images rm $refs > /dev/null
  for _ in $(seq 1 60); do   # containerd's garbage collection runs after the removal: bounded wait for it
    [[ -z $(kns ctr -n "$NS" content ls -q) && -z $(kns ctr -n "$NS" snapshots ls | tail -n +2) ]] && return 0
    sleep 0.5
  done
  log "the namespace $NS still holds content or snapshots after 30 s"; return 1
}
declare -A times
for round in $(seq 1 "$ROUNDS"); do
  for v in zstd gzip; do
    empty_namespace
    start=$(date +%s%N)
    kns timeout 600 ctr -n "$NS" images pull --plain-http "${ref[$v]}" > /dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    times[$v]+="$ms "
    echo "round $round $v: pull + unpack $ms ms"
  done
done
empty_namespace
kns ctr namespaces rm "$NS" > /dev/null 2>&1 || true
python3 - "${times[zstd]}" "${times[gzip]}" <<'PY'
import statistics, sys
z, g = ([int(x) for x in a.split()] for a in sys.argv[1:3])
mz, mg = statistics.median(z), statistics.median(g)
print(f"median pull + unpack: zstd {mz:.0f} ms, gzip {mg:.0f} ms, zstd/gzip {mz / mg:.2f}x")
PY
