package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.image.Platform;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.planning.CompileStep;
import dev.minimalimage.planning.InvalidSpecException;
import dev.minimalimage.planning.LanguagePresets;
import dev.minimalimage.planning.ToolchainImages;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine;
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
        description = { "Compiles a source directory on this machine and packs the program like `package` does.",
                "It uses the host's toolchain with the same language presets as the operator's builder pod.",
                "Each stage prints one line with its time on stderr; the result record goes to stdout.",
                "--smoke-test then runs the image once here (exit code 9 when it fails)." })
final class BuildCommand implements Callable<Integer> {

    @Option(names = "--language", paramLabel = "c|cpp|go|rust|custom",
            description = "language preset (required unless --dockerfile)")
    Language.Name language;

    @Option(names = "--dockerfile", paramLabel = "PATH", description = { "build with this Dockerfile instead of a",
            "preset: --source is its context; the final stage must be FROM scratch (docs/dockerfile.md)" })
    Path dockerfile;

    @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "with --dockerfile: a build arg (repeatable)")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "with --dockerfile: build this stage (default the last)")
    String target;

    @Option(names = "--handoff", paramLabel = "DIR", description = { "with --dockerfile, in the builder pod: the",
            "stages FROM an image ran in run-stage containers, which left what they hand on here" })
    Path handoff;

    @Option(names = "--config-map-context", hidden = true, description = "with --handoff: the context is a mounted"
            + " ConfigMap (the inline files)")
    boolean configMapContext;

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
            "registry and ccache here between builds (--dockerfile: the unpacked FROM images)" })
    Path cacheDir;

    @Option(names = "--build-dir", paramLabel = "DIR", description = { "Build here and keep it: the copied sources,",
            "the binary (out/) and the compile log; default: a temporary directory, removed at the end." })
    Path buildDir;

    /** The old name of --build-dir, too close to the image's --workdir: refused with a hint. */
    @Option(names = "--work-dir", paramLabel = "DIR", hidden = true)
    Path oldBuildDir;

    @Option(names = "--platform", paramLabel = "OS/ARCH", split = ",", description = { "build for these platforms",
            "(linux/amd64, linux/arm64; repeatable or comma-separated): one a plain image, several an OCI image",
            "index; default this machine's (docs/platforms.md)" })
    List<String> platformNames = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900", description = "compile time limit")
    long timeoutSeconds;

    @Mixin
    PackageOptions options;

    @Mixin
    SmokeTestOptions smokeTest;

    /** A Dockerfile build's packer in the builder pod, beside the last stage's container (--await-compile). */
    @Mixin
    CompileHandover handover;

    /** Where the temporary build directory goes without --build-dir; tests watch a folder of their own. */
    Path temporaryRoot = Path.of(System.getProperty("java.io.tmpdir"));

    /** Where --smoke-test runs the image; tests substitute a host without user namespaces. */
    Sandbox sandbox = Sandbox.HOST;

    /** Removes the temporary build directory; tests substitute one that fails (root can remove anything). */
    TreeRemoval removeTree = Trees::delete;

    interface TreeRemoval {
        void delete(Path root) throws IOException;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (oldBuildDir != null) { // refused like the other arguments: a result record, exit code 2
            return new Packaging(null, options, spec).report(BuildResult.failure(ResultReason.InvalidArguments,
                    "--work-dir is now --build-dir DIR (build there and keep it);"
                            + " --workdir DIR sets the image's working directory", null));
        }
        if (dockerfile != null) {
            if (!platformNames.isEmpty() && !platforms().equals(List.of(Platform.LINUX_AMD64))) {
                throw new IllegalArgumentException("--platform with --dockerfile: the stages run on this machine, so"
                        + " a Dockerfile builds for " + Platform.LINUX_AMD64 + " only (its TARGETPLATFORM)");
            }
            return buildDockerfile();
        }
        if (language == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option: '--language=c|cpp|go|rust|custom' (or --dockerfile PATH)");
        }
        if (!buildArgs.isEmpty() || target != null || handoff != null || handover.active()) {
            throw new IllegalArgumentException("--build-arg, --target, --handoff and --await-compile only apply with"
                    + " --dockerfile");
        }
        Language lang = language();
        LocalSmokeRun.Plan smokePlan = smokeTest.plan(spec.commandLine().getParseResult());
        CompileStep step = compileStep(lang);
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be at least 1 (seconds): " + timeoutSeconds);
        }
        List<Platform> platforms = platforms();
        if (platforms.size() > 1) {
            return buildPlatforms(lang, step, platforms, smokePlan);
        }
        Platform platform = platforms.isEmpty() ? null : platforms.get(0);
        if (platform != null) {
            step = step.forPlatform(platform);
            BuildResult refused = PlatformCheck.hostOnlyOptions(options.bundle, options.debugTag, platforms);
            if (refused != null) {
                return new Packaging(null, options, spec).report(refused);
            }
        }
        Path work = buildDir != null ? buildDir : Files.createTempDirectory(temporaryRoot, "minimal-image-build");
        try {
            Progress progress = new Progress(spec.commandLine().getErr());
            Path out = work.resolve("out").resolve(BuildPlanner.binaryName(lang));
            Packaging packaging = new Packaging(out, options, spec, smokePlan == null ? null
                    : new LocalSmokeRun(smokePlan, sandbox, spec.commandLine().getErr()), progress)
                    .withSbomInputs(dev.minimalimage.sbom.SbomInputs.hostBuild(source)).forPlatform(platform);
            BuildResult refused = packaging.check(); // before compiling: a destination, output paths, settings
            if (refused == null) {
                refused = prepareDirectories(work);
            }
            if (refused != null) {
                return packaging.report(refused);
            }
            int exit = compile(step, work, out);
            progress.done("compile", exit == 0 ? BuildPlanner.binaryName(lang) : "exit code " + exit);
            if (exit != 0) {
                ResultReason reason = CompileExitCodes.reasonOf(exit);
                return packaging.report(BuildResult.failure(reason, "the " + language.name().toLowerCase()
                        + " preset's compile step exited with " + exit + " (its output is above)", null));
            }
            return packaging.run();
        } finally {
            if (buildDir == null) {
                removeBuildDirectory(work, removeTree, spec.commandLine().getErr());
            }
        }
    }

    /** --platform, parsed (duplicates refused: each platform is one image of the index). */
    private List<Platform> platforms() {
        List<Platform> parsed = new ArrayList<>();
        for (String name : platformNames) {
            Platform platform = Platform.parse(name);
            if (parsed.contains(platform)) {
                throw new IllegalArgumentException("--platform " + platform + " is named twice");
            }
            parsed.add(platform);
        }
        return parsed;
    }

    /**
     * Several platforms: the preset's compile step once per platform, each in a build directory of its own
     * (BUILD_DIR/linux-arm64/, its binary in out/ there), then one index of their images.
     */
    private int buildPlatforms(Language lang, CompileStep step, List<Platform> platforms,
            LocalSmokeRun.Plan smokePlan) throws IOException, InterruptedException {
        Path work = buildDir != null ? buildDir : Files.createTempDirectory(temporaryRoot, "minimal-image-build");
        try {
            Progress progress = new Progress(spec.commandLine().getErr());
            Map<Platform, Path> binaries = new java.util.LinkedHashMap<>();
            for (Platform platform : platforms) {
                Path platformWork = work.resolve(platform.directoryName());
                binaries.put(platform, platformWork.resolve("out").resolve(BuildPlanner.binaryName(lang)));
            }
            MultiPlatformPackaging packaging = new MultiPlatformPackaging(binaries, options, spec, smokePlan == null
                    ? null : new LocalSmokeRun(smokePlan, sandbox, spec.commandLine().getErr()), progress,
                    dev.minimalimage.sbom.SbomInputs.hostBuild(source));
            Packaging reporter = new Packaging(null, options, spec);
            BuildResult refused = packaging.check();
            if (refused == null) {
                refused = prepareDirectories(work);
            }
            if (refused != null) {
                return reporter.report(refused);
            }
            for (Map.Entry<Platform, Path> each : binaries.entrySet()) {
                Path platformWork = Files.createDirectories(each.getValue().getParent().getParent());
                int exit = compile(step.forPlatform(each.getKey()), platformWork, each.getValue());
                progress.about(each.getKey().toString()).done("compile", exit == 0 ? BuildPlanner.binaryName(lang)
                        : "exit code " + exit);
                if (exit != 0) {
                    return reporter.report(BuildResult.failure(CompileExitCodes.reasonOf(exit), each.getKey()
                            + ": the " + language.name().toLowerCase() + " preset's compile step exited with " + exit
                            + " (its output is above)", null));
                }
            }
            return reporter.report(packaging.execute());
        } finally {
            if (buildDir == null) {
                removeBuildDirectory(work, removeTree, spec.commandLine().getErr());
            }
        }
    }

    /** `build --dockerfile`: the hand-off to {@link DockerfileBuild}, in a build directory like a preset's. */
    private int buildDockerfile() throws IOException, InterruptedException {
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("--timeout must be at least 1 (seconds): " + timeoutSeconds);
        }
        java.util.Map<String, String> args = BuildArgs.parse(buildArgs);
        LocalSmokeRun.Plan smokePlan = smokeTest.plan(spec.commandLine().getParseResult());
        handover.step = "the Dockerfile's last stage container";
        CompileHandover.Outcome handedOver = handover.awaitStep(options, spec.commandLine().getErr());
        if (handedOver.held() != null) {
            return new Packaging(null, options, spec).report(handedOver.held());
        }
        Path work = buildDir != null ? Files.createDirectories(buildDir)
                : Files.createTempDirectory(temporaryRoot, "minimal-image-build");
        try {
            DockerfileBuild build = new DockerfileBuild(new DockerfileBuild.Request(dockerfile, source, args, target,
                    timeoutSeconds, cacheDir, handoff, configMapContext), options, spec, smokePlan == null ? null
                            : new LocalSmokeRun(smokePlan, sandbox, spec.commandLine().getErr()),
                    new Progress(spec.commandLine().getErr()));
            return build.withPreparedPush(handedOver.push()).run(work);
        } finally {
            if (buildDir == null) {
                removeBuildDirectory(work, removeTree, spec.commandLine().getErr());
            }
        }
    }

    /**
     * Removes the temporary build directory; when that fails, a warning on {@code err} names the directory and the
     * system's reason, and the build's exit code and result record stay what they were.
     */
    static void removeBuildDirectory(Path work, TreeRemoval removal, PrintWriter err) {
        try {
            removal.delete(work);
        } catch (IOException e) {
            warnNotRemoved(work, FileErrors.describe(work, e), err);
        } catch (UncheckedIOException e) {
            warnNotRemoved(work, FileErrors.describe(work, e.getCause()), err);
        } catch (RuntimeException e) {
            warnNotRemoved(work, String.valueOf(e.getMessage()), err);
        }
    }

    private static void warnNotRemoved(Path work, String reason, PrintWriter err) {
        err.println("warning: could not remove the temporary build directory " + work + ": " + reason);
        err.flush();
    }

    private CompileStep compileStep(Language lang) {
        try {
            // --bundle: the preset links dynamically; the package step bundles from this host's root (--bundle-root)
            return LanguagePresets.compileStep(lang, ToolchainImages.DEFAULTS,
                    options.bundle ? LanguagePresets.Linking.DYNAMIC : LanguagePresets.Linking.STATIC);
        } catch (InvalidSpecException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /**
     * --source must be a directory; --build-dir must not lie inside it, since the compile step copies the sources in
     * (checked before anything is created, so a refusal leaves nothing in the source tree); --build-dir and
     * --cache-dir are created. Null when all is well, else the failure to report.
     */
    private BuildResult prepareDirectories(Path work) throws IOException {
        try {
            if (!Files.readAttributes(source, BasicFileAttributes.class).isDirectory()) {
                return BuildResult.failure(ResultReason.FileError, "--source " + source + ": not a directory", null);
            }
        } catch (IOException e) {
            return BuildResult.failure(ResultReason.FileError, "--source " + FileErrors.describe(source, e), null);
        }
        Path sourceReal;
        Path workResolved;
        try {
            sourceReal = source.toRealPath();
            workResolved = resolved(work);
        } catch (IOException e) {
            return BuildResult.failure(ResultReason.FileError, "--build-dir " + FileErrors.describe(work, e), null);
        }
        if (workResolved.startsWith(sourceReal)) {
            return BuildResult.failure(ResultReason.InvalidArguments, "--build-dir " + work + " is inside --source "
                    + source + "; the compile step copies the sources into it, so choose a directory outside", null);
        }
        for (Path dir : new Path[] { work, cacheDir }) {
            try {
                if (dir != null) {
                    Files.createDirectories(dir);
                }
            } catch (IOException e) {
                String option = dir == work ? "--build-dir " : "--cache-dir ";
                return BuildResult.failure(ResultReason.FileError, option + FileErrors.describe(dir, e), null);
            }
        }
        return null;
    }

    /**
     * Where {@code path} is or would be created: the real path of its nearest existing ancestor (links resolved)
     * with the missing rest appended and normalized (those names are no links, since they do not exist yet).
     */
    static Path resolved(Path path) throws IOException {
        Path existing = path.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        while (existing.getParent() != null && !Files.exists(existing)) {
            missing.add(0, existing.getFileName());
            existing = existing.getParent();
        }
        Path result = existing.toRealPath();
        for (Path name : missing) {
            result = result.resolve(name);
        }
        return result.normalize();
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
            env.put("CACHE_DIR", cacheDir.toAbsolutePath().toString());
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
