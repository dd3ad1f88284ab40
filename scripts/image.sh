#!/usr/bin/env bash
# Builds one of the project's two container images FROM scratch with this repository's packer (no Dockerfile, no
# daemon):
#
#   scripts/image.sh [--component operator|builder] --image REGISTRY/NAME:TAG [--insecure]   # push
#   scripts/image.sh [--component operator|builder] --oci-layout DIR                          # or write an OCI layout
#
#   operator (default)  the Deployment's image: the Quarkus application (`operator`), and the CLI.
#   builder             the builder pod's fetch, stage-runtime, package and run-stage steps: the CLI only, no
#                       Quarkus and no Kubernetes client (a plain jar, our classes and the dependency jars jdeps finds
#                       them using), on JDK 17; with --trim-classes cut to the classes it can load (trim_builder)
# Layers, bottom first:
#   1. runtime   /opt/java (a jlink'ed JDK cut to the modules the component uses; with --trim-classes the builder's also to the classes),
#                the shared libraries it needs (resolved by our ELF closure resolver, `closure`, never ldd),
#                /etc/ssl/certs/ca-certificates.crt, /etc/passwd + /etc/group (nonroot 65532), /bin/busybox (this
#                host's, from Debian's busybox-static: the shell `package --debug-tag` puts into debug twins; a file
#                the package step reads, never runs: no applet links, so the image still has no /bin/sh); operator
#                only: /usr/share/zoneinfo                                              -- reproducible
#   2. app       operator: /app = target/quarkus-app; builder: /app/minimal-image.jar (a manifest naming
#                dev.minimalimage.Main and the class path) + /app/lib/*.jar. Every jar stored rather than deflated
#                (the layer compresses better) and without Jandex indexes, zstd-jni's natives cut to linux/amd64,
#                brotli4j's natives removed (operator);
#                the builder's unsigned, and with --trim-classes cut to the classes it can load -- reproducible
#   3. archive   only with --archive: /opt/java-archive/app.aot (JDK 25 AOT cache) or app.jsa (JDK 17 AppCDS),
#                recorded by a training run of the image's own java inside a staged root whose files have the
#                image's epoch mtimes, at the image's paths (CDS/AOT validate jar paths, sizes and mtimes). Its own,
#                last layer because a JVM archive need not be byte-reproducible; every other layer is. The
#                operator's is trained on `package --oci-layout`; the builder's on the builder pod's real work
#                (Main.Training, see training_servers below).
# Entrypoint: /opt/java/bin/java [archive option] -jar /app/quarkus-run.jar (operator) or /app/minimal-image.jar
# (builder); Cmd: --help. The builder pod runs the builder image with args `fetch ...` / `stage-runtime ...` /
# `package ...`, the Deployment the operator image with `operator`; user 65532:65532, read-only root (pods mount an
# emptyDir at /tmp).
#
# Options: --build (mvn package even if target/quarkus-app exists), --app DIR (a copy of target/quarkus-app to pack
# instead, e.g. a snapshot while target/ is being rebuilt), --jdk DIR (default: builder Debian's JDK 17 if
# installed; operator Temurin 25 if installed; else the default JDK), --work DIR (staging, default a temp dir removed
# at exit), --archive (the archive layer), --no-archive (none: the default),
# --trim-classes (builder: keep only the classes the training loads and what they name directly, 25 MB instead of
# ~50: NOT the default, because a step the training does not cover fails with NoClassDefFoundError; the cluster tier
# found the Dockerfile build's package step missing jdk.internal.math.FormattedFloatingDecimal$Form),
# --record-classes (builder, with --trim-classes: run the training on the untrimmed image first and add the classes
# it loads to scripts/builder-classes.txt, the roots of the trimming; recorded for the default JDK),
# --level N (compression level, default 19 for zstd, 9 for gzip on the builder, 6 for the operator's gzip: 9 saves
# ~0.3% and takes ~3x longer on 160 MB), --compression gzip|zstd (default: zstd for the builder, 23.9 MB instead of
# gzip's 31.6, within issue 19's 25 MB, and pulled + unpacked in 0.72x the time (bench/builder-pull.sh), but its
# nodes' runtime must pull zstd layers: containerd >= 1.5, CRI-O, Docker Engine >= 23; gzip for the operator, pulled
# by any runtime, within its 60 MB as it is).
# Slow steps (jdeps, jlink) are cached under ${MINIMAL_IMAGE_CACHE:-/var/cache/minimal-image}, keyed by the JDK, the
# dependency jars' names, the project's own jar and the module list (one build at a time per cache: flock). Prints
# timing per step and the package-tree JSON result (last line).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${MINIMAL_IMAGE_CACHE:-/var/cache/minimal-image}
record_classes=false trim_classes=false app=$here/target/quarkus-app image='' insecure='' layout='' build=false jdk='' work='' archive='' level=''
component=operator compression=''
value() { [[ $# -ge 2 && -n $2 && $2 != --* ]] || { echo "image.sh: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --component) value "$@"; component=$2; shift 2 ;;
    --image) value "$@"; image=$2; shift 2 ;;
    --insecure) insecure=--insecure; shift ;;
    --oci-layout) value "$@"; layout=$2; shift 2 ;;
    --build) build=true; shift ;;
    --app) value "$@"; app=$2; shift 2 ;;
    --jdk) value "$@"; jdk=$2; shift 2 ;;
    --work) value "$@"; work=$2; shift 2 ;;
    --no-archive) archive=false; shift ;;
    --record-classes) record_classes=true; shift ;;
    --trim-classes) trim_classes=true; shift ;;
    --archive) archive=true; shift ;;
    --level) value "$@"; level=$2; shift 2 ;;
    --compression) value "$@"; compression=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$image" || -n "$layout" ]] || { echo "image.sh: name --image REF or --oci-layout DIR" >&2; exit 2; }
case $component in operator|builder) ;; *) echo "image.sh: --component is operator or builder, not $component" >&2; exit 2 ;; esac
# The builder: zstd, the only way its whole class path fits in issue 19's 25 MB (see --help); the operator: gzip
[[ -n $compression ]] || { [[ $component == builder ]] && compression=zstd || compression=gzip; }
case $compression in gzip|zstd) ;; *) echo "image.sh: --compression is gzip or zstd, not $compression" >&2; exit 2 ;; esac
# gzip -9 on a gzip builder: 0.3% smaller than -6; the operator's 3x longer pack is not worth it there
[[ -n $level ]] || { [[ $compression == zstd ]] && level=19 || { [[ $component == builder ]] && level=9 || level=6; }; }
# Start-up archives are off unless asked for. The operator's would be trained on a CLI step, not on what its
# Deployment runs (Quarkus and the operator need a cluster to start), and cost 8 MB of its 60 MB limit. The builder's
# (the AOT cache on 25, AppCDS on 17) cost 11 MB: the whole of its 25 MB limit is taken by the runtime and the jars.
[[ -n $archive ]] || archive=false

started=$(date +%s%N); last=$started
step() { local now; now=$(date +%s%N); printf 'image.sh: %-34s %6.1f s\n' "$1" "$(( (now - last) / 1000000 ))e-3" >&2; last=$now; }

if $build || [[ ! -f $app/quarkus-run.jar ]]; then
  (cd "$here" && mvn -B -ntp -q package -DskipTests)
  step "mvn package"
fi

# The builder on JDK 17 (Debian's): its libjvm.so and modules are 1.6 MB and 0.5 MB smaller, compressed, than
# Temurin 25's, net of the libstdc++ Debian's libjvm.so needs; the operator on Temurin 25 if installed.
if [[ -z "$jdk" && $component == builder && -x /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink ]]; then
  jdk=/usr/lib/jvm/java-17-openjdk-amd64
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
training_registry=''
cleanup() {
  [[ -z $training_registry ]] || "$here/scripts/registry.sh" stop "$work/registry" || true
  local pid
  for pid in "$work/git-https.pid" "$work/tls-registry/pid"; do   # the training's servers, by the PID each recorded
    [[ ! -f $pid ]] || kill "$(cat "$pid")" 2>/dev/null || true
  done
  if $own_work; then rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$cache/jdeps" "$cache/jlink"
# one build at a time per cache: concurrent runs would otherwise race on the jlink output they share
exec 9>"$cache/.image.lock"
flock -w 1800 9 || { echo "image.sh: $cache is locked by another build for 30 min" >&2; exit 1; }
command -v unzip >/dev/null || { echo "image.sh: unzip is missing (scripts/setup-deps.sh installs it)" >&2; exit 1; }
busybox=/bin/busybox
[[ -f $busybox ]] || { echo "image.sh: $busybox is missing (Debian's busybox-static; scripts/setup-deps.sh installs it)" >&2; exit 1; }

RECIPE=12   # bump when the jdeps or jlink recipe below changes: part of every cache key
own_jar=$(ls "$app"/app/*.jar)
own_id=$(sha256sum < "$own_jar" | cut -c1-16)
jars_id=$(cd "$app" && { find lib -name '*.jar' | LC_ALL=C sort; echo "$own_id $RECIPE $component"; } | sha256sum | cut -c1-16)

# Unpacks jars into one directory for jdeps, module-info removed (jdeps insists on resolving the modules those name).
extract_classes() {
  local into=$1 jar rc; shift
  mkdir -p "$into"
  for jar in "$@"; do
    # exit 11: an exclusion matched nothing (most jars have no module-info); anything else is an error
    unzip -qo "$jar" -d "$into" -x 'module-info.class' 'META-INF/versions/*/module-info.class' 2>/dev/null \
      || { rc=$?; [[ $rc == 11 ]] || { echo "image.sh: unzip of $jar failed (exit $rc)" >&2; exit 1; }; }
  done
  find "$into" -name module-info.class -delete
}

# The builder's class path: the dependency jars that the CLI's classes need, transitively (jdeps -R over the jars of
# the Quarkus application). Roots: our classes but the operator's (operator/, the fabric8-typed planning/ and api/,
# the `operator` command, Main's Quarkus annotation, and metrics/: the operator's Micrometer meter filter, a CDI
# producer that Quarkus calls and no CLI class names, checked below), plus the SLF4J provider JGit and sshd log
# through, which is found by ServiceLoader (jdeps cannot see it). Refused in the result: Quarkus and Fabric8 (the
# operator's), and what only metrics/ brought in: Micrometer (micrometer-core alone named java.net.http, its JDK
# HttpClient binder, and jdk.management, its JVM binders: with it go 0.45 MB of modules) and the CDI and
# jakarta.inject annotations. A CLI class that starts to need one of them fails the build here, to be looked at.
cli_jars() {
  local list=$cache/jdeps/$jdk_id-$jars_id-jars roots=$work/cli-roots
  if [[ ! -s $list ]]; then
    rm -rf "$roots"; mkdir -p "$roots"
    (cd "$roots" && unzip -q "$own_jar" 'dev/*' \
      && rm -rf dev/minimalimage/operator dev/minimalimage/planning dev/minimalimage/api dev/minimalimage/metrics \
        dev/minimalimage/Main.class dev/minimalimage/cli/OperatorCommand.class dev/minimalimage/cli/OperatorCommand\$*.class)
    # a class file names another in its constant pool by its internal name: none of the roots may name metrics/
    local naming_metrics
    naming_metrics=$(grep -rl --include='*.class' -F dev/minimalimage/metrics/ "$roots" || true)
    [[ -z $naming_metrics ]] \
      || { echo "image.sh: CLI classes name the operator's dev/minimalimage/metrics: $naming_metrics" >&2; exit 1; }
    local provider classpath
    provider=$(ls "$app"/lib/main/org.jboss.slf4j.slf4j-jboss-logmanager-*.jar)
    classpath=$(ls "$app"/lib/main/*.jar "$app"/lib/boot/*.jar | paste -sd:)
    # cached relative to the application directory: the next build may pack a copy of it elsewhere (--app)
    { echo "$provider"
      timeout 600 "$jdk/bin/jdeps" -R --multi-release "$feature" --ignore-missing-deps -summary \
        --class-path "$classpath" "$roots" "$provider" | awk '$3 ~ /\.jar$/ {print $3}'
    } | xargs realpath --relative-to="$app" | LC_ALL=C sort -u > "$list.tmp"
    local operator_only=(-e /io.quarkus. -e /io.fabric8. -e /io.micrometer. -e /jakarta.enterprise. -e /jakarta.inject.)
    if grep -qF "${operator_only[@]}" "$list.tmp"; then
      echo "image.sh: the CLI's classes need jars of the operator's (Quarkus, Fabric8, Micrometer, CDI):" >&2
      grep -F "${operator_only[@]}" "$list.tmp" >&2
      exit 1
    fi
    drop_unreachable_jars "$list.tmp" "$roots"
    mv "$list.tmp" "$list"
  fi
  sed "s|^|$app/|" "$list"
}

# Jars that jdeps finds (a class anywhere in a jar pulls the whole jar) but no code path of the builder loads: each by
# file-name prefix, the package it holds and the only classes that name it. Each is named only from code that runs
# behind a gate: a package or method that, in turn, only the listed classes name. The JVM loads a class that a method
# names when that method first runs; the verifier, which checks every method of a class when it links it whatever the
# path, may load more, but loading a class for the verifier neither links nor runs it (and the training links the
# gates' classes: a NoClassDefFoundError there fails the build).
#   sshd-sftp: named only by JGit's SshdSession$SshdFtpChannel, which only SshdSession.getFtpChannel makes, which only
#     JGit's TransportSftp calls (sftp:// URLs; JGit's Transport registers it, and GitTransport, through which all our
#     JGit transports go, unregisters it first: GitTransportTest). An ssh fetch loads SshdSession, not its FTP channel
#     (BuilderImageIT's ssh fetch). 0.28 MB.
#   gson, google-http-client-gson: named only by google-auth-library's OAuth2Utils (its JSON factory). google-auth's
#     classes run only inside Jib's CredentialRetrieverFactory.googleApplicationDefaultCredentials (Google's
#     application default credentials), which the builder never calls: it reads registry credentials from a Docker
#     config (RegistryPusher, BaseImages). google-auth's jars stay (forImage names its GoogleCredentials). 0.19 MB.
# Gates for JDK modules the builder leaves out (UNREACHABLE_MODULES, modules_for): java.sql and what it requires
# transitively, java.xml (2.7 MB compressed) and java.transaction.xa. Of all the builder's classes only JGit's name
# them: java.sql its ProposedTimestamp.timestamp() (a method that returns a java.sql.Timestamp, which a caller would
# name in its descriptor), java.xml its gitrepo package (the `repo` manifest reader of RepoCommand, which only gitrepo
# names) and the amazon-s3:// transport's bucket listing (AmazonS3, which only TransportAmazonS3 names; JGit's
# Transport registers it, and GitTransport, the only way our code reaches JGit's transports, unregisters it first:
# GitTransportTest checks that no protocol then takes an amazon-s3:// URL, BuilderImageIT that the image refuses one).
# drop_unreachable_jars fails the build when a listed jar is no longer in jdeps' result (a dependency upgrade: look
# at the list again) and when a class the builder keeps other than the listed ones names a dropped package or a gate
# (in internal or binary form; a method reference names its method).
UNREACHABLE_JARS=(
  'org.apache.sshd.sshd-sftp-|org/apache/sshd/sftp/|org/eclipse/jgit/transport/sshd/SshdSession$SshdFtpChannel'
  'com.google.code.gson.gson-|com/google/gson/|'
  'com.google.http-client.google-http-client-gson-|com/google/api/client/json/gson/|com/google/auth/oauth2/OAuth2Utils'
)
# Classes that name java.sql/java.xml types but act only on a value of such a type, or look the type up by name and
# do without it (see UNREACHABLE_MODULES' gates): Jackson's handlers of java.sql, javax.xml and DOM values (ext/, the
# java.sql date (de)serializers, the polymorphic-typing deny list; OptionalHandlerFactory catches the missing DOM
# classes), picocli's converters for java.sql types (registered by reflection when the class exists), and
# jboss-logmanager's XmlFormatter (used only when a logging configuration names it; the builder's names none). A
# value of one of those types, or a target type, would be named by some other class the builder keeps: a finding.
OPTIONAL_JDK_TYPE_NAMERS=(com/fasterxml/jackson/databind/ext/ com/fasterxml/jackson/databind/ser/std/SqlDateSerializer
  com/fasterxml/jackson/databind/ser/std/SqlTimeSerializer 'com/fasterxml/jackson/databind/deser/std/DateDeserializers$'
  'com/fasterxml/jackson/databind/jsontype/DefaultBaseTypeLimitingValidator$UnsafeBaseTypes'
  'picocli/CommandLine$BuiltIn$ISO8601TimeConverter' 'picocli/CommandLine$Interpreter' org/jboss/logmanager/formatters/)
UNREACHABLE_GATES=(
  'org/eclipse/jgit/transport/sshd/SshdSession$SshdFtpChannel|org/eclipse/jgit/transport/sshd/SshdSession'
  'getFtpChannel|org/eclipse/jgit/transport/RemoteSession org/eclipse/jgit/transport/TransportSftp org/eclipse/jgit/transport/sshd/SshdSession'
  'org/eclipse/jgit/transport/TransportSftp|org/eclipse/jgit/transport/TransportSftp org/eclipse/jgit/transport/Transport.class'
  'jrt-fs.jar|jrt-fs.jar'
  'com/google/auth/|com/google/auth/ com/google/cloud/tools/jib/frontend/CredentialRetrieverFactory'
  'googleApplicationDefaultCredentials|com/google/cloud/tools/jib/frontend/CredentialRetrieverFactory'
  'java/sql/|org/eclipse/jgit/util/time/ProposedTimestamp '"${OPTIONAL_JDK_TYPE_NAMERS[*]}"
  'javax/sql/|'"${OPTIONAL_JDK_TYPE_NAMERS[*]}"
  'javax/transaction/xa/|javax/transaction/xa/'
  'javax/xml/|org/eclipse/jgit/gitrepo/ org/eclipse/jgit/transport/AmazonS3 '"${OPTIONAL_JDK_TYPE_NAMERS[*]}"
  'org/w3c/dom/|org/eclipse/jgit/gitrepo/ org/eclipse/jgit/transport/AmazonS3 '"${OPTIONAL_JDK_TYPE_NAMERS[*]}"
  'org/xml/sax/|org/eclipse/jgit/gitrepo/ org/eclipse/jgit/transport/AmazonS3 '"${OPTIONAL_JDK_TYPE_NAMERS[*]}"
  'org/eclipse/jgit/gitrepo/|org/eclipse/jgit/gitrepo/'
  'org/eclipse/jgit/transport/AmazonS3|org/eclipse/jgit/transport/AmazonS3 org/eclipse/jgit/transport/TransportAmazonS3 org/eclipse/jgit/transport/WalkEncryption'
  'org/eclipse/jgit/transport/WalkEncryption|org/eclipse/jgit/transport/WalkEncryption org/eclipse/jgit/transport/AmazonS3'
  'org/eclipse/jgit/transport/TransportAmazonS3|org/eclipse/jgit/transport/TransportAmazonS3 org/eclipse/jgit/transport/Transport.class'
)
UNREACHABLE_MODULES=(java.sql java.xml java.transaction.xa)
# drop_unreachable_jars LIST ROOTS: UNREACHABLE_JARS out of LIST (jar paths relative to $app), checked against the
# classes of ROOTS and of every jar LIST keeps.
drop_unreachable_jars() {
  local list=$1 roots=$2 classes=$work/unreachable-check entry prefix name namers jar
  local -a checks=() found=()
  for entry in "${UNREACHABLE_JARS[@]}"; do
    IFS='|' read -r prefix name namers <<< "$entry"
    grep -q "/$prefix[^/]*\.jar\$" "$list" \
      || { echo "image.sh: UNREACHABLE_JARS names $prefix, which jdeps no longer finds: review the list" >&2; exit 1; }
    grep -v "/$prefix[^/]*\.jar\$" "$list" > "$list.kept"; mv "$list.kept" "$list"
    checks+=("$name|$name $namers")   # a dropped package's own classes are gone: naming itself is no finding
  done
  checks+=("${UNREACHABLE_GATES[@]}")
  rm -rf "$classes"; mkdir -p "$classes"
  while IFS= read -r jar; do unzip -qo "$app/$jar" '*.class' -d "$classes" || [[ $? == 11 ]] || exit 1; done < "$list"
  cp -a "$roots/." "$classes/"
  local -a allowed
  for entry in "${checks[@]}"; do
    IFS='|' read -r name namers <<< "$entry"
    read -r -a allowed <<< "$namers"
    mapfile -t -O "${#found[@]}" found < <(cd "$classes" && grep -rlF --include='*.class' -e "$name" -e "${name//\//.}" . \
      | sed 's|^\./||; s|^META-INF/versions/[0-9]*/||' | { grep -v -F "${allowed[@]/#/-e}" || true; } | sed "s|\$| names $name|")
  done
  rm -rf "$classes"
  [[ ${#found[@]} -eq 0 ]] || { echo "image.sh: classes the builder keeps name what UNREACHABLE_JARS drops:" >&2
    printf '  %s\n' "${found[@]}" >&2; exit 1; }
}

# Modules: jdeps over every class the component ships, plus what only reflection/service loading needs at run time.
# operator: everything (Quarkus, Fabric8), jdk.compiler (Quarkus dev mode) dropped. builder: the CLI's jars. Both
# minus modules only optional code paths name: java.desktop (~5.4 MB of the operator's runtime layer, compressed;
# java.beans: Jackson's @ConstructorProperties support and Jakarta EL's BeanSupportFull, each loaded only after a
# check that java.beans exists; commons-compress' pack200, commons-lang3's circuit breaker and snakeyaml's JavaBean
# introspection, which nothing here uses (Jackson's YAML reads through snakeyaml's parser); Quarkus' GraalVM
# substitutions for AWT and ImageIO, used only by native-image builds) and java.compiler (an enum in Error Prone's
# annotations); any other module jdeps finds is taken (java.rmi, say: sshd's client names java.rmi.ServerException,
# so an ssh fetch needs it). The builder also without UNREACHABLE_MODULES (see their gates above).
# Cached by JDK, component, the dependency jars' names (= versions) and the project's own jar bytes.
modules_for() {
  local modules_file=$cache/jdeps/$jdk_id-$jars_id classes=$work/jdeps-classes found extra
  if [[ ! -s $modules_file ]]; then
    rm -rf "$classes"
    if [[ $component == operator ]]; then
      extract_classes "$classes" "$app"/quarkus-run.jar "$app"/{app,lib/main,lib/boot,quarkus}/*.jar
    else
      extract_classes "$classes" "$own_jar" "$@"
    fi
    found=$(timeout 600 "$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$feature" -q "$classes")
    rm -rf "$classes"
    # never cache an analysis that missed the application (e.g. nothing extracted)
    for needed in java.sql java.naming; do
      [[ ",$found," == *",$needed,"* ]] || { echo "image.sh: jdeps found no $needed ($found): refusing" >&2; exit 1; }
    done
    local -a unreachable=()
    if [[ $component == operator ]]; then
      extra=java.naming,jdk.crypto.ec,jdk.unsupported,jdk.zipfs,jdk.naming.dns,jdk.management
    else
      extra=jdk.crypto.ec   # TLS with EC keys (a module of its own before JDK 22)
      unreachable=("${UNREACHABLE_MODULES[@]/#/-e}")   # checked by drop_unreachable_jars' gates
    fi
    echo "$found,$extra" | tr ',' '\n' | grep -vx -e java.desktop -e java.compiler -e jdk.compiler "${unreachable[@]}" \
      | { if [[ $feature -ge 22 ]]; then grep -vx jdk.crypto.ec; else cat; fi; } \
      | LC_ALL=C sort -u | paste -sd, > "$modules_file.tmp"
    mv "$modules_file.tmp" "$modules_file"
  fi
  cat "$modules_file"
}

if [[ $component == builder ]]; then
  mapfile -t dependency_jars < <(cli_jars)
  step "class path: ${#dependency_jars[@]} jars"
  modules=$(modules_for "${dependency_jars[@]}")
else
  modules=$(modules_for)
fi
step "modules: $modules"

# jlink_runtime DIR [jlink options]: the runtime of $modules, into DIR.
jlink_runtime() {
  local into=$1; shift
  # the modules file uncompressed: the layer's compression does better on it than jlink's per-resource zip, and
  # classes load without inflating
  # no base CDS archive (lib/server/classes.jsa): a static AppCDS archive (17) holds the JDK's classes too, and the
  # AOT cache (25) needs none
  timeout 600 "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    "$@" --output "$into"
  # the JVM's symbol table only names frames in a crash report; it is a fifth of libjvm.so
  strip --strip-unneeded "$into/lib/server/libjvm.so"
}

runtime=$cache/jlink/$(echo "$jdk_id $feature $modules $RECIPE" | sha256sum | cut -c1-16)
if [[ ! -x $runtime/bin/java ]]; then
  rm -rf "$runtime" "$runtime.tmp"
  jlink_runtime "$runtime.tmp"
  mv -T "$runtime.tmp" "$runtime"
fi
step "jlink runtime ($(du -sh "$runtime" | cut -f1))"

rm -rf "$work/runtime" "$work/app" "$work/archive" "$work/root"
mkdir -p "$work/runtime/opt" "$work/runtime/etc/ssl/certs" "$work/runtime/usr/share" "$work/runtime/bin" "$work/app" \
  "$work/archive"

cli() { "$host_java" -XX:TieredStopAtLevel=1 -jar "$app/quarkus-run.jar" "$@"; }

# Layer 1: runtime, its shared libraries, CA bundle, zoneinfo (operator), user database.
cp -a "$runtime" "$work/runtime/opt/java"
# The builder's runtime without lib/jrt-fs.jar, which serves this runtime's classes to another JDK's tools (jrt:/ with
# a java.home; no class the builder keeps names it: UNREACHABLE_GATES), and lib/classlist, the class list of a CDS
# dump that is given none (the builder's --archive dump names its own): 0.11 MB.
[[ $component == builder ]] && rm -f "$work/runtime/opt/java/lib/jrt-fs.jar" "$work/runtime/opt/java/lib/classlist"
cli closure "$work/runtime/opt/java" --copy-to "$work/runtime" > "$work/closure.txt"
# zstd-jni's native library is unpacked from its jar at run time, out of the resolver's sight: its libraries too
# (libpthread.so.0, which no JVM library of a runtime built against glibc 2.34+ needs)
zstd_jar=$(find "$app/lib/main" -name 'com.github.luben.zstd-jni-*.jar' | head -1)
if [[ -n $zstd_jar ]]; then
  rm -rf "$work/zstd-native"; mkdir -p "$work/zstd-native"
  unzip -qo "$zstd_jar" 'linux/amd64/*' -d "$work/zstd-native"
  cli closure "$work/zstd-native" --copy-to "$work/runtime" >> "$work/closure.txt"
fi
cp /etc/ssl/certs/ca-certificates.crt "$work/runtime/etc/ssl/certs/ca-certificates.crt"
[[ $component == operator ]] && cp -a /usr/share/zoneinfo "$work/runtime/usr/share/zoneinfo"
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

# zstd-jni carries its native library for 20 platforms; the image runs on linux/amd64 only. `zip -d` removes entries
# and copies the rest byte for byte, so the result is as reproducible as its input.
trim_zstd_jni() {
  local jar=$1 entry others=()
  while IFS= read -r entry; do
    case $entry in linux/amd64/*|*/) ;; *.so|*.dylib|*.dll) others+=("$entry") ;; esac
  done < <(unzip -Z1 "$jar")
  [[ ${#others[@]} -eq 0 ]] || zip -q -d "$jar" "${others[@]}"
}

# brotli4j's native library (0.5 MB compressed) serves Brotli HTTP compression, which the operator does not enable
# (Quarkus' HTTP compression is off unless configured); Netty treats Brotli as optional and checks that it loads.
trim_brotli4j_natives() {
  zip -q -d "$1" 'lib/*'
}

# Jars stored, not deflated: the layer's gzip then compresses across class files (a 32 KiB window spans many small
# classes) instead of each file on its own; measured on the builder's 52 jars: 22.3 MB as shipped, 16.5 MB stored,
# after the layer's gzip -6. Same entries, order, timestamps and attributes: as reproducible as the input, and the
# class path does not change (the JVM reads stored entries without inflating them). Jandex indexes
# (META-INF/jandex.idx) are left out: Quarkus reads them when it builds the application, and no class on the run-time
# class path reads them (none names Jandex); 40 of them in the operator's jars, 2.1 MB compressed.
store_jars() {
  python3 - "$@" <<'PY'
import os, sys, zipfile
for jar in sys.argv[1:]:
    with zipfile.ZipFile(jar) as source, zipfile.ZipFile(jar + '.stored', 'w', zipfile.ZIP_STORED) as target:
        for entry in source.infolist():
            if entry.filename == 'META-INF/jandex.idx':
                continue
            stored = zipfile.ZipInfo(entry.filename, entry.date_time)
            stored.external_attr, stored.create_system, stored.extra = entry.external_attr, entry.create_system, entry.extra
            target.writestr(stored, source.read(entry))
    os.replace(jar + '.stored', jar)
PY
}

# JGit's jars are signed. A class from a signed jar is never put into a CDS archive, and Debian's JDK 17 crashed
# dumping one whose class list holds a lambda of such a class (JGit's Config parsers); the check of the
# signatures also costs every start. The image's digest is what vouches for its bytes. The .SF/.RSA/.DSA/.EC entries
# only: the rest is copied byte for byte (zip -d), as reproducible as the input.
unsign_jar() {
  local entries signatures=()
  entries=$(unzip -Z1 "$1") || { echo "image.sh: cannot list $1" >&2; exit 1; }
  # the JDK's own test (case-insensitive, SIG-* too); -nw: the names are names, not wildcards
  mapfile -t signatures < <(grep -iE '^META-INF/([^/]+\.(SF|RSA|DSA|EC)|SIG-[^/]+)$' <<< "$entries" || true)
  [[ ${#signatures[@]} -eq 0 ]] || zip -q -nw -d "$1" "${signatures[@]}"
}

# Layer 2: the application.
if [[ $component == operator ]]; then
  cp -a "$app" "$work/app/app"
  for jar in "$work"/app/app/lib/main/com.github.luben.zstd-jni-*.jar; do [[ -f $jar ]] && trim_zstd_jni "$jar"; done
  for jar in "$work"/app/app/lib/main/com.aayushatharva.brotli4j.native-*.jar; do [[ -f $jar ]] && trim_brotli4j_natives "$jar"; done
  mapfile -t jars < <(find "$work/app/app" -name '*.jar' ! -name quarkus-run.jar | LC_ALL=C sort)
  store_jars "${jars[@]}"
  runner=/app/quarkus-run.jar
else
  mkdir -p "$work/app/app/lib"
  cp "$own_jar" "$work/app/app/lib/"
  cp "${dependency_jars[@]}" "$work/app/app/lib/"
  for jar in "$work"/app/app/lib/com.github.luben.zstd-jni-*.jar; do [[ -f $jar ]] && trim_zstd_jni "$jar"; done
  store_jars "$work"/app/app/lib/*.jar
  for jar in "$work"/app/app/lib/*.jar; do unsign_jar "$jar"; done
  # The launcher jar: only a manifest, naming the main class and the class path (relative to the jar).
  # A manifest line holds at most 72 bytes; longer values continue on lines that start with one space.
  { echo "Main-Class: dev.minimalimage.Main"
    { printf 'Class-Path:'; (cd "$work/app/app" && LC_ALL=C ls lib/*.jar) | sed 's/^/ /' | tr -d '\n'; } \
      | python3 -c 'import sys; v = sys.stdin.read(); print("\n ".join([v[:72]] + [v[i:i + 71] for i in range(72, len(v), 71)]))'
  } > "$work/manifest.txt"
  mkdir -p "$work/empty"
  "$jdk/bin/jar" --create --file "$work/app/app/minimal-image.jar" --manifest "$work/manifest.txt" \
    --date 1980-01-01T00:00:02Z -C "$work/empty" .
  runner=/app/minimal-image.jar
fi
step "stage application ($(du -sh "$work/app" | cut -f1))"

# The builder's training: the builder pod's real work against real servers on 127.0.0.1 (the chroot shares this
# network namespace), each started here and stopped by PID at exit, every wait bounded:
#   - fetch over https (git's smart HTTP: `git http-backend` behind a TLS server with basic auth, training_git_server)
#     with a credentials directory and a --ca-bundle naming the training's own CA;
#   - push to a registry over TLS with htpasswd auth (credentials from a docker config.json, as the pod's push secret
#     is mounted, and the same --ca-bundle), a single image and a two-platform index (--binary-for; the arm64
#     binary is a hand-made 4-instruction static ELF, training_arm64_elf), with the SBOM from a toolchain record;
#   - push to a plain-HTTP registry with --insecure; package to an OCI layout (gzip and zstd); stage-runtime;
#     --version and --help; run-stage of a Dockerfile's stage; a line logged through SLF4J (Main.Training).
# Certificates are made here with openssl (a CA, and a server certificate for 127.0.0.1 that it signed).
# The servers start once; every training run gets the same commands.
training_servers() {
  local t=$work/training-files git_port tls_registry
  # a reused --work holds the previous run's
  rm -rf "$work/registry" "$work/tls-registry" "$work/served" "$t" "$work/git-https.pid"
  mkdir -p "$t/docker" "$t/git-secret" "$t/toolchain/var/lib/dpkg/info"
  training_certificates "$t"
  training_registry=$("$here/scripts/registry.sh" start "$work/registry")
  tls_registry=$(training_tls_registry "$t")
  local auth; auth=$(printf 'training:%s' "$training_password" | base64 -w0)
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$tls_registry" "$auth" > "$t/docker/config.json"
  printf training > "$t/git-secret/username"
  printf '%s' "$training_password" > "$t/git-secret/password"
  git_port=$(training_git_server "$t")
  training_arm64_elf "$t/arm64-exit"
  # the SBOM's toolchain record, as the compile step leaves it (the toolchain's dpkg database), made up here so that
  # the training does not depend on the host's packages
  printf '%s\n' 'Package: libc6-dev' 'Status: install ok installed' 'Architecture: amd64' 'Source: glibc' \
    'Version: 2.36-9+deb12u9' > "$t/toolchain/var/lib/dpkg/status"
  printf '%s\n' /usr/lib/x86_64-linux-gnu/libc.a > "$t/toolchain/var/lib/dpkg/info/libc6-dev:amd64.list"
  mkdir -p "$t/shared/out"
  cp -L "$busybox" "$t/shared/out/busybox"
  printf '0\n' > "$t/compile-exit"
  local tls=(--docker-config /tmp/training/docker/config.json --ca-bundle /tmp/training/ca.crt)
  {
    training_command fetch --url "https://127.0.0.1:$git_port/repo.git" --dest /tmp/training/checkout \
      --source-info /tmp/training/source.json --credentials-dir /tmp/training/git-secret \
      --ca-bundle /tmp/training/ca.crt
    training_command package /bin/busybox --image "$training_registry/training/busybox:1" --insecure \
      --source-info /tmp/training/source.json
    # as the builder pod's packer runs: beside a compile step that has ended (its exit code and output are there)
    training_command package /tmp/training/packer/out/busybox --image "$tls_registry/training/busybox:1" "${tls[@]}" \
      --source-info /tmp/training/source.json --toolchain-root /tmp/training/packer/toolchain \
      --await-compile /tmp/training/compile-exit --take /tmp/training/shared/out=/tmp/training/packer/out \
      --take /tmp/training/toolchain=/tmp/training/packer/toolchain
    training_command package --binary-for linux/amd64=/bin/busybox --binary-for linux/arm64=/tmp/training/arm64-exit \
      --image "$tls_registry/training/multi:1" "${tls[@]}" --toolchain-root /tmp/training/toolchain
    training_command package /opt/java/lib/libjli.so --allow-dynamic --oci-layout /tmp/training/layout
    training_command package /bin/busybox --compression zstd --level 1 --oci-layout /tmp/training/zstd
    training_command stage-runtime --to /tmp/training/runtime
    training_command --version
    training_command --help
    training_command package --help
    training_command run-stage --dockerfile /tmp/training/context/Dockerfile --context /tmp/training/context \
      --key stage-0 --handoff /tmp/training/handoff
  } > "$work/training-commands"
  # run-stage's context: a stage that COPYs and RUNs (exec form: the root has busybox but no /bin/sh), and a final
  # stage that COPYs from it
  mkdir -p "$work/training-context"
  printf 'int main(void) { return 0; }\n' > "$work/training-context/hello.c"
  printf '%s\n' 'FROM busybox AS build' 'COPY hello.c /tmp/training/stage/hello.c' \
    'RUN ["/bin/busybox", "cp", "/tmp/training/stage/hello.c", "/tmp/training/stage/copy.c"]' \
    'FROM scratch' 'COPY --from=build /tmp/training/stage/copy.c /copy.c' > "$work/training-context/Dockerfile"
}

# One line of Main.Training's command file: the arguments, tab-separated.
training_command() { local IFS=$'\t'; printf '%s\n' "$*"; }

# A throw-away password for the training's registry and git server (they listen on 127.0.0.1 for minutes).
training_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')

# training_certificates DIR: DIR/ca.crt (a CA made for this build) and DIR/server.{crt,key} for 127.0.0.1.
training_certificates() {
  local d=$1
  command -v openssl >/dev/null \
    || { echo "image.sh: openssl is missing (the builder's training makes certificates)" >&2; exit 1; }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
    -days 2 -subj '/CN=minimal-image training CA' -addext 'basicConstraints=critical,CA:TRUE' \
    -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
    -subj '/CN=127.0.0.1' 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/server.crt" \
    -days 2 -extfile "$d/server.ext" 2>/dev/null
  chmod 0644 "$d/server.key"   # read by the servers only; the training's root gets ca.crt
}

# training_tls_registry DIR: a Distribution registry on 127.0.0.1 serving HTTPS with DIR's server certificate and
# htpasswd auth (user `training`); prints host:port. Its PID goes to $work/tls-registry/pid for cleanup.
training_tls_registry() {
  local d=$1 r=$work/tls-registry port
  command -v htpasswd >/dev/null \
    || { echo "image.sh: htpasswd is missing (apache2-utils; scripts/setup-deps.sh installs it)" >&2; exit 1; }
  mkdir -p "$r/storage"
  htpasswd -Bbn training "$training_password" > "$r/htpasswd"
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  printf '%s\n' 'version: 0.1' 'log:' '  level: warn' '  accesslog:' '    disabled: true' 'storage:' '  filesystem:' \
    "    rootdirectory: $r/storage" 'http:' "  addr: 127.0.0.1:$port" '  secret: training-only' '  tls:' \
    "    certificate: $d/server.crt" "    key: $d/server.key" 'auth:' '  htpasswd:' '    realm: training' \
    "    path: $r/htpasswd" > "$r/config.yml"
  docker-registry serve "$r/config.yml" > "$r/registry.log" 2>&1 &
  echo $! > "$r/pid"
  for _ in $(seq 1 100); do   # bounded: 10 s; 401 is the answer of an auth-protected registry that is up
    [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.crt" "https://127.0.0.1:$port/v2/") == 401 ]] \
      && { echo "127.0.0.1:$port"; return; }
    kill -0 "$(cat "$r/pid")" 2>/dev/null || { cat "$r/registry.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "image.sh: the training's TLS registry did not start in 10 s" >&2; cat "$r/registry.log" >&2; exit 1
}

# training_git_server DIR: a bare repository with one commit, served over https by `git http-backend` (git's smart
# HTTP, the protocol of every public git host) behind a small Python TLS server with basic auth; prints the port.
training_git_server() {
  local d=$1 repo=$work/training-src
  rm -rf "$repo"; mkdir -p "$repo" "$work/served"
  git -C "$repo" init -q -b main
  printf 'int main(void) { return 0; }\n' > "$repo/hello.c"
  git -C "$repo" add hello.c
  git -C "$repo" -c user.name=training -c user.email=training@localhost commit -q -m training
  git clone -q --bare "$repo" "$work/served/repo.git"
  rm -rf "$repo" "$d/git-port"
  python3 - "$work/served" "$d/server.crt" "$d/server.key" training "$training_password" "$d/git-port" \
    > "$work/git-https.log" 2>&1 <<'PY' &
# A CGI gateway to `git http-backend` over TLS: enough of RFC 3875 for git's smart HTTP (GET info/refs, POST
# git-upload-pack, chunked or gzip'ed request bodies, the Git-Protocol header for protocol v2).
import base64, http.server, os, ssl, subprocess, sys
root, certificate, key, user, password, port_file = sys.argv[1:7]
expected = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()

class Backend(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def serve(self):
        if self.headers.get('Authorization') != expected:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="git"')
            self.end_headers()
            return
        path, _, query = self.path.partition('?')
        body = self.body()
        env = {'PATH': os.environ['PATH'], 'GIT_PROJECT_ROOT': root, 'GIT_HTTP_EXPORT_ALL': '1', 'PATH_INFO': path,
               'QUERY_STRING': query, 'REQUEST_METHOD': self.command, 'REMOTE_USER': user,
               'CONTENT_TYPE': self.headers.get('Content-Type', ''), 'CONTENT_LENGTH': str(len(body)),
               'HTTP_CONTENT_ENCODING': self.headers.get('Content-Encoding', ''),
               'GIT_PROTOCOL': self.headers.get('Git-Protocol', '')}
        out = subprocess.run(['git', 'http-backend'], input=body, env=env, capture_output=True, timeout=60).stdout
        separator = b'\r\n\r\n' if b'\r\n\r\n' in out else b'\n\n'
        head, _, content = out.partition(separator)
        headers = [line.split(':', 1) for line in head.decode().splitlines() if ':' in line]
        status = next((int(v.split()[0]) for k, v in headers if k.lower() == 'status'), 200)
        self.send_response(status)
        for k, v in headers:
            if k.lower() != 'status':
                self.send_header(k, v.strip())
        self.send_header('Content-Length', str(len(content)))
        self.end_headers()
        self.wfile.write(content)

server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Backend)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certificate, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + '.tmp', port_file)
server.serve_forever()
PY
  local server=$! port
  echo "$server" > "$work/git-https.pid"   # this function runs in a command substitution: cleanup reads the file
  for _ in $(seq 1 100); do   # bounded: 10 s
    if [[ -s $d/git-port ]]; then
      port=$(cat "$d/git-port")
      [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.crt" \
        "https://127.0.0.1:$port/repo.git/info/refs") == 401 ]] && { echo "$port"; return; }
    fi
    kill -0 "$server" 2>/dev/null || { cat "$work/git-https.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "image.sh: the training's git server did not start in 10 s" >&2; cat "$work/git-https.log" >&2; exit 1
}

# training_arm64_elf FILE: a static linux/arm64 executable that exits 0 (ELF header, one PT_LOAD, `mov x0, #0;
# mov x8, #93; svc #0`), for the two-platform push: the image needs no cross compiler, and the package step only
# reads it.
training_arm64_elf() {
  python3 - "$1" <<'PY'
import os, struct, sys
code = struct.pack('<3I', 0xd2800000, 0xd2800ba8, 0xd4000001)
base, entry = 0x400000, 0x400000 + 64 + 56
header = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack('<HHIQQQIHHHHHH', 2, 183, 1, entry, 64, 0, 0,
                                                                   64, 56, 1, 0, 0, 0)
size = 64 + 56 + len(code)
program = struct.pack('<IIQQQQQQ', 1, 5, 0, base, base, size, size, 0x10000)
with open(sys.argv[1], 'wb') as f:
    f.write(header + program + code)
os.chmod(sys.argv[1], 0o755)
PY
}

# A root like the image (layers 1+2, every mtime at the epoch as in the layer tars) plus /proc and /tmp for a
# training run, which must run the image's own java at the image's paths (CDS/AOT validate jar paths, sizes, mtimes).
stage_root() {
  root=$work/root
  rm -rf "$root"; mkdir -p "$root"
  cp -a "$work/runtime/." "$work/app/." "$root/"
  mkdir -p "$root/proc" "$root/dev" "$root/tmp/training" "$root/opt/java-archive"
  local device
  for device in null zero full random urandom; do : > "$root/dev/$device"; done
  find "$root" -exec touch -h -d @0 {} +
  if [[ $component == builder ]]; then
    cp "$work/training-commands" "$root/tmp/training/commands"
    cp -a "$work/training-files/ca.crt" "$work/training-files/docker" "$work/training-files/git-secret" \
      "$work/training-files/toolchain" "$work/training-files/arm64-exit" "$work/training-files/shared" \
      "$work/training-files/compile-exit" "$root/tmp/training/"
    cp -a "$work/training-context" "$root/tmp/training/context"
  fi
}

# Runs the image's java in the staged root; a failure fails the image build. The root is bind-mounted on itself:
# /proc/self/mounts then has an entry for the chroot's "/", as in a container (JGit looks up the checkout's file store).
run_in_root() {
  local log=$1; shift
  timeout 300 unshare -m --propagation private sh -c \
    'mount --bind "$1" "$1" && mount -t proc proc "$1/proc" && for d in null zero full random urandom; do
       mount --bind "/dev/$d" "$1/dev/$d" || exit 1; done && shift && exec chroot "$@"' sh "$root" \
    "$root" /opt/java/bin/java "$@" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
}

# the class path as `-jar /app/minimal-image.jar` sets it, so an archive matches the entrypoint's
builder_training=(-cp /app/minimal-image.jar 'dev.minimalimage.Main$Training' /tmp/training/commands)

# JDK packages kept whole in the builder, whatever the training loaded: TLS, certificate checks and JCA providers
# (a registry or git server over https picks its cipher suites, key types and algorithms at run time; providers
# name their classes in strings), and the JDK's own plumbing of processes
# (run-stage), sockets, files, java.lang and the boot layer's module graph (read from a CDS archive when there is one,
# built by jdk.internal.module when there is none), which the VM and the JDK load by name.
BUILDER_JDK_PACKAGES=(java/lang/ java/io/ java/net/ java/nio/ java/security/ javax/crypto/ javax/net/
  sun/net/ sun/nio/ch/ sun/nio/fs/ sun/security/ssl/ sun/security/provider/ sun/security/util/ sun/security/x509/
  sun/security/validator/ sun/security/rsa/ sun/security/ec/ sun/security/pkcs com/sun/crypto/provider/
  jdk/internal/module/)

# Likewise the ssh client (JGit over Apache MINA sshd): key exchange, ciphers, MACs and key types are negotiated with
# the server. The training has no ssh server to fetch from: the classes of an ssh fetch (which also receives a pack,
# as smart http would; the training's dumb http does not) were recorded from BuilderImageIT's ssh fetch in an
# untrimmed image and added to scripts/builder-classes.txt, which --record-classes keeps (a union). sshd's server
# side and sftp (JGit's sftp:// transport) are left to the closure.
BUILDER_JAR_PACKAGES=(org/apache/sshd/common/ org/apache/sshd/client/ org/eclipse/jgit/internal/transport/sshd/
  org/eclipse/jgit/transport/sshd/
  org/jboss/logmanager/ org/jboss/slf4j/ org/slf4j/ org/jboss/logging/ picocli/)
# And logging and the command line's help: JBoss LogManager loads its providers by name the first time anything logs
# (the training logs nothing), picocli renders each command's help with classes the training never needs.

# The builder keeps only the classes it can load: those the training loads (scripts/builder-classes.txt, recorded
# with --record-classes: a fixed list, so that two builds keep the same classes however a run's timing went), every
# class of its own CLI (operator code excluded), the packages above, the exceptions of every JDK package kept, and
# whatever those name directly (scripts/class-closure.py --depth 1). The libraries' own exceptions are kept only when
# named (200 kB): one that only a path two calls beyond the training throws would surface as a NoClassDefFoundError
# naming it, still a failed step. Everything else leaves the jars and the jlink
# runtime (docs/design.md#image-sizes). The full closure (--depth unlimited) keeps 77% of all classes: JGit, Guava
# and the JDK name most of themselves.
trim_builder() {
  local classes=$runtime.classes roots=$work/closure-roots
  if [[ ! -d $classes ]]; then
    rm -rf "$classes.tmp"
    "$jdk/bin/jimage" extract --dir "$classes.tmp" "$runtime/lib/modules"
    mv -T "$classes.tmp" "$classes"
  fi
  { grep -v '^#' "$builder_classes"
    unzip -Z1 "$own_jar" 'dev/*.class' | sed 's/\.class$//' \
      | grep -v -e '^dev/minimalimage/operator/' -e '^dev/minimalimage/planning/' -e '^dev/minimalimage/api/' \
        -e '^dev/minimalimage/cli/OperatorCommand'
    printf '%s**\n' "${BUILDER_JDK_PACKAGES[@]}" "${BUILDER_JAR_PACKAGES[@]}"
  } > "$roots"
  python3 "$here/scripts/class-closure.py" --roots "$roots" --jdk "$classes" --jar "$work"/app/app/lib/*.jar \
    --depth 1 --keep-throwables jdk --drop-jar-entries "$work/drop-jar-entries" --drop-jdk-classes "$work/drop-jdk-classes"
  local trimmed=$runtime-$(sha256sum < "$work/drop-jdk-classes" | cut -c1-16) stale
  if [[ ! -x $trimmed/bin/java ]]; then
    for stale in "$runtime"-*; do [[ -d $stale ]] && rm -rf "$stale"; done   # earlier lists' cuts: 60 MB each
    rm -rf "$trimmed.tmp"
    jlink_runtime "$trimmed.tmp" --exclude-resources=@"$work/drop-jdk-classes"
    mv -T "$trimmed.tmp" "$trimmed"
  fi
  rm -rf "$work/runtime/opt/java"
  cp -a "$trimmed" "$work/runtime/opt/java"
  # jrt-fs.jar serves another JDK's tools reading this runtime's classes (jrt:/ from outside); classlist is what a
  # CDS archive would be dumped from
  rm -f "$work/runtime/opt/java/lib/jrt-fs.jar" "$work/runtime/opt/java/lib/classlist"
  drop_jar_entries "$work/drop-jar-entries"
}

# Rewrites the builder's jars without the class entries listed (`jar<TAB>entry` lines), and without what no class
# reads any more: resources in a directory whose classes all left (codec's phonetic rules, say), Maven's pom copies,
# GraalVM native-image configuration, and jar signatures (JGit's: 160 kB of per-entry digests, which would no longer cover the jar, and whose check costs
# every start; the image's digest is what vouches for its bytes). The manifest keeps its main section
# (Multi-Release among others). Every other entry is copied as it is.
drop_jar_entries() {
  python3 - "$1" "$work"/app/app/lib/*.jar <<'PY'
import os, sys, zipfile
drops = {}
for line in open(sys.argv[1]):
    jar, entry = line.rstrip('\n').split('\t')
    drops.setdefault(jar, set()).add(entry)
SIGNATURE = ('.SF', '.RSA', '.DSA', '.EC')
for jar in sys.argv[2:]:
    dropped = drops.get(jar, set())
    with zipfile.ZipFile(jar) as source, zipfile.ZipFile(jar + '.trimmed', 'w', zipfile.ZIP_STORED) as target:
        names = source.namelist()
        class_dirs = {os.path.dirname(n) for n in names if n.endswith('.class')}
        kept_class_dirs = {os.path.dirname(n) for n in names if n.endswith('.class') and n not in dropped}
        for entry in source.infolist():
            name, data = entry.filename, None
            directory = os.path.dirname(name)
            if name in dropped or name.startswith(('META-INF/maven/', 'META-INF/native-image/')):
                continue
            if directory == 'META-INF' and name.upper().endswith(SIGNATURE):
                continue
            if not name.endswith('/') and directory in class_dirs and directory not in kept_class_dirs:
                continue
            if name == 'META-INF/MANIFEST.MF':
                text = source.read(entry).decode('utf-8').replace('\r\n', '\n')
                data = text.split('\n\n', 1)[0].rstrip('\n').replace('\n', '\r\n') + '\r\n\r\n'
            target.writestr(entry, data if data is not None else source.read(entry))
    os.replace(jar + '.trimmed', jar)
PY
}

# --record-classes: the training on the untrimmed image, its loaded classes added to the list (a union: a class that
# only some runs load, a timing-dependent path, stays once seen). Hidden classes (lambdas, /0x...) have no file.
record_builder_classes() {
  run_in_root "$work/training-full.log" -Xlog:class+load=info:file=/tmp/training/classes.log "${builder_training[@]}"
  { grep -v '^#' "$builder_classes" 2>/dev/null || true
    awk '$1 ~ /class,load/ && $2 != "opened:" && $2 !~ /\// {gsub(/\./, "/", $2); print $2}' \
      "$root/tmp/training/classes.log"
  } | LC_ALL=C sort -u > "$work/builder-classes"
  { echo "# The classes the builder image's training loads (scripts/image.sh --record-classes adds to this list;"
    echo "# JDK $feature, $(sed -n 's/^IMPLEMENTOR="\(.*\)"/\1/p' "$jdk/release")): roots of the builder's class trimming."
    cat "$work/builder-classes"
  } > "$builder_classes"
}

builder_classes=$here/scripts/builder-classes.txt
if [[ $component == builder ]]; then
  training_servers
fi
if [[ $component == builder ]] && $trim_classes; then
  if $record_classes || [[ ! -s $builder_classes ]]; then
    stage_root
    record_builder_classes
    step "recorded $(grep -vc '^#' "$builder_classes") classes into scripts/builder-classes.txt"
  fi
  trim_builder
  step "trimmed: $(wc -l < "$work/drop-jdk-classes") JDK classes, $(wc -l < "$work/drop-jar-entries") jar entries"
fi

java_opts=()
if $archive; then
  if $aot; then
    name=app.aot; record=(-XX:AOTCacheOutput=/opt/java-archive/$name -Xlog:cds=off -Xlog:aot=off)
    java_opts=(-XX:AOTCache=/opt/java-archive/$name)
  else # JDK 17: a static AppCDS archive dumped from the training's class list (a dynamic one, ArchiveClassesAtExit,
    # crashed Debian's JDK 17 in its dump at exit)
    name=app.jsa; record=(-XX:DumpLoadedClassList=/opt/java-archive/classes.lst)
    java_opts=(-XX:SharedArchiveFile=/opt/java-archive/$name)
  fi
fi
if [[ $component == builder ]] || $archive; then
  # the builder's (second) training run is on the image as built: the proof that its steps run there
  stage_root
  if [[ $component == operator ]]; then
    # `package` loads the most classes of a CLI step (ELF analysis, layer, gzip, JSON, OCI layout).
    training=(-jar /app/quarkus-run.jar package /opt/java/lib/libjli.so --allow-dynamic --oci-layout /tmp/training/layout)
  else
    training=("${builder_training[@]}")
  fi
  run_in_root "$work/training.log" ${record[@]+"${record[@]}"} "${training[@]}"
  step "training run in the image"
fi
if $archive && ! $aot; then
  run_in_root "$work/dump.log" -Xshare:dump -XX:SharedClassListFile=/opt/java-archive/classes.lst \
    -XX:SharedArchiveFile=/opt/java-archive/$name -Xlog:cds=warning -cp "$runner"
  # a class of the list that could not be archived (a signed jar back on the class path, say) is only a warning
  step "static CDS dump ($(grep -c '\[warning\]\[cds' "$work/dump.log" || true) warnings: JFR events, proxies, old classes)"
fi
if $archive; then
  mkdir -p "$work/archive/opt/java-archive"
  cp "$root/opt/java-archive/$name" "$work/archive/opt/java-archive/$name"
  chmod 0644 "$work/archive/opt/java-archive/$name"
  step "archive $name ($(du -h "$work/archive/opt/java-archive/$name" | cut -f1))"
fi

layers=(--layer "$work/runtime" --layer "$work/app")
$archive && layers+=(--layer "$work/archive")
# JDK 24+ warns when Netty uses sun.misc.Unsafe memory access (JEP 498); allowed explicitly to keep logs clean.
[[ $feature -ge 24 && $component == operator ]] && java_opts+=(--sun-misc-unsafe-memory-access=allow)
entrypoint=(/opt/java/bin/java "${java_opts[@]}" -jar "$runner")
title=minimal-image-operator; [[ $component == builder ]] && title=minimal-image-builder
args=("${layers[@]}" --compression "$compression" --level "$level" --user 65532:65532 --env LANG=C.UTF-8 --cmd=--help
  --label org.opencontainers.image.title=$title)
for word in "${entrypoint[@]}"; do args+=(--entrypoint="$word"); done
[[ -n "$image" ]] && args+=(--image "$image" $insecure)
[[ -n "$layout" ]] && args+=(--oci-layout "$layout")
result=$(timeout 900 "$host_java" -XX:TieredStopAtLevel=1 -jar "$app/quarkus-run.jar" package-tree "${args[@]}")
step "pack + deliver"
size=$(echo "$result" | sed -n 's/.*"compressedSize":\([0-9]*\).*/\1/p')
echo "image.sh: $component image, compressed size $size bytes ($(( size / 1024 / 1024 )) MiB), total $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
echo "$result"
