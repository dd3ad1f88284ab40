# The language presets, run after prologue.sh in the copy of the context directory. The planner sets:
#   PRESET          c-musl | c-glibc | cpp | go | rust
#   BUILD_SYSTEM    auto | cmake | meson | autotools | make | none        (C and C++)
#   BUILD_TARGET    make/CMake/Meson target (default: the project's default)
#   EXECUTABLE      the produced executable, relative to the build directory (Rust: a bin target name)
#   PRESET_CFLAGS, PRESET_LDFLAGS, GO_LDFLAGS, RUSTC_FLAGS, EXTRA_FLAGS (spec.language.flags), GO_PACKAGE
#   TOOLCHAIN_IMAGE (for messages), CACHE_DIR (optional, a persistent cache keyed by the toolchain image)
#   EXIT_* (the exit codes the operator maps to reasons; defined by the planner above this file)
# Our static and size flags never replace a project's own: they ride in the compiler driver (CC/CXX), in LDFLAGS, in
# CMake's *_INIT variables and in configure's and Meson's environment, where a project's flags add to them.

fail() {
  code=$1; shift
  echo "error: $*" >&2
  exit "$code"
}

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$EXIT_TOOL_MISSING" "this build needs '$tool', which the toolchain" \
      "image $TOOLCHAIN_IMAGE does not have: configure a preset image that carries it (README: Toolchain images)"
  done
}

jobs() {
  nproc 2>/dev/null || echo 2
}

# CC/CXX from spec.language.env choose the compiler; the preset's flags are added either way.
c_toolchain() {
  case "$PRESET" in
    # musl-gcc is Debian's wrapper; inside an Alpine image plain gcc already targets musl
    c-musl) cc=gcc; command -v musl-gcc >/dev/null 2>&1 && cc=musl-gcc ;;
    *) cc=gcc ;;
  esac
  cc=${CC:-$cc}
  cxx=${CXX:-g++}
  launcher=""
  if [ -n "${CACHE_DIR:-}" ] && command -v ccache >/dev/null 2>&1; then
    export CCACHE_DIR="$CACHE_DIR/ccache" CCACHE_BASEDIR="$BUILD"
    launcher=ccache
  fi
  # the copy's path never reaches the binary (__FILE__, debug info), so any machine builds the same bytes
  cflags="$PRESET_CFLAGS -ffile-prefix-map=$BUILD=. $EXTRA_FLAGS"
  CC_CMD="${launcher:+$launcher }$cc $cflags $PRESET_LDFLAGS"
  CXX_CMD="${launcher:+$launcher }$cxx $cflags $PRESET_LDFLAGS"
  export LDFLAGS="$PRESET_LDFLAGS ${LDFLAGS:-}"
}

detect_build_system() {
  if [ "${BUILD_SYSTEM:-auto}" != auto ]; then
    echo "$BUILD_SYSTEM"
  elif [ -f CMakeLists.txt ]; then
    echo cmake
  elif [ -f meson.build ]; then
    echo meson
  elif [ -f configure ]; then
    echo autotools
  elif [ -f Makefile ] || [ -f makefile ] || [ -f GNUmakefile ]; then
    echo make
  else
    echo none
  fi
}

build_make() {
  need make
  # on the command line, CC/CXX override a Makefile's own `CC = cc`; its CFLAGS (-I, -D) stay as written
  make -j"$(jobs)" CC="$CC_CMD" CXX="$CXX_CMD" ${BUILD_TARGET:+"$BUILD_TARGET"}
  install_executable "$PWD" "the context directory"
}

build_autotools() {
  need make
  # -static also rides in CC: libtool reads a bare -static in LDFLAGS as its own flag and links libc dynamically
  CC="$CC_CMD" CXX="$CXX_CMD" CFLAGS="${CFLAGS:-}" CXXFLAGS="${CXXFLAGS:-}" \
    sh ./configure --disable-shared --enable-static
  make -j"$(jobs)" ${BUILD_TARGET:+"$BUILD_TARGET"}
  install_executable "$PWD" "the context directory"
}

build_cmake() {
  need cmake
  dir="$WORK/cmake-build"
  rm -rf "$dir"
  generator=""
  command -v ninja >/dev/null 2>&1 && generator="-GNinja"
  cmake -S . -B "$dir" $generator -DCMAKE_BUILD_TYPE=MinSizeRel -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    ${launcher:+-DCMAKE_C_COMPILER_LAUNCHER=$launcher -DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} \
    -DCMAKE_C_FLAGS_INIT="$cflags" -DCMAKE_CXX_FLAGS_INIT="$cflags" \
    -DCMAKE_EXE_LINKER_FLAGS_INIT="$PRESET_LDFLAGS" -DCMAKE_FIND_LIBRARY_SUFFIXES=.a
  cmake --build "$dir" --parallel "$(jobs)" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
  install_executable "$dir" "the CMake build directory"
}

build_meson() {
  need meson ninja
  dir="$WORK/meson-build"
  rm -rf "$dir"
  CC="${launcher:+$launcher }$cc" CXX="${launcher:+$launcher }$cxx" \
    CFLAGS="$cflags ${CFLAGS:-}" CXXFLAGS="$cflags ${CXXFLAGS:-}" \
    meson setup "$dir" . --buildtype=minsize --strip --default-library=static --prefer-static -Db_staticpic=false
  meson compile -C "$dir" ${BUILD_TARGET:+"$BUILD_TARGET"}
  install_executable "$dir" "the Meson build directory"
}

# no build system: one compiler call over every source file of the context directory
build_none() {
  if [ "$PRESET" = cpp ]; then
    $CXX_CMD -o "$OUT" $(find . \( -name '*.cpp' -o -name '*.cc' -o -name '*.cxx' \) | LC_ALL=C sort)
  else
    $CC_CMD -o "$OUT" $(find . -name '*.c' | LC_ALL=C sort)
  fi
}

# $1: the directory the build ran in, $2: what to call it in messages
install_executable() {
  if [ -n "${EXECUTABLE:-}" ]; then
    [ -f "$1/$EXECUTABLE" ] || fail "$EXIT_EXECUTABLE_NOT_FOUND" "spec.language.executable '$EXECUTABLE' is not" \
      "in $2 after the build; new ELF executables there: ($(new_executables "$1" | tr '\n' ' ' | sed 's/ $//'))"
    cp -- "$1/$EXECUTABLE" "$OUT"
    return
  fi
  found=$(new_executables "$1")
  count=$(printf '%s' "$found" | grep -c '' || true)
  case "$count" in
    1) cp -- "$1/$found" "$OUT" ;;
    0) fail "$EXIT_EXECUTABLE_NOT_FOUND" "the build produced no new ELF executable in $2; name the produced" \
         "file in spec.language.executable (--executable)" ;;
    *) fail "$EXIT_EXECUTABLE_AMBIGUOUS" "the build produced $count ELF executables in $2" \
         "($(printf '%s' "$found" | tr '\n' ' ')); name one in spec.language.executable (--executable)" ;;
  esac
}

# ELF executables (not objects, not shared libraries) the build wrote under $1, relative paths, sorted;
# CMake's and Meson's compiler probes are theirs, not the project's
new_executables() {
  find "$1" -type f -newer "$STARTED" ! -path '*/CMakeFiles/*' ! -path '*/meson-private/*' \
    ! -name '*.so' ! -name '*.so.*' ! -name '*.o' ! -name '*.a' | LC_ALL=C sort | while IFS= read -r file; do
    if is_elf_program "$file"; then
      printf '%s\n' "${file#"$1"/}"
    fi
  done
}

is_elf_program() {
  [ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" = 7f454c46 ] || return 1
  elf_type=$(od -An -tu1 -j16 -N1 "$1" | tr -d ' \n') # e_type, low byte: 2 executable, 3 PIE (or shared object)
  [ "$elf_type" = 2 ] || [ "$elf_type" = 3 ]
}

build_c() {
  c_toolchain
  system=$(detect_build_system)
  echo "minimal-image: $PRESET preset, build system: $system" >&2
  "build_$system"
}

# Go is static only with cgo off; without go.mod, GOPATH mode builds a stdlib-only program.
build_go() {
  need go
  cache=${CACHE_DIR:-$WORK/cache}
  export CGO_ENABLED="${CGO_ENABLED:-0}" GOCACHE="$cache/go-build" GOMODCACHE="$cache/go-mod" GOPATH="$WORK/gopath" \
    GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  # -buildvcs=false: a checkout's git state must not change the binary
  GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
  if [ ! -f go.mod ]; then
    export GO111MODULE=off
  elif [ -d vendor ]; then
    GOFLAGS="$GOFLAGS -mod=vendor"
  fi
  export GOFLAGS
  go build -ldflags="$GO_LDFLAGS" $EXTRA_FLAGS -o "$OUT" "./$GO_PACKAGE"
}

build_rust() {
  if [ ! -f Cargo.toml ]; then
    need rustc
    rustc $RUSTC_FLAGS $EXTRA_FLAGS -o "$OUT" "$(ls src/main.rs main.rs 2>/dev/null | head -n 1)"
    return
  fi
  need cargo rustc
  cache=${CACHE_DIR:-$WORK}
  export CARGO_HOME="$cache/cargo" CARGO_TARGET_DIR="$WORK/target"
  # size settings through Cargo's profile (RUSTFLAGS' -C lto clashes with the -C embed-bitcode=no Cargo passes)
  export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}" \
    CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-fat}" \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-1}" \
    CARGO_PROFILE_RELEASE_PANIC="${CARGO_PROFILE_RELEASE_PANIC:-abort}" \
    CARGO_PROFILE_RELEASE_STRIP="${CARGO_PROFILE_RELEASE_STRIP:-symbols}"
  export RUSTFLAGS="-C target-feature=+crt-static $EXTRA_FLAGS"
  # an explicit --target keeps RUSTFLAGS off build scripts and proc-macros (a musl host cannot build those static)
  host=$(rustc -vV | sed -n 's/^host: //p')
  offline=""
  if grep -qs 'replace-with' .cargo/config.toml .cargo/config; then
    offline="--offline" # vendored sources (cargo vendor): nothing to download
  fi
  if [ -n "${EXECUTABLE:-}" ]; then
    bin=$EXECUTABLE
  else
    bin=$(cargo_bin)
  fi
  cargo build --release $offline --target "$host" --bin "$bin"
  cp -- "$CARGO_TARGET_DIR/$host/release/$bin" "$OUT"
}

# the one bin target of the package(s) in this directory, from `cargo metadata`
cargo_bin() {
  bins=$(cargo metadata --no-deps --format-version 1 $offline | tr '{' '\n' | grep '"kind":\["bin"\]' \
    | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | LC_ALL=C sort -u)
  count=$(printf '%s' "$bins" | grep -c '' || true)
  case "$count" in
    1) echo "$bins" ;;
    0) fail "$EXIT_EXECUTABLE_NOT_FOUND" "cargo metadata lists no bin target in this package" ;;
    *) fail "$EXIT_EXECUTABLE_AMBIGUOUS" "cargo metadata lists $count bin targets ($(echo $bins)); name one in" \
         "spec.language.executable (--executable)" ;;
  esac
}

case "$PRESET" in
  c-musl | c-glibc | cpp) build_c ;;
  go) build_go ;;
  rust) build_rust ;;
  *) fail 1 "unknown preset $PRESET" ;;
esac
