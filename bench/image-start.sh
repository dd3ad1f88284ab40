#!/usr/bin/env bash
# Start time of a CLI step inside the operator image, with and without its start-up archive (the JDK 25 AOT cache in
# the image's last layer): builds the image into an OCI layout with scripts/image.sh (cached steps), unpacks its layers
# into an empty root and runs `java ... -jar /app/quarkus-run.jar package --version` there as uid 65532, alternating the
# two variants RUNS times each. Prints medians, min-max and the ratio. Needs root (chroot, a private /proc mount).
#
#   bench/image-start.sh                        RUNS=9 by default; the operator image
#   COMPONENT=builder bench/image-start.sh      the builder image, built with its archive (--archive)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-9}
COMPONENT=${COMPONENT:-operator}
case $COMPONENT in operator) image_args=() ;; builder) image_args=(--component builder --archive) ;;
  *) echo "COMPONENT is operator or builder" >&2; exit 2 ;; esac
work=$(mktemp -d /tmp/mimg-image-start.XXXXXX)
trap 'rm -rf "$work"' EXIT
log() { printf '[image-start %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

log "building the image into an OCI layout"
timeout 1200 scripts/image.sh "${image_args[@]}" --oci-layout "$work/layout" > "$work/image.log" 2>&1 || { tail "$work/image.log" >&2; exit 1; }
manifest=$(python3 -c "import json,sys; i=json.load(open(sys.argv[1]+'/index.json')); print(i['manifests'][0]['digest'].split(':')[1])" "$work/layout")
blob() { echo "$work/layout/blobs/sha256/$1"; }
mkdir -p "$work/root"
for layer in $(python3 -c "import json,sys; print(' '.join(l['digest'].split(':')[1] for l in json.load(open(sys.argv[1]))['layers']))" "$(blob "$manifest")"); do
  tar -xf "$(blob "$layer")" -C "$work/root"   # GNU tar finds gzip or zstd (the builder's) by itself
done
mkdir -p "$work/root/proc" "$work/root/tmp"
config=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['config']['digest'].split(':')[1])" "$(blob "$manifest")")
mapfile -t with < <(python3 -c "import json,sys; print('\n'.join(json.load(open(sys.argv[1]))['config']['Entrypoint']))" "$(blob "$config")")
without=()
for word in "${with[@]}"; do [[ $word == -XX:AOTCache=* || $word == -XX:SharedArchiveFile=* ]] || without+=("$word"); done

# one run: wall time in ms of the JVM in the image's root, as the image's user, /proc mounted privately
run_ms() {
  local t0 t1
  t0=$(date +%s%N)
  timeout 60 unshare -m --propagation private sh -c 'mount -t proc proc "$0/proc" && exec chroot --userspec=65532:65532 "$0" "$@"' \
    "$work/root" "$@" package --version >/dev/null 2>&1
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
a=(); b=()
run_ms "${with[@]}" >/dev/null; run_ms "${without[@]}" >/dev/null   # warm-up: page cache
for ((i = 0; i < RUNS; i++)); do
  a+=("$(run_ms "${with[@]}")"); b+=("$(run_ms "${without[@]}")")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%d ms (%d-%d)", v[int((NR+1)/2)], v[1], v[NR]}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "| \`package --version\` in the $COMPONENT image ($RUNS runs each, alternating) | median (min-max) |"
echo "|---|---|"
echo "| with the start-up archive | $(stats "${a[@]}") |"
echo "| without | $(stats "${b[@]}") |"
echo "| ratio with / without | $(awk -v x="$(median "${a[@]}")" -v y="$(median "${b[@]}")" 'BEGIN {printf "%.2f", x / y}') |"
