package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.planning.CompileStep;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.planning.LanguagePresets;
import dev.minimalimage.planning.ToolchainImages;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A local build without a cluster: the operator's language preset (the same compile script the builder pod runs)
 * with the host's toolchain, then `package`. The compiler's output goes to stderr, the result record to stdout.
 */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Compiles SOURCE with a language preset on this machine (host toolchain), then packs and pushes",
                "it like `package`. Same presets as the operator's builder pod.",
                "--smoke-test then runs the image once here (exit code 9 when it fails)." })
final class BuildCommand implements Callable<Integer> {

    @Option(names = "--language", required = true, paramLabel = "c|cpp|go|rust|custom", description = "language preset")
    Language.Name language;

    @Option(names = "--source", paramLabel = "DIR", defaultValue = ".", description = "source directory (default .)")
    Path source;

    @Option(names = "--libc", paramLabel = "musl|glibc", description = "C only: libc to link statically (default musl)")
    String libc;

    @Option(names = "--flag", paramLabel = "FLAG", description = "extra compiler flag (repeatable)")
    List<String> flags = new ArrayList<>();

    @Option(names = "--binary-name", paramLabel = "NAME", description = "name of the produced binary (default app)")
    String binaryName;

    @Option(names = "--go-package", paramLabel = "PKG", description = "Go only: main package (default .)")
    String goPackage;

    @Option(names = "--script", paramLabel = "SCRIPT", description = "custom only: shell script writing $OUT")
    String script;

    @Option(names = "--build-system", paramLabel = "auto|cmake|meson|autotools|make|none",
            description = "C/C++: the build system (default auto: CMakeLists.txt, meson.build, configure, Makefile)")
    Language.BuildSystem buildSystem;

    @Option(names = "--build-target", paramLabel = "TARGET", description = "C/C++: make, CMake or Meson target")
    String buildTarget;

    @Option(names = "--executable", paramLabel = "PATH", description = { "the produced executable, relative to the",
            "build directory (CMake/Meson: theirs); Rust: a bin target (default: the one new executable)" })
    String executable;

    @Option(names = "--compile-env", paramLabel = "NAME=VALUE", description = "environment for the compile step"
            + " (repeatable; e.g. GOFLAGS, CC, CARGO_PROFILE_RELEASE_LTO)")
    List<String> compileEnv = new ArrayList<>();

    @Option(names = "--cache-dir", paramLabel = "DIR", description = { "keep Go modules and build cache, Cargo's",
            "registry and ccache here between builds" })
    Path cacheDir;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the binary and caches go (default: a temp dir)")
    Path workDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900", description = "compile time limit")
    long timeoutSeconds;

    @Mixin
    PackageOptions options;

    @Mixin
    SmokeTestOptions smokeTest;

    /** Where --smoke-test runs the image; tests substitute a host without user namespaces. */
    Sandbox sandbox = Sandbox.HOST;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Language lang = language();
        LocalSmokeTest.Plan smokePlan = smokeTest.plan(spec.commandLine().getParseResult()); // before compiling
        CompileStep step;
        try {
            // --bundle: the preset links dynamically; the package step bundles from this host's root (--bundle-root)
            step = LanguagePresets.compileStep(lang, ToolchainImages.DEFAULTS,
                    options.bundle ? LanguagePresets.Linking.DYNAMIC : LanguagePresets.Linking.STATIC);
        } catch (InvalidSpecException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("minimal-image-build");
        if (work.toRealPath().startsWith(source.toRealPath())) { // the compile step copies the sources into it
            throw new IllegalArgumentException("--work-dir must not be inside --source: " + work);
        }
        Path out = work.resolve("out").resolve(BuildPlanner.binaryName(lang));
        int exit = compile(step, work, out);
        if (exit != 0) {
            ResultReason reason = CompileExitCodes.reasonOf(exit);
            BuildResult failed = BuildResult.failure(reason, "the " + language.name().toLowerCase()
                    + " preset's compile step exited with " + exit + " (its output is above)", null);
            spec.commandLine().getOut().println(failed.toJson());
            return reason.exitCode();
        }
        return new Packaging(out, options, spec, smokePlan == null ? null
                : new LocalSmokeTest(smokePlan, sandbox, spec.commandLine().getErr())).run();
    }

    private Language language() {
        Language lang = new Language();
        lang.setName(language);
        lang.setFlags(flags);
        lang.setBinaryName(binaryName);
        lang.setGoPackage(goPackage);
        lang.setBuildSystem(buildSystem);
        lang.setBuildTarget(buildTarget);
        lang.setExecutable(executable);
        lang.setEnv(compileEnv.stream().map(BuildCommand::envVar).toList());
        if (libc != null) {
            lang.setLibc("glibc".equals(libc) ? Language.Libc.GLIBC : Language.Libc.MUSL);
        }
        if (language == Language.Name.CUSTOM) {
            Language.Custom custom = new Language.Custom();
            custom.setImage("local");
            custom.setScript(script);
            lang.setCustom(custom);
        }
        return lang;
    }

    private static LiteralEnvVar envVar(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--compile-env must be NAME=VALUE: " + assignment);
        }
        return new LiteralEnvVar(assignment.substring(0, eq), assignment.substring(eq + 1));
    }

    /** Runs the preset script with the host's tools; its output goes to our stderr. */
    private int compile(CompileStep step, Path work, Path out) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", step.script())
                .redirectOutput(ProcessBuilder.Redirect.to(Files.createTempFile(work, "compile", ".log").toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // the step's own variables are never inherited from the caller (PATH, HOME, TMPDIR and SOURCE_DATE_EPOCH are)
        env.keySet().removeIf(name -> LanguagePresets.ownedByBuilder(name)
                && !List.of("PATH", "HOME", "TMPDIR", "SOURCE_DATE_EPOCH").contains(name));
        env.putAll(step.env());
        if (cacheDir != null) {
            env.put("CACHE_DIR", Files.createDirectories(cacheDir).toAbsolutePath().toString());
        }
        env.put("SRC", source.toAbsolutePath().toString());
        env.put("OUT", out.toAbsolutePath().toString());
        env.put("WORK", work.toAbsolutePath().toString());
        env.putIfAbsent("HOME", work.resolve("home").toString());
        Path log = builder.redirectOutput().file().toPath();
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            spec.commandLine().getErr().println("error: compile step exceeded " + timeoutSeconds + " s");
            return 124;
        }
        spec.commandLine().getErr().print(Files.readString(log));
        spec.commandLine().getErr().flush();
        return process.exitValue();
    }
}
