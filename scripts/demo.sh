#!/usr/bin/env bash
# The main job, no cluster needed: compile a C program statically (musl preset), prove it static by reading the ELF,
# pack it FROM scratch, push it to a throwaway registry on 127.0.0.1, read it back with skopeo and run it from an
# empty root.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
[[ -f target/quarkus-app/quarkus-run.jar ]] || mvn -B -q -ntp package -DskipTests
mi() { java -jar target/quarkus-app/quarkus-run.jar "$@"; }

work=$(mktemp -d)
trap './scripts/registry.sh stop "$work/registry"; rm -rf "$work"' EXIT
registry=$(./scripts/registry.sh start "$work/registry")

echo "== compile (musl preset: -static -Os -s -Wl,--gc-sections)"
musl-gcc -static -Os -s -Wl,--gc-sections -o "$work/hello" examples/hello-c/hello.c
ls -l "$work/hello"

echo "== inspect"
mi inspect "$work/hello"

echo "== package + push to $registry"
mi package "$work/hello" --image "$registry/demo/hello:1" --insecure --arg demo --result-file "$work/result.json" >/dev/null
cat "$work/result.json"; echo
digest=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["digest"])' "$work/result.json")

echo "== cross-check with skopeo"
skopeo inspect --raw --tls-verify=false "docker://$registry/demo/hello:1" > "$work/manifest.json"
echo "registry manifest sha256: sha256:$(sha256sum < "$work/manifest.json" | cut -d' ' -f1)"
echo "our digest:               $digest"

echo "== pull back and run from an empty root as uid 65532"
skopeo copy -q --src-tls-verify=false "docker://$registry/demo/hello@$digest" "oci:$work/pulled:x"
layer=$(python3 -c 'import json,sys;d=sys.argv[1];i=json.load(open(d+"/index.json"));m=json.load(open(d+"/blobs/sha256/"+i["manifests"][0]["digest"][7:]));print(m["layers"][0]["digest"][7:])' "$work/pulled")
mkdir "$work/rootfs" && tar -xzf "$work/pulled/blobs/sha256/$layer" -C "$work/rootfs"
find "$work/rootfs" | sed "s#$work/rootfs#rootfs:#"
if [[ $(id -u) -eq 0 ]]; then
  env -i /usr/sbin/chroot --userspec=65532:65532 "$work/rootfs" /app/hello demo
else
  env -i /usr/bin/unshare -r -m --root="$work/rootfs" /app/hello demo
fi
