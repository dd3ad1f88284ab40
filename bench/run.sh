#!/usr/bin/env bash
# Benchmark: package a static binary FROM scratch into a one-layer gzip OCI image and push it to a local registry,
# ours (java -jar target/quarkus-app/quarkus-run.jar package ... --image ... --insecure) against buildah (vfs) and
# umoci + skopeo, for three binaries (musl hello, ~2 MB Go CLI, >10 MB Go HTTPS server). Prints one markdown table
# (medians, min-max, ratios, bytes as the registry stores them, floors) to stdout and saves it to
# bench/out/results-<timestamp>.md. Progress goes to stderr. See bench/README.md.
#
#   bench/run.sh                 RUNS=5 WARMUP=1 by default
#   RUNS=9 WARMUP=2 bench/run.sh
#   BUILD=1 bench/run.sh         rebuild the jar with mvn first (otherwise only when it is missing)
#   STEP_TIMEOUT=300             seconds any single command may take
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
SELF="$BENCH_DIR/$(basename "${BASH_SOURCE[0]}")"
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
STEP_TIMEOUT=${STEP_TIMEOUT:-300}
JAVA=${JAVA:-java}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "WARMUP must be a non-negative integer" >&2; exit 2; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
T() { timeout --kill-after=10 "$STEP_TIMEOUT" "$@"; }   # every command the benchmark waits on is bounded

# ---------------------------------------------------------------------------------------------------------------
# Pass 1 (outside): install missing tools, then re-run ourselves in a private mount namespace. There a tmpfs hides
# containers/image's blob-info cache (/var/lib/containers/cache for root), which buildah and skopeo would otherwise
# update globally and use for cross-repository blob mounts (skipping the upload, and for buildah the compression,
# of a layer pushed in an earlier run). The tmpfs is emptied before every peer run, so every tool pushes cold.
# ---------------------------------------------------------------------------------------------------------------
if [[ -z ${BENCH_NS:-} ]]; then
  WITH_BENCH_PEERS=1 timeout 2000 "$ROOT/scripts/setup-deps.sh"
  if [[ $(id -u) -eq 0 ]] && timeout 10 unshare -m --propagation private true 2>/dev/null; then
    exec env BENCH_NS=private unshare -m --propagation private bash "$SELF" "$@"
  fi
  export BENCH_NS=shared
fi

for t in "$JAVA" buildah umoci skopeo musl-gcc go gzip sha256sum curl python3 docker-registry timeout; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mi-bench.XXXXXX")
cleanup() {
  local rc=$?
  timeout 30 "$ROOT/scripts/registry.sh" stop "$work/registry" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"/{bin,runs,tmp,xdg}
export TMPDIR="$work/tmp"

# Where the peers' blob-info cache lives, and a way to empty it between runs.
CACHE_DIR=""
CACHE_NOTE=""
if [[ $BENCH_NS == private ]]; then
  for mp in /var/lib/containers/cache /var/lib/containers /var/lib; do [[ -d $mp ]] && break; done
  mount -t tmpfs -o size=64m,mode=0700 bench-cache "$mp"
  [[ $(findmnt -n -o FSTYPE --target "$mp") == tmpfs ]] || { echo "tmpfs over $mp did not take" >&2; exit 1; }
  CACHE_DIR=$mp
  CACHE_NOTE="buildah/skopeo blob-info cache: private tmpfs over $mp (emptied before each peer run)"
elif [[ $(id -u) -ne 0 ]]; then
  export XDG_DATA_HOME="$work/xdg"   # rootless containers/image keeps its cache under XDG_DATA_HOME
  CACHE_DIR="$work/xdg"
  CACHE_NOTE="buildah/skopeo blob-info cache: \$XDG_DATA_HOME=$work/xdg (emptied before each peer run)"
else
  CACHE_NOTE="WARNING: could not isolate /var/lib/containers/cache (no mount namespace); peers may cross-mount blobs"
  log "$CACHE_NOTE"
fi
wipe_cache() {
  if [[ -n $CACHE_DIR ]]; then
    find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Our jar: build it only when missing (or BUILD=1); retry while other engineers' edits keep main from compiling.
# Then snapshot target/quarkus-app so a concurrent rebuild cannot swap the jar under a running benchmark.
# ---------------------------------------------------------------------------------------------------------------
if [[ ! -f $ROOT/target/quarkus-app/quarkus-run.jar || ${BUILD:-0} == 1 ]]; then
  built=0
  for attempt in 1 2 3 4 5; do
    log "building the jar (mvn -q -B -o package -DskipTests), attempt $attempt"
    if (cd "$ROOT" && timeout 1200 mvn -q -B -o package -DskipTests >&2); then built=1; break; fi
    [[ $attempt -lt 5 ]] && sleep 60
  done
  [[ $built == 1 ]] || { echo "could not build the jar" >&2; exit 1; }
fi
snap_ok=0
for attempt in 1 2 3 4 5; do
  rm -rf "$work/quarkus-app"
  if timeout 300 cp -a "$ROOT/target/quarkus-app" "$work/quarkus-app" 2>/dev/null &&
     T "$JAVA" -jar "$work/quarkus-app/quarkus-run.jar" --version >"$work/version.txt" 2>&1; then
    snap_ok=1; break
  fi
  log "jar snapshot unusable (rebuild in progress?), retrying in 30 s"; sleep 30
done
[[ $snap_ok == 1 ]] || { echo "target/quarkus-app is not runnable" >&2; cat "$work/version.txt" >&2; exit 1; }
JAR="$work/quarkus-app/quarkus-run.jar"
OURS_VERSION=$(head -n1 "$work/version.txt")
JAR_SHA=$(cat "$work/quarkus-app/app/"*.jar 2>/dev/null | sha256sum | cut -c1-12)

# ---------------------------------------------------------------------------------------------------------------
# The three binaries.
# ---------------------------------------------------------------------------------------------------------------
export GOCACHE="$BENCH_DIR/out/.cache/go-build" GOPATH="$BENCH_DIR/out/.cache/gopath" GOPROXY=off GOFLAGS= \
       GO111MODULE=on GOTOOLCHAIN=local
mkdir -p "$GOCACHE"
log "building the binaries"
T musl-gcc -static -Os -s -Wl,--gc-sections -o "$work/bin/hello" "$BENCH_DIR/programs/hello.c"
(cd "$BENCH_DIR/programs/small-go" && CGO_ENABLED=0 T go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$work/bin/small-go" .)
(cd "$BENCH_DIR/programs/https-server" && CGO_ENABLED=0 T go build -trimpath -buildvcs=false -o "$work/bin/https-server" .)
BINS=(hello small-go https-server)
for b in "${BINS[@]}"; do log "$(printf '%-13s %10d bytes' "$b" "$(stat -c%s "$work/bin/$b")")"; done

REG=$(T "$ROOT/scripts/registry.sh" start "$work/registry")
log "registry at $REG"
TAG=bench
ACCEPT='application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'

# ---------------------------------------------------------------------------------------------------------------
# The timed candidates. Each takes BINARY NAME REPO DIR (DIR: a fresh, empty scratch directory for this run).
# Functions chain with || return: errexit is off inside functions called from a condition.
# ---------------------------------------------------------------------------------------------------------------
cand_ours() {
  T "$JAVA" -jar "$JAR" package "$1" --image "$REG/$3:$TAG" --insecure >"$4/result.json" 2>"$4/stderr" || return 1
}
cand_ours_cds() {   # the same jar through scripts/minimal-image: C1 only + an AppCDS archive made by the warm-up run
  MINIMAL_IMAGE_JAR="$JAR" MINIMAL_IMAGE_CDS="$work/ours.jsa" \
    T "$ROOT/scripts/minimal-image" package "$1" --image "$REG/$3:$TAG" --insecure >"$4/result.json" 2>"$4/stderr" || return 1
}
cand_ours_l9() {   # the launcher with gzip -9 for every layer (the default before levels by size): ~2% fewer bytes
  MINIMAL_IMAGE_JAR="$JAR" MINIMAL_IMAGE_CDS="$work/ours.jsa" \
    T "$ROOT/scripts/minimal-image" package "$1" --level 9 --image "$REG/$3:$TAG" --insecure >"$4/result.json" 2>"$4/stderr" || return 1
}
cand_jvm_cds() {   # floor for the launcher: JVM + jar start with the same flags and archive
  MINIMAL_IMAGE_JAR="$JAR" MINIMAL_IMAGE_CDS="$work/ours.jsa" T "$ROOT/scripts/minimal-image" --version >/dev/null 2>"$4/stderr" || return 1
}
cand_buildah() {
  local B=(buildah --root "$4/root" --runroot "$4/runroot" --storage-driver vfs) c
  c=$(T "${B[@]}" from scratch 2>"$4/stderr") || return 1
  T "${B[@]}" copy "$c" "$1" "/app/$2" >/dev/null 2>>"$4/stderr" || return 1
  T "${B[@]}" config --entrypoint "[\"/app/$2\"]" --user 65532 "$c" 2>>"$4/stderr" || return 1
  T "${B[@]}" commit -q --format oci --timestamp 0 "$c" "localhost/bench:$TAG" >/dev/null 2>>"$4/stderr" || return 1
  T "${B[@]}" push -q --tls-verify=false "localhost/bench:$TAG" "docker://$REG/$3:$TAG" 2>>"$4/stderr" || return 1
}
cand_umoci() {
  local R=()
  [[ $(id -u) -eq 0 ]] || R=(--rootless)
  T umoci init --layout "$4/oci" 2>"$4/stderr" || return 1
  T umoci new --image "$4/oci:$TAG" 2>>"$4/stderr" || return 1
  T umoci insert "${R[@]}" --image "$4/oci:$TAG" "$1" "/app/$2" 2>>"$4/stderr" || return 1
  T umoci config --image "$4/oci:$TAG" --config.entrypoint "/app/$2" --config.user 65532 2>>"$4/stderr" || return 1
  T skopeo copy -q --dest-tls-verify=false "oci:$4/oci:$TAG" "docker://$REG/$3:$TAG" 2>>"$4/stderr" || return 1
}
cand_jvm() {   # floor: the same JVM + jar starting and exiting
  T "$JAVA" -jar "$JAR" --version >/dev/null 2>"$4/stderr" || return 1
}
cand_gzip() {  # floor: compress and hash the binary once, nothing else
  timeout "$STEP_TIMEOUT" gzip -9 <"$1" | timeout "$STEP_TIMEOUT" sha256sum >/dev/null || return 1
}

# Total bytes the registry stores for REPO:TAG, read back through the HTTP API the same way for every tool:
# manifest body + Content-Length of HEAD on the config blob and on every layer blob.
# Prints: total manifest config layers nlayers manifest-digest media-type layer-digest
measure() {
  local repo=$1 body="$work/manifest.json" hdr="$work/manifest.hdr" m c=0 l=0 n=0 len d first=1 mt layer0=""
  curl -fsS --max-time 30 -o "$body" -D "$hdr" -H "Accept: $ACCEPT" "http://$REG/v2/$repo/manifests/$TAG" || return 1
  m=$(stat -c%s "$body")
  mt=$(tr -d '\r' <"$hdr" | awk 'tolower($1)=="content-type:"{print $2}' | tail -n1)
  case $mt in *manifest.v1+json | *manifest.v2+json) ;; *) echo "unexpected manifest type $mt" >&2; return 1 ;; esac
  for d in $(python3 -c 'import json,sys
m=json.load(open(sys.argv[1]))
print(m["config"]["digest"]); [print(x["digest"]) for x in m["layers"]]' "$body"); do
    len=$(curl -fsSI --max-time 30 "http://$REG/v2/$repo/blobs/$d" | tr -d '\r' |
          awk 'tolower($1)=="content-length:"{print $2}') || return 1
    [[ $len =~ ^[0-9]+$ ]] || return 1
    if ((first)); then c=$len; first=0; else l=$((l + len)); n=$((n + 1)); [[ -n $layer0 ]] || layer0=$d; fi
  done
  echo "$((m + c + l)) $m $c $l $n sha256:$(sha256sum <"$body" | cut -d' ' -f1) $mt $layer0"
}

# Once per binary and tool: fetch the layer and check it holds /app/NAME, executable, byte-identical to the binary.
# A tolerant tar walk (not tarfile): umoci 0.4.7's insert writes layers without the end-of-archive blocks and
# without the last member's padding, which is worth reporting rather than failing on.
verify_layer() {   # repo layer-digest binary name -> prints ok / a reason
  curl -fsS --max-time 60 -o "$work/layer.bin" "http://$REG/v2/$1/blobs/$2" || { echo "layer fetch failed"; return 0; }
  python3 - "$work/layer.bin" "$3" "$4" <<'PY'
import gzip, hashlib, sys
layer, binary, name = sys.argv[1:]
want = hashlib.sha256(open(binary, "rb").read()).hexdigest()
raw = gzip.decompress(open(layer, "rb").read())
def num(field):
    if field[0] & 0x80:                                   # base-256
        return int.from_bytes(field[1:], "big")
    f = field.replace(b"\0", b" ").strip()
    return int(f, 8) if f else 0
off, entries, found, tail = 0, [], None, None
while True:
    if off + 512 > len(raw):
        tail = "NO end-of-archive blocks" + ("" if off == len(raw) else f" and {off - len(raw)} B of padding missing")
        break
    h = raw[off:off + 512]
    if h == b"\0" * 512:
        zeros = len(raw) - off
        tail = f"end-of-archive: {zeros} zero bytes" if raw[off:] == b"\0" * zeros else "junk after end block"
        break
    nm = h[0:100].split(b"\0")[0].decode()
    prefix = h[345:500].split(b"\0")[0].decode() if h[257:262] == b"ustar" else ""
    nm = (prefix + "/" + nm) if prefix else nm
    size, mode, typ = num(h[124:136]), num(h[100:108]), chr(h[156] or 48)
    entries.append(f"{nm}({typ},{oct(mode)},{num(h[108:116])}:{num(h[116:124])})")
    data = raw[off + 512:off + 512 + size]
    if nm.lstrip("./").lstrip("/") == "app/" + name and typ in "0\0":
        found = (hashlib.sha256(data).hexdigest() == want and len(data) == size, mode)
    off += 512 + (size + 511) // 512 * 512
if found is None:
    verdict = "BINARY NOT FOUND"
elif not found[0]:
    verdict = "CONTENT MISMATCH"
elif not found[1] & 0o111:
    verdict = "NOT EXECUTABLE"
else:
    verdict = "ok"
print(f"{verdict}; tar {len(raw):,} B: {', '.join(entries)}; {tail}")
PY
}

# ---------------------------------------------------------------------------------------------------------------
# Run. Every round runs each candidate once, in an order rotated per round so no tool always goes first after a
# quiet or a busy moment; every push goes to a fresh repository.
# ---------------------------------------------------------------------------------------------------------------
SAMPLES="$work/samples.tsv"; VERIFY="$work/verify.tsv"; : >"$SAMPLES"; : >"$VERIFY"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TOOLS=(ours ours_cds ours_l9 buildah umoci jvm jvm_cds gzip)
seq_no=0

run_one() {   # binary tool round(0 = warmup) -> appends a sample line
  local b=$1 tool=$2 round=$3 bin="$work/bin/$1" d repo t0 t1 rc=0 us meas note="-" ours_d ours_s
  seq_no=$((seq_no + 1))
  d="$work/runs/$seq_no"; mkdir -p "$d"
  repo="bench/$tool-$b-$([[ $round == 0 ]] && echo warm || echo r)$round-$seq_no"
  [[ $tool == buildah || $tool == umoci ]] && wipe_cache
  t0=$(date +%s%N)
  "cand_$tool" "$bin" "$b" "$repo" "$d" || rc=$?
  t1=$(date +%s%N)
  us=$(((t1 - t0) / 1000))
  meas="- - - - - - - -"
  if [[ $rc -ne 0 ]]; then
    note="exit $rc: $(tr '\n' ' ' <"$d/stderr" 2>/dev/null | tail -c 300)"
    log "FAILED $tool $b round $round: $note"
  elif [[ $tool == ours* || $tool == buildah || $tool == umoci ]]; then
    if meas=$(measure "$repo"); then
      if [[ $tool == ours* ]]; then
        read -r ours_d ours_s < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r.get("digest","-"), r.get("compressedSize","-"))' "$d/result.json" 2>/dev/null || echo "- -")
        set -- $meas
        note="ours-digest:$([[ $ours_d == "$6" ]] && echo match || echo "MISMATCH($ours_d)") ours-size:$([[ $ours_s == "$1" ]] && echo match || echo "MISMATCH($ours_s)")"
      fi
      if [[ $round == 1 ]]; then
        set -- $meas
        printf '%s\t%s\t%s\n' "$b" "$tool" "$(verify_layer "$repo" "$8" "$work/bin/$b" "$b")" >>"$VERIFY"
      fi
    else
      meas="- - - - - - - -"; note="registry read-back failed"; log "read-back failed for $repo"
    fi
  fi
  rm -rf "$d"
  [[ $round == 0 ]] && return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$b" "$tool" "$round" "$rc" "$us" "$(tr ' ' '\t' <<<"$meas")" "$note" >>"$SAMPLES"
  log "$(printf '%-12s %-8s round %d: %6d ms%s' "$b" "$tool" "$round" "$((us / 1000))" "$([[ $rc -ne 0 ]] && echo ' FAILED')")"
}

T "$JAVA" -jar "$JAR" --version >/dev/null   # page the jar in once
for b in "${BINS[@]}"; do
  for ((w = 1; w <= WARMUP; w++)); do
    for tool in "${TOOLS[@]}"; do run_one "$b" "$tool" 0; done
  done
  for ((r = 1; r <= RUNS; r++)); do
    n=${#TOOLS[@]}
    for ((k = 0; k < n; k++)); do run_one "$b" "${TOOLS[$(((k + r - 1) % n))]}" "$r"; done
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$BENCH_DIR/out"
OUT="$BENCH_DIR/out/results-$(date -u +%Y%m%dT%H%M%SZ).md"
export RUNS WARMUP REG STARTED LOAD_START LOAD_END CACHE_NOTE OURS_VERSION JAR_SHA
export V_JAVA="$("$JAVA" -version 2>&1 | head -n1)" V_BUILDAH="$(buildah --version)" V_UMOCI="$(umoci --version)" \
       V_SKOPEO="$(skopeo --version)" V_GO="$(go version)" V_KERNEL="$(uname -r)" NPROC="$(nproc)" \
       V_REGISTRY="$(docker-registry --version 2>/dev/null | head -n1 || echo docker-registry)"
for b in "${BINS[@]}"; do
  printf '%s\t%s\t%s\n' "$b" "$(stat -c%s "$work/bin/$b")" "$(gzip -9 <"$work/bin/$b" | wc -c)"
done >"$work/bins.tsv"

python3 - "$SAMPLES" "$VERIFY" "$work/bins.tsv" <<'PY' | tee "$OUT"
import os, statistics, sys
samples_f, verify_f, bins_f = sys.argv[1:]
E = os.environ
bins = [l.rstrip("\n").split("\t") for l in open(bins_f) if l.strip()]
S = {}   # (bin, tool) -> list of dicts
fails = []
for line in open(samples_f):
    f = line.rstrip("\n").split("\t")
    b, tool, rnd, rc, us = f[0], f[1], int(f[2]), int(f[3]), int(f[4])
    meas, note = f[5:13], f[13] if len(f) > 13 else "-"
    d = dict(round=rnd, rc=rc, ms=us / 1000.0, note=note)
    if meas[0] != "-":
        d.update(total=int(meas[0]), manifest=int(meas[1]), config=int(meas[2]), layers=int(meas[3]),
                 nlayers=int(meas[4]), digest=meas[5], mediatype=meas[6])
    S.setdefault((b, tool), []).append(d)
    if rc != 0:
        fails.append(f"{b}/{tool} round {rnd}: {note}")
verify = {}
for line in open(verify_f):
    b, tool, v = line.rstrip("\n").split("\t", 2)
    verify[(b, tool)] = v

def ok(b, t): return [d for d in S.get((b, t), []) if d["rc"] == 0]
def times(b, t): return [d["ms"] for d in ok(b, t)]
def med(xs): return statistics.median(xs) if xs else None
def fms(x): return "–" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:,.1f}")
def cell_t(b, t):
    xs = times(b, t)
    if not xs: return "failed"
    s = f"**{fms(med(xs))}** ({fms(min(xs))}–{fms(max(xs))})"
    n = len(S.get((b, t), []))
    return s + ("" if len(xs) == n else f" [{len(xs)}/{n} ok]")
def ratio(a, c): return "–" if a is None or c is None or c == 0 else f"{a / c:.2f}×"
def size(n):
    return f"{n:,} B" if n < 10_000 else (f"{n / 1e3:,.1f} kB" if n < 1e6 else f"{n / 1e6:,.2f} MB")
def bytes_of(b, t):
    ds = [d for d in ok(b, t) if "total" in d]
    return ds
def cell_b(b, t):
    ds = bytes_of(b, t)
    if not ds: return "failed"
    tot = [d["total"] for d in ds]
    m = med(tot); d0 = min(ds, key=lambda d: abs(d["total"] - m))
    s = f"**{int(m):,}** = {d0['manifest']:,} + {d0['config']:,} + {d0['layers']:,}"
    if min(tot) != max(tot): s += f" (varies {min(tot):,}–{max(tot):,})"
    return s
def mb(b, t):
    ds = bytes_of(b, t)
    return med([d["total"] for d in ds]) if ds else None

label = {"hello": "musl hello (C)", "small-go": "small Go CLI", "https-server": "Go HTTPS server"}
B = [b for b, _, _ in bins]
size_of = {b: int(s) for b, s, _ in bins}
gz_of = {b: int(g) for b, _, g in bins}
out = []
p = out.append
p(f"## Package + push a static binary FROM scratch: ours vs buildah vs umoci+skopeo")
p("")
p(f"{E['STARTED']} · {E['NPROC']} CPUs, Linux {E['V_KERNEL']} · load avg (1/5/15 min) at start {E['LOAD_START']}, "
  f"at end {E['LOAD_END']} · RUNS={E['RUNS']} recorded per tool and binary (+{E['WARMUP']} warm-up, not counted), "
  f"tools interleaved per round in rotating order, every push to a fresh repository of a local registry "
  f"({E['REG']}, plain HTTP).")
p("")
p(f"ours: {E['OURS_VERSION']} (app jar sha256 {E['JAR_SHA']}…), {E['V_JAVA']} · {E['V_BUILDAH']} (vfs, fresh --root per run) · "
  f"{E['V_UMOCI']} + {E['V_SKOPEO']} · {E['V_GO']} · {E['CACHE_NOTE']}")
p("")
p("| | " + " | ".join(f"{label.get(b, b)}" for b in B) + " |")
p("|---|" + "---:|" * len(B))
p("| binary | " + " | ".join(f"{size(size_of[b])} ({size_of[b]:,} B)" for b in B) + " |")
p("| **wall time, ms: median (min–max)** |" + " |" * len(B))
p("| ours: `java -jar … package BIN --image … --insecure` | " + " | ".join(cell_t(b, "ours") for b in B) + " |")
p("| **ours via `scripts/minimal-image` (C1 + AppCDS; gzip level by size)** | " + " | ".join(cell_t(b, "ours_cds") for b in B) + " |")
p("| ours via the launcher, `--level 9` | " + " | ".join(cell_t(b, "ours_l9") for b in B) + " |")
p("| buildah: from scratch, copy, config, commit --timestamp 0, push | " + " | ".join(cell_t(b, "buildah") for b in B) + " |")
p("| umoci init, new, insert, config + skopeo copy | " + " | ".join(cell_t(b, "umoci") for b in B) + " |")
p("| floor: `gzip -9 < BIN \\| sha256sum` | " + " | ".join(cell_t(b, "gzip") for b in B) + " |")
p("| floor: JVM start (`java -jar … --version`) | " + " | ".join(cell_t(b, "jvm") for b in B) + " |")
p("| floor: JVM start via the launcher (`scripts/minimal-image --version`) | " + " | ".join(cell_t(b, "jvm_cds") for b in B) + " |")
mo = {b: med(times(b, "ours")) for b in B}
mj = {b: med(times(b, "jvm")) for b in B}
mbld = {b: med(times(b, "buildah")) for b in B}
mu = {b: med(times(b, "umoci")) for b in B}
net = {b: (mo[b] - mj[b]) if mo[b] is not None and mj[b] is not None else None for b in B}
p("| ours − JVM start (medians) | " + " | ".join(fms(net[b]) for b in B) + " |")
p("| time ratio ours / buildah | " + " | ".join(ratio(mo[b], mbld[b]) for b in B) + " |")
p("| time ratio ours / umoci+skopeo | " + " | ".join(ratio(mo[b], mu[b]) for b in B) + " |")
p("| time ratio (ours − JVM start) / umoci+skopeo | " + " | ".join(ratio(net[b], mu[b]) for b in B) + " |")
mc = {b: med(times(b, "ours_cds")) for b in B}
mjc = {b: med(times(b, "jvm_cds")) for b in B}
netc = {b: (mc[b] - mjc[b]) if mc[b] is not None and mjc[b] is not None else None for b in B}
m9 = {b: med(times(b, "ours_l9")) for b in B}
p("| **launcher: time ratio ours / buildah** | " + " | ".join(f"**{ratio(mc[b], mbld[b])}**" for b in B) + " |")
p("| launcher --level 9: time ratio ours / buildah | " + " | ".join(ratio(m9[b], mbld[b]) for b in B) + " |")
p("| launcher: ours − JVM start (medians) | " + " | ".join(fms(netc[b]) for b in B) + " |")
p("| launcher: time ratio ours / umoci+skopeo | " + " | ".join(ratio(mc[b], mu[b]) for b in B) + " |")
p("| launcher: time ratio (ours − JVM start) / umoci+skopeo | " + " | ".join(ratio(netc[b], mu[b]) for b in B) + " |")
p("| **bytes in the registry: manifest + config + layers** |" + " |" * len(B))
p("| ours | " + " | ".join(cell_b(b, "ours") for b in B) + " |")
p("| ours via the launcher (the same bytes as ours) | " + " | ".join(cell_b(b, "ours_cds") for b in B) + " |")
p("| ours `--level 9` | " + " | ".join(cell_b(b, "ours_l9") for b in B) + " |")
p("| buildah | " + " | ".join(cell_b(b, "buildah") for b in B) + " |")
p("| umoci+skopeo | " + " | ".join(cell_b(b, "umoci") for b in B) + " |")
p("| floor: `gzip -9` of the binary | " + " | ".join(f"{gz_of[b]:,}" for b in B) + " |")
p("| bytes ratio ours / buildah | " + " | ".join(ratio(mb(b, "ours"), mb(b, "buildah")) for b in B) + " |")
p("| bytes ratio ours / umoci+skopeo | " + " | ".join(ratio(mb(b, "ours"), mb(b, "umoci")) for b in B) + " |")
p("| bytes ratio ours / gzip -9 floor | " + " | ".join(ratio(mb(b, "ours"), gz_of[b]) for b in B) + " |")
p("")

notes = []
for b in B:
    for t in ("ours", "ours_cds", "ours_l9", "buildah", "umoci", "jvm", "jvm_cds", "gzip"):
        xs = times(b, t); m = med(xs)
        if not xs or len(xs) < 3: continue
        odd = [f"{x:,.0f}" for x in xs if x > 1.5 * m or x < m / 1.5]
        if odd:
            notes.append(f"outlier ({b}, {t}): {', '.join(odd)} ms vs median {m:,.0f} ms")
        spread = (max(xs) - min(xs)) / m if m else 0
        if spread > 0.5 and not odd:
            notes.append(f"wide spread ({b}, {t}): min {min(xs):,.0f} / max {max(xs):,.0f} ms around median {m:,.0f} ms")
for b in B:
    for t in ("ours", "ours_l9", "buildah", "umoci"):
        ds = bytes_of(b, t)
        if ds:
            nl = sorted({d["nlayers"] for d in ds}); mts = sorted({d["mediatype"] for d in ds})
            notes.append(f"{b}/{t}: {'/'.join(map(str, nl))} layer(s), manifest {', '.join(mts)}; layer check: "
                         f"{verify.get((b, t), 'not checked')}")

ours_notes = [d["note"] for b in B for t in ("ours", "ours_cds", "ours_l9") for d in ok(b, t)]
bad = [n for n in ours_notes if "MISMATCH" in n]
notes.append("ours' JSON record (digest, compressedSize) vs registry read-back: "
             + ("all match" if ours_notes and not bad else f"{len(bad)} mismatch(es): {bad[:3]}"))
for f in fails:
    notes.append("FAILED " + f)
p("Notes:")
p("")
for n in notes:
    p(f"- {n}")
p("- Compression: ours gzips a layer of up to 1 MiB at level 9 and a larger one at level 4 (zlib, in 256 KiB "
  "blocks on all cores); buildah (containers/image) and umoci use pgzip at its default level. All three write one "
  "layer; the totals count the image only: ours also pushes its SBOM as a referrer (in the timed run, not in the "
  "bytes).")
p("- Peers run as a sequence of CLI processes, each under `timeout` (≈1 ms each); ours runs as one process.")
print("\n".join(out))
PY
log "saved $OUT"
if [[ -n $(awk -F'\t' '$4 != 0' "$SAMPLES") ]]; then
  log "some runs failed (see the notes)"; exit 3
fi
