#!/usr/bin/env bash
# The project's test command: installs what the tests need (compilers, registry, skopeo) when missing, then runs
# every test suite. Tests start and stop their own registries on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
export PATH="$PATH:$HOME/.cargo/bin"
exec mvn -B -ntp verify "$@"
