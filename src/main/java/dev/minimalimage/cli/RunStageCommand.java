package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.minimalimage.dockerfile.BuildContext;
import dev.minimalimage.dockerfile.DockerfileException;
import dev.minimalimage.dockerfile.DockerfilePlan;
import dev.minimalimage.dockerfile.DockerfilePlanner;
import dev.minimalimage.dockerfile.Handoff;
import dev.minimalimage.dockerfile.RootedFs;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.dockerfile.StageFiles;
import dev.minimalimage.dockerfile.StepFailedException;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.image.closure.BundleResolver;
import dev.minimalimage.image.closure.MissingLibraryException;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One container of a Dockerfile build in the builder pod: started (through the pod's copy of minimal-image, see
 * `stage-runtime`) in a container of the stage's FROM image, it carries out that stage's COPY, WORKDIR and RUN steps in
 * the container's own root, as docker would in a container of that image, then hands on what later stages COPY
 * --from it. For an image that a COPY --from names, it only hands on the files. The packer (`build --dockerfile
 * --handoff`) does the rest.
 */
@Command(name = "run-stage", mixinStandardHelpOptions = true,
        description = { "Runs one stage of a Dockerfile build in this container's root (a builder pod step).",
                "Then hands on what later stages copy from it (docs/dockerfile.md)." })
final class RunStageCommand implements Callable<Integer> {

    @Option(names = "--dockerfile", required = true, paramLabel = "PATH", description = "the Dockerfile")
    Path dockerfile;

    @Option(names = "--context", required = true, paramLabel = "DIR", description = "the build context")
    Path context;

    @Option(names = "--build-arg", paramLabel = "NAME=VALUE", description = "a build arg (repeatable)")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "the target stage (default the last)")
    String target;

    @Option(names = "--config-map-context", description = "the context is a mounted ConfigMap (inline files)")
    boolean configMapContext;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "which container this is: stage-N"
            + " or image-N")
    String key;

    @Option(names = "--handoff", required = true, paramLabel = "DIR", description = "the shared hand-over directory")
    Path handoff;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "the stage's root (default /)")
    Path root;

    @Option(names = "--bundle", description = { "linkPolicy Bundle: also hand on the loader and libraries each",
            "dynamic ELF file handed on needs, from this root (where it was linked)" })
    boolean bundle;

    @Option(names = "--extra-library", paramLabel = "NAME_OR_PATH", description = "with --bundle: a library the"
            + " program dlopen()s undeclared (repeatable)")
    List<String> extraLibraries = new ArrayList<>();

    @Option(names = "--result-file", paramLabel = "FILE", description = "where a failure's result record goes")
    Path resultFile;

    @Option(names = "--exit-code-file", paramLabel = "FILE", description = { "write this stage's exit code here when",
            "it ends, whatever the outcome (one line, by a rename): the packer beside the last stage waits for it" })
    Path exitCodeFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        return ExitCodes.writtenTo(exitCodeFile, ExitCodes.INTERNAL, this::runStage); // the packer beside waits for it
    }

    private int runStage() throws IOException, InterruptedException {
        BuildResult failure;
        String text;
        try {
            text = Files.readString(dockerfile, StandardCharsets.UTF_8);
        } catch (IOException e) { // the pod's arguments, not a step of the stage
            return fail(BuildResult.failure(ResultReason.FileError, "--dockerfile " + FileErrors.describe(dockerfile,
                    e), null));
        }
        try {
            DockerfilePlan plan = DockerfilePlanner.plan(text, BuildArgs.parse(buildArgs), target);
            StageContainers.Container container = StageContainers.of(plan).containers().stream()
                    .filter(c -> c.key().equals(key)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--key " + key + ": the plan has no such"
                            + " container"));
            RootedFs fs = new RootedFs(root);
            if (container.runsSteps()) {
                runSteps(plan, plan.stage(container.stage()), fs);
            }
            Handoff.write(fs, bundle ? withLibraries(fs, container.handsOn()) : container.handsOn(),
                    Handoff.directory(handoff, key));
            return ExitCodes.OK;
        } catch (DockerfileException e) {
            failure = BuildResult.failure(ResultReason.InvalidDockerfile, e.getMessage(), null);
        } catch (StepFailedException e) {
            failure = BuildResult.failure(ResultReason.BuildStepFailed, e.getMessage(), null);
        } catch (Handoff.MissingPathException e) {
            failure = BuildResult.failure(ResultReason.BuildStepFailed, key + " has no " + e.getMessage()
                    + ", which a later COPY --from copies", null);
        } catch (IOException e) { // a file this container's user may not read or write, a full volume
            failure = BuildResult.failure(ResultReason.BuildStepFailed, key + ": " + FileErrors.describe(root, e),
                    null);
        }
        return fail(failure);
    }

    /**
     * The paths, and for each dynamic ELF file among them (or in a directory among them) what resolving its libraries
     * reads from this root: the packer bundles them from the hand-over as `build --bundle` does from a stage's
     * root. A file whose libraries cannot be found is handed on without them; the packer then says which is missing.
     */
    private List<String> withLibraries(RootedFs fs, List<String> paths) throws IOException {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(paths);
        for (String path : paths) {
            Path resolved = fs.resolve(path, true);
            List<Path> files;
            try (var walk = Files.walk(resolved)) {
                files = walk.filter(Files::isRegularFile).toList();
            }
            for (Path file : files) {
                try {
                    if (!ElfLinkAnalyzer.analyze(file).runnableOnScratch()) {
                        BundleResolver.fromRoot(file, root, extraLibraries).files().keySet().forEach(all::add);
                        LD_SO_CONF.stream().filter(conf -> Files.exists(root.resolve(conf.substring(1))))
                                .forEach(all::add);
                    }
                } catch (ElfFormatException | MissingLibraryException e) {
                    // not ELF, or unresolvable here: the packer's verdict on the file says so
                }
            }
        }
        return List.copyOf(all);
    }

    /** Where the loader's configured directories are set: the packer resolves in the hand-over as here. */
    private static final List<String> LD_SO_CONF = List.of("/etc/ld.so.conf", "/etc/ld.so.conf.d");

    private void runSteps(DockerfilePlan plan, DockerfilePlan.Stage stage, RootedFs fs)
            throws IOException, InterruptedException, DockerfileException, StepFailedException {
        BuildContext buildContext = configMapContext ? BuildContext.ofConfigMap(context, Files.createDirectories(
                handoff.resolve(key + ".context"))) : BuildContext.of(context);
        Map<String, RootedFs> sources = new HashMap<>();
        for (DockerfilePlan.Step step : stage.steps()) {
            if (step instanceof DockerfilePlan.Workdir workdir) {
                StageFiles.workdir(fs, workdir);
            } else if (step instanceof DockerfilePlan.Copy copy) {
                String source = StageContainers.sourceKey(plan, copy);
                RootedFs from = source == null ? null : sources.get(source);
                if (source != null && from == null) {
                    from = Handoff.materialize(Handoff.directory(handoff, source), handoff.resolve(key + ".from-"
                            + source)); // an earlier container's, copied into ours (the shared volume is writable)
                    sources.put(source, from);
                }
                StageFiles.copy(fs, copy, buildContext, from);
            } else if (step instanceof DockerfilePlan.Run run) {
                run(stage, fs, run);
            }
        }
    }

    private void run(DockerfilePlan.Stage stage, RootedFs fs, DockerfilePlan.Run run)
            throws IOException, InterruptedException, StepFailedException {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        fs.createDirectories(run.workingDir());
        PrintWriter err = spec.commandLine().getErr();
        err.println("[" + stage.label() + "] RUN " + DockerfileBuild.shown(run.argv()));
        err.flush();
        ProcessBuilder builder = new ProcessBuilder(run.argv()).directory(fs.resolve(run.workingDir(), true).toFile())
                .inheritIO();
        builder.environment().clear();
        builder.environment().putAll(DockerfileBuild.environment(imageEnvironment(), run.env(), uid));
        int exit;
        try {
            exit = builder.start().waitFor();
        } catch (IOException e) {
            throw new StepFailedException(run.line(), "RUN could not start " + run.argv().get(0) + ": "
                    + e.getMessage());
        }
        if (exit != 0) {
            throw new StepFailedException(run.line(), "RUN exited with " + exit + " (its output is in this"
                    + " container's log)");
        }
    }

    /**
     * The image's ENV, as the kubelet gave it to this container; without what the kubelet adds of its own (the API
     * server's address), which a docker build would not see either.
     */
    private static List<String> imageEnvironment() {
        return System.getenv().entrySet().stream().filter(e -> !e.getKey().startsWith("KUBERNETES_"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    private int fail(BuildResult failure) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + failure.reason() + ": " + failure.message());
        err.flush();
        if (resultFile != null) {
            try {
                Files.write(resultFile, failure.toJsonBytes());
            } catch (IOException e) {
                err.println("error: --result-file " + FileErrors.describe(resultFile, e));
            }
        }
        return ResultReason.valueOf(failure.reason()).exitCode();
    }
}
