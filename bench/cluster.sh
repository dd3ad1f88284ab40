#!/usr/bin/env bash
# bench/cluster.sh — benchmark (not a test) of the operator on the real cluster (../shared/kube, netns mimgkube):
#   1. apply → Ready of the inline C hello (examples/hello-c) one resource at a time: COLD=1 run with the toolchain and
#      operator images removed from the node's containerd, then WARM_RUNS runs (median, min–max), with the breakdown
#      pod created / scheduled / pulled / compile / package / Ready (watch, pod status, and containerd's own log lines
#      with ns times), and the image bytes as the registry stores them;
#   1b. the floor (issue 19 item 3): FLOOR_RUNS bare pods in the same toolchain image that only compile main.c of the
#      example the way the C preset does, Pod Security restricted like ours, POST → phase Succeeded seen by the watch
#      (ours ends at Ready=True seen by it); then ours' warm median against 2.0 s and 1.5 × the floor's median;
#   1c. go (issue 19 item 3): a small inline Go program (the Go preset) WARM_RUNS runs one at a time, same breakdown;
#      its floor: FLOOR_RUNS bare pods in the toolchain image building the same main.go the way the Go preset does
#      (FLOOR_GO: cgo off, -trimpath, -ldflags "-s -w", an empty GOCACHE in the pod's emptyDir as in the builder pod);
#   1d. git (issue 19 item 3): hello-c's main.c from spec.source.git (ssh, a Secret with the key), served by the
#      cluster tests' JGit SSH server (bench/GitServe.java) on the node's address inside the netns; WARM_RUNS runs with
#      the fetch container's times in the breakdown (a regular container beside compile since issue 19 item 2); its floor: FLOOR_RUNS bare pods whose init container writes
#      main.c into the emptyDir (no transfer: the toolchain image has no git client) before the compile container;
#   2. the peer in the same run: ../shared/kube/peer-buildah.sh (Shipwright-style buildah) with PEER_RUNS runs;
#   2b. the peer's own Dockerfile (the one peer-buildah.sh gives buildah) as a MinimalImage with spec.dockerfile,
#      DF_RUNS runs one at a time (issue 18): apply → Ready, image bytes and digests beside buildah's;
#   3. BURST resources created at once: p50/p95 of create → builder pod created and pod finished → Ready;
#   4. operator restart with RESTART_N Ready resources: builder pods/pushes after the restart, time to settle, RSS.
# It installs its OWN release (mimg-bench in mimg-bench-system, watching mimg-bench) with
# scripts/cluster/install-operator.sh and uninstalls it at the end (the CRD stays). Prints one markdown report on
# stdout, copies it to bench/out/cluster-<UTC timestamp>.md; raw data in bench/out/cluster-<UTC timestamp>/;
# progress on stderr. Every wait is bounded.
#
#   bench/cluster.sh                                    defaults: WARM_RUNS=5 FLOOR_RUNS=5 PEER_RUNS=3 BURST=20 RESTART_N=60 (BURST=100 thrashes 2 vCPUs, see README)
#   WARM_RUNS=2 PEER_RUNS=1 BURST=10 RESTART_N=10 bench/cluster.sh       quick
#   STEPS="cold warm floor" bench/cluster.sh            issue 19 item 3: ours against the floor
#   STEPS="warm floor go git" bench/cluster.sh          the same for hello-c, a Go program and a git source
# Knobs: STEPS ("cold warm floor peer dockerfile burst restart"; also "go git", not in the default), WARM_RUNS (also
#   the runs of go and git), FLOOR_RUNS (5; also each of go's and git's floors), DF_RUNS (3), PEER_RUNS, PEER_REPRO_RUNS (1), BURST, RESTART_N,
#   KEEP (keepFinishedPods of the burst resources, 0), PARALLEL (concurrent POSTs of the burst, 20),
#   EXTRA_BATCH (20: resources beyond BURST that RESTART_N needs are created and awaited in batches of this size),
#   WAIT (s, per single build, 600), GIT_SERVE_MAX (s, the git server's longest life, 3600), BURST_WAIT (s, 1800), SETTLE_QUIET (s, 5), SETTLE_WAIT (s, 600),
#   INSTALL=0 (reuse an installed mimg-bench), UNINSTALL=0 (keep the release afterwards), KUBE_STATE (/tmp/kube/state),
#   KUBE_DIR (the shared cluster's scripts: ../shared/kube, else ../../shared/kube).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
cd "$ROOT"
STEPS=${STEPS:-cold warm floor peer dockerfile burst restart}
FLOOR_RUNS=${FLOOR_RUNS:-5}
DF_RUNS=${DF_RUNS:-3}
WARM_RUNS=${WARM_RUNS:-5}
PEER_RUNS=${PEER_RUNS:-3}
PEER_REPRO_RUNS=${PEER_REPRO_RUNS:-1}
BURST=${BURST:-20}
RESTART_N=${RESTART_N:-60}
KEEP=${KEEP:-0}
PARALLEL=${PARALLEL:-20}
EXTRA_BATCH=${EXTRA_BATCH:-20}
WAIT=${WAIT:-600}
BURST_WAIT=${BURST_WAIT:-1800}
SETTLE_QUIET=${SETTLE_QUIET:-5}
SETTLE_WAIT=${SETTLE_WAIT:-600}
GIT_SERVE_MAX=${GIT_SERVE_MAX:-3600}
INSTALL=${INSTALL:-1}
UNINSTALL=${UNINSTALL:-1}
KUBE_STATE=${KUBE_STATE:-/tmp/kube/state}
RELEASE=mimg-bench
OPNS=mimg-bench-system
NS=mimg-bench
ENV_FILE=$ROOT/target/cluster-tier/bench-operator.env
# the shared cluster's scripts: beside the checkout, or beside its parent (a git worktree in wt/)
KUBE_DIR=${KUBE_DIR:-$ROOT/../shared/kube}
[ -d "$KUBE_DIR" ] || KUBE_DIR=$ROOT/../../shared/kube
KUBE_DIR=$(cd "$KUBE_DIR" && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH_DIR/out/cluster-$STAMP
mkdir -p "$OUT"
for v in WARM_RUNS FLOOR_RUNS DF_RUNS PEER_RUNS PEER_REPRO_RUNS BURST RESTART_N KEEP PARALLEL EXTRA_BATCH; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a non-negative integer" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
has() { [[ " $STEPS " == *" $1 "* ]]; }
log() { printf '[cluster-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
note() { echo "$*" >> "$OUT/notes.txt"; log "NOTE: $*"; }
T() { timeout --kill-after=10 "$@"; }
now() { date +%s.%N; }
: > "$OUT/notes.txt"

# ------------------------------------------------------------------------------------------------ 0. install
[ -f "$KUBE_STATE/cluster.env" ] || { log "no cluster at $KUBE_STATE: run ../shared/kube/up.sh"; exit 1; }
if [ "$INSTALL" = 1 ]; then
  # the chart grants the operator its Role in each watched namespace: the namespace must exist first, empty
  . "$KUBE_STATE/cluster.env"
  K0() { nsenter --net="/run/netns/$KUBE_NETNS" -- env KUBECONFIG="$KUBECONFIG" timeout --kill-after=10 330 "$KUBE_BIN/kubectl" "$@"; }
  if K0 get namespace "$NS" >/dev/null 2>&1; then
    K0 -n "$NS" delete mimg --all --wait=true --timeout=300s >/dev/null 2>&1 || true
    K0 delete namespace "$NS" --wait=true --timeout=300s >/dev/null
  fi
  K0 create namespace "$NS" >/dev/null
  log "installing release $RELEASE into $OPNS (log: $OUT/install.log)"
  inst() {
    MINIMAL_IMAGE_RELEASE=$RELEASE MINIMAL_IMAGE_OPERATOR_NS=$OPNS MINIMAL_IMAGE_OPERATOR_ENV=$ENV_FILE \
      T 1800 scripts/cluster/install-operator.sh --set "watchNamespaces={$NS}" \
      >> "$OUT/install.log" 2>&1
  }
  inst || { log "install failed once (retrying; see $OUT/install.log)"; sleep 5; inst; } \
    || { tail -20 "$OUT/install.log" >&2; exit 1; }
fi
# shellcheck disable=SC1090
. "$ENV_FILE"
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
kns() { nsenter --mount=/run/mimgkube/mnt --net="/run/netns/$KUBE_NETNS" -- "$@"; }
K() { knet env KUBECONFIG="$KUBECONFIG" timeout --kill-after=10 330 "$KUBE_BIN/kubectl" "$@"; }
# EXAMPLE: the manifest create (and floor, for its source) reads; a caller's EXAMPLE=… PY … wins over hello-c
PY() { knet env KUBECONFIG="$KUBECONFIG" EXAMPLE="${EXAMPLE:-$ROOT/examples/hello-c/minimalimage.yaml}" python3 "$BENCH_DIR/cluster_bench.py" "$@"; }
REG=$KUBE_REGISTRY
REGLOG=$KUBE_STATE/logs/registry.log
# containerd's CRI log (sandbox and container create/start/exit with ns times): the report reads what the run appends
CTRLOG=$KUBE_STATE/logs/containerd.log
CTRLOG_FROM=$(stat -c %s "$CTRLOG" 2>/dev/null || echo 0)
REGLOG_FROM=$(stat -c %s "$REGLOG" 2>/dev/null || echo 0)
# the C preset's compile of a single main.c with the toolchain's musl-gcc: presets.sh's c-musl compiler with
# LanguagePresets.C_FLAGS and C_LDFLAGS (keep in step with those)
FLOOR_CC='musl-gcc -Os -ffunction-sections -fdata-sections -static -s -Wl,--gc-sections -o /tmp/hello main.c'
# the Go preset's build of a main.go without go.mod (presets.sh build_go, LanguagePresets.GO_LDFLAGS; keep in step):
# cgo off, GOPATH mode, -trimpath -buildvcs=false, -ldflags="-s -w", and GOCACHE in the pod's own emptyDir: without
# spec.build.cache the builder pod has no CACHE_DIR, so its Go build cache starts empty in every pod, like this one
FLOOR_GO='export CGO_ENABLED=0 GOCACHE=/tmp/cache/go-build GOMODCACHE=/tmp/cache/go-mod GOPATH=/tmp/gopath GOTOOLCHAIN=local GO111MODULE=off GOFLAGS="-trimpath -buildvcs=false" && go build -ldflags="-s -w" -o /tmp/hello .'
GIT_SECRET=bench-git
others_running() { # pods running outside the bench's namespaces (the test tier, say): how loaded the node is
  K get pods -A --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.metadata.namespace}{"\n"}{end}' 2>/dev/null \
    | grep -v -x -e "$NS" -e "$OPNS" -e kube-system | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2} END {if (NR == 0) printf "none"}'
}
{
  echo "STAMP=$STAMP"; echo "NS=$NS"; echo "KEEP=$KEEP"; echo "PARALLEL=$PARALLEL"
  echo "OPERATOR_IMAGE=$OPERATOR_IMAGE"; echo "BUILDER_IMAGE=${BUILDER_IMAGE:-$OPERATOR_IMAGE}"; echo "TOOLCHAIN=$TOOLCHAIN"
  echo "FLOOR_CC=$FLOOR_CC"; echo "FLOOR_GO=$FLOOR_GO"; echo "LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)"; echo "OTHERS0=$(others_running)"
} > "$OUT/run.env"

WATCH_PID=
GIT_PID=
GIT_TMP=
stop_git_server() { # the git step's server (by its PID) and its keys
  if [ -n "$GIT_PID" ]; then
    kill "$GIT_PID" 2>/dev/null || true
    wait "$GIT_PID" 2>/dev/null || true   # its status is TERM's (143): not a failure of the run
    GIT_PID=
  fi
  if [ -n "$GIT_TMP" ]; then rm -rf "$GIT_TMP"; GIT_TMP=; fi
  return 0
}
cleanup() {
  set +e
  [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
  stop_git_server
  if [ "$UNINSTALL" = 1 ]; then
    log "uninstalling: MinimalImages in $NS, helm release $RELEASE, namespaces $NS $OPNS (the CRD stays)"
    K -n "$NS" delete mimg --all --wait=true --timeout=300s >/dev/null 2>&1
    knet env KUBECONFIG="$KUBECONFIG" HELM_CACHE_HOME="$ROOT/target/cluster-tier/helm/cache" \
      HELM_CONFIG_HOME="$ROOT/target/cluster-tier/helm/config" HELM_DATA_HOME="$ROOT/target/cluster-tier/helm/data" \
      timeout --kill-after=10 300 "$TOOLS/helm" uninstall "$RELEASE" -n "$OPNS" --wait --timeout 3m >&2
    force_stuck "$OPNS"; force_stuck "$NS"
    K delete namespace "$NS" "$OPNS" --wait=true --timeout=300s >&2
  fi
}
trap cleanup EXIT

# A pod whose containers have all exited but which stays Terminating (seen here: the kubelet cannot unmount the
# operator's service-account token tmpfs, "unlinkat …: device or resource busy") blocks the namespace deletion:
# force-delete those (only pods with a deletionTimestamp and no running container).
force_stuck() {
  local p
  for p in $(K -n "$1" get pods -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.name} {.status.containerStatuses[*].state.running}{"\n"}{end}' 2>/dev/null | awk 'NF==1{print $1}'); do
    log "force-deleting $1/$p (Terminating, no running container)"
    K -n "$1" delete pod "$p" --grace-period=0 --force >/dev/null 2>&1
  done
}
op_pod() { K -n "$OPNS" get pods -l "app.kubernetes.io/instance=$RELEASE" \
  -o jsonpath='{range .items[?(@.status.phase=="Running")]}{.metadata.name} {.status.podIP} {.status.containerStatuses[0].containerID}{"\n"}{end}' \
  | awk 'NF==3' | head -1; }
rss_of() { # containerd://ID -> "VmRSS" of the largest process in that container (host /proc)
  local id=${1#containerd://} best=0 p r
  for p in $(grep -l "$id" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3); do
    r=$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$best" ] && best=$r
  done
  awk -v k="$best" 'BEGIN{printf "%.0f MiB", k/1024}'
}
forget_image() { # remove every ref (tag, repo@digest, sha256:ID) pointing at IMAGE's manifest from the node
  local img=$1 dig refs
  dig=$(kns ctr -n k8s.io images ls | awk -v r="$img" '$1==r{print $3}')
  [ -n "$dig" ] || { log "$img not on the node"; return 0; }
  refs=$(kns ctr -n k8s.io images ls | awk -v d="$dig" '$3==d{print $1}')
  # shellcheck disable=SC2086
  kns ctr -n k8s.io images rm $refs >/dev/null
  log "removed from the node: $(echo $refs | wc -w) ref(s) of $img"
}
ready_names() { K -n "$NS" get mimg -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | awk '$2=="True"{print $1}'; }

# ------------------------------------------------------------------------------------------------ namespace + watch
log "namespace $NS without MinimalImages (it holds the chart's Role for the operator)"
K get namespace "$NS" >/dev/null 2>&1 || K create namespace "$NS" >/dev/null
K -n "$NS" delete mimg --all --wait=true --timeout=300s >/dev/null || true
for i in $(seq 1 60); do K -n "$NS" get sa default >/dev/null 2>&1 && break; sleep 0.5; done
# not through the knet function: $! must be the watcher itself (nsenter and env exec it), not a subshell around it
nsenter --net="/run/netns/$KUBE_NETNS" -- env KUBECONFIG="$KUBECONFIG" python3 "$BENCH_DIR/cluster_bench.py" watch \
  "$OUT/watch.jsonl" "$NS" "$OPNS" 2> "$OUT/watch.err" &
WATCH_PID=$!
sleep 2

# create's names are PREFIX-i; for single runs the prefix is hello and FIRST is the run number
cpu_snap() { python3 "$BENCH_DIR/cluster_bench.py" cpu-snap "$OUT/cpu/$1.json" 2>/dev/null || true; }
mkdir -p "$OUT/cpu"
single() { # RUN_NUMBER: hello-RUN_NUMBER, examples/hello-c
  build_one hello "$1" "$ROOT/examples/hello-c/minimalimage.yaml" "$OUT/registry.jsonl"
}
build_one() { # PREFIX RUN_NUMBER EXAMPLE REGISTRY_JSONL: PREFIX-RUN_NUMBER from EXAMPLE, apply → Ready, its bytes
  local n=$1-$2
  cpu_snap "$n.0"
  EXAMPLE=$3 PY create "$OUT/posts.jsonl" "$NS" "$1" "$2" 1 "$REG/bench" - 1 2>> "$OUT/create.err" \
    || { note "POST of $n failed: $(tail -1 "$OUT/create.err")"; return 0; }
  echo "$n" > "$OUT/one.names"
  PY wait-ready "$NS" "$OUT/one.names" "$WAIT" 2>> "$OUT/wait.err" || note "$n not Ready within $WAIT s: $(tail -3 "$OUT/wait.err" | tr '\n' ' ')"
  cpu_snap "$n.1"
  sleep 1   # let the watch see the last pod updates
  PY regbytes "$REG" "bench/$n" 1 >> "$4" 2>> "$OUT/wait.err" || note "registry read of bench/$n failed"
}
floor_one() { # NAME EXAMPLE FILE COMMAND [init]: the floor pod NAME compiling EXAMPLE's inline FILE with COMMAND
  cpu_snap "$1.0"
  EXAMPLE=$2 FLOOR_FILE=$3 FLOOR_CC=$4 FLOOR_INIT=${5:-} PY floor "$OUT/posts.jsonl" "$NS" "$1" "$TOOLCHAIN" "$WAIT" 2>> "$OUT/wait.err" \
    || note "$1: $(tail -1 "$OUT/wait.err")"
  cpu_snap "$1.1"
  sleep 1   # as after ours: let the watch see the last pod updates
}

# ------------------------------------------------------------------------------------------------ 1. cold + warm
if has cold; then
  # any phase: a finished pod's containers stay on the node until the pod is deleted, and with them their snapshots
  others=$(K get pods -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.spec.initContainers[*].image} {.spec.containers[*].image}{"\n"}{end}' \
    | grep -v "^$OPNS/" | grep -F -e "$TOOLCHAIN" -e "$OPERATOR_IMAGE" -e "${BUILDER_IMAGE:-$OPERATOR_IMAGE}" \
    | awk '{print $1}' | tr '\n' ' ' || true)
  # the builder pod's steps run the builder image (install-operator.sh writes BUILDER_IMAGE), the Deployment the operator's
  forget_image "$TOOLCHAIN"; forget_image "$OPERATOR_IMAGE"; forget_image "${BUILDER_IMAGE:-$OPERATOR_IMAGE}"
  sync; sleep 2
  cn="toolchain, builder and operator images removed from the node's containerd (all refs) right before the run"
  [ -n "$others" ] && cn="$cn; pods of others (running or finished, not deleted) use them ($(echo $others | wc -w): $(echo $others | cut -d' ' -f1-3)…): their snapshots stay, so the cold pull may skip the layers and unpack (a pull in well under a second says so)"
  [ -n "$(op_pod)" ] && cn="$cn; the operator's own running container keeps its image's snapshot"
  echo "COLD_NOTE=$cn" >> "$OUT/run.env"
  log "cold run (hello-0)"
  single 0
  echo hello-0 > "$OUT/cold.names"
fi
if has warm; then
  : > "$OUT/warm.names"
  for i in $(seq 1 "$WARM_RUNS"); do
    log "warm run $i/$WARM_RUNS"
    single "$i"
    echo "hello-$i" >> "$OUT/warm.names"
  done
fi
if has floor && [ "$FLOOR_RUNS" -gt 0 ]; then
  # warm like ours: without a cold or warm run before it, an untimed first pod pulls the toolchain image
  if ! has cold && ! has warm; then
    log "floor: untimed pod floor-0 (the toolchain image onto the node)"
    FLOOR_CC=$FLOOR_CC PY floor "$OUT/posts-floor0.jsonl" "$NS" floor-0 "$TOOLCHAIN" "$WAIT" 2>> "$OUT/wait.err" \
      || note "floor-0 failed: $(tail -1 "$OUT/wait.err")"
  fi
  : > "$OUT/floor.names"
  for i in $(seq 1 "$FLOOR_RUNS"); do
    log "floor run $i/$FLOOR_RUNS"
    cpu_snap "floor-$i.0"
    FLOOR_CC=$FLOOR_CC PY floor "$OUT/posts.jsonl" "$NS" "floor-$i" "$TOOLCHAIN" "$WAIT" 2>> "$OUT/wait.err" \
      || note "floor-$i: $(tail -1 "$OUT/wait.err")"
    cpu_snap "floor-$i.1"
    sleep 1   # as after ours: let the watch see the last pod updates
    echo "floor-$i" >> "$OUT/floor.names"
  done
fi
# ------------------------------------------------------------------------------------------------ 1c. go
if has go && [ "$WARM_RUNS" -gt 0 ]; then
  PY example go "$OUT/go-example.yaml" || { log "could not write the Go example"; exit 1; }
  if ! has cold && ! has warm; then   # warm like hello-c's runs: the images onto the node first, untimed
    log "go: untimed run go-0 (the toolchain and builder images onto the node)"
    build_one go 0 "$OUT/go-example.yaml" "$OUT/registry-go0.jsonl"
  fi
  : > "$OUT/go.names"
  for i in $(seq 1 "$WARM_RUNS"); do
    log "go run $i/$WARM_RUNS"
    build_one go "$i" "$OUT/go-example.yaml" "$OUT/registry-go.jsonl"
    echo "go-$i" >> "$OUT/go.names"
  done
  : > "$OUT/floor-go.names"
  for i in $(seq 1 "$FLOOR_RUNS"); do
    log "go floor run $i/$FLOOR_RUNS"
    floor_one "floor-go-$i" "$OUT/go-example.yaml" main.go "$FLOOR_GO"
    echo "floor-go-$i" >> "$OUT/floor-go.names"
  done
fi

# ------------------------------------------------------------------------------------------------ 1d. git
if has git && [ "$WARM_RUNS" -gt 0 ]; then
  # the cluster tests' git server (JGit's SSH server, see bench/GitServe.java) on the node's address inside the
  # cluster's network namespace, serving hello-c's main.c on main; its key pair and host key are fresh and live in a
  # private temporary directory (not in $OUT), removed at the end
  GIT_TMP=$(mktemp -d /tmp/mimg-bench-git.XXXXXX)
  PY inline-file main.c > "$GIT_TMP/main.c"
  jgit_version=$(find target/quarkus-app/lib/main -name 'org.eclipse.jgit.org.eclipse.jgit-*.jar' -printf '%f\n' \
    | sed 's/^org\.eclipse\.jgit\.org\.eclipse\.jgit-\(.*\)\.jar$/\1/')
  junit_ssh=$HOME/.m2/repository/org/eclipse/jgit/org.eclipse.jgit.junit.ssh/$jgit_version/org.eclipse.jgit.junit.ssh-$jgit_version.jar
  [ -f "$junit_ssh" ] || { log "missing $junit_ssh (the test dependency; mvn test-compile fetches it)"; exit 1; }
  [ -f "$ROOT/target/test-classes/dev/minimalimage/testsupport/SshKeys.class" ] \
    || { log "missing target/test-classes (GitServe uses the tests' SshKeys): mvn test-compile"; exit 1; }
  log "git: starting the SSH git server on $KUBE_GW inside the netns (log: $OUT/git-serve.log)"
  # not through knet: $! must be timeout itself (nsenter execs it); timeout passes our TERM on to the JVM
  nsenter --net="/run/netns/$KUBE_NETNS" -- timeout --kill-after=10 "$GIT_SERVE_MAX" \
    java -cp "$ROOT/target/quarkus-app/lib/main/*:$ROOT/target/test-classes:$junit_ssh" "$BENCH_DIR/GitServe.java" "$KUBE_GW" "$GIT_TMP/serve" \
    "main.c=$GIT_TMP/main.c" > "$OUT/git-serve.log" 2>&1 &
  GIT_PID=$!
  for i in $(seq 1 240); do
    [ -s "$GIT_TMP/serve/port" ] && break
    kill -0 "$GIT_PID" 2>/dev/null || break
    sleep 0.5
  done
  [ -s "$GIT_TMP/serve/port" ] || { tail -5 "$OUT/git-serve.log" >&2; log "the git server did not start within 120 s"; exit 1; }
  git_port=$(cat "$GIT_TMP/serve/port")
  echo "GIT_URL=ssh://git@$KUBE_GW:$git_port/repo.git" >> "$OUT/run.env"
  echo "GIT_COMMIT=$(cat "$GIT_TMP/serve/commit")" >> "$OUT/run.env"
  # as examples/README.md says: the key and known_hosts, and the annotation naming the one host:port they may go to
  # (dev.minimalimage.git.GitHosts.ANNOTATION)
  K -n "$NS" delete secret "$GIT_SECRET" --ignore-not-found >/dev/null
  K -n "$NS" create secret generic "$GIT_SECRET" --type=kubernetes.io/ssh-auth \
    --from-file=ssh-privatekey="$GIT_TMP/serve/ssh-privatekey" --from-file=known_hosts="$GIT_TMP/serve/known_hosts" >/dev/null
  K -n "$NS" annotate secret "$GIT_SECRET" "build.minimalimage.dev/git-hosts=$KUBE_GW:$git_port" >/dev/null
  PY example git "$OUT/git-example.yaml" "ssh://git@$KUBE_GW:$git_port/repo.git" "$GIT_SECRET" \
    || { log "could not write the git example"; exit 1; }
  if ! has cold && ! has warm && ! has go; then   # warm like the others: the images onto the node first, untimed
    log "git: untimed run git-0 (the toolchain and builder images onto the node)"
    build_one git 0 "$OUT/git-example.yaml" "$OUT/registry-git0.jsonl"
  fi
  : > "$OUT/git.names"
  for i in $(seq 1 "$WARM_RUNS"); do
    log "git run $i/$WARM_RUNS"
    build_one git "$i" "$OUT/git-example.yaml" "$OUT/registry-git.jsonl"
    echo "git-$i" >> "$OUT/git.names"
  done
  stop_git_server
  : > "$OUT/floor-git.names"
  for i in $(seq 1 "$FLOOR_RUNS"); do
    log "git floor run $i/$FLOOR_RUNS"
    floor_one "floor-git-$i" "$ROOT/examples/hello-c/minimalimage.yaml" main.c "$FLOOR_CC" init
    echo "floor-git-$i" >> "$OUT/floor-git.names"
  done
fi
bytes_of() { # IMAGE -> its compressed bytes as the registry stores them
  local repo=${1#*/}; repo=${repo%:*}
  PY regbytes "$REG" "$repo" "${1##*:}" 2>/dev/null | python3 -c 'import json,sys; print(format(json.load(sys.stdin)["total"], ","))' || echo '?'
}
echo "TOOLCHAIN_BYTES=$(bytes_of "$TOOLCHAIN")" >> "$OUT/run.env"
echo "BUILDER_BYTES=$(bytes_of "${BUILDER_IMAGE:-$OPERATOR_IMAGE}")" >> "$OUT/run.env"

# ------------------------------------------------------------------------------------------------ 2. peer
if has peer && [ "$PEER_RUNS" -gt 0 ]; then
  log "peer: peer-buildah.sh PEER_RUNS=$PEER_RUNS PEER_REPRO_RUNS=$PEER_REPRO_RUNS (log: $OUT/peer.log)"
  PEER_OUT=$OUT/peer PEER_RUNS=$PEER_RUNS PEER_REPRO_RUNS=$PEER_REPRO_RUNS \
    T 1800 "$KUBE_DIR/peer-buildah.sh" > "$OUT/peer.log" 2>&1 || note "peer-buildah.sh failed (rc $?): $(tail -2 "$OUT/peer.log" | tr '\n' ' ')"
  python3 - "$OUT" "$PEER_RUNS" <<'PYP' || note "could not parse the peer's results"
import json, os, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
pd = os.path.join(out, 'peer')
md = open(os.path.join(pd, 'results.md')).read()
def val(s):
    s = s.strip()
    m = re.fullmatch(r'([0-9.]+) (ms|s)', s)
    return None if not m else float(m.group(1)) / (1000 if m.group(2) == 'ms' else 1)
def row(section, label):
    sec = md.split(section, 1)[1] if section in md else ''
    for l in sec.splitlines():
        c = [x.strip() for x in l.strip().strip('|').split('|')]
        if c and c[0] == label:
            return c
    return None
r = row('default flags', 'pod created → pushed')
f = row('### Floor', 'pod created → compiled (last line logged)')
regs = [l.split('\t') for l in open(os.path.join(pd, 'registry.tsv')).read().splitlines() if l.startswith('buildah-')]
ours = [json.loads(l)['digest'] for l in open(os.path.join(out, 'registry.jsonl'))] if os.path.exists(os.path.join(out, 'registry.jsonl')) else []
res = {'runs': runs, 'out': pd,
       'pushed_median': val(r[1]) if r else None, 'pushed_run1': val(r[3]) if r else None,
       'pushed_warm': val(r[4]) if r and len(r) > 4 else None,
       'floor': val(f[1]) if f else None,
       'bytes': int(statistics.median(int(x[7]) for x in regs)) if regs else None,
       'digests': f'{len({x[1] for x in regs})} of {len(regs)}' if regs else None,
       'ours_digests': f'{len(set(ours))} of {len(ours)}' if ours else None}
json.dump(res, open(os.path.join(out, 'peer.json'), 'w'))
PYP
fi

# ------------------------------------------------------------------------------------------------ 2b. dockerfile
if has dockerfile && [ "$DF_RUNS" -gt 0 ]; then
  # the Dockerfile and hello.c peer-buildah.sh builds (it writes them into its output; without the peer step, the
  # same text), FROM the shared cluster's toolchain image, which toolchain.sh pushes
  peer_dir=$OUT/peer
  if [ ! -f "$peer_dir/Dockerfile" ]; then
    "$KUBE_DIR/toolchain.sh" > "$OUT/toolchain.log" 2>&1 || note "toolchain.sh failed: $(tail -1 "$OUT/toolchain.log")"
    mkdir -p "$peer_dir"
    printf '#include <stdio.h>\n\nint main(void) {\n    printf("hello, world\\n");\n    return 0;\n}\n' > "$peer_dir/hello.c"
    printf 'FROM %s AS build\nUSER 0\nCOPY hello.c /src/hello.c\nRUN musl-gcc -static -Os -s -o /hello /src/hello.c\nFROM scratch\nCOPY --from=build /hello /hello\nENTRYPOINT ["/hello"]\n' \
      "$REG/toolchain:bookworm" > "$peer_dir/Dockerfile"
  fi
  python3 - "$peer_dir/Dockerfile" "$peer_dir/hello.c" > "$OUT/dockerfile-example.yaml" <<'PYD'
import sys, yaml
dockerfile, hello = (open(p).read() for p in sys.argv[1:3])
print(yaml.safe_dump({'apiVersion': 'build.minimalimage.dev/v1alpha1', 'kind': 'MinimalImage',
                      'metadata': {'name': 'df'},
                      'spec': {'source': {'inline': {'files': {'Dockerfile': dockerfile, 'hello.c': hello}}},
                               'dockerfile': {}, 'image': {'name': 'set-by-bench'}}}))
PYD
  : > "$OUT/dockerfile.names"
  for i in $(seq 1 "$DF_RUNS"); do
    log "dockerfile run $i/$DF_RUNS"
    n=df-$i
    EXAMPLE="$OUT/dockerfile-example.yaml" PY create "$OUT/posts.jsonl" "$NS" df "$i" 1 "$REG/bench" - 1 2>> "$OUT/create.err" \
      || { note "POST of $n failed: $(tail -1 "$OUT/create.err")"; continue; }
    echo "$n" > "$OUT/one.names"
    PY wait-ready "$NS" "$OUT/one.names" "$WAIT" 2>> "$OUT/wait.err" || note "$n not Ready within $WAIT s: $(tail -3 "$OUT/wait.err" | tr '\n' ' ')"
    sleep 1
    PY regbytes "$REG" "bench/$n" 1 >> "$OUT/registry-dockerfile.jsonl" 2>> "$OUT/wait.err" || note "registry read of bench/$n failed"
    echo "$n" >> "$OUT/dockerfile.names"
  done
fi

# ------------------------------------------------------------------------------------------------ 3. burst
if has burst && [ "$BURST" -gt 0 ]; then
  log "burst: $BURST resources at once (keepFinishedPods=$KEEP, $PARALLEL parallel POSTs)"
  seq 1 "$BURST" | sed 's/^/burst-/' > "$OUT/burst.names"
  PY create "$OUT/posts.jsonl" "$NS" burst 1 "$BURST" "$REG/bench" "$KEEP" "$PARALLEL" 2>> "$OUT/create.err" \
    || note "some burst POSTs failed: $(sort -u "$OUT/create.err" | head -3 | tr '\n' ' ')"
  PY wait-ready "$NS" "$OUT/burst.names" "$BURST_WAIT" 2>> "$OUT/wait.err" \
    || note "burst: not all Ready within $BURST_WAIT s: $(tail -3 "$OUT/wait.err" | tr '\n' ' ')"
  sleep 2
fi

# ------------------------------------------------------------------------------------------------ 4. restart
if has restart && [ "$RESTART_N" -gt 0 ]; then
  have=$(ready_names | wc -l)
  if [ "$have" -lt "$RESTART_N" ]; then
    more=$((RESTART_N - have))
    log "restart: $have Ready, creating $more more (extra-*)"
    # in batches of EXTRA_BATCH: all at once thrashes the node (every builder pod runs a JVM; no concurrency cap)
    for ((first = 1; first <= more; first += EXTRA_BATCH)); do
      cnt=$(( more - first + 1 < EXTRA_BATCH ? more - first + 1 : EXTRA_BATCH ))
      seq "$first" $((first + cnt - 1)) | sed 's/^/extra-/' > "$OUT/extra.names"
      log "restart: extra-$first..$((first + cnt - 1))"
      PY create "$OUT/posts.jsonl" "$NS" extra "$first" "$cnt" "$REG/bench" "$KEEP" "$PARALLEL" 2>> "$OUT/create.err" || true
      PY wait-ready "$NS" "$OUT/extra.names" "$BURST_WAIT" 2>> "$OUT/wait.err" || note "extra resources not all Ready"
    done
  fi
  n_ready=$(ready_names | wc -l)
  read -r OLD_POD OLD_IP OLD_CID <<< "$(op_pod)"
  rss_before=$(rss_of "$OLD_CID")
  sleep "$SETTLE_QUIET"
  PY digests "$REG" bench "$OUT/digests-before.json" || { note "registry catalog read failed"; echo '{}' > "$OUT/digests-before.json"; }
  puts_before=$(grep -c -E 'method=PUT .*uri="?/v2/bench/[^ ]*/manifests/' "$REGLOG" || true)
  log "restart: $n_ready Ready resources; deleting operator pod $OLD_POD (RSS $rss_before)"
  t_delete=$(now)
  K -n "$OPNS" delete pod "$OLD_POD" --wait=false >/dev/null
  NEW=
  for i in $(seq 1 240); do
    read -r p ip cid <<< "$(op_pod)" || true
    if [ -n "${p:-}" ] && [ "$p" != "$OLD_POD" ]; then NEW="$p $ip $cid"; break; fi
    sleep 0.5
  done
  [ -n "$NEW" ] || { note "no new operator pod Running within 120 s"; }
  read -r NEW_POD NEW_IP NEW_CID <<< "$NEW"
  log "restart: new operator pod $NEW_POD ($NEW_IP); waiting until the reconcile counters are quiet for $SETTLE_QUIET s"
  PY settle "http://$NEW_IP:8080/q/metrics" "$SETTLE_QUIET" "$SETTLE_WAIT" "$OUT/settle.json" \
    || note "operator did not settle within $SETTLE_WAIT s"
  rss=$(rss_of "$NEW_CID")
  if K -n "$OPNS" get pod "$OLD_POD" >/dev/null 2>&1; then
    why=$(grep "$(K -n "$OPNS" get pod "$OLD_POD" -o jsonpath='{.metadata.uid}')" "$KUBE_STATE/logs/kubelet.log" 2>/dev/null \
      | grep -o 'TearDown failed.*unlinkat [^"]*' | grep -o 'unlinkat [^"]*' | tail -1 | cut -c1-200 || true)
    note "old operator pod $OLD_POD still listed (Terminating) after settling; its JVM had exited (container terminated). kubelet: ${why:-no TearDown error found}"
  fi
  sleep 2
  puts_after=$(grep -c -E 'method=PUT .*uri="?/v2/bench/[^ ]*/manifests/' "$REGLOG" || true)
  PY digests "$REG" bench "$OUT/digests-after.json" || { note "registry catalog read failed"; echo '{}' > "$OUT/digests-after.json"; }
  K -n "$OPNS" logs "$NEW_POD" > "$OUT/operator-after-restart.log" 2>&1 || true
  python3 - "$OUT" "$t_delete" "$n_ready" "$rss" "$rss_before" "$((puts_after - puts_before))" <<'PYR'
import json, os, sys
out, t_del, n, rss, rss_b, puts = sys.argv[1:7]
ev = [json.loads(l) for l in open(os.path.join(out, 'watch.jsonl'))]
newpod = [e['t'] for e in ev if e['res'] == 'pods' and e['ns'] == 'mimg-bench-system' and e['type'] == 'ADDED'
          and e['t'] >= float(t_del)]
a = json.load(open(os.path.join(out, 'digests-before.json')))
b = json.load(open(os.path.join(out, 'digests-after.json')))
changed = sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
json.dump({'t_delete': float(t_del), 't_newpod': min(newpod) if newpod else None, 'n_ready': int(n), 'rss': rss,
           'rss_before': rss_b, 'puts_after': int(puts), 'digests_changed': changed, 'repos': len(b)},
          open(os.path.join(out, 'restart.json'), 'w'))
PYR
fi

# ------------------------------------------------------------------------------------------------ report
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=
K -n "$OPNS" logs deploy/$RELEASE > "$OUT/operator.log" 2>&1 || true
werr=$(grep -c '"type":"ERROR"' "$OUT/watch.jsonl" || true)
[ "${werr:-0}" -gt 0 ] && note "watch stream errors (reconnected): $werr"
echo "LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/run.env"
echo "OTHERS1=$(others_running)" >> "$OUT/run.env"
tail -c +$((CTRLOG_FROM + 1)) "$CTRLOG" 2>/dev/null \
  | grep -E 'msg="(RunPodSandbox for|CreateContainer within|StartContainer for|shim disconnected)' > "$OUT/containerd.log" || true
tail -c +$((REGLOG_FROM + 1)) "$REGLOG" 2>/dev/null | grep 'msg="response completed' > "$OUT/registry.log" || true
python3 "$BENCH_DIR/cluster_bench.py" report "$OUT" > "$OUT.md"
cat "$OUT.md"
log "report: $OUT.md, raw: $OUT/"
