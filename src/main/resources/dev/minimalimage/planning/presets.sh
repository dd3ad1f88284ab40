# The language presets, run after prologue.sh in the copy of the context directory. The planner sets:
#   PRESET          c-musl | c-glibc | cpp | go | rust
#   BUILD_SYSTEM    auto | cmake | meson | autotools | make | none        (C and C++)
#   BUILD_TARGET    make/CMake/Meson target (default: the project's default)
#   EXECUTABLE      the produced executable, relative to the build directory (Rust: a bin target name)
#   LINKING         static | dynamic (bundle mode: no -static, shared libraries allowed; the build ships them)
#   PRESET_CFLAGS, PRESET_LDFLAGS, GO_LDFLAGS, RUSTC_FLAGS, EXTRA_FLAGS (spec.language.flags), GO_PACKAGE
#   TOOLCHAIN_IMAGE (for messages), CACHE_DIR (optional, a persistent cache keyed by the toolchain image)
#   TARGETPLATFORM, TARGETOS, TARGETARCH (optional, BuildKit's names): the platform to build for; unset or this
#                   machine's own: a native build, else a cross build (GOARCH, <cpu>-linux-gnu-gcc, a Rust target)
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

# JOBS in spec.language.env caps it (nproc counts the node's processors, not the pod's CPU limit; some old
# Makefiles are not safe to run in parallel: JOBS=1)
jobs() {
  echo "${JOBS:-$(nproc 2>/dev/null || echo 2)}"
}

# The GNU CPU name of TARGETARCH (aarch64 for arm64), empty for a native build (no target, or this machine's own).
# The operator and the command line admit only the platforms docs/platforms.md lists; a custom toolchain's own
# variables could name another, which is refused here with the remedy.
target_cpu() {
  [ -n "${TARGETARCH:-}" ] || return 0
  case "$TARGETARCH" in
    amd64) cpu=x86_64 ;;
    arm64) cpu=aarch64 ;;
    *) fail "$EXIT_TOOL_MISSING" "the presets cannot build for $TARGETPLATFORM (they cross-compile to linux/amd64" \
         "and linux/arm64); a custom script can (TARGETPLATFORM, TARGETOS, TARGETARCH)" ;;
  esac
  [ "$cpu" = "$(uname -m)" ] || echo "$cpu"
}

# $1: a cross tool that must be on PATH, $2: what provides it; fails naming the platform and the remedy
need_cross() {
  command -v "$1" >/dev/null 2>&1 || fail "$EXIT_TOOL_MISSING" "building for $TARGETPLATFORM needs the cross" \
    "tool '$1', which the toolchain image $TOOLCHAIN_IMAGE does not have ($2)"
}

# CC/CXX from spec.language.env choose the compiler; the preset's flags are added either way.
c_toolchain() {
  cross=$(target_cpu) || exit $?
  case "$PRESET" in
    # musl-gcc is Debian's wrapper; inside an Alpine image plain gcc already targets musl
    c-musl) cc=gcc; command -v musl-gcc >/dev/null 2>&1 && cc=musl-gcc ;;
    *) cc=gcc ;;
  esac
  cxx=g++
  if [ -n "$cross" ]; then
    # Debian has GNU cross compilers with a static glibc for the target, but no musl cross compiler: the C musl
    # preset cross-compiles only where the image has one (musl.cc's <cpu>-linux-musl-gcc)
    case "$PRESET" in
      c-musl) cc=$cross-linux-musl-gcc; cxx=""
              why="the C musl preset needs a musl cross compiler, which Debian does not package; build this"
              why="$why platform with libc glibc (static glibc through $cross-linux-gnu-gcc) or use a toolchain"
              [ -n "${CC:-}" ] || need_cross "$cc" "$why image that has $cc" ;;
      *) cc=$cross-linux-gnu-gcc; cxx=$cross-linux-gnu-g++
         [ -n "${CC:-}" ] || need_cross "$cc" "Debian: gcc-$cross-linux-gnu libc6-dev-${TARGETARCH}-cross"
         if [ "$PRESET" = cpp ] && [ -z "${CXX:-}" ]; then
           need_cross "$cxx" "Debian: g++-$cross-linux-gnu"
         fi ;;
    esac
    echo "minimal-image: cross-compiling for $TARGETPLATFORM with $cc" >&2
  fi
  cc=${CC:-$cc}
  cxx=${CXX:-$cxx}
  # Debian's musl-gcc wraps the image's glibc gcc; its g++ still compiles against glibc and links glibc's libstdc++:
  # C++ in such a build would mix the two C libraries. (Where gcc itself targets musl, as in Alpine, g++ does too.)
  cxx_is_glibc_under_musl=""
  if [ "$PRESET" = c-musl ] && [ "$cc" = musl-gcc ] && [ -z "${CXX:-}" ]; then
    cxx_is_glibc_under_musl=yes
  fi
  launcher=""
  if [ -n "${CACHE_DIR:-}" ] && command -v ccache >/dev/null 2>&1; then
    export CCACHE_DIR="$CACHE_DIR/ccache" CCACHE_BASEDIR="$BUILD"
    launcher=ccache
  fi
  # the work paths never reach the binary (__FILE__, debug info), so any machine builds the same bytes; the more
  # specific map comes last, where GCC looks first
  cflags="$PRESET_CFLAGS -ffile-prefix-map=$WORK=/work -ffile-prefix-map=$BUILD=. $EXTRA_FLAGS"
  CC_CMD="${launcher:+$launcher }$cc $cflags $PRESET_LDFLAGS"
  CXX_CMD="${launcher:+$launcher }$cxx $cflags $PRESET_LDFLAGS"
}

# make, autotools and Meson read LDFLAGS for every link; CMake gets executable-only flags instead (a project's own
# shared libraries or plugins must not be linked -static)
export_ldflags() {
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
  export_ldflags
  # on the command line, CC/CXX override a Makefile's own `CC = cc`; its CFLAGS (-I, -D) stay as written
  run_make CC="$CC_CMD" CXX="$CXX_CMD"
  install_executable "$PWD" "the context directory"
}

# make with $@ and the target make_target chooses. A rule named after the executable is tried first; when it fails,
# the default goal: it may make files that rule does not name as prerequisites (automake's BUILT_SOURCES are made by
# `all` only, e.g. GNU hello's configmake.h).
run_make() {
  target=$(make_target)
  if [ -n "$target" ] && [ -z "${BUILD_TARGET:-}" ]; then
    make -j"$(jobs)" "$@" "$target" && return 0
    echo "minimal-image: make $target failed; building the Makefile's default goal instead (it may make files the" \
      "rule for $target does not name)" >&2
    target=""
  fi
  make -j"$(jobs)" "$@" ${target:+"$target"} || build_failed $? "$target"
}

# What to build: spec.language.buildTarget, else the named executable when the Makefile has a rule for that path
# (only what produces it is built: a project's other programs, tests or shared libraries may not link -static), else
# the Makefile's default goal.
make_target() {
  if [ -n "${BUILD_TARGET:-}" ]; then
    echo "$BUILD_TARGET"
  elif [ -n "${EXECUTABLE:-}" ]; then
    if make_has_rule "$EXECUTABLE"; then
      echo "minimal-image: building the make target $EXECUTABLE only" >&2
      echo "$EXECUTABLE"
    else
      echo "minimal-image: the Makefile has no rule for $EXECUTABLE: building its default goal" >&2
    fi
  fi
}

# Whether the Makefile (read as make reads it, includes and variables expanded) has an explicit rule for $1. make -p
# prints its database; asking for a target no Makefile has makes it stop before any recipe runs. In the database a
# file that is only a prerequisite follows a "# Not a target:" line.
make_has_rule() {
  make -pq .minimal-image-no-such-target 2>/dev/null | awk -v rule="$1:" '
    $0 == "# Not a target:" { skip = 1; next }
    index($0, rule) == 1 && !skip { found = 1 }
    { skip = 0 }
    END { exit !found }'
}

build_autotools() {
  need make
  export_ldflags
  if [ ! -f configure ]; then # a checkout of the sources, not a release tarball: generate configure first
    need autoreconf
    autoreconf -fi
  fi
  # --disable-shared --enable-static are Autoconf's; hand-written configure scripts (zlib's, nginx's) refuse them
  options=""
  if grep -q 'Generated by GNU Autoconf' configure; then
    options="--disable-shared --enable-static"
    if [ -n "$cross" ]; then # configure then runs no test program it compiled
      options="$options --host=$cross-linux-$(cross_libc)"
    fi
  fi
  # -static also rides in CC: libtool reads a bare -static in LDFLAGS as its own flag and links libc dynamically
  if [ -x configure ]; then
    CC="$CC_CMD" CXX="$CXX_CMD" CFLAGS="${CFLAGS:-}" CXXFLAGS="${CXXFLAGS:-}" ./configure $options
  else # an inline file (ConfigMap) has no exec bit
    CC="$CC_CMD" CXX="$CXX_CMD" CFLAGS="${CFLAGS:-}" CXXFLAGS="${CXXFLAGS:-}" sh ./configure $options
  fi
  run_make
  install_executable "$PWD" "the context directory"
}

build_cmake() {
  need cmake
  dir="$WORK/cmake-build"
  rm -rf "$dir"
  generator=""
  if command -v ninja >/dev/null 2>&1; then
    generator="-GNinja"
  else
    need make
  fi
  # after project(): CMake's platform files set the suffixes as a plain variable, which a -D cache entry cannot beat;
  # bundle mode lets find_library() take shared libraries, which the bundle then ships
  static_libraries="$WORK/static-libraries.cmake"
  if [ "$LINKING" = static ]; then
    echo 'set(CMAKE_FIND_LIBRARY_SUFFIXES .a)' > "$static_libraries"
  else
    : > "$static_libraries"
  fi
  cross_system=""
  if [ -n "$cross" ]; then # CMake then tries no target program on this machine
    cross_system="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=$cross"
  fi
  cmake -S . -B "$dir" $generator -DCMAKE_BUILD_TYPE=MinSizeRel -DBUILD_SHARED_LIBS=OFF $cross_system \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    ${launcher:+-DCMAKE_C_COMPILER_LAUNCHER=$launcher -DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} \
    -DCMAKE_C_FLAGS_INIT="$cflags" -DCMAKE_CXX_FLAGS_INIT="$cflags" \
    -DCMAKE_EXE_LINKER_FLAGS_INIT="$PRESET_LDFLAGS" -DCMAKE_PROJECT_INCLUDE="$static_libraries"
  target=$(cmake_target "$dir")
  if [ -n "$cxx_is_glibc_under_musl" ]; then
    # a dry run names what would be compiled; make's, across CMake's recursive Makefiles, stops at the first
    # library that the dry run did not make: -k goes on
    dry_run="-n"
    [ -f "$dir/build.ninja" ] || dry_run="-n -k"
    refuse_cxx "$(cmake --build "$dir" ${target:+--target "$target"} -- $dry_run 2>&1 \
      | grep -e 'Building CXX object' -e 'Linking CXX' | head -n1 | sed 's/^\[[0-9]*\/[0-9]*\] //; s/.*"\(.*\)"$/\1/')"
  fi
  cmake --build "$dir" --parallel "$(jobs)" ${target:+--target "$target"} || build_failed $? "$target"
  install_executable "$dir" "the CMake build directory"
}

# What to build: spec.language.buildTarget, else what produces the named executable (only that: a project's tests
# or other programs may link its own shared libraries, which no -static link takes), else everything. Ninja knows the
# file itself, whatever its target is called; otherwise the target named like the file.
cmake_target() { # BUILD_DIR
  if [ -n "${BUILD_TARGET:-}" ]; then
    echo "$BUILD_TARGET"
    return
  fi
  [ -n "${EXECUTABLE:-}" ] || return 0
  name=${EXECUTABLE##*/}
  if [ -f "$1/build.ninja" ]; then
    for candidate in "$EXECUTABLE" "$name"; do
      if ninja_builds "$1" "$candidate"; then
        echo "minimal-image: building the CMake target $candidate only" >&2
        echo "$candidate"
        return
      fi
    done
    known=$(ninja -C "$1" -t targets all | grep -e '_EXECUTABLE_LINKER__' | cut -d: -f1 | tr '\n' ' ')
  else
    if cmake --build "$1" --target help | grep -xF "... $name" >/dev/null; then
      echo "minimal-image: building the CMake target $name only" >&2
      echo "$name"
      return
    fi
    # (without the targets CMake itself adds to every Makefile)
    known=$(cmake --build "$1" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p' \
      | grep -vxF -e all -e clean -e depend -e edit_cache -e rebuild_cache -e test -e install -e install/local \
        -e install/strip -e list_install_components -e package -e package_source | tr '\n' ' ')
  fi
  fail "$EXIT_EXECUTABLE_NOT_FOUND" "the CMake project has no target named '$name' that would produce" \
    "spec.language.executable '$EXECUTABLE' (it can build: ${known% }); name the target in spec.language.buildTarget" \
    "(--build-target) or correct the executable's path (relative to the CMake build directory)"
}

# Whether the Ninja build in $1 has an edge that writes $2 (a file or a phony target; not a mere input)
ninja_builds() {
  ninja -C "$1" -t query "$2" 2>/dev/null | grep -q '^  input:'
}

# $1: the build tool's exit status, $2: what was built (empty: the whole project). A whole project often holds more
# than the program to ship: tests or tools that link its own shared libraries, which no -static link takes.
build_failed() {
  if [ -z "$2" ]; then
    echo "minimal-image: this built the whole project; to ship one program of it, name it with --executable" \
      "(spec.language.executable) and only what produces it is built (a test or tool linking the project's own" \
      "shared library cannot link -static)" >&2
  fi
  exit "$1"
}

# $1: a line of the dry run that compiles or links C++ (empty: none does)
refuse_cxx() {
  [ -n "$1" ] || return 0
  fail "$EXIT_TOOL_MISSING" "this build compiles C++ ($(echo $1)), but the C musl preset has no C++ compiler for" \
    "musl: musl-gcc wraps the toolchain's glibc gcc, whose g++ would compile and link against glibc, mixing the two" \
    "C libraries. Build it with --language cpp (spec.language.name: cpp, static glibc) or --libc glibc, or build only" \
    "a C program of the project: --executable PATH or --build-target TARGET (spec.language.executable, buildTarget)"
}

build_meson() {
  need meson ninja
  export_ldflags
  prefer_static=""
  if [ "$LINKING" = static ]; then
    prefer_static="--prefer-static" # dependencies too; bundle mode takes the shared ones the bundle ships
  fi
  dir="$WORK/meson-build"
  rm -rf "$dir"
  cross_file=""
  if [ -n "$cross" ]; then # Meson reads the target machine from a cross file only
    cross_file="$WORK/meson-cross.ini"
    # (the cross file names the compilers without the ccache launcher: a cross build with Meson is not cached)
    { printf "[binaries]\nc = '%s'\n" "$cc"
      [ -z "$cxx" ] || printf "cpp = '%s'\n" "$cxx" # the C musl preset has no C++ cross compiler
      printf "strip = '%s'\n[host_machine]\nsystem = 'linux'\ncpu_family = '%s'\ncpu = '%s'\nendian = 'little'\n" \
        "$cross-linux-$(cross_libc)-strip" "$cross" "$cross"
    } > "$cross_file"
  fi
  CC="${launcher:+$launcher }$cc" CXX="${launcher:+$launcher }$cxx" \
    CFLAGS="$cflags ${CFLAGS:-}" CXXFLAGS="$cflags ${CXXFLAGS:-}" \
    meson setup "$dir" . --buildtype=minsize --strip --default-library=static $prefer_static -Db_staticpic=false \
    ${cross_file:+--cross-file "$cross_file"}
  # what to build: spec.language.buildTarget, else only what writes the named executable (Ninja knows every file
  # the build writes), else everything
  # (meson compile takes one --ninja-args, the last: the dry run's -n goes into the same one)
  if [ -n "${BUILD_TARGET:-}" ]; then
    set -- "$BUILD_TARGET"
    dry_run="--ninja-args=-n"
  elif [ -n "${EXECUTABLE:-}" ]; then
    ninja_builds "$dir" "$EXECUTABLE" || fail "$EXIT_EXECUTABLE_NOT_FOUND" "the Meson build writes no file" \
      "'$EXECUTABLE' (spec.language.executable, relative to the Meson build directory); it links:" \
      "($(meson_linked "$dir")); or name a target in spec.language.buildTarget (--build-target)"
    echo "minimal-image: building $EXECUTABLE only" >&2
    set -- --ninja-args="$EXECUTABLE"
    dry_run="--ninja-args=-n,$EXECUTABLE"
  else
    set --
    dry_run="--ninja-args=-n"
  fi
  if [ -n "$cxx_is_glibc_under_musl" ]; then
    refuse_cxx "$(meson compile -C "$dir" ${BUILD_TARGET:+"$BUILD_TARGET"} "$dry_run" 2>&1 \
      | grep -e 'Compiling C++ object' | head -n1 | sed 's/^\[[0-9]*\/[0-9]*\] //')"
  fi
  meson compile -C "$dir" -j "$(jobs)" "$@" || build_failed $? "$*"
  install_executable "$dir" "the Meson build directory"
}

# What the Meson build in $1 links (executables and shared libraries), for messages
meson_linked() {
  ninja -C "$1" -t targets all | grep -e '_LINKER' | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//'
}

# the GNU triple's last part for the cross compiler in use
cross_libc() {
  if [ "$PRESET" = c-musl ]; then echo musl; else echo gnu; fi
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
  find "$1" -type f -perm -u+x -newer "$STARTED" ! -path '*/CMakeFiles/*' ! -path '*/meson-private/*' \
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

# Go is static only with cgo off (bundle mode: cgo on unless CGO_ENABLED says otherwise, the reason to bundle a Go
# program); without go.mod, GOPATH mode builds a stdlib-only program.
build_go() {
  need go
  cache=${CACHE_DIR:-$WORK/cache}
  cgo=0
  if [ "$LINKING" = dynamic ]; then
    cgo=1
  fi
  if [ -n "${TARGETARCH:-}" ]; then # Go cross-compiles itself (cgo stays off: no C cross compiler is needed)
    export GOOS="$TARGETOS" GOARCH="$TARGETARCH"
  fi
  export CGO_ENABLED="${CGO_ENABLED:-$cgo}" GOCACHE="$cache/go-build" GOMODCACHE="$cache/go-mod" GOPATH="$WORK/gopath" \
    GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  # -buildvcs=false: a checkout's git state must not change the binary
  GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
  if [ ! -f go.mod ]; then
    export GO111MODULE=off
  elif [ -f vendor/modules.txt ]; then
    GOFLAGS="$GOFLAGS -mod=vendor"
  fi
  export GOFLAGS
  go build -ldflags="$GO_LDFLAGS" $EXTRA_FLAGS -o "$OUT" "./$GO_PACKAGE"
}

# The Rust target triple for a cross build (empty for a native one), after checking the toolchain has its std and
# a linker for it; exports Cargo's linker variable for that target
rust_cross_target() {
  cross=$(target_cpu) || exit $?
  [ -n "$cross" ] || return 0
  triple=$cross-unknown-linux-gnu
  need rustc
  libdir=$(rustc --print target-libdir --target "$triple" 2>/dev/null || true)
  if [ -z "$libdir" ] || ! ls "$libdir"/libstd-*.rlib >/dev/null 2>&1; then
    fail "$EXIT_TOOL_MISSING" "building Rust for $TARGETPLATFORM needs the standard library of $triple, which the" \
      "toolchain image $TOOLCHAIN_IMAGE does not have (rustup target add $triple; Debian: libstd-rust-dev:$TARGETARCH)"
  fi
  need_cross "$cross-linux-gnu-gcc" "the linker for $triple; Debian: gcc-$cross-linux-gnu libc6-dev-${TARGETARCH}-cross"
  echo "minimal-image: cross-compiling for $TARGETPLATFORM ($triple)" >&2
  echo "$triple"
}

build_rust() {
  crt_static=""
  if [ "$LINKING" = static ]; then
    crt_static="-C target-feature=+crt-static"
  fi
  target=$(rust_cross_target) || exit $?
  if [ ! -f Cargo.toml ]; then
    need rustc
    cross_options=""
    if [ -n "$target" ]; then
      cross_options="--target $target -C linker=${target%%-*}-linux-gnu-gcc"
    fi
    rustc $RUSTC_FLAGS $crt_static $cross_options $EXTRA_FLAGS -o "$OUT" \
      "$(ls src/main.rs main.rs 2>/dev/null | head -n 1)"
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
  # no work path in panic messages or debug info: the same bytes with or without a cache, on any machine
  export RUSTFLAGS="$crt_static --remap-path-prefix=$CARGO_HOME=/cargo --remap-path-prefix=$WORK=/work $EXTRA_FLAGS"
  # an explicit --target keeps RUSTFLAGS off build scripts and proc-macros (a musl host cannot build those static)
  host=${target:-$(rustc -vV | sed -n 's/^host: //p')}
  if [ -n "$target" ]; then
    linker_variable=CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER
    export "$linker_variable=${target%%-*}-linux-gnu-gcc"
  fi
  offline=""
  if grep -qsE '^[[:space:]]*replace-with' .cargo/config.toml .cargo/config; then
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
