# Bundle mode (spec.verify.linkPolicy: Bundle), after the build. The program's loader and shared libraries are in this
# toolchain image, which the package step (builder image) cannot see, so they are collected here, where the compile
# ran, by reading ELF (nothing is run), into $BUNDLE_ROOT at their paths in this root; the package step bundles them
# from there. $MINIMAL_IMAGE is the operator's own program, copied into the pod by the runtime step together with its
# loader and libraries, so it runs whatever libc this image has. In: OUT, BUNDLE_ROOT, MINIMAL_IMAGE,
# EXTRA_LIBRARIES (spec.verify.extraLibraries, one per line), EXIT_STAGED_LIBRARY_MISSING, EXIT_BUNDLE_INCOMPLETE.
set --
while IFS= read -r library; do
  [ -z "$library" ] || set -- "$@" "--extra-library=$library"
done <<END_OF_LIBRARIES
${EXTRA_LIBRARIES:-}
END_OF_LIBRARIES
rm -rf "$BUNDLE_ROOT"
mkdir -p "$BUNDLE_ROOT"
staged=0
"$MINIMAL_IMAGE" stage-bundle "$OUT" --to "$BUNDLE_ROOT" "$@" || staged=$?
case "$staged" in
  0) ;;
  "$EXIT_STAGED_LIBRARY_MISSING") exit "$EXIT_BUNDLE_INCOMPLETE" ;; # its message names the library
  *) exit "$staged" ;;
esac
