#!/usr/bin/env bash
# Installs the Debian packages the tests and the benchmark need, only when missing.
# Idempotent; safe to run on every CI run.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have musl-gcc        || need+=(musl-tools)
have go              || need+=(golang-go)
have docker-registry || need+=(docker-registry)
have skopeo          || need+=(skopeo)
have g++             || need+=(g++)
have gcc             || need+=(gcc)
have unshare         || need+=(util-linux)
have htpasswd        || need+=(apache2-utils)
have curl            || need+=(curl)
if [[ "${WITH_BENCH_PEERS:-0}" == 1 ]]; then
  have buildah || need+=(buildah)
  have umoci   || need+=(umoci)
fi
if [[ "${WITH_RUNC:-0}" == 1 ]]; then
  have runc || need+=(runc)
fi

if ((${#need[@]})); then
  echo "setup-deps: installing ${need[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $SUDO apt-get update -qq >/dev/null || true
  timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "setup-deps: ok" >&2
