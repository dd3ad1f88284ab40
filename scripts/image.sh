#!/usr/bin/env bash
# Builds the operator's own container image FROM scratch with this repository's packer (no Dockerfile, no daemon):
#
#   scripts/image.sh --image REGISTRY/minimal-image-operator:TAG [--insecure]   # push
#   scripts/image.sh --oci-layout DIR                                            # or write an OCI layout
#
# Layers, bottom first:
#   1. runtime   /opt/java (a jlink'ed JDK cut to the modules the application uses), the shared libraries it needs
#                (resolved by our ELF closure resolver, `closure`, never ldd), /etc/ssl/certs/ca-certificates.crt,
#                /usr/share/zoneinfo, /etc/passwd + /etc/group (nonroot 65532), /bin/busybox (this host's, from
#                Debian's busybox-static: the shell `package --debug-tag` puts into debug twins; a file the package
#                step reads, never runs: no applet links, so the image still has no /bin/sh) -- reproducible
#   2. app       /app = target/quarkus-app as is                                       -- reproducible
#   3. archive   /opt/java-archive/app.aot (JDK 25 AOT cache) or app.jsa (JDK 17 AppCDS), recorded by a training run
#                of the image's own java inside a staged root whose files have the image's epoch mtimes, at the
#                image's paths (CDS/AOT validate jar paths, sizes and mtimes). Its own, last layer because a JVM
#                archive need not be byte-reproducible; every other layer is.
# Entrypoint: /opt/java/bin/java -XX:AOTCache=/opt/java-archive/app.aot -jar /app/quarkus-run.jar; Cmd: --help.
# The builder pod runs it with args `fetch ...` / `package ...`, the Deployment with `operator`; user 65532:65532,
# read-only root (pods mount an emptyDir at /tmp).
#
# Options: --build (mvn package even if target/quarkus-app exists), --app DIR (a copy of target/quarkus-app to pack
# instead, e.g. a snapshot while target/ is being rebuilt), --jdk DIR (default: Temurin 25 if installed, else
# the default JDK 17), --work DIR (staging, default a temp dir removed at exit), --no-archive (two layers only),
# --level N (gzip level, default 6: 9 saves ~0.3% and takes ~3x longer on 160 MB).
# Slow steps (jdeps, jlink) are cached under ${MINIMAL_IMAGE_CACHE:-/var/cache/minimal-image}, keyed by the JDK, the
# dependency jars' names, the project's own jar and the module list (one build at a time per cache: flock). Prints timing per step and the package-tree JSON result (last line).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${MINIMAL_IMAGE_CACHE:-/var/cache/minimal-image}
app=$here/target/quarkus-app image='' insecure='' layout='' build=false jdk='' work='' archive=true level=6
while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) image=$2; shift 2 ;;
    --insecure) insecure=--insecure; shift ;;
    --oci-layout) layout=$2; shift 2 ;;
    --build) build=true; shift ;;
    --app) app=$2; shift 2 ;;
    --jdk) jdk=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-archive) archive=false; shift ;;
    --level) level=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$image" || -n "$layout" ]] || { echo "image.sh: name --image REF or --oci-layout DIR" >&2; exit 2; }

started=$(date +%s%N); last=$started
step() { local now; now=$(date +%s%N); printf 'image.sh: %-34s %6.1f s\n' "$1" "$(( (now - last) / 1000000 ))e-3" >&2; last=$now; }

if $build || [[ ! -f $app/quarkus-run.jar ]]; then
  (cd "$here" && mvn -B -ntp -q package -DskipTests)
  step "mvn package"
fi

if [[ -z "$jdk" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ]]; then jdk=/usr/lib/jvm/temurin-25-jdk-amd64
  else jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")"); fi
fi
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
aot=false; [[ $feature -ge 25 ]] && aot=true
jdk_id=$(cat "$jdk/release" | sha256sum | cut -c1-16)
host_java=$(command -v java)

# The application's identity: every file's path and content.
app_hash=$(cd "$app" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
step "hash application ($app_hash)"

own_work=false
if [[ -z "$work" ]]; then work=$(mktemp -d /tmp/mimg-image.XXXXXX); own_work=true; fi
trap '$own_work && rm -rf "$work"' EXIT
mkdir -p "$cache/jdeps" "$cache/jlink"
# one build at a time per cache: concurrent runs would otherwise race on the jlink output they share
exec 9>"$cache/.image.lock"
flock -w 1800 9 || { echo "image.sh: $cache is locked by another build for 30 min" >&2; exit 1; }
command -v unzip >/dev/null || { echo "image.sh: unzip is missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }
busybox=/bin/busybox
[[ -f $busybox ]] || { echo "image.sh: $busybox is missing (Debian's busybox-static; scripts/setup-deps.sh installs it)" >&2; exit 1; }

# Modules: jdeps over every class of the application (module-info removed: jdeps insists on resolving the modules
# those name), plus what only reflection/service loading needs at run time; jdk.compiler (Quarkus dev mode) dropped.
# Cached by JDK, the dependency jars' names (= versions) and the project's own jar bytes (the dependencies' bytes
# change on every `mvn package`, their module set does not).
RECIPE=2   # bump when the jdeps or jlink recipe below changes: part of both cache keys
own_id=$(cat "$app"/app/*.jar | sha256sum | cut -c1-16)
jars_id=$(cd "$app" && { find lib -name '*.jar' | LC_ALL=C sort; echo "$own_id $RECIPE"; } | sha256sum | cut -c1-16)
modules_file=$cache/jdeps/$jdk_id-$jars_id
if [[ ! -s $modules_file ]]; then
  classes=$work/jdeps-classes
  mkdir -p "$classes"
  for jar in "$app"/quarkus-run.jar "$app"/{app,lib/main,lib/boot,quarkus}/*.jar; do
    # exit 11: an exclusion matched nothing (most jars have no module-info); anything else is an error
    unzip -qo "$jar" -d "$classes" -x 'module-info.class' 'META-INF/versions/*/module-info.class' 2>/dev/null \
      || { rc=$?; [[ $rc == 11 ]] || { echo "image.sh: unzip of $jar failed (exit $rc)" >&2; exit 1; }; }
  done
  find "$classes" -name module-info.class -delete
  found=$(timeout 600 "$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$feature" -q "$classes")
  rm -rf "$classes"
  # never cache an analysis that missed the application (e.g. nothing extracted): the operator always needs these
  for needed in java.sql java.naming; do
    [[ ",$found," == *",$needed,"* ]] || { echo "image.sh: jdeps found no $needed ($found): refusing" >&2; exit 1; }
  done
  extra=java.naming,jdk.crypto.ec,jdk.unsupported,jdk.zipfs,jdk.naming.dns,jdk.management
  echo "$found,$extra" | tr ',' '\n' | grep -vx 'jdk.compiler' | LC_ALL=C sort -u | paste -sd, > "$modules_file.tmp"
  mv "$modules_file.tmp" "$modules_file"
fi
modules=$(cat "$modules_file")
step "modules: $modules"

runtime=$cache/jlink/$(echo "$jdk_id $feature $modules $RECIPE" | sha256sum | cut -c1-16)
if [[ ! -x $runtime/bin/java ]]; then
  rm -rf "$runtime" "$runtime.tmp"
  compress=--compress=zip-6; [[ $feature -lt 21 ]] && compress=--compress=2
  cds=(); $aot || cds=(--generate-cds-archive) # AppCDS on 17 needs the base archive; the AOT cache does not
  timeout 600 "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages "$compress" \
    "${cds[@]}" --output "$runtime.tmp"
  mv -T "$runtime.tmp" "$runtime"
fi
step "jlink runtime ($(du -sh "$runtime" | cut -f1))"

rm -rf "$work/runtime" "$work/app" "$work/archive" "$work/root"
mkdir -p "$work/runtime/opt" "$work/runtime/etc/ssl/certs" "$work/runtime/usr/share" "$work/runtime/bin" "$work/app" \
  "$work/archive"

cli() { "$host_java" -XX:TieredStopAtLevel=1 -jar "$app/quarkus-run.jar" "$@"; }

# Layer 1: runtime, its shared libraries, CA bundle, zoneinfo, user database.
cp -a "$runtime" "$work/runtime/opt/java"
cli closure "$work/runtime/opt/java" --copy-to "$work/runtime" > "$work/closure.txt"
cp /etc/ssl/certs/ca-certificates.crt "$work/runtime/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$work/runtime/usr/share/zoneinfo"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$work/runtime/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$work/runtime/etc/group"
chmod 0644 "$work/runtime/etc/passwd" "$work/runtime/etc/group" "$work/runtime/etc/ssl/certs/ca-certificates.crt"
# The debug twins' busybox: it must be static (the package step refuses any other), which the closure resolver would
# not tell (it would copy a dynamic one's libraries along), so our own ELF reader checks it; a static binary has no
# closure to resolve. cp -L: on a usr-merged host /bin/busybox may be reached through the /bin -> usr/bin link.
busybox_verdict=$({ cli inspect "$busybox" || true; } | sed -n "s|^$busybox: \([A-Za-z]*\).*|\1|p")
[[ $busybox_verdict == Static || $busybox_verdict == StaticPie ]] \
  || { echo "image.sh: $busybox is ${busybox_verdict:-not an ELF file}, not static: install busybox-static" >&2; exit 1; }
cp -L "$busybox" "$work/runtime/bin/busybox"
chmod 0755 "$work/runtime/bin/busybox"
step "stage runtime + $(grep -c . "$work/closure.txt") closure entries + busybox"

# Layer 2: the application as Quarkus packaged it.
cp -a "$app" "$work/app/app"
step "stage application"

java_opts=()
if $archive; then
  # A root like the image (layers 1+2, every mtime at the epoch as in the layer tars) plus /proc and /tmp for the
  # training run, which must run the image's own java at the image's paths.
  root=$work/root
  mkdir -p "$root"
  cp -a "$work/runtime/." "$work/app/." "$root/"
  mkdir -p "$root/proc" "$root/tmp" "$root/opt/java-archive"
  find "$root" -exec touch -h -d @0 {} +
  if $aot; then
    name=app.aot; record=(-XX:AOTCacheOutput=/opt/java-archive/$name); java_opts=(-XX:AOTCache=/opt/java-archive/$name)
  else
    name=app.jsa; record=(-XX:ArchiveClassesAtExit=/opt/java-archive/$name); java_opts=(-XX:SharedArchiveFile=/opt/java-archive/$name)
  fi
  # Training: `package` loads the most classes of a builder step (ELF analysis, layer, gzip, JSON, OCI layout).
  timeout 300 unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh "$root" \
    "$root" /opt/java/bin/java "${record[@]}" -Xlog:cds=off -Xlog:aot=off -jar /app/quarkus-run.jar \
    package /opt/java/lib/libjli.so --allow-dynamic --oci-layout /tmp/training > "$work/training.log" 2>&1 \
    || { cat "$work/training.log" >&2; exit 1; }
  mkdir -p "$work/archive/opt/java-archive"
  cp "$root/opt/java-archive/$name" "$work/archive/opt/java-archive/$name"
  chmod 0644 "$work/archive/opt/java-archive/$name"
  step "archive $name ($(du -h "$work/archive/opt/java-archive/$name" | cut -f1))"
fi

layers=(--layer "$work/runtime" --layer "$work/app")
$archive && layers+=(--layer "$work/archive")
# JDK 24+ warns when Netty uses sun.misc.Unsafe memory access (JEP 498); allowed explicitly to keep logs clean.
[[ $feature -ge 24 ]] && java_opts+=(--sun-misc-unsafe-memory-access=allow)
entrypoint=(/opt/java/bin/java "${java_opts[@]}" -jar /app/quarkus-run.jar)
args=("${layers[@]}" --level "$level" --user 65532:65532 --env LANG=C.UTF-8 --cmd=--help --label org.opencontainers.image.title=minimal-image-operator)
for word in "${entrypoint[@]}"; do args+=(--entrypoint="$word"); done
[[ -n "$image" ]] && args+=(--image "$image" $insecure)
[[ -n "$layout" ]] && args+=(--oci-layout "$layout")
result=$(timeout 900 "$host_java" -XX:TieredStopAtLevel=1 -jar "$app/quarkus-run.jar" package-tree "${args[@]}")
step "pack + deliver"
size=$(echo "$result" | sed -n 's/.*"compressedSize":\([0-9]*\).*/\1/p')
echo "image.sh: compressed image size $size bytes ($(( size / 1024 / 1024 )) MiB), total $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
echo "$result"
