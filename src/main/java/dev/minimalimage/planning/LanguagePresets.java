package dev.minimalimage.planning;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.minimalimage.api.v1alpha1.Language;

/**
 * Language -> toolchain image + compile script whose defaults give the smallest binary that runs on scratch.
 * Scripts run in a writable copy of the sources ($WORK/build, see {@link #PROLOGUE}), write the binary to $OUT,
 * read $EXTRA_FLAGS, and fail loudly if $OUT is missing.
 */
public final class LanguagePresets {

    static final String C_FLAGS = "-static -Os -s -ffunction-sections -fdata-sections -Wl,--gc-sections";
    static final String GO_LDFLAGS = "-s -w";
    static final String RUST_FLAGS = "-C opt-level=z -C lto=fat -C codegen-units=1 -C panic=abort -C strip=symbols"
            + " -C target-feature=+crt-static";

    /**
     * Builds never run in the fetched tree: a git checkout is copied as checked out (in-tree symlinks kept), inline
     * sources only as the planned files ($SOURCE_FILES, one path per line), because a ConfigMap volume also holds the
     * kubelet's ..data and ..TIMESTAMP entries: a cp -r copies every file twice, and each top-level key is a symlink
     * a find -name matches besides the real file. The script then runs in the copy ($SRC stays the fetched tree).
     */
    static final String PROLOGUE = """
            set -eu
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
            cd "$BUILD/${CONTEXT_DIR:-.}"
            """;
    private static final String EPILOGUE = """
            test -f "$OUT" || { echo "error: the compile step did not produce $OUT" >&2; exit 1; }
            """;

    // musl-gcc is Debian's wrapper; inside an Alpine image plain gcc already targets musl.
    private static final String C_MUSL = """
            CC=gcc; command -v musl-gcc >/dev/null 2>&1 && CC=musl-gcc
            $CC -o "$OUT" $(find . -name '*.c' | LC_ALL=C sort) $PRESET_FLAGS $EXTRA_FLAGS
            """;
    private static final String C_GLIBC = """
            gcc -o "$OUT" $(find . -name '*.c' | LC_ALL=C sort) $PRESET_FLAGS $EXTRA_FLAGS
            """;
    // -static, not -static-libstdc++: the latter still needs libc.so.6 at run time.
    private static final String CPP = """
            g++ -o "$OUT" $(find . \\( -name '*.cpp' -o -name '*.cc' -o -name '*.cxx' \\) | LC_ALL=C sort) $PRESET_FLAGS $EXTRA_FLAGS
            """;
    // Go is static only with cgo off; without go.mod, GOPATH mode builds a stdlib-only program.
    private static final String GO = """
            export CGO_ENABLED=0 GOCACHE="$WORK/cache/go-build" GOPATH="$WORK/gopath" GOFLAGS="${GOFLAGS:-} -trimpath"
            [ -f go.mod ] || export GO111MODULE=off
            go build -ldflags="$PRESET_LDFLAGS" $EXTRA_FLAGS -o "$OUT" "./$GO_PACKAGE"
            """;
    private static final String RUST = """
            if [ -f Cargo.toml ]; then
              export CARGO_HOME="$WORK/cargo" CARGO_TARGET_DIR="$WORK/target" RUSTFLAGS="$PRESET_FLAGS $EXTRA_FLAGS"
              cargo build --release
              cp "$(find "$WORK/target/release" -maxdepth 1 -type f -perm -u+x | head -n 1)" "$OUT"
            else
              rustc $PRESET_FLAGS $EXTRA_FLAGS -o "$OUT" "$(ls src/main.rs main.rs 2>/dev/null | head -n 1)"
            fi
            """;

    private LanguagePresets() {
    }

    public static CompileStep compileStep(Language language, ToolchainImages images) throws InvalidSpecException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("EXTRA_FLAGS", String.join(" ", language.getFlags() == null ? List.of() : language.getFlags()));
        return switch (language.getName()) {
            case C -> language.getLibc() == Language.Libc.GLIBC
                    ? step(images.cGlibc(), C_GLIBC, env, "PRESET_FLAGS", C_FLAGS)
                    : step(images.cMusl(), C_MUSL, env, "PRESET_FLAGS", C_FLAGS);
            case CPP -> step(images.cpp(), CPP, env, "PRESET_FLAGS", C_FLAGS);
            case GO -> {
                env.put("GO_PACKAGE", goPackage(language.getGoPackage()));
                yield step(images.go(), GO, env, "PRESET_LDFLAGS", GO_LDFLAGS);
            }
            case RUST -> step(images.rust(), RUST, env, "PRESET_FLAGS", RUST_FLAGS);
            case CUSTOM -> custom(language, env);
        };
    }

    private static CompileStep step(String image, String body, Map<String, String> env, String flagsVar, String flags) {
        env.put(flagsVar, flags);
        return new CompileStep(image, PROLOGUE + body + EPILOGUE, env);
    }

    private static CompileStep custom(Language language, Map<String, String> env) throws InvalidSpecException {
        Language.Custom custom = language.getCustom();
        if (custom == null || blank(custom.getImage()) || blank(custom.getScript())) {
            throw new InvalidSpecException("language custom needs language.custom.image and language.custom.script");
        }
        return new CompileStep(custom.getImage(), PROLOGUE + custom.getScript() + "\n" + EPILOGUE, env);
    }

    private static String goPackage(String goPackage) throws InvalidSpecException {
        String pkg = blank(goPackage) ? "." : goPackage.replaceFirst("^\\./", "");
        if (pkg.startsWith("/") || pkg.contains("..")) {
            throw new InvalidSpecException("goPackage must be relative without '..': " + goPackage);
        }
        return pkg;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
