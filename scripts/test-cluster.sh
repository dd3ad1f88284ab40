#!/usr/bin/env bash
# The real-cluster test tier (run by scripts/test.sh after the fast tier; needs root and `mvn verify` done before).
#
# Sets the cluster up the way a user of an air-gapped cluster would, then runs ClusterIT against it:
#   1. starts (or reuses) the single-node Kubernetes 1.20 cluster of ../shared/kube (MINIMAL_IMAGE_KUBE_DIR overrides);
#   2. installs the operator as an air-gapped user would (scripts/cluster/install-operator.sh: toolchain image from
#      Debian packages, the operator and builder images from scripts/image.sh --component operator|builder, all in the
#      cluster's registry; CRD; the chart with the presets pointed at the toolchain image, builder.image at the builder
#      image and watchNamespaces set to the test namespace);
#   3. starts a second registry with htpasswd auth inside the cluster's network namespace (credential cases);
#   4. runs ClusterIT and ExamplesIT (every examples/ manifest as a user applies it) in a JVM inside the cluster's
#      network namespace (the only place the cluster is reachable).
# Everything it builds is cached (/var/cache/minimal-image, /var/cache/mimg-kube). It stops what it started: the
# auth registry always, the cluster only if it was not running before (MINIMAL_IMAGE_KEEP_CLUSTER=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# the team's cluster scripts live beside the checkout (../shared/kube); a clone elsewhere finds them at /work/shared
KUBE_DIR=${MINIMAL_IMAGE_KUBE_DIR:-$ROOT/../shared/kube}
[[ -x $KUBE_DIR/up.sh || -n ${MINIMAL_IMAGE_KUBE_DIR:-} ]] || KUBE_DIR=/work/shared/kube
export KUBE_STATE=${KUBE_STATE:-/tmp/kube/state}
OPERATOR_NS=mimg-system
E2E_NS=mimg-e2e
UNWATCHED_NS=mimg-e2e-unwatched
RELEASE=minimal-image-operator
REPORT=$ROOT/target/cluster-tier
T0=$(date +%s)
log() { printf '[cluster-tier %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (network and mount namespaces, chroot)"
[[ -x $KUBE_DIR/up.sh ]] || die "no cluster scripts at $KUBE_DIR (set MINIMAL_IMAGE_KUBE_DIR)"
[[ -f target/quarkus-app/quarkus-run.jar && -d target/test-classes ]] || die "run mvn verify first"
mkdir -p "$REPORT"
# one tier at a time on this machine: two runs would share the cluster, the test namespace, the release and the
# auth registry (and one's clean-up would stop what the other still uses)
exec 8>/var/lock/minimal-image-cluster-tier.lock
flock -w 3600 8 || die "another cluster tier run holds /var/lock/minimal-image-cluster-tier.lock"

was_running=0
if [[ -e /run/netns/mimgkube && -f $KUBE_STATE/cluster.env ]] && (
    . "$KUBE_STATE/cluster.env"
    timeout 10 nsenter --net="/run/netns/$KUBE_NETNS" env KUBECONFIG="$KUBECONFIG" "$KUBE_BIN/kubectl" get --raw /healthz
  ) >/dev/null 2>&1; then
  was_running=1
fi
log "cluster: $([[ $was_running == 1 ]] && echo reusing the running one || echo starting it)"
# 8>&-: the cluster's daemons (and the registry below) outlive this run when it is kept; holding the lock's fd they
# would block every later run
timeout 1800 "$KUBE_DIR/up.sh" "$KUBE_STATE" 8>&- > "$REPORT/up.log" 2>&1 || { tail -30 "$REPORT/up.log" >&2; die "up.sh failed"; }
# shellcheck disable=SC1091
. "$KUBE_STATE/cluster.env"
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
kubectl_() { knet env KUBECONFIG="$KUBECONFIG" "$KUBE_BIN/kubectl" "$@"; }

cleanup() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    log "failed (exit $rc): cluster state in $REPORT"
    { kubectl_ get mimg,pods -A -o wide; kubectl_ get events -A --sort-by=.lastTimestamp | tail -60; } \
      > "$REPORT/state.txt" 2>&1 || true
    kubectl_ -n "$OPERATOR_NS" logs "deploy/$RELEASE" --tail=400 > "$REPORT/operator.log" 2>&1 || true
  fi
  MIMG_NETNS=$KUBE_NETNS scripts/cluster/auth-registry.sh stop >&2 || true
  if [[ $was_running == 0 && ${MINIMAL_IMAGE_KEEP_CLUSTER:-0} != 1 ]]; then
    log "stopping the cluster this run started"
    "$KUBE_DIR/down.sh" "$KUBE_STATE" > "$REPORT/down.log" 2>&1 || log "down.sh failed: see $REPORT/down.log"
  fi
  log "done in $(( $(date +%s) - T0 ))s (exit $rc)"
}
trap cleanup EXIT
log "cluster up"

# RBAC follows watchNamespaces: the chart puts a Role into each watched namespace, so that namespace must exist
# before the install (ClusterIT recreates it and puts the chart's Role and RoleBinding back)
kubectl_ get namespace "$E2E_NS" >/dev/null 2>&1 || kubectl_ create namespace "$E2E_NS" >&2
# a build-slot cap below the load case's burst of 20 (ClusterIT reads it back from the Deployment)
scripts/cluster/install-operator.sh --set "watchNamespaces={$E2E_NS}" --set maxConcurrentBuilds=3
# shellcheck disable=SC1091
. "$REPORT/operator.env"
AUTH_REGISTRY=$(MIMG_NETNS=$KUBE_NETNS scripts/cluster/auth-registry.sh start 8>&-)
AUTH_CREDENTIALS=/var/cache/minimal-image/auth-registry/credentials

log "running ClusterIT, ExamplesIT, DockerfileToolchainIT, DockerfileClusterIT and PlatformsClusterIT"
# the reports this run writes are the ones newer than this marker (a filtered run leaves older reports behind)
touch "$REPORT/run-started"
knet env KUBECONFIG="$KUBECONFIG" MINIMAL_IMAGE_E2E_CLUSTER=1 \
  MINIMAL_IMAGE_E2E_REGISTRY="$KUBE_REGISTRY" MINIMAL_IMAGE_E2E_AUTH_REGISTRY="$AUTH_REGISTRY" \
  MINIMAL_IMAGE_E2E_AUTH_CREDENTIALS="$AUTH_CREDENTIALS" MINIMAL_IMAGE_E2E_TOOLCHAIN="$TOOLCHAIN" \
  MINIMAL_IMAGE_E2E_KUBECTL="$KUBE_BIN/kubectl" MINIMAL_IMAGE_E2E_OPERATOR_NAMESPACE="$OPERATOR_NS" \
  MINIMAL_IMAGE_E2E_NAMESPACE="$E2E_NS" MINIMAL_IMAGE_E2E_UNWATCHED_NAMESPACE="$UNWATCHED_NS" \
  MINIMAL_IMAGE_E2E_GIT_HOST="$KUBE_GW" \
  timeout 2400 mvn -B -ntp -o failsafe:integration-test failsafe:verify -Dit.test=ClusterIT,ExamplesIT,DockerfileToolchainIT,DockerfileClusterIT,PlatformsClusterIT "$@"
# a green run must have run the cases, not skipped them (a renamed variable would skip the whole class); without a
# filter both classes must have reported
python3 - "$REPORT/run-started" $# target/failsafe-reports/TEST-dev.minimalimage.e2e.*IT.xml <<'PY'
import os, sys, xml.etree.ElementTree as ET
started, filtered, reports = os.path.getmtime(sys.argv[1]), sys.argv[2] != "0", sys.argv[3:]
ran = {}
for report in (r for r in reports if os.path.exists(r) and os.path.getmtime(r) >= started):
    suite = ET.parse(report).getroot()
    ran[suite.get("name").rsplit(".", 1)[-1]] = (int(suite.get("tests")), int(suite.get("skipped")))
    print(f"[cluster-tier] {suite.get('name')}: {suite.get('tests')} tests, {suite.get('skipped')} skipped,"
          f" {suite.get('time')} s", file=sys.stderr)
expected = set() if filtered else {"ClusterIT", "ExamplesIT"}
ok = ran and expected <= ran.keys() and all(tests > 0 and skipped == 0 for tests, skipped in ran.values())
sys.exit(0 if ok else 1)
PY
