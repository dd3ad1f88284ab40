#!/usr/bin/env bash
# scripts/setup-deps.sh [demo] — installs Debian packages, only those that are missing.
#   (no argument)  everything the tests and the benchmark need
#   demo           only what scripts/demo.sh uses (the C musl preset, the throwaway registry, skopeo)
# Idempotent; safe to run on every CI run.
set -euo pipefail

case "${1:-all}" in
  all | demo) set=${1:-all} ;;
  *) echo "usage: $0 [demo]" >&2; exit 2 ;;
esac
need=()
have() { command -v "$1" >/dev/null 2>&1; }

# scripts/demo.sh: `build --language c` (musl-gcc, a wrapper around gcc), scripts/registry.sh (docker-registry, curl,
# python3 for a free port), skopeo
demo_packages() {
  have musl-gcc        || need+=(musl-tools)
  have gcc             || need+=(gcc)
  have docker-registry || need+=(docker-registry)
  have skopeo          || need+=(skopeo)
  have curl            || need+=(curl)
  have python3         || need+=(python3)
}

test_packages() {
  have go              || need+=(golang-go)
  have g++             || need+=(g++)
  have unshare         || need+=(util-linux)
  have htpasswd        || need+=(apache2-utils)
  have unzip           || need+=(unzip)       # scripts/image.sh (jdeps over the application's classes)
  have zip             || need+=(zip)         # scripts/image.sh (zstd-jni cut to linux/amd64)
  have zstd            || need+=(zstd)        # BuilderImageIT unpacks the builder's zstd layers with GNU tar
  have git             || need+=(git)         # scripts/image.sh --component builder (the training's repository)
  have strip           || need+=(binutils)    # scripts/image.sh (libjvm.so's symbol table)
  have npm             || need+=(npm)         # scripts/cluster/tools.sh (helm, kubectl from an npm package)
  have debootstrap     || need+=(debootstrap) # scripts/cluster/toolchain-image.sh
  have umoci           || need+=(umoci)
  have nsenter         || need+=(util-linux)
  # the build-system presets (make, cmake, meson, autotools) and the fixture projects under src/test/fixtures;
  # dpkg-dev gives `apt-get source` (scripts/debian-sources.sh)
  have make            || need+=(make)
  have cmake           || need+=(cmake)
  have meson           || need+=(meson)
  have ninja           || need+=(ninja-build)
  have autoconf        || need+=(autoconf)
  have automake        || need+=(automake)
  have libtoolize      || need+=(libtool)
  have pkg-config      || need+=(pkg-config)
  have dpkg-source     || need+=(dpkg-dev)
  have file            || need+=(file)        # checks that a fixture's executable is statically linked
  # multi-platform builds (MultiPlatformBuildTest): Debian's arm64 cross compilers with their static glibc, and
  # qemu-user-static, which runs the arm64 images in `build --smoke-test`
  have aarch64-linux-gnu-gcc || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
  have aarch64-linux-gnu-g++ || need+=(g++-aarch64-linux-gnu)
  have qemu-aarch64-static   || need+=(qemu-user-static)
  have envsubst        || need+=(gettext-base) # the examples' documented substitution (ExamplesTest, ExamplesIT)
  # /bin/busybox, statically linked: `package --debug-tag` (the debug twin's shell; DebugTwinPushTest) and
  # scripts/image.sh, which puts it into the operator image. Debian's `busybox` package is dynamic: not that one.
  dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
  # the operator image's runtime keeps java.desktop (jdeps finds java.beans use), whose native parts need these: the
  # closure resolver copies them from this host into the image and fails when one is missing
  for lib in libx11-6 libxext6 libxi6 libxrender1 libxtst6 libasound2; do
    dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
  done
  if [[ "${WITH_BENCH_PEERS:-0}" == 1 ]]; then
    have buildah || need+=(buildah)
    have umoci   || need+=(umoci)
  fi
  if [[ "${WITH_RUNC:-0}" == 1 ]]; then
    have runc || need+=(runc)
  fi
}

demo_packages
[[ $set == demo ]] || test_packages

if ((${#need[@]})); then
  echo "setup-deps: installing ${need[*]} from Debian (apt-get update + install: usually 1-3 min)" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 $SUDO apt-get update -qq >/dev/null || true
  timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "setup-deps: ok" >&2
