#!/usr/bin/env bash
# Regenerates the CRD YAML from the Java model (dev.minimalimage.api) and refreshes both checked-in copies:
# crds/ (kubectl apply -f crds/) and the Helm chart's crds/ (installed by helm on first install), and the MinimalImage
# reference docs/reference.md rendered from it. CrdDriftTest and CrdReferenceDriftTest fail the build when a copy
# differs from target/crds or target/docs.
# Usage: scripts/update-crds.sh [--no-build]   (--no-build: only copy what target/crds already holds)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" != "--no-build" ]]; then
  mvn -B -q -ntp process-test-classes   # generator (process-classes), then the printer-column order
fi
shopt -s nullglob
generated=(target/crds/*.yml)
if ((${#generated[@]} == 0)); then
  echo "update-crds: no CRDs in target/crds (did process-classes run?)" >&2
  exit 1
fi
for dest in crds helm/minimal-image-operator/crds; do
  mkdir -p "$dest"
  # Drop copies of CRDs the model no longer generates.
  for old in "$dest"/*.yml; do
    [[ -f "target/crds/$(basename "$old")" ]] || { rm -f -- "$old"; echo "update-crds: removed stale $old" >&2; }
  done
  cp -- "${generated[@]}" "$dest/"
done
echo "update-crds: copied ${#generated[@]} CRD file(s) to crds/ and helm/minimal-image-operator/crds/" >&2
# The MinimalImage reference, rendered from the CRD in the same build step (CrdReferenceDriftTest checks it).
[[ -f target/docs/reference.md ]] || { echo "update-crds: no target/docs/reference.md (did process-test-classes run?)" >&2; exit 1; }
mkdir -p docs
cp -- target/docs/reference.md docs/reference.md
echo "update-crds: copied target/docs/reference.md to docs/reference.md" >&2
