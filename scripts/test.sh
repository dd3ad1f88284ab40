#!/usr/bin/env bash
# The project's test command: installs what the tests need (compilers, registry, skopeo) when missing, then runs
# every test suite: the fast tier (mvn verify: unit tests, real compilers and registries on 127.0.0.1, the operator
# against the mock API server) and then the real-cluster tier (scripts/test-cluster.sh). MINIMAL_IMAGE_CLUSTER_TIER=0
# skips the cluster tier for a quick local loop; CI never sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
export PATH="$PATH:$HOME/.cargo/bin"
mvn -B -ntp verify "$@"
if [[ ${MINIMAL_IMAGE_CLUSTER_TIER:-1} == 0 ]]; then
  echo "test.sh: the real-cluster tier was SKIPPED (MINIMAL_IMAGE_CLUSTER_TIER=0)" >&2
  exit 0
fi
exec ./scripts/test-cluster.sh
