#!/usr/bin/env bash
# scripts/debian-sources.sh PACKAGE...
# Fetches Debian SOURCE packages (apt-get source: .dsc + tarballs, unpacked and patched by dpkg-source; nothing is
# built) into a cache and prints the path of each unpacked source tree, one per line, on stdout (all else: stderr):
#   /var/cache/minimal-image/debian-sources/<package>/
# A package already in the cache is printed at once, with no lock, no root and no network; a fresh machine downloads.
#
# Where the sources come from: the machine's own `deb` entries for Debian (deb822 *.sources and one-line *.list, in
# /etc/apt/sources.list and sources.list.d; only suites named after this release, `bookworm` or `bookworm-*`, so a
# third-party repository such as nodesource is never contacted) are turned into `Types: deb-src` entries with the
# same URIs, Suites, Components and Signed-By, written to a PRIVATE apt state under the cache
# (<cache>/.apt/sources.list.d/debian-src.sources, its own lists and lock), not into /etc/apt: the system's apt
# state is left alone (a second deb-src entry for a target that another file already lists makes every apt command
# warn "configured multiple times"), and our `apt-get update` fetches only the Debian source indexes. That update
# runs only when the derived file was just (re)written, when the index does not know a package asked for, or once
# more when a download fails on a stale index.
#
# Runs as root; otherwise re-runs itself with sudo (only when something has to be fetched). Concurrent runs are
# serialised with flock; every network step is bounded with timeout. Idempotent.
# Environment: MINIMAL_IMAGE_DEBIAN_SOURCES (cache dir, default /var/cache/minimal-image/debian-sources),
#              DEBIAN_SOURCES_TIMEOUT (seconds per apt step, default 900), APT_CONFIG (honoured by apt as usual).
set -euo pipefail

CACHE=${MINIMAL_IMAGE_DEBIAN_SOURCES:-/var/cache/minimal-image/debian-sources}
STEP_TIMEOUT=${DEBIAN_SOURCES_TIMEOUT:-900}
log() { echo "debian-sources: $*" >&2; }

(($#)) || { echo "usage: $0 PACKAGE..." >&2; exit 2; }
for pkg in "$@"; do
  [[ $pkg =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || { log "not a Debian package name: '$pkg'"; exit 2; }
done

cached() { [[ -d "$CACHE/$1" && -f "$CACHE/.meta/$1" ]]; }
all_cached() { local p; for p in "$@"; do cached "$p" || return 1; done; }

# fast path: everything is there (readable by anyone)
if all_cached "$@"; then
  for pkg in "$@"; do echo "$CACHE/$pkg"; done
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { log "not root and no sudo: cannot write $CACHE"; exit 1; }
  exec sudo --preserve-env=MINIMAL_IMAGE_DEBIAN_SOURCES,DEBIAN_SOURCES_TIMEOUT,APT_CONFIG -- "$0" "$@"
fi

for tool in apt-get dpkg-source python3 flock timeout; do
  command -v "$tool" >/dev/null || { log "$tool is missing (scripts/setup-deps.sh installs dpkg-dev, python3)"; exit 1; }
done

mkdir -p "$CACHE/.meta" "$CACHE/.apt/sources.list.d" "$CACHE/.apt/lists/partial" "$CACHE/.apt/archives/partial"
exec 9>"$CACHE/.lock"
timeout "$STEP_TIMEOUT" flock 9 || { log "could not take $CACHE/.lock within ${STEP_TIMEOUT}s"; exit 1; }

# another run may have fetched them while we waited for the lock
if all_cached "$@"; then
  for pkg in "$@"; do echo "$CACHE/$pkg"; done
  exit 0
fi

# --- the private apt state --------------------------------------------------------------------------------------
APT_OPTS=(
  -o "Dir::Etc::sourcelist=/dev/null"
  -o "Dir::Etc::sourceparts=$CACHE/.apt/sources.list.d"
  -o "Dir::State::Lists=$CACHE/.apt/lists"
  -o "Dir::Cache::archives=$CACHE/.apt/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Get::List-Cleanup=1"
  -o "Acquire::Retries=3"
)
eval "$(apt-config shell ETC_DIR Dir::Etc/d SOURCELIST Dir::Etc::sourcelist/f SOURCEPARTS Dir::Etc::sourceparts/d)"
. /etc/os-release
CODENAME=${VERSION_CODENAME:-}
[[ -n $CODENAME ]] || { log "no VERSION_CODENAME in /etc/os-release"; exit 1; }

derived=$(python3 - "$CODENAME" "$SOURCELIST" "$SOURCEPARTS" <<'PY'
# Prints deb822 `Types: deb-src` stanzas for the enabled `deb` entries of this Debian release.
import glob, os, re, sys

codename, sourcelist, sourceparts = sys.argv[1:4]
def debian_suite(s):
    return s == codename or s.startswith(codename + "-")

entries = []  # (uri, suites, components, signed_by)
def add(uri, suites, comps, signed):
    suites = [s for s in suites if debian_suite(s)]
    if uri and suites and comps:
        entries.append((uri.rstrip("/"), suites, comps, signed))

def one_line(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^(deb)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        opts = dict(o.split("=", 1) for o in (m.group(2) or "").split() if "=" in o)
        add(m.group(3), [m.group(4)], m.group(5).split(), opts.get("signed-by", ""))

def deb822(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for stanza in re.split(r"\n\s*\n", text):
        fields, key = {}, None
        for raw in stanza.splitlines():
            if raw.startswith("#") or not raw.strip():
                continue
            if raw[0] in " \t" and key:          # continuation line (e.g. an inline Signed-By key)
                fields[key] += "\n" + raw
                continue
            if ":" in raw:
                key, value = raw.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            add(uri, fields.get("suites", "").split(), fields.get("components", "").split(),
                fields.get("signed-by", ""))

if os.path.isfile(sourcelist):
    one_line(sourcelist)
for path in sorted(glob.glob(os.path.join(sourceparts, "*"))):
    if path.endswith(".list"):
        one_line(path)
    elif path.endswith(".sources"):
        deb822(path)

seen = set()
for uri, suites, comps, signed in entries:
    key = (uri, tuple(suites), tuple(comps), signed)
    if key in seen:
        continue
    seen.add(key)
    print("Types: deb-src")
    print("URIs: " + uri)
    print("Suites: " + " ".join(suites))
    print("Components: " + " ".join(comps))
    if signed:
        print("Signed-By: " + signed)
    print()
PY
)
[[ -n $derived ]] || { log "no Debian 'deb' entry for $CODENAME in $SOURCELIST or $SOURCEPARTS: add one for your" \
  "mirror, or set APT_CONFIG to an apt configuration whose Dir::Etc::sourcelist/sourceparts name it"; exit 1; }
src_file="$CACHE/.apt/sources.list.d/debian-src.sources"
header="# written by scripts/debian-sources.sh from the deb entries of $SOURCELIST and $SOURCEPARTS"
need_update=0
if [[ ! -f $src_file || "$(cat "$src_file")" != "$header"$'\n'"$derived" ]]; then
  printf '%s\n%s\n' "$header" "$derived" > "$src_file"
  log "wrote $src_file"
  need_update=1
fi
[[ -n $(find "$CACHE/.apt/lists" -maxdepth 1 -name '*Sources*' -print -quit) ]] || need_update=1

updated=0
apt_update() {
  ((updated)) && return 0   # at most once per run
  log "apt-get update (Debian source indexes only)"
  timeout "$STEP_TIMEOUT" apt-get "${APT_OPTS[@]}" -q update >&2
  updated=1
}
knows() { [[ -n $(apt-cache "${APT_OPTS[@]}" showsrc "$1" 2>/dev/null | head -c1) ]]; }

((need_update)) && apt_update
for pkg in "$@"; do
  cached "$pkg" || knows "$pkg" || { apt_update; break; }
done

fetch() { # PKG: apt-get source into a scratch dir, then move the unpacked tree into place
  local pkg=$1 work tree
  work=$(mktemp -d "$CACHE/.work.$pkg.XXXXXX")
  chmod 755 "$work"
  # apt downloads as its sandbox user _apt when that user can write here
  id _apt >/dev/null 2>&1 && chown _apt "$work"
  if ! (cd "$work" && timeout "$STEP_TIMEOUT" apt-get "${APT_OPTS[@]}" -q source "$pkg" >&2); then
    rm -rf "$work"
    return 1
  fi
  tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
  [[ -n $tree ]] || { log "apt-get source $pkg unpacked nothing"; rm -rf "$work"; return 1; }
  basename "$(ls "$work"/*.dsc | head -n1)" .dsc > "$CACHE/.meta/$pkg.new"
  rm -rf "$CACHE/$pkg"
  mv "$tree" "$CACHE/$pkg"
  mv "$CACHE/.meta/$pkg.new" "$CACHE/.meta/$pkg"
  rm -rf "$work"
}

for pkg in "$@"; do
  if ! cached "$pkg"; then
    start=$SECONDS
    if ! fetch "$pkg"; then
      ok=0
      if ((!updated)); then
        log "apt-get source $pkg failed; refreshing the index and retrying"
        apt_update && fetch "$pkg" && ok=1
      fi
      ((ok)) || { log "could not fetch the source package $pkg"; exit 1; }
    fi
    log "$pkg: $(cat "$CACHE/.meta/$pkg") unpacked in $((SECONDS - start))s"
  fi
  echo "$CACHE/$pkg"
done
