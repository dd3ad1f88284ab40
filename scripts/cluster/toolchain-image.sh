#!/usr/bin/env bash
# scripts/cluster/toolchain-image.sh [--rebuild] — build and push the ONE toolchain image that every language preset
# (C musl/glibc, C++, Go, Rust) uses in the real-cluster tests, and print its reference on stdout (nothing else;
# logs go to stderr):
#     TOOLCHAIN=$(scripts/cluster/toolchain-image.sh)     # e.g. 10.250.0.1:5000/mimg/toolchain:3f0c…
#
# Why: the test cluster has no route out (network namespace mimgkube), so the README's default toolchain images
# (quay.io, docker.io) cannot be pulled there. This does exactly what an air-gapped user does: debootstrap a Debian
# bookworm minbase on a connected host, apt-get install the toolchains (--no-install-recommends), add the non-root
# user 65532 the builder pod runs as, pack the rootfs as ONE layer with umoci (config user 65532:65532, PATH, HOME)
# and push it with skopeo to the cluster's own registry (from inside the netns).
#
# Caching: rootfs and OCI layout live in /var/cache/minimal-image/toolchain/<key>, where <key> is a hash of the
# package list + this script's version. The same key is the image tag, so a changed package list never reuses an old
# tag. A run with an existing key only checks the registry (skopeo inspect --raw inside the netns) and pushes when
# the tag is missing or points at another manifest digest. --rebuild (or TOOLCHAIN_REBUILD=1) forces a fresh
# debootstrap. Right after a build, every toolchain compiles a hello as uid 65532 in a chroot (and the result runs),
# so a broken toolchain fails here with a clear message instead of later in a pod.
#
# Environment: DEBIAN_MIRROR (default: the URI of the host's apt source for bookworm; a build without either fails
# and says so), DEBIAN_SECURITY_MIRROR (default: the host's source for bookworm-security, else none), MIMG_NETNS
# (mimgkube), MIMG_REGISTRY (10.250.0.1:5000), TOOLCHAIN_CACHE (/var/cache/minimal-image/toolchain),
# TOOLCHAIN_LOCK_WAIT / TOOLCHAIN_STEP_TIMEOUT (seconds).
set -euo pipefail

SCRIPT_VERSION=1   # bump when the build recipe below changes: it is part of the cache key and the image tag
SUITE=bookworm
# the build systems the C and C++ presets recognise (CMake, Meson, autotools, make) and ccache for spec.build.cache
# and the GNU cross compilers for linux/arm64 with their static glibc (docs/platforms.md; Go cross-compiles itself)
PKGS="gcc libc6-dev musl-tools g++ binutils make cmake meson ninja-build autoconf automake libtool pkg-config ccache golang-go rustc cargo ca-certificates gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross"
NETNS=${MIMG_NETNS:-mimgkube}
REGISTRY=${MIMG_REGISTRY:-10.250.0.1:5000}
CACHE=${TOOLCHAIN_CACHE:-/var/cache/minimal-image/toolchain}
LOCK_WAIT=${TOOLCHAIN_LOCK_WAIT:-1800}
STEP_TIMEOUT=${TOOLCHAIN_STEP_TIMEOUT:-1200}   # bound for each long step (debootstrap, apt, pack, push)
NONROOT=65532
PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# stdout carries only the image reference: keep it on fd 3, send everything else to stderr
exec 3>&1 1>&2
log() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

rebuild=${TOOLCHAIN_REBUILD:-0}
case "${1:-}" in
  "") ;;
  --rebuild) rebuild=1 ;;
  *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, nsenter)"

KEY=$(printf 'script=%s\nsuite=%s\nvariant=minbase\npackages=%s\nuser=%s\n' \
  "$SCRIPT_VERSION" "$SUITE" "$PKGS" "$NONROOT" | sha256sum | cut -c1-16)
TAG=$KEY
IMAGE=$REGISTRY/mimg/toolchain:$TAG
DIR=$CACHE/$KEY
ROOTFS=$DIR/rootfs
LAYOUT=$DIR/oci

# The first URI of this machine's enabled `deb` entries for SUITE (deb822 *.sources and one-line sources.list /
# *.list, where apt-config says they are); empty when there is none. No mirror is ever written into this script: an
# air-gapped user has only their own.
host_mirror() { # SUITE
  eval "$(apt-config shell SOURCELIST Dir::Etc::sourcelist/f SOURCEPARTS Dir::Etc::sourceparts/d)"
  python3 - "$1" "$SOURCELIST" "$SOURCEPARTS" <<'PY'
import glob, os, sys

suite, sourcelist, sourceparts = sys.argv[1:4]
def one_line(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        words = line.split("#", 1)[0].split()
        if words[:1] != ["deb"]:
            continue
        words = words[1:]
        if words and words[0].startswith("["):  # [options]
            while words and not words[0].endswith("]"):
                words.pop(0)
            words = words[1:]
        if len(words) >= 2 and words[1] == suite:
            return words[0]
def deb822(path):
    for stanza in open(path, encoding="utf-8", errors="replace").read().split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith(("#", " ", "\t")):
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
        if ("deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]
                and suite in fields.get("suites", []) and fields.get("uris")):
            return fields["uris"][0]
paths = ([sourcelist] if os.path.isfile(sourcelist) else []) + sorted(glob.glob(os.path.join(sourceparts, "*")))
for path in paths:
    uri = deb822(path) if path.endswith(".sources") else one_line(path) if path.endswith(".list") or path == sourcelist else None
    if uri:
        print(uri.rstrip("/"))
        break
PY
}

need=""
for t in debootstrap:debootstrap umoci:umoci skopeo:skopeo; do
  command -v "${t%%:*}" >/dev/null || need="$need ${t#*:}"
done
if [ -n "$need" ]; then
  log "installing from Debian:$need"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q --no-install-recommends $need >&2 \
    || die "apt-get install$need failed"
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock -w "$LOCK_WAIT" 9 || die "another toolchain-image.sh holds $CACHE/.lock for more than ${LOCK_WAIT}s"

# run a command in the rootfs with /proc and a minimal /dev, inside a throw-away mount namespace (nothing to unmount
# afterwards, nothing visible on the host)
in_chroot() { # TIMEOUT CHROOT_ARGS... -- run as given
  local t=$1; shift
  # shellcheck disable=SC2016  # the script is expanded by the inner sh
  timeout "$t" unshare --mount --propagation private --fork sh -ec '
    r=$1; shift
    mount -t proc proc "$r/proc"
    mount -t tmpfs -o mode=0755,nosuid tmpfs "$r/dev"
    for d in null zero full random urandom tty; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
    ln -s /proc/self/fd "$r/dev/fd"
    exec chroot "$@"' sh "$ROOTFS" "$@"
}

smoke() {
  local t d rel
  d=$(mktemp -d "$ROOTFS/tmp/mimg-smoke.XXXXXX"); rel=/tmp/${d##*/}
  cat > "$d/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello c"); return 0; }
EOF
  cat > "$d/hello.cc" <<'EOF'
#include <iostream>
int main() { std::cout << "hello c++" << std::endl; return 0; }
EOF
  cat > "$d/hello.go" <<'EOF'
package main

import "fmt"

func main() { fmt.Println("hello go") }
EOF
  cat > "$d/hello.rs" <<'EOF'
fn main() { println!("hello rust"); }
EOF
  mkdir -p "$d/crate/src"
  printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' > "$d/crate/Cargo.toml"
  cp "$d/hello.rs" "$d/crate/src/main.rs"
  chown -R "$NONROOT:$NONROOT" "$d"
  # each step: NAME COMMAND (run as uid 65532 with HOME, caches and temp files in the scratch dir), then the output
  # must run and, unless dynamic-ok, have neither a program interpreter nor NEEDED entries (static or static-pie)
  local steps=(
    "gcc|gcc -O2 -o hello-gcc hello.c|hello-gcc|dynamic-ok"
    "musl-gcc -static|musl-gcc -static -Os -s -o hello-musl hello.c|hello-musl|static"
    "g++ -static|g++ -static -Os -s -o hello-cxx hello.cc|hello-cxx|static"
    "CGO_ENABLED=0 go build|CGO_ENABLED=0 go build -trimpath -ldflags=-s\\ -w -o hello-go hello.go|hello-go|static"
    "rustc +crt-static|rustc -C opt-level=z -C panic=abort -C strip=symbols -C target-feature=+crt-static -o hello-rs hello.rs|hello-rs|static"
    "cargo build --offline|cd crate && RUSTFLAGS=-Ctarget-feature=+crt-static cargo build -q --offline --release && cp target/release/hello ../hello-cargo|hello-cargo|static"
    # cross builds cannot run here (no emulator in the chroot): their ELF header must say AArch64
    "aarch64-linux-gnu-gcc -static|aarch64-linux-gnu-gcc -static -Os -s -o hello-arm64 hello.c|hello-arm64|cross"
    "aarch64-linux-gnu-g++ -static|aarch64-linux-gnu-g++ -static -Os -s -o hello-arm64-cxx hello.cc|hello-arm64-cxx|cross"
    "GOARCH=arm64 go build|CGO_ENABLED=0 GOARCH=arm64 go build -trimpath -o hello-go-arm64 hello.go|hello-go-arm64|cross"
  )
  local s name cmd out kind
  for s in "${steps[@]}"; do
    IFS='|' read -r name cmd out kind <<<"$s"
    t=$(date +%s%N)
    if ! in_chroot 300 --userspec="$NONROOT:$NONROOT" "$ROOTFS" /usr/bin/env -i PATH="$PATH_ENV" HOME="$rel" \
        TMPDIR="$rel" GOCACHE="$rel/gocache" GOPATH="$rel/gopath" CARGO_HOME="$rel/cargo" GOFLAGS= \
        /bin/sh -ec "cd $rel && (eval \"\$0\") && { [ \"\$1\" = cross ] || ./$out; }" "$cmd" "$kind" \
        > "$d/$out.log" 2>&1; then
      sed 's/^/    /' "$d/$out.log" >&2; rm -rf "$d"
      die "toolchain smoke check failed: $name (as uid $NONROOT in $ROOTFS); nothing pushed (fix, then --rebuild)"
    fi
    # (read into files first: `readelf | grep -q` can lose to SIGPIPE under pipefail)
    readelf -lW "$d/$out" > "$d/$out.phdr"; readelf -dW "$d/$out" > "$d/$out.dyn"
    if [ "$kind" = cross ] && ! readelf -hW "$d/$out" | grep -q 'Machine:.*AArch64'; then
      rm -rf "$d"; die "toolchain smoke check: $name produced no AArch64 binary"
    fi
    if [ "$kind" != dynamic-ok ] && { grep -q 'INTERP' "$d/$out.phdr" || grep -q '(NEEDED)' "$d/$out.dyn"; }; then
      rm -rf "$d"; die "toolchain smoke check: $name produced a binary with a program interpreter or NEEDED (not static)"
    fi
    log "smoke ok: $name -> $(readelf -hW "$d/$out" | awk '/Type:/{print $2}') $(stat -c %s "$d/$out") B, says '$(tr -d '\n' < "$d/$out.log")' ($(( ($(date +%s%N) - t) / 1000000 )) ms)"
  done
  rm -rf "$d"
}

# ---------------------------------------------------------------- 1. rootfs (cached by key)
if [ "$rebuild" = 1 ] || [ ! -f "$DIR/rootfs.installed" ]; then
  # before anything cached is removed: a machine that cannot build keeps what it has
  MIRROR=${DEBIAN_MIRROR:-$(host_mirror "$SUITE")}
  [ -n "$MIRROR" ] || die "no Debian mirror to debootstrap from: this machine's apt sources have no 'deb' entry for" \
    "$SUITE; set DEBIAN_MIRROR to your mirror's URL (DEBIAN_SECURITY_MIRROR for $SUITE-security is optional)"
  SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-$(host_mirror "$SUITE-security")}
  # old keys are not reused by anyone: drop them (a rootfs is ~1.5 GB)
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$KEY" -exec rm -rf {} +
  rm -rf "$DIR"; mkdir -p "$DIR"
  t0=$(date +%s)
  log "debootstrap --variant=minbase $SUITE from $MIRROR (key $KEY)"
  timeout "$STEP_TIMEOUT" debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" > "$DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$DIR/debootstrap.log" >&2; die "debootstrap failed (log: $DIR/debootstrap.log)"; }
  t1=$(date +%s)
  log "debootstrap took $((t1 - t0))s; installing: $PKGS"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -n "$SECURITY_MIRROR" ] && echo "deb $SECURITY_MIRROR $SUITE-security main"
  } > "$ROOTFS/etc/apt/sources.list"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"; chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
  in_chroot "$STEP_TIMEOUT" "$ROOTFS" /usr/bin/env -i PATH="$PATH_ENV" DEBIAN_FRONTEND=noninteractive /bin/sh -ec \
    "apt-get update -q && apt-get install -y -q --no-install-recommends $PKGS && apt-get clean" > "$DIR/install.log" 2>&1 \
    || { tail -20 "$DIR/install.log" >&2; die "chroot apt-get install failed (log: $DIR/install.log)"; }
  t2=$(date +%s)
  log "package install took $((t2 - t1))s"
  # trim: apt lists and caches, logs, docs/man pages (copyright files stay), the host's resolv.conf, device nodes
  # (the container runtime provides /dev)
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/debconf/*-old \
    "$ROOTFS"/var/log/* "$ROOTFS/usr/sbin/policy-rc.d" "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
    "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
  find "$ROOTFS/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
  : > "$ROOTFS/etc/resolv.conf"
  find "$ROOTFS/dev" -mindepth 1 -delete
  if ! grep -q '^nonroot:' "$ROOTFS/etc/passwd"; then
    echo "nonroot:x:$NONROOT:$NONROOT:nonroot:/home/nonroot:/usr/sbin/nologin" >> "$ROOTFS/etc/passwd"
    echo "nonroot:x:$NONROOT:" >> "$ROOTFS/etc/group"
    echo "nonroot:*:19000:0:99999:7:::" >> "$ROOTFS/etc/shadow"
    mkdir -p "$ROOTFS/home/nonroot"; chown "$NONROOT:$NONROOT" "$ROOTFS/home/nonroot"; chmod 0755 "$ROOTFS/home/nonroot"
  fi
  echo "debootstrap=$((t1 - t0))s install=$((t2 - t1))s" > "$DIR/timings"
  printf '%s\n' "$PKGS" > "$DIR/rootfs.installed"
  rm -f "$DIR/rootfs.done"
fi
# smoke checks, after every (re)build; a rootfs that failed them is checked again on the next run, never packed
if [ ! -f "$DIR/rootfs.done" ]; then
  t0=$(date +%s)
  smoke
  log "smoke checks took $(( $(date +%s) - t0 ))s"
  { grep -v '^smoke=' "$DIR/timings" 2>/dev/null || true; echo "smoke=$(( $(date +%s) - t0 ))s"; } > "$DIR/timings.new"
  mv -f "$DIR/timings.new" "$DIR/timings"
  printf '%s\n' "$PKGS" > "$DIR/rootfs.done"
  rm -rf "$LAYOUT" "$DIR/oci.done"
fi
log "rootfs $ROOTFS: $(du -sh "$ROOTFS" | cut -f1) ($(tr '\n' ' ' < "$DIR/timings" 2>/dev/null || true))"

# ---------------------------------------------------------------- 2. one-layer OCI image (cached by key)
if [ ! -f "$DIR/oci.done" ] || ! umoci stat --image "$LAYOUT:$TAG" >/dev/null 2>&1; then
  t0=$(date +%s)
  rm -rf "$LAYOUT" "$DIR/oci.done"
  umoci init --layout "$LAYOUT"
  umoci new --image "$LAYOUT:$TAG"
  # the whole rootfs becomes exactly one layer
  timeout "$STEP_TIMEOUT" umoci insert --image "$LAYOUT:$TAG" \
    --history.created_by "debootstrap --variant=minbase $SUITE + apt-get install --no-install-recommends $PKGS" \
    "$ROOTFS" / || die "umoci insert failed"
  umoci config --image "$LAYOUT:$TAG" --config.user "$NONROOT:$NONROOT" --config.workingdir /home/nonroot \
    --config.env "PATH=$PATH_ENV" --config.env HOME=/home/nonroot --config.cmd /bin/sh \
    --config.label "dev.minimalimage.toolchain.packages=$PKGS" --config.label "dev.minimalimage.toolchain.key=$KEY"
  umoci gc --layout "$LAYOUT"
  touch "$DIR/oci.done"
  log "packed the single-layer image in $(( $(date +%s) - t0 ))s"
fi
read -r DIGEST LAYERS BYTES < <(python3 - "$LAYOUT" "$TAG" <<'PY'
import json, sys
layout, tag = sys.argv[1], sys.argv[2]
idx = json.load(open(layout + "/index.json"))
m = [x for x in idx["manifests"] if x.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][0]
man = json.load(open(layout + "/blobs/" + m["digest"].replace(":", "/")))
print(m["digest"], len(man["layers"]), sum(l["size"] for l in man["layers"]))
PY
)
[ "$LAYERS" = 1 ] || die "expected exactly one layer, the manifest has $LAYERS"
log "image $DIGEST: $LAYERS layer, $BYTES compressed bytes"

# ---------------------------------------------------------------- 3. push (only when the registry differs)
[ -e "/run/netns/$NETNS" ] || die "network namespace $NETNS not found: is the cluster up (/work/shared/kube/up.sh)?"
knet() { nsenter --net="/run/netns/$NETNS" -- "$@"; }
ready=0
for _ in $(seq 1 30); do   # bounded: about 30 s
  if knet curl -fs --max-time 2 -o /dev/null "http://$REGISTRY/v2/"; then ready=1; break; fi
  sleep 1
done
[ "$ready" = 1 ] || die "registry http://$REGISTRY/v2/ does not answer inside netns $NETNS"
# digest of the registry's manifest bytes (hashed as they come: umoci's manifests end with a newline, which a
# $(...) capture would strip); empty when the tag is missing
remote_digest() {
  local h
  h=$(knet timeout 60 skopeo inspect --raw --tls-verify=false "docker://$IMAGE" 2>/dev/null | sha256sum | cut -c1-64) \
    && echo "sha256:$h"
}
remote=$(remote_digest || true)
if [ "$remote" = "$DIGEST" ]; then
  log "registry already has $IMAGE at $DIGEST: not pushing"
else
  t0=$(date +%s)
  log "pushing $IMAGE (registry has: ${remote:-nothing})"
  knet timeout "$STEP_TIMEOUT" skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:$TAG" "docker://$IMAGE" \
    || die "push of $IMAGE failed"
  remote=$(remote_digest) || die "cannot read back $IMAGE"
  [ "$remote" = "$DIGEST" ] || die "registry has $remote for $IMAGE after the push, expected $DIGEST"
  log "pushed in $(( $(date +%s) - t0 ))s"
fi
echo "$IMAGE" >&3
