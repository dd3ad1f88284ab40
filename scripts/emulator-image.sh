#!/usr/bin/env bash
# Builds the smoke-test emulator image FROM scratch with this repository's packer (no Dockerfile, no daemon):
#
#   scripts/emulator-image.sh --image REGISTRY/minimal-image-emulator[:TAG] [--insecure]   # push; prints its digest ref
#   scripts/emulator-image.sh --oci-layout DIR
#
#   /qemu/qemu-aarch64-static   Debian's qemu-user-static: the user-mode emulator of every platform the presets
#                               cross-compile to besides linux/amd64 (today linux/arm64)
#   /bin/busybox                Debian's busybox-static: the smoke-test pod's init container copies the emulator with
#                               it into a volume the foreign image's container runs it from
# Both must be static (checked with `minimal-image inspect`, which reads the ELF and never runs it): the image has no
# libraries. Without a tag, the tag is a hash of both files, so a changed emulator never hides under a pulled tag.
# The chart takes the result as smokeTest.emulatorImage (docs/platforms.md). Reproducible: the same files give the
# same digest. Prints the pushed image by digest (or the layout's JSON result) on stdout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image='' insecure='' layout=''
value() { [[ -n ${2:-} ]] || { echo "emulator-image.sh: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) value "$@"; image=$2; shift 2 ;;
    --insecure) insecure=--insecure; shift ;;
    --oci-layout) value "$@"; layout=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "emulator-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$image" || -n "$layout" ]] || { echo "emulator-image.sh: name --image REF or --oci-layout DIR" >&2; exit 2; }
qemu=/usr/bin/qemu-aarch64-static busybox=/bin/busybox
for file in "$qemu" "$busybox"; do
  [[ -f $file ]] || { echo "emulator-image.sh: $file is missing (apt-get install qemu-user-static busybox-static)" >&2; exit 2; }
done
"$here/scripts/minimal-image" inspect --json "$qemu" "$busybox" | python3 -c '
import json, sys
for line in sys.stdin:
    report = json.loads(line)
    if report["verdict"] not in ("Static", "StaticPie"):
        sys.exit("emulator-image.sh: %s is %s, not static: the image has no libraries" % (report["file"], report["verdict"]))
' || exit 3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/qemu" "$work/root/bin"
cp "$qemu" "$work/root/qemu/"
cp "$busybox" "$work/root/bin/busybox"
args=(--layer "$work/root" --entrypoint /bin/busybox --cmd=--help
  --label org.opencontainers.image.title=minimal-image-emulator)
if [[ -n "$image" ]]; then
  name_part=${image##*/}
  if [[ $name_part != *:* ]]; then
    image="$image:$(cat "$qemu" "$busybox" "$0" | sha256sum | cut -c1-12)"
  fi
  args+=(--image "$image" $insecure)
fi
[[ -n "$layout" ]] && args+=(--oci-layout "$layout")
result=$(timeout 300 "$here/scripts/minimal-image" package-tree "${args[@]}")
if [[ -n "$image" ]]; then
  echo "$result" | python3 -c 'import json, sys; print(json.load(sys.stdin)["image"])'
else
  echo "$result"
fi
