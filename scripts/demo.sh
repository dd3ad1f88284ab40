#!/usr/bin/env bash
# The main job, no cluster needed: build examples/hello-c with the `build` command's C preset (musl, static, the
# preset's size flags: the command the README documents), push it to a throwaway registry on 127.0.0.1, read it back
# with skopeo, check the digest, pull it and run it from an empty root. Stops what it starts.
# Needs Java 17+ and Maven 3.8+; installs the few Debian packages it uses when missing (scripts/setup-deps.sh demo).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
json() { python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "demo: needs Java 17+ and Maven 3.8+ ('$tool' is not on PATH)" >&2; exit 1; }
done

step "dependencies: musl-tools, docker-registry, skopeo (a minute or two with apt the first time, when missing)"
./scripts/setup-deps.sh demo

if [[ ! -f target/quarkus-app/quarkus-run.jar ]]; then
  step "building the jar with Maven (first run: about 2 min on 2 cores, longer while Maven downloads its dependencies)"
  log=$(mktemp)
  # -B, -q and jansi.noreset: no colour codes, no progress; the log is shown only when the build fails
  if ! MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -B -q -ntp -Dstyle.color=never package -DskipTests \
      >"$log" 2>&1; then
    tail -n 40 "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
fi
mi() { ./scripts/minimal-image "$@"; }

work=$(mktemp -d)
trap './scripts/registry.sh stop "$work/registry"; rm -rf "$work"' EXIT
registry=$(./scripts/registry.sh start "$work/registry")
image=$registry/demo/hello:1

step "build examples/hello-c and push it to $image (a few seconds)"
echo "minimal-image build --language c --source examples/hello-c --binary-name hello --image $image --insecure ..."
mi build --language c --source examples/hello-c --binary-name hello --image "$image" --insecure --arg demo \
  --result-file "$work/result.json" >/dev/null
cat "$work/result.json"; echo
digest=$(json "$work/result.json" digest)

step "cross-check with skopeo: the registry's manifest hashes to our digest"
skopeo inspect --raw --tls-verify=false "docker://$image" > "$work/manifest.json"
registry_digest=sha256:$(sha256sum < "$work/manifest.json" | cut -d' ' -f1)
echo "registry manifest: $registry_digest"
echo "result record:     $digest"
[[ $registry_digest == "$digest" ]] || { echo "demo: the digests differ" >&2; exit 1; }

step "pull it back, unpack its one layer into an empty root"
skopeo copy -q --src-tls-verify=false "docker://$registry/demo/hello@$digest" "oci:$work/pulled:x"
layer=$(python3 - "$work/pulled" <<'PY'
import json, sys
layout = sys.argv[1]
index = json.load(open(layout + "/index.json"))
manifest = json.load(open(layout + "/blobs/sha256/" + index["manifests"][0]["digest"][7:]))
print(manifest["layers"][0]["digest"][7:])
PY
)
mkdir "$work/rootfs" && tar -xzf "$work/pulled/blobs/sha256/$layer" -C "$work/rootfs"
find "$work/rootfs" | sed "s#$work/rootfs#rootfs:#"

step "inspect the pulled binary (its ELF is read, never run)"
mi inspect "$work/rootfs/app/hello"

step "run it from the empty root as uid 65532"
if [[ $(id -u) -eq 0 ]]; then
  env -i /usr/sbin/chroot --userspec=65532:65532 "$work/rootfs" /app/hello demo
else
  env -i /usr/bin/unshare -r -m --root="$work/rootfs" /app/hello demo
fi

step "done in ${SECONDS} s (registry stopped, temporary files removed on exit)"
