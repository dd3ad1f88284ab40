# Runs first in every compile step (presets and custom scripts), with /bin/sh in the toolchain image.
# In: SRC (the fetched tree, read-only), OUT, WORK, HOME, [SOURCE_FILES | CONTEXT_DIR], [SOURCE_DATE_EPOCH or
# SOURCE_DATE_EPOCH_FILE, which the fetch step writes].
# Builds never run in the fetched tree: a git checkout is copied as checked out (in-tree symlinks kept), inline
# sources only as the planned files ($SOURCE_FILES, one path per line, symlinks resolved), because a ConfigMap volume
# also holds the kubelet's ..data and ..TIMESTAMP entries: a cp -r copies every file twice, and each top-level key is
# a symlink a find -name matches besides the real file. The script then runs in the copy ($SRC stays the fetched tree).
set -eu
# the builder pod: the toolchain's dpkg database for the SBOM (package --toolchain-root), before any project code runs;
# nothing when the image has none (then the SBOM says the versions are unknown)
if [ -n "${TOOLCHAIN_RECORD:-}" ] && [ -f /var/lib/dpkg/status ]; then
  if ! { mkdir -p "$TOOLCHAIN_RECORD/var/lib/dpkg" && cp /var/lib/dpkg/status "$TOOLCHAIN_RECORD/var/lib/dpkg/"; }; then
    echo "minimal-image: warning: could not record the toolchain's packages; the SBOM's library versions stay unknown" >&2
  fi
fi
BUILD="$WORK/build"
rm -rf "$BUILD"
mkdir -p "$HOME" "$(dirname -- "$OUT")" "$BUILD"
if [ -n "${SOURCE_FILES:-}" ]; then
  printf '%s\n' "$SOURCE_FILES" | while IFS= read -r f; do
    mkdir -p "$BUILD/$(dirname -- "$f")"; cp -L -- "$SRC/$f" "$BUILD/$f"
  done
else
  cp -a "$SRC/." "$BUILD/"
fi
chmod -R u+w "$BUILD" # a read-only tree stays read-only when copied with its modes
# The commit time (git: written by the fetch step) or 0 (inline), for reproducible builds. Every file of the copy gets
# that one time: make then never regenerates a project's committed configure or Makefile.in (a checkout's arbitrary
# mtimes would make it call autoconf), and nothing of the checkout's timing reaches the binary.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(cat "${SOURCE_DATE_EPOCH_FILE:-/nonexistent}" 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH
find "$BUILD" ! -type l -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
# what the build writes after this is new: how a preset tells the build's executables from the project's files
STARTED="$WORK/.compile-started"
touch "$STARTED"
cd "$BUILD/${CONTEXT_DIR:-.}"
