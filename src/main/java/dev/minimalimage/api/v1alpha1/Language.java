package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "self.name != 'custom' || has(self.custom)", message = "language custom needs language.custom (image and script)")
@ValidationRule(value = "!has(self.libc) || self.name == 'c'", message = "libc applies to language c only")
@ValidationRule(value = "!has(self.goPackage) || self.name == 'go'", message = "goPackage applies to language go only")
@ValidationRule(value = "!has(self.buildSystem) || self.name == 'c' || self.name == 'cpp'",
        message = "buildSystem applies to languages c and cpp only")
@ValidationRule(value = "!has(self.buildTarget) || self.name == 'c' || self.name == 'cpp'",
        message = "buildTarget applies to languages c and cpp only")
public class Language {

    /**
     * Variables the builder sets for the compile step (paths, the preset's flags, its cache layout): a spec that set
     * them would break the step rather than configure it. A constant expression, so the CEL rule below uses it too.
     */
    public static final String RESERVED_ENV = "'OUT', 'SRC', 'WORK', 'HOME', 'PATH', 'TMPDIR', 'BUILD', 'STARTED',"
            + " 'SOURCE_FILES', 'CONTEXT_DIR', 'SOURCE_DATE_EPOCH', 'PRESET', 'BUILD_SYSTEM', 'BUILD_TARGET',"
            + " 'EXECUTABLE', 'EXTRA_FLAGS', 'PRESET_CFLAGS', 'PRESET_LDFLAGS', 'GO_LDFLAGS', 'RUSTC_FLAGS',"
            + " 'GO_PACKAGE', 'TOOLCHAIN_IMAGE', 'CACHE_DIR', 'EXIT_TOOL_MISSING', 'EXIT_EXECUTABLE_NOT_FOUND',"
            + " 'EXIT_EXECUTABLE_AMBIGUOUS', 'GOCACHE', 'GOMODCACHE', 'GOPATH', 'CARGO_HOME', 'CARGO_TARGET_DIR',"
            + " 'RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS', 'CCACHE_DIR', 'CCACHE_BASEDIR', 'SOURCE_DATE_EPOCH_FILE',"
            + " 'LINKING', 'MINIMAL_IMAGE', 'BUNDLE_ROOT', 'EXTRA_LIBRARIES', 'EXIT_BUNDLE_INCOMPLETE',"
            + " 'EXIT_STAGED_LIBRARY_MISSING', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',"
            + " 'TOOLCHAIN_RECORD'";

    /** How a C or C++ project is built; auto recognises it from the files in the context directory. */
    public enum BuildSystem {
        @JsonProperty("auto") AUTO,
        @JsonProperty("cmake") CMAKE,
        @JsonProperty("meson") MESON,
        @JsonProperty("autotools") AUTOTOOLS,
        @JsonProperty("make") MAKE,
        @JsonProperty("none") NONE;

        /** The name the compile script and the CLI use. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Name {
        @JsonProperty("c") C,
        @JsonProperty("cpp") CPP,
        @JsonProperty("go") GO,
        @JsonProperty("rust") RUST,
        @JsonProperty("custom") CUSTOM
    }

    public enum Libc {
        @JsonProperty("musl") MUSL,
        @JsonProperty("glibc") GLIBC
    }

    @Required
    @JsonPropertyDescription("Language preset: c, cpp, go, rust, or custom (your image and script).")
    private Name name;

    @JsonPropertyDescription("C only: libc to link statically, musl (default: small, no NSS) or glibc.")
    private Libc libc;

    @Size(max = 64)
    @JsonPropertyDescription("Extra compiler flags appended to the preset's (cflags for C/C++, gcflags for Go, rustc flags for Rust).")
    private List<String> flags = new ArrayList<>();

    @Size(max = 64)
    @ValidationRule(value = "self.all(e, !(e.name in [" + RESERVED_ENV + "]))",
            message = "spec.language.env must not set a variable the builder owns (OUT, SRC, WORK, HOME, PATH, ...)")
    @JsonPropertyDescription("Extra environment for the compile step, literal values only (e.g. GOFLAGS, GOPRIVATE, CC,"
            + " CFLAGS, CARGO_PROFILE_RELEASE_LTO). Variables the builder owns are refused: OUT, SRC, WORK, HOME, PATH,"
            + " TMPDIR, SOURCE_DATE_EPOCH, RUSTFLAGS (use flags), the cache paths and the preset's own variables.")
    private List<LiteralEnvVar> env = new ArrayList<>();

    @JsonPropertyDescription("C and C++: the build system; auto (default) picks, in this order, CMakeLists.txt (cmake),"
            + " meson.build (meson), configure (autotools), Makefile/makefile/GNUmakefile (make), else none (one"
            + " compiler call over every source file).")
    private BuildSystem buildSystem;

    @Size(max = 256)
    @Pattern("^[A-Za-z0-9_.+/:-]+$")
    @ValidationRule(value = "!self.startsWith('-')", message = "buildTarget must not start with '-'")
    @JsonPropertyDescription("C and C++: the make, CMake or Meson target to build (default: what produces executable when"
            + " it is set, else the project's default).")
    private String buildTarget;

    @Size(max = 1024)
    @Pattern("^[^-/\\x00-\\x1f][^\\x00-\\x1f]*$")
    @ValidationRule(value = "!(self == '..' || self.startsWith('../') || self.endsWith('/..') || self.contains('/../'))",
            message = "executable must not contain '..'")
    @JsonPropertyDescription("The produced executable: its path relative to the directory the build ran in (the copy"
            + " of the context directory; for CMake and Meson their build directory), or for Rust a bin target name."
            + " Default: the one new ELF executable of the build (Rust: the one bin target). C and C++ without"
            + " buildTarget: only what produces it is built (the CMake or Meson target, the Makefile's rule). Not its"
            + " name in the image: that is binaryName.")
    private String executable;

    @Pattern("^[A-Za-z0-9._-]{1,128}$")
    @JsonPropertyDescription("File name of the produced binary (default: app).")
    private String binaryName;

    @Size(max = 1024)
    @JsonPropertyDescription("Go only: the main package to build, relative to the context directory (default: .).")
    private String goPackage;

    @JsonPropertyDescription("Custom toolchain: an image and a script that writes the binary to $OUT.")
    private Custom custom;

    public Name getName() { return name; }
    public void setName(Name name) { this.name = name; }
    public Libc getLibc() { return libc; }
    public void setLibc(Libc libc) { this.libc = libc; }
    public List<String> getFlags() { return flags; }
    public void setFlags(List<String> flags) { this.flags = flags; }
    public List<LiteralEnvVar> getEnv() { return env; }
    public void setEnv(List<LiteralEnvVar> env) { this.env = env; }
    public BuildSystem getBuildSystem() { return buildSystem; }
    public void setBuildSystem(BuildSystem buildSystem) { this.buildSystem = buildSystem; }
    public String getBuildTarget() { return buildTarget; }
    public void setBuildTarget(String buildTarget) { this.buildTarget = buildTarget; }
    public String getExecutable() { return executable; }
    public void setExecutable(String executable) { this.executable = executable; }
    public String getBinaryName() { return binaryName; }
    public void setBinaryName(String binaryName) { this.binaryName = binaryName; }
    public String getGoPackage() { return goPackage; }
    public void setGoPackage(String goPackage) { this.goPackage = goPackage; }
    public Custom getCustom() { return custom; }
    public void setCustom(Custom custom) { this.custom = custom; }

    public static class Custom {
        @Required
        @Size(min = 1, max = 512)
        @JsonPropertyDescription("Toolchain image; must run as a non-root user.")
        private String image;

        @Required
        @Size(min = 1, max = 65536)
        @JsonPropertyDescription("Shell script run with sh -c in a writable copy of the sources (the context directory;"
                + " $SRC is the fetched tree); must write the binary to $OUT.")
        private String script;

        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
        public String getScript() { return script; }
        public void setScript(String script) { this.script = script; }
    }
}
