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
import dev.minimalimage.planning.BuildPlanner;
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
                "it like `package`. Same presets as the operator's builder pod." })
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

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the binary and caches go (default: a temp dir)")
    Path workDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900", description = "compile time limit")
    long timeoutSeconds;

    @Mixin
    PackageOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Language lang = language();
        CompileStep step;
        try {
            step = LanguagePresets.compileStep(lang, ToolchainImages.DEFAULTS);
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
            BuildResult failed = BuildResult.failure(ResultReason.CompileFailed, "the " + language.name().toLowerCase()
                    + " preset's compile step exited with " + exit + " (its output is above)", null);
            spec.commandLine().getOut().println(failed.toJson());
            return ResultReason.CompileFailed.exitCode();
        }
        return new Packaging(out, options, spec).run();
    }

    private Language language() {
        Language lang = new Language();
        lang.setName(language);
        lang.setFlags(flags);
        lang.setBinaryName(binaryName);
        lang.setGoPackage(goPackage);
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

    /** Runs the preset script with the host's tools; its output goes to our stderr. */
    private int compile(CompileStep step, Path work, Path out) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", step.script())
                .redirectOutput(ProcessBuilder.Redirect.to(Files.createTempFile(work, "compile", ".log").toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove("SOURCE_FILES"); // the step's own variables, never inherited from the caller
        env.remove("CONTEXT_DIR");
        env.putAll(step.env());
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
