#!/usr/bin/env bash
# bench/status-story.sh [CHECKOUT] — what a MinimalImage's status goes through on the real cluster, for comparing two
# versions of the operator (issue 17: "behaviour unchanged, proven"). Not a test: it prints, it does not judge.
#
# Installs CHECKOUT's operator (default: this checkout; it must have `mvn package` done) as its own release
# (mimg-story in mimg-story-system, watching mimg-story) with that checkout's scripts/cluster/install-operator.sh,
# then applies four resources one at a time and watches each from creation to its end:
#   hello     examples/hello-c/minimalimage.yaml as a user applies it              -> Ready
#   broken    inline C that does not compile                                          -> CompileFailed
#   evicted   a custom build that sleeps 20 s, its builder pod evicted (Eviction API)   -> retried, then Ready
#   exit3     a smoke-tested program that exits 3                                     -> SmokeTestFailed
# For each it writes to OUT (default target/status-story/<commit>): NAME.watch.json (every watch event), NAME.yaml
# (the final status with times, pod names and digests replaced by placeholders, for a diff), and a line to
# summary.txt: status writes (events whose .status differs from the one before), metadata-only events, seconds.
# Uninstalls the release at the end; the CRD stays, so re-run install-operator.sh of the current checkout after
# measuring an older one. Holds the cluster tier's lock: it reinstalls the CRD. Every wait is bounded.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHECKOUT=$(cd "${1:-$HERE}" && pwd)
COMMIT=$(git -C "$CHECKOUT" rev-parse --short HEAD)
OUT=${OUT:-$HERE/target/status-story/$COMMIT}
KUBE_STATE=${KUBE_STATE:-/tmp/kube/state}
RELEASE=mimg-story OPNS=mimg-story-system NS=mimg-story
ENV_FILE=$OUT/operator.env
log() { printf '[status-story %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
mkdir -p "$OUT"; : > "$OUT/summary.txt"

exec 8>/var/lock/minimal-image-cluster-tier.lock
flock -w 3600 8 || { log "the cluster tier's lock is held"; exit 1; }
# shellcheck disable=SC1091
. "$KUBE_STATE/cluster.env"
knet() { nsenter --net="/run/netns/$KUBE_NETNS" -- "$@"; }
K() { knet env KUBECONFIG="$KUBECONFIG" timeout --kill-after=10 330 "$KUBE_BIN/kubectl" "$@"; }

K create namespace "$NS" --dry-run=client -o yaml | K apply -f - >/dev/null
log "installing $CHECKOUT ($COMMIT) as $RELEASE"
(cd "$CHECKOUT" && MINIMAL_IMAGE_RELEASE=$RELEASE MINIMAL_IMAGE_OPERATOR_NS=$OPNS MINIMAL_IMAGE_OPERATOR_ENV=$ENV_FILE \
  timeout 1800 scripts/cluster/install-operator.sh --set "watchNamespaces={$NS}" 8>&-) > "$OUT/install.log" 2>&1 \
  || { tail -20 "$OUT/install.log" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENV_FILE"

WATCH_PID=
cleanup() {
  set +e
  [[ -n $WATCH_PID ]] && watch_stop
  K -n "$NS" delete mimg --all --wait=true --timeout=120s >/dev/null 2>&1
  knet env KUBECONFIG="$KUBECONFIG" HELM_CACHE_HOME="$CHECKOUT/target/cluster-tier/helm/cache" \
    HELM_CONFIG_HOME="$CHECKOUT/target/cluster-tier/helm/config" HELM_DATA_HOME="$CHECKOUT/target/cluster-tier/helm/data" \
    timeout --kill-after=10 300 "$TOOLS/helm" uninstall "$RELEASE" -n "$OPNS" --wait --timeout 3m >&2
  K delete namespace "$NS" "$OPNS" --wait=true --timeout=120s >/dev/null 2>&1
}
trap cleanup EXIT

K -n "$NS" create secret docker-registry registry-credentials --docker-server="$KUBE_REGISTRY" \
  --docker-username=story --docker-password=story --dry-run=client -o yaml | K apply -f - >/dev/null

inline() { # NAME LANGUAGE FILE CONTENT [EXTRA SPEC YAML, indented 2]
  cat <<YAML
apiVersion: build.minimalimage.dev/v1alpha1
kind: MinimalImage
metadata: {name: $1}
spec:
  source: {inline: {files: {$3: $(printf '%s' "$4" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}}}
  language: {name: $2${5:-}}
  image: {name: "$KUBE_REGISTRY/story/$1:1", pushSecret: registry-credentials, insecure: true}
${6:-}
YAML
}

phase() { K -n "$NS" get mimg "$1" -o jsonpath='{.status.phase}' 2>/dev/null || true; }

# watch NAME: records every event of the resource until the caller kills it
# (its own process group, so that one kill ends nsenter, timeout and kubectl; without the lock's descriptor)
watch_start() {
  setsid nsenter --net="/run/netns/$KUBE_NETNS" -- env KUBECONFIG="$KUBECONFIG" timeout 900 "$KUBE_BIN/kubectl" \
    -n "$NS" get mimg "$1" -o json -w --output-watch-events > "$OUT/$1.watch.json" 2>/dev/null 8>&- &
  WATCH_PID=$!
}
watch_stop() { kill -- "-$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=; }

await_end() { # NAME SECONDS: until phase Succeeded or Failed
  local deadline=$(( $(date +%s) + $2 ))
  until [[ $(phase "$1") =~ ^(Succeeded|Failed)$ ]]; do
    (( $(date +%s) < deadline )) || { log "$1: no end after $2 s"; return 1; }
    sleep 0.5
  done
}

evict_when_compiling() { # NAME: evict the first builder pod once its compile step runs
  local deadline=$(( $(date +%s) + 300 )) pod=''
  while (( $(date +%s) < deadline )); do
    pod=$(K -n "$NS" get mimg "$1" -o jsonpath='{.status.builderPod}' 2>/dev/null || true)
    if [[ -n $pod ]] && K -n "$NS" get pod "$pod" -o jsonpath='{.status.containerStatuses[?(@.name=="compile")].state.running.startedAt}{.status.initContainerStatuses[?(@.name=="compile")].state.running.startedAt}' 2>/dev/null | grep -q .; then
      printf '{"apiVersion":"policy/v1beta1","kind":"Eviction","metadata":{"name":"%s","namespace":"%s"}}' "$pod" "$NS" \
        > "$OUT/eviction.json"
      K create --raw "/api/v1/namespaces/$NS/pods/$pod/eviction" -f "$OUT/eviction.json" >/dev/null
      log "$1: evicted $pod"
      return 0
    fi
    sleep 0.3
  done
  log "$1: compile step never ran"; return 1
}

run_case() { # NAME MANIFEST [evict]
  local name=$1 t0
  K -n "$NS" delete mimg "$name" --ignore-not-found --wait=true >/dev/null
  printf '%s\n' "$2" > "$OUT/$name.manifest.yaml"
  t0=$(date +%s.%N)
  K -n "$NS" apply -f "$OUT/$name.manifest.yaml" >/dev/null
  watch_start "$name"
  [[ ${3:-} == evict ]] && evict_when_compiling "$name"
  await_end "$name" 600 || true
  local took; took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
  sleep 5 # writes that follow the end (pod clean-up, smoke pod deletion) belong to the story
  watch_stop
  python3 - "$OUT/$name.watch.json" "$OUT/$name.yaml" "$name" "$took" >> "$OUT/summary.txt" <<'PY'
import json, re, sys
src, dst, name, took = sys.argv[1:]
text = open(src).read()
events, dec, i = [], json.JSONDecoder(), 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    events.append(obj)
status_writes = meta_only = 0
previous = None
for e in events:
    o = e["object"]
    status = o.get("status")
    if previous is not None:
        if status != previous[0]:
            status_writes += 1
        elif o["metadata"] != previous[1]:
            meta_only += 1
    elif status:  # the first event already carries a status: count it
        status_writes += 1
    meta = dict(o["metadata"]); meta.pop("resourceVersion", None); meta.pop("managedFields", None)
    previous = (status, meta)
final = events[-1]["object"].get("status") or {}
def scrub(v):
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [scrub(x) for x in v]
    if isinstance(v, str):
        v = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", v)
        v = re.sub(r"sha256:[0-9a-f]{64}", "sha256:<digest>", v)
        v = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uid>", v)
        v = re.sub(r"\b[0-9a-f]{12}\b", "<hash>", v)
        v = re.sub(r"-build-[0-9a-z]+", "-build-<id>", v)
        v = re.sub(r"-smoke-[0-9a-z]+", "-smoke-<id>", v)
        v = re.sub(r"retrying in \d+s", "retrying in <n>s", v)
    return v
scrubbed = scrub(final)
try:
    import yaml
    text = yaml.safe_dump(scrubbed, sort_keys=True, width=100)
except ImportError:
    text = json.dumps(scrubbed, indent=2, sort_keys=True) + "\n"
open(dst, "w").write(text)
print(f"{name:8} phase={final.get('phase')} status-writes={status_writes} metadata-only={meta_only} events={len(events)} seconds={took}")
PY
  log "$(tail -1 "$OUT/summary.txt")"
}

BROKEN='int main(void) { return 0 }'
EXIT3='#include <stdio.h>
int main(void){puts("about to fail");fputs("smoke: giving up\n", stderr);return 3;}'
SLOW='#include <stdio.h>
int main(void){puts("evicted and retried");return 0;}'

run_case hello "$(sed "s|\${REGISTRY}|$KUBE_REGISTRY|" "$HERE/examples/hello-c/minimalimage.yaml")"
run_case broken "$(inline broken c main.c "$BROKEN")"
run_case evicted "$(inline evicted custom main.c "$SLOW" \
  ", custom: {image: \"$TOOLCHAIN\", script: \"sleep 20\\nmusl-gcc -static -Os -o \\\"\$OUT\\\" main.c\"}")" evict
run_case exit3 "$(inline exit3 c main.c "$EXIT3" '' '  verify: {smokeTest: {}}')"
cat "$OUT/summary.txt"
log "statuses in $OUT/*.yaml"
