#!/usr/bin/env bash
# bench/cache.sh [RUNS] — the same build of a Go module and a Cargo crate (the vendored fixtures under
# src/test/fixtures) without a cache and with one: `build --cache-dir`, the local twin of spec.build.cache (the
# builder pod mounts that claim and sets the same CACHE_DIR). Cold and cached runs alternate, so machine drift hits
# both; prints each run, then the medians and their ratio. Whole-process wall time of `scripts/minimal-image build`
# (compile + pack into an OCI layout; no registry).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
[[ -f target/quarkus-app/quarkus-run.jar ]] || mvn -B -ntp -q package -DskipTests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one build; prints its wall seconds. $1 name, $2 cache dir or "", rest: build arguments
timed_build() {
  local name=$1 cache=$2 start end; shift 2
  local work; work=$(mktemp -d "$tmp/work.XXXXXX")
  start=$(date +%s.%N)
  scripts/minimal-image build "$@" --build-dir "$work" --oci-layout "$work/layout" ${cache:+--cache-dir "$cache"} \
    >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; echo "bench: $name build failed" >&2; exit 1; }
  end=$(date +%s.%N)
  rm -rf "$work"
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}' 
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

bench() {
  local name=$1; shift
  local cache="$tmp/cache-$name" cold=() cached=()
  timed_build "$name" "$cache" "$@" >/dev/null # fills the cache once
  for ((i = 1; i <= RUNS; i++)); do
    cold+=("$(timed_build "$name" "" "$@")")
    cached+=("$(timed_build "$name" "$cache" "$@")")
    printf '%-16s run %d: cold %6.2f s  cached %6.2f s\n' "$name" "$i" "${cold[-1]}" "${cached[-1]}"
  done
  local mc mw; mc=$(median "${cold[@]}"); mw=$(median "${cached[@]}")
  printf '%-16s median: cold %6.2f s  cached %6.2f s  cached/cold %.2f  (cache %s)\n' "$name" "$mc" "$mw" \
    "$(awk -v a="$mw" -v b="$mc" 'BEGIN {print a / b}')" "$(du -sh "$cache" | cut -f1)"
}

echo "bench/cache.sh: $RUNS alternating runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
bench go-vendored --language go --source src/test/fixtures/go-vendored --go-package ./cmd/greet
if command -v cargo >/dev/null; then
  bench cargo-vendored --language rust --source src/test/fixtures/cargo-vendored
else
  echo "cargo-vendored: skipped (no cargo on this machine)"
fi
