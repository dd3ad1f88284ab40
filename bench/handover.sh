#!/usr/bin/env bash
# bench/handover.sh — benchmark (not a test) of the builder pod's packer on this machine: the time from the compile
# step writing its exit code (`package --await-compile FILE`) to the packer's exit, having packed a small static C
# program into an OCI layout. Side by side in one run, alternating: the packer as the pod runs it (warming up while it
# waits: it packs a tiny program meanwhile) and the same packer with the warm-up off (MINIMAL_IMAGE_WARM_UP=0).
# Each run waits WAIT seconds (default 3) before the exit code appears, as a compile step would take.
#   bench/handover.sh [RUNS]      (default 7; prints medians, min–max and the ratio)
# Needs: target/ built (mvn package), a C compiler (gcc -static or musl-gcc).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
wait_s=${WAIT:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }
[[ -f target/quarkus-app/quarkus-run.jar ]] || { echo "build first: mvn -o -q package -DskipTests" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$work/hello.c"
mkdir -p "$work/shared/out"
gcc -static -O2 -o "$work/shared/out/hello" "$work/hello.c"
one() { # WARM_UP(1|0) -> milliseconds from the exit code to the packer's exit
  rm -rf "$work/own" "$work/layout" "$work/exit-code"
  MINIMAL_IMAGE_WARM_UP=$1 timeout 120 scripts/minimal-image package "$work/own/out/hello" \
    --await-compile "$work/exit-code" --await-timeout 60 --take "$work/shared/out=$work/own/out" \
    --oci-layout "$work/layout" > "$work/result.json" 2> "$work/err" &
  local pid=$! t0 t1
  sleep "$wait_s"
  t0=$(date +%s%N); printf '0\n' > "$work/exit-code"
  wait "$pid" || { cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
: > "$work/on"; : > "$work/off"
for i in $(seq 1 "$runs"); do
  one 1 >> "$work/on"; one 0 >> "$work/off"
  printf 'run %d/%d done\n' "$i" "$runs" >&2
done
stats() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%d %d %d\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r on_med on_min on_max < <(stats "$work/on")
read -r off_med off_min off_max < <(stats "$work/off")
echo "| packer ($runs runs each, alternating; exit code → packer exited) | median | min – max |"
echo "|---|---:|---:|"
echo "| warming up while it waits (as in the pod) | $on_med ms | $on_min – $on_max ms |"
echo "| warm-up off (MINIMAL_IMAGE_WARM_UP=0) | $off_med ms | $off_min – $off_max ms |"
awk -v a="$on_med" -v b="$off_med" 'BEGIN { printf "\nratio (warm-up / none): %.2fx; load average: %s\n", a / b, "'"$(cut -d' ' -f1-3 /proc/loadavg)"'" }'
