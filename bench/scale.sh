#!/usr/bin/env bash
# bench/scale.sh — benchmark (not a test) of the operator with many Ready MinimalImages on the real cluster
# (../shared/kube, netns mimgkube), issue 19 item 5. For each size in SIZES (default "60 1000"):
#   restore  the operator is scaled to 0 and the resources scale-1 .. scale-(N-1) are created Ready, not built: the
#            seed scale-0 (examples/hello-c, really built once by the operator) gives the status; the Java harness
#            src/test/java/dev/minimalimage/e2e/ScaleBench.java gives each copy the inputs hash and builder pod name of
#            the project's own BuildPlanner and writes it through the status subresource, as a restored backup would;
#   start    the operator scaled 0 → 1 (the first operator that sees the restored resources);
#   restart  the operator pod deleted;
#   upgrade  the release upgraded with another builder image tag (builder.image.tag; the same image under a new tag).
# After each trigger it waits until the operator has settled and records: settle time, RSS, reconciles per resource,
# /q/metrics bytes, builder pods created, builds started, pushes, ConfigMaps created, and whether any resource's
# status, generation or resourceVersion changed. Prints one markdown table per phase, sizes side by side; raw data in
# bench/out/scale-<UTC>/.
#
# "Settled" = the JOSDK counters in /q/metrics (reconciliations started/success/failed, events received, summed over
# all series) have counted at least N started reconciles, no reconcile executes or waits in the queue
# (operator_sdk_reconciliations_executions/queue_size gauges 0), and nothing moved for SETTLE_QUIET s (0.5 s polls);
# the settle time is the last change, from the trigger and from the JVM start (process_start_time_seconds).
# RSS = VmRSS of the largest host process in the operator container's cgroup (the JVM), read after settling.
# Builder pods = pod ADDED events in the namespace (a kubectl watch for the whole run); pushes = manifest PUTs under
# /v2/bench/scale- in the cluster registry's log.
#
# Holds the cluster tier's lock (/var/lock/minimal-image-cluster-tier.lock) for the whole run, so it never runs beside
# scripts/test-cluster.sh. Installs its own release (mimg-scale in mimg-scale-system, watching mimg-scale) and at the end
# deletes the resources, uninstalls the release and deletes both namespaces (the CRD and the seed's image stay).
# Needs root, the cluster up, `mvn package` and `mvn test-compile` done. Every wait is bounded.
# Knobs: SIZES ("60 1000", ascending), SETTLE_QUIET (s, 5), SETTLE_WAIT (s, 900), IDLE_AFTER (s, 30: the second RSS reading), LOCK_WAIT (s, 3600),
#   KUBE_STATE (/tmp/kube/state), UNINSTALL=0 (keep everything for a look afterwards), JVM_OPTIONS (the chart's
#   jvmOptions for every install and upgrade; unset = the chart's default, empty = none).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
cd "$ROOT"
SIZES=${SIZES:-60 1000}
SETTLE_QUIET=${SETTLE_QUIET:-5}
IDLE_AFTER=${IDLE_AFTER:-30}
SETTLE_WAIT=${SETTLE_WAIT:-900}
LOCK_WAIT=${LOCK_WAIT:-3600}
UNINSTALL=${UNINSTALL:-1}
export KUBE_STATE=${KUBE_STATE:-/tmp/kube/state}
export PYTHONDONTWRITEBYTECODE=1   # scale_bench.py imports cluster_bench.py: no __pycache__ in the checkout
RELEASE=mimg-scale
OPNS=mimg-scale-system
NS=mimg-scale
ENV_FILE=$ROOT/target/cluster-tier/scale-operator.env
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_DIR/out/scale-$STAMP
log() { printf '[scale-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }

prev=0
for n in $SIZES; do
  [[ $n =~ ^[0-9]+$ ]] && (( n > prev )) || die "SIZES must be ascending positive integers: $SIZES"
  prev=$n
done
[[ $(id -u) == 0 ]] || die "run as root (network and mount namespaces, the node's /proc)"
[[ -f target/quarkus-app/quarkus-run.jar && -f target/test-classes/dev/minimalimage/e2e/ScaleBench.class ]] \
  || die "run mvn package and mvn test-compile first"
[[ -f $KUBE_STATE/cluster.env ]] || die "no cluster at $KUBE_STATE: run ../shared/kube/up.sh"
mkdir -p "$OUT"
exec 8>/var/lock/minimal-image-cluster-tier.lock
log "waiting for the cluster tier's lock (at most $LOCK_WAIT s)"
flock -w "$LOCK_WAIT" 8 || die "the cluster tier's lock is held by another run"

# shellcheck disable=SC1091
. "$KUBE_STATE/cluster.env"
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
K() { knet env KUBECONFIG="$KUBECONFIG" timeout --kill-after=10 330 "$KUBE_BIN/kubectl" "$@"; }
PY() { knet env KUBECONFIG="$KUBECONFIG" EXAMPLE="$ROOT/examples/hello-c/minimalimage.yaml" \
  timeout --kill-after=10 "${PY_TIMEOUT:-600}" python3 "$BENCH_DIR/$1" "${@:2}"; }
REGLOG=$KUBE_STATE/logs/registry.log

# ------------------------------------------------------------------------------------------------ install
install() { # extra helm --set arguments
  MINIMAL_IMAGE_RELEASE=$RELEASE MINIMAL_IMAGE_OPERATOR_NS=$OPNS MINIMAL_IMAGE_OPERATOR_ENV=$ENV_FILE \
    timeout --kill-after=10 1800 scripts/cluster/install-operator.sh 8>&- --set "watchNamespaces={$NS}" \
    ${JVM_OPTIONS+--set-string "jvmOptions=$JVM_OPTIONS"} "$@" \
    >> "$OUT/install.log" 2>&1 || { tail -20 "$OUT/install.log" >&2; die "install-operator.sh failed"; }
}
if K get namespace "$NS" >/dev/null 2>&1; then
  log "deleting the namespace $NS left by an earlier run"
  K -n "$NS" delete mimg --all --wait=true --timeout=300s >/dev/null 2>&1 || true
  K delete namespace "$NS" --wait=true --timeout=300s >/dev/null
fi
K create namespace "$NS" >/dev/null
log "installing release $RELEASE into $OPNS (log: $OUT/install.log)"
install
# shellcheck disable=SC1090
. "$ENV_FILE"
BUILDER_TAGS=("$BUILDER_IMAGE" "$BUILDER_IMAGE-next")   # the upgrades alternate between the two tags
knet skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$BUILDER_IMAGE" "docker://$BUILDER_IMAGE-next" \
  || die "could not tag the builder image $BUILDER_IMAGE-next"
{ echo "STAMP=$STAMP"; echo "OPERATOR_IMAGE=$OPERATOR_IMAGE"; echo "BUILDER_IMAGE=$BUILDER_IMAGE"
  echo "TOOLCHAIN=$TOOLCHAIN"; echo "LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)"; } > "$OUT/run.env"

WATCH_PID=
cleanup() {
  local rc=$?
  set +e
  [[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
  K -n "$OPNS" logs "deploy/$RELEASE" > "$OUT/operator.log" 2>&1
  if [[ $UNINSTALL == 1 ]]; then
    log "clean-up: MinimalImages in $NS, release $RELEASE, namespaces $NS $OPNS (the CRD stays)"
    K -n "$OPNS" scale "deploy/$RELEASE" --replicas=1 >/dev/null   # its finalizers need the operator
    K -n "$NS" delete mimg --all --wait=true --timeout=600s >/dev/null
    knet env KUBECONFIG="$KUBECONFIG" HELM_CACHE_HOME="$ROOT/target/cluster-tier/helm/cache" \
      HELM_CONFIG_HOME="$ROOT/target/cluster-tier/helm/config" HELM_DATA_HOME="$ROOT/target/cluster-tier/helm/data" \
      timeout --kill-after=10 300 "$TOOLS/helm" uninstall "$RELEASE" -n "$OPNS" --wait --timeout 3m >&2
    force_stuck "$OPNS"; force_stuck "$NS"
    K delete namespace "$NS" "$OPNS" --wait=true --timeout=300s >&2
  fi
  log "done (exit $rc); raw data in $OUT"
}
trap cleanup EXIT

# A pod whose containers all exited but which stays Terminating (the test cluster's kubelet cannot always unmount the
# token tmpfs) blocks the namespace deletion: force-delete those (deletionTimestamp set, no running container).
force_stuck() {
  local p
  for p in $(K -n "$1" get pods -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name} {.status.containerStatuses[*].state.running}{"\n"}{end}' 2>/dev/null | awk 'NF==1{print $1}'); do
    log "force-deleting $1/$p (Terminating, no running container)"
    K -n "$1" delete pod "$p" --grace-period=0 --force >/dev/null 2>&1 || true   # it may be gone by now
  done
  return 0
}
op_pod() { # NAME IP CONTAINER_ID of the Running operator pod that has a container and is not being deleted
  # (the "x" marks the end: a Terminating pod whose container is gone has no ID but a deletionTimestamp, which a
  # count of fields alone took for a live pod)
  K -n "$OPNS" get pods -l "app.kubernetes.io/instance=$RELEASE" \
    -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name} {.status.podIP} {.status.containerStatuses[0].containerID} x{.metadata.deletionTimestamp}{"\n"}{end}' \
    | awk 'NF==4 && $4=="x" {print $1, $2, $3}' | head -1
}
wait_no_operator() {
  local i
  for i in $(seq 1 240); do
    [[ -z $(K -n "$OPNS" get pods -l "app.kubernetes.io/instance=$RELEASE" -o name) ]] && return 0
    force_stuck "$OPNS"
    sleep 0.5
  done
  die "the operator pod did not go away within 120 s"
}
count_cm() { K -n "$NS" get configmaps -o name | grep -c -v '/kube-root-ca.crt$' || true; }
count_puts() { grep -c -E 'method=PUT .*uri="?/v2/bench/scale-[^ ]*/manifests/' "$REGLOG" || true; }

# pod ADDED events in the namespace for the whole run (the builder pods a phase created = lines it added)
# not through the knet function: $! must be the watcher itself (nsenter, env and timeout exec or wait), not a subshell
nsenter --net="/run/netns/$KUBE_NETNS" -- env KUBECONFIG="$KUBECONFIG" timeout 14400 "$KUBE_BIN/kubectl" -n "$NS" \
  get pods --watch --output-watch-events \
  -o custom-columns=EVENT:.type,NAME:.object.metadata.name --no-headers > "$OUT/pod-events.txt" 2>&1 8>&- &
WATCH_PID=$!

# ------------------------------------------------------------------------------------------------ seed
log "seed: building scale-0 (examples/hello-c) for real"
echo scale-0 > "$OUT/seed.names"
PY cluster_bench.py create "$OUT/posts.jsonl" "$NS" scale 0 1 "$KUBE_REGISTRY/bench" - 1 \
  || die "POST of the seed failed"
PY cluster_bench.py wait-ready "$NS" "$OUT/seed.names" 600 || die "the seed scale-0 did not get Ready"
sleep 2

CP="target/test-classes:target/classes:$(printf '%s:' target/quarkus-app/lib/main/*.jar)"
builder_tag=0

# MEASURE N PHASE T_TRIGGER OLD_POD BEFORE_SNAPSHOT PODS_BEFORE PUTS_BEFORE CMS_BEFORE
measure() {
  local n=$1 phase=$2 t0=$3 old=$4 before=$5 pods0=$6 puts0=$7 cms0=$8 p ip cid i
  for i in $(seq 1 480); do
    read -r p ip cid <<< "$(op_pod)" || true
    [[ -n ${p:-} && $p != "$old" ]] && break
    p=; force_stuck "$OPNS"; sleep 0.5
  done
  [[ -n $p ]] || die "$phase: no new operator pod Running within 240 s"
  log "$n/$phase: operator pod $p ($ip); waiting until it has settled"
  PY_TIMEOUT=$((SETTLE_WAIT + 60)) PY scale_bench.py settle "http://$ip:8080/q/metrics" "$n" "$SETTLE_QUIET" \
    "$SETTLE_WAIT" "$OUT/settle-$n-$phase.json" || die "$phase with $n resources: not settled within $SETTLE_WAIT s"
  local rss; rss=$(python3 "$BENCH_DIR/scale_bench.py" rss "$cid")
  local settled_at=$SECONDS
  sleep 2   # let late pod events reach the watch
  PY scale_bench.py snapshot "$NS" "$OUT/snap-$n-$phase.json"
  PY scale_bench.py compare "$before" "$OUT/snap-$n-$phase.json" > "$OUT/compare-$n-$phase.json"
  local pods; pods=$(grep -c '^ADDED' "$OUT/pod-events.txt" || true)
  K -n "$OPNS" logs "$p" > "$OUT/operator-$n-$phase.log" 2>&1 || true
  local leader; leader=$(grep -F "New leader with identity: $p" "$OUT/operator-$n-$phase.log" | head -1 | cut -c1-23)
  # the idle operator IDLE_AFTER s later: what a periodic GC (G1PeriodicGCInterval) gives back shows only then
  local wait=$(( settled_at + IDLE_AFTER - SECONDS ))
  (( wait > 0 )) && sleep "$wait"
  local rss_idle; rss_idle=$(python3 "$BENCH_DIR/scale_bench.py" rss "$cid")
  python3 - "$OUT" "$n" "$phase" "$t0" "$rss" $((pods - pods0)) $(( $(count_puts) - puts0 )) \
    $(( $(count_cm) - cms0 )) "$leader" "$rss_idle" <<'PYF' >> "$OUT/figures.jsonl"
import datetime, json, os, sys
out, n, phase, t0, rss, pods, puts, cms, leader, rss_idle = sys.argv[1:11]
s = json.load(open(os.path.join(out, f'settle-{n}-{phase}.json')))
c = json.load(open(os.path.join(out, f'compare-{n}-{phase}.json')))
sums = s['sums']
print(json.dumps({'n': int(n), 'phase': phase,
                  'trigger_to_settled': round(s['last_change'] - float(t0), 1),
                  'jvm_to_settled': round(s['last_change'] - sums['process_start_time_seconds'], 1),
                  # the operator logs in UTC; the new pod leads once the old pod's Lease has expired (not released)
                  'jvm_to_leader': round(datetime.datetime.strptime(leader, '%Y-%m-%d %H:%M:%S,%f').replace(
                      tzinfo=datetime.timezone.utc).timestamp() - sums['process_start_time_seconds'], 1) if leader else None,
                  'rss_mib': round(int(rss) / 1024), 'rss_idle_mib': round(int(rss_idle) / 1024), 'per_resource': sums['operator_sdk_reconciliations_started_total'] / int(n),
                  'metrics_bytes': s['metrics_bytes'], 'builder_pods': int(pods),
                  'builds_started': int(sums['minimalimage_builds_started_total']), 'pushes': int(puts),
                  'configmaps_created': int(cms), 'ready': f"{c['ready']}/{c['resources']}",
                  'status_changed': c['status_changed'], 'rv_changed': c['rv_changed'],
                  'generation_changed': c['generation_changed'], 'missing': c['missing'], 'sums': sums}))
PYF
  log "$n/$phase: $(tail -1 "$OUT/figures.jsonl" | cut -c1-400)"
}

# PHASE N TRIGGER...: snapshot, run the trigger, measure
phase() {
  local phase=$1 n=$2 old snap=$OUT/snap-$2-before-$1.json pods puts cms t0
  shift 2
  # the pod the trigger replaces; without it the first Running pod would count as the new one (a restart's or an
  # upgrade's figures would be the previous phase's pod again): an empty answer is retried, then fatal
  local i
  for i in $(seq 1 20); do
    read -r old _ <<< "$(op_pod)" || true
    [[ -n ${old:-} || $phase == start ]] && break
    sleep 0.5
  done
  [[ -n ${old:-} || $phase == start ]] || die "$n/$phase: no Running operator pod before the trigger"
  PY scale_bench.py snapshot "$NS" "$snap"
  pods=$(grep -c '^ADDED' "$OUT/pod-events.txt" || true); puts=$(count_puts); cms=$(count_cm)
  log "$n/$phase: $*"
  t0=$(now)
  "$@" &   # measured while it runs: an upgrade's rollout wait would otherwise hide the settling
  local trigger=$!
  measure "$n" "$phase" "$t0" "${old:-none}" "$snap" "$pods" "$puts" "$cms"
  wait "$trigger" || die "$n/$phase: $* failed"
}
scale_up() { K -n "$OPNS" scale "deploy/$RELEASE" --replicas=1 >/dev/null; }
delete_pod() { K -n "$OPNS" delete pod "$1" --wait=false >/dev/null; }
upgrade() { install --set "builder.image.tag=$1"; }

have=1   # scale-0, the seed
for n in $SIZES; do
  log "$n resources: scaling the operator to 0 and restoring scale-$have .. scale-$((n - 1))"
  K -n "$OPNS" scale "deploy/$RELEASE" --replicas=0 >/dev/null
  wait_no_operator
  t=$(now)
  knet env KUBECONFIG="$KUBECONFIG" timeout --kill-after=10 1200 java -cp "$CP" dev.minimalimage.e2e.ScaleBench \
    "$NS" scale-0 scale "$have" $((n - have)) "$TOOLCHAIN" "$BUILDER_IMAGE" > /dev/null 2> "$OUT/restore-$n.log" \
    || { tail -20 "$OUT/restore-$n.log" >&2; die "restore failed"; }
  log "$n resources: restored $((n - have)) in $(python3 -c "print(round($(now) - $t, 1))") s"
  have=$n
  phase start "$n" scale_up
  read -r pod _ <<< "$(op_pod)"
  phase restart "$n" delete_pod "$pod"
  builder_tag=$((1 - builder_tag))
  phase upgrade "$n" upgrade "${BUILDER_TAGS[$builder_tag]##*:}"
done
echo "LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/run.env"
python3 "$BENCH_DIR/scale_bench.py" report "$OUT" | tee "$OUT.md"
log "report: $OUT.md"
