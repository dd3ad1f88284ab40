package dev.minimalimage.planning;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;

/**
 * Language -> toolchain image + compile script whose defaults give the smallest binary that runs on scratch. The
 * script is prologue.sh (a writable copy of the sources, SOURCE_DATE_EPOCH) followed by presets.sh (build system
 * detection, static and size flags, the executable's choice) or a custom script; it writes the binary to $OUT.
 */
public final class LanguagePresets {

    /** Size flags for the compiler; they add to a project's own flags (see presets.sh). */
    static final String C_FLAGS = "-Os -ffunction-sections -fdata-sections";
    /** Bundle mode links the C library and whatever else is shared dynamically: no -static. */
    static final String C_LDFLAGS_DYNAMIC = "-s -Wl,--gc-sections";
    static final String C_LDFLAGS = "-static " + C_LDFLAGS_DYNAMIC;
    static final String GO_LDFLAGS = "-s -w";
    /**
     * Single-file rustc only: a Cargo build takes the same settings from Cargo's profile environment. presets.sh adds
     * +crt-static when LINKING is static.
     */
    static final String RUSTC_FLAGS = "-C opt-level=z -C lto=fat -C codegen-units=1 -C panic=abort -C strip=symbols";
    static final Set<String> RESERVED_ENV = Arrays.stream(Language.RESERVED_ENV.split(","))
            .map(s -> s.strip().replace("'", "")).collect(Collectors.toUnmodifiableSet());

    private static final String PROLOGUE = resource("prologue.sh");
    private static final String PRESETS = resource("presets.sh");
    private static final String BUNDLE_STAGING = resource("bundle-staging.sh");
    private static final String EPILOGUE = """
            test -f "$OUT" || { echo "error: the compile step did not produce $OUT" >&2; exit 1; }
            """;

    /** How the presets link: static for scratch, dynamic for bundle mode (the image ships the shared libraries). */
    public enum Linking {
        STATIC, DYNAMIC;

        String shellValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private LanguagePresets() {
    }

    public static CompileStep compileStep(Language language, ToolchainImages images) throws InvalidSpecException {
        return compileStep(language, images, Linking.STATIC);
    }

    public static CompileStep compileStep(Language language, ToolchainImages images, Linking linking)
            throws InvalidSpecException {
        Map<String, String> env = userEnv(language.getEnv());
        env.put("EXTRA_FLAGS", String.join(" ", language.getFlags() == null ? List.of() : language.getFlags()));
        env.put("LINKING", linking.shellValue()); // custom scripts may read it too
        if (language.getName() == Language.Name.CUSTOM) {
            return custom(language, env);
        }
        String image = switch (language.getName()) {
            case C -> language.getLibc() == Language.Libc.GLIBC ? images.cGlibc() : images.cMusl();
            case CPP -> images.cpp();
            case GO -> images.go();
            default -> images.rust();
        };
        env.put("PRESET", preset(language));
        env.put("TOOLCHAIN_IMAGE", image);
        presetEnv(language, linking, env);
        return new CompileStep(image, exitCodes() + PROLOGUE + PRESETS, env);
    }

    private static String preset(Language language) {
        return switch (language.getName()) {
            case C -> language.getLibc() == Language.Libc.GLIBC ? "c-glibc" : "c-musl";
            case CPP -> "cpp";
            case GO -> "go";
            default -> "rust";
        };
    }

    private static void presetEnv(Language language, Linking linking, Map<String, String> env)
            throws InvalidSpecException {
        String executable = executable(language.getExecutable());
        if (executable != null) {
            env.put("EXECUTABLE", executable);
        }
        switch (language.getName()) {
            case C, CPP -> {
                Language.BuildSystem system = language.getBuildSystem();
                env.put("BUILD_SYSTEM", (system == null ? Language.BuildSystem.AUTO : system).id());
                if (language.getBuildTarget() != null && !language.getBuildTarget().isBlank()) {
                    env.put("BUILD_TARGET", buildTarget(language.getBuildTarget()));
                }
                env.put("PRESET_CFLAGS", C_FLAGS);
                env.put("PRESET_LDFLAGS", linking == Linking.STATIC ? C_LDFLAGS : C_LDFLAGS_DYNAMIC);
            }
            case GO -> {
                env.put("GO_PACKAGE", goPackage(language.getGoPackage()));
                env.put("GO_LDFLAGS", GO_LDFLAGS);
            }
            default -> env.put("RUSTC_FLAGS", RUSTC_FLAGS);
        }
    }

    private static CompileStep custom(Language language, Map<String, String> env) throws InvalidSpecException {
        Language.Custom custom = language.getCustom();
        if (custom == null || blank(custom.getImage()) || blank(custom.getScript())) {
            throw new InvalidSpecException("language custom needs language.custom.image and language.custom.script");
        }
        // in a subshell: an `exit 0` or `exec` in the user's script ends only it, never the checks (and bundle mode's
        // staging) that follow, and it cannot reassign the variables those read
        return new CompileStep(custom.getImage(), exitCodes() + PROLOGUE + "(\n" + custom.getScript() + "\n)\n"
                + EPILOGUE, env);
    }

    /**
     * Bundle mode in the builder pod: after the build, the compile step collects the program's loader and libraries
     * from the toolchain image into {@code bundleRoot} with the copy of minimal-image at {@code minimalImage} (see
     * bundle-staging.sh).
     */
    public static CompileStep withBundleStaging(CompileStep step, String minimalImage, String bundleRoot,
            List<String> extraLibraries) {
        Map<String, String> env = new LinkedHashMap<>(step.env());
        env.put("MINIMAL_IMAGE", minimalImage);
        env.put("BUNDLE_ROOT", bundleRoot);
        env.put("EXTRA_LIBRARIES", String.join("\n", extraLibraries));
        return new CompileStep(step.image(), step.script() + BUNDLE_STAGING, env, true);
    }

    /** spec.language.env, literal values only, none of the variables the builder owns. */
    private static Map<String, String> userEnv(List<LiteralEnvVar> vars) throws InvalidSpecException {
        Map<String, String> env = new LinkedHashMap<>();
        for (LiteralEnvVar var : vars == null ? List.<LiteralEnvVar>of() : vars) {
            String name = var.getName() == null ? "" : var.getName();
            if (!name.matches(LiteralEnvVar.NAME_PATTERN)) {
                throw new InvalidSpecException("spec.language.env: invalid variable name '" + name + "'");
            }
            if (var.hasValueFrom()) {
                throw new InvalidSpecException("spec.language.env " + name + ": valueFrom is not supported, literal"
                        + " values only");
            }
            if (RESERVED_ENV.contains(name)) {
                throw new InvalidSpecException("spec.language.env must not set " + name + ": the builder owns it"
                        + (name.equals("RUSTFLAGS") ? " (use spec.language.flags)" : ""));
            }
            env.put(name, var.getValue() == null ? "" : var.getValue());
        }
        return env;
    }

    /** Whether the builder sets {@code name} for the compile step (spec.language.env may not). */
    public static boolean ownedByBuilder(String name) {
        return RESERVED_ENV.contains(name);
    }

    private static String exitCodes() {
        return new TreeMap<>(CompileExitCodes.shellVariables()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue() + "\n").collect(Collectors.joining());
    }

    private static String executable(String executable) throws InvalidSpecException {
        if (blank(executable)) {
            return null;
        }
        if (executable.startsWith("/") || executable.startsWith("-") || List.of(executable.split("/")).contains("..")
                || executable.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidSpecException("spec.language.executable must be a relative path without '..' that does not"
                    + " start with '-': " + executable.strip());
        }
        return executable;
    }

    private static String buildTarget(String target) throws InvalidSpecException {
        if (!target.matches("[A-Za-z0-9_.+/:-]+") || target.startsWith("-")) {
            throw new InvalidSpecException("spec.language.buildTarget must be a target name (letters, digits, _.+/:-),"
                    + " not an option: " + target.strip());
        }
        return target;
    }

    private static String goPackage(String goPackage) throws InvalidSpecException {
        String pkg = blank(goPackage) ? "." : goPackage.replaceFirst("^\\./", "");
        if (pkg.startsWith("/") || pkg.contains("..")) {
            throw new InvalidSpecException("goPackage must be relative without '..': " + goPackage);
        }
        return pkg;
    }

    private static String resource(String name) {
        try (InputStream in = LanguagePresets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + LanguagePresets.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
