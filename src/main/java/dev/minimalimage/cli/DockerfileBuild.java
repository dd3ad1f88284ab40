package dev.minimalimage.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.minimalimage.dockerfile.BuildContext;
import dev.minimalimage.dockerfile.DockerfileException;
import dev.minimalimage.dockerfile.DockerfilePlan;
import dev.minimalimage.dockerfile.DockerfilePlanner;
import dev.minimalimage.dockerfile.FinalStage;
import dev.minimalimage.dockerfile.Handoff;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.dockerfile.RootedFs;
import dev.minimalimage.dockerfile.StageFiles;
import dev.minimalimage.dockerfile.StepFailedException;
import dev.minimalimage.dockerfile.DockerfilePlanner;
import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.image.DebugTwin;
import dev.minimalimage.image.ImageConfig;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.image.RootfsPlan;
import dev.minimalimage.image.closure.Bundle;
import dev.minimalimage.image.closure.BundleResolver;
import dev.minimalimage.image.closure.Closure;
import dev.minimalimage.image.closure.MissingLibraryException;
import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.ImageAssembler;
import dev.minimalimage.image.Platform;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.image.TreeImageConfig;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import dev.minimalimage.result.Remedies;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `build --dockerfile`: plans the Dockerfile, builds the stages the target needs in order on this machine (each on
 * an unpacked copy of its FROM image, RUN in a {@link RunSandbox}), verifies every ELF file of the final stage and
 * the program it starts, packs the final stage's files FROM scratch and delivers the image like `package`.
 */
final class DockerfileBuild {

    /** The options that set what a Dockerfile sets: refused with --dockerfile, so nothing is silently ignored. */
    static final List<String> IMAGE_CONFIG_OPTIONS = List.of("--path", "--arg", "--env", "--workdir", "--user",
            "--port", "--label", "--image-config", "--ca-certs", "--passwd", "--tmp", "--tzdata",
            "--bundle-root", "--allow-dynamic", "--language", "--libc", "--flag",
            "--binary-name", "--go-package", "--script", "--build-system", "--build-target", "--executable",
            "--compile-env");
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** What the command line gave. */
    /**
     * What the command line gave; {@code handoff}: null on this machine, in the builder pod the directory where the
     * run-stage containers left what the stages FROM an image hand on (those stages ran there, not here).
     */
    record Request(Path dockerfile, Path context, Map<String, String> buildArgs, String target, long timeoutSeconds,
            Path cacheDir, Path handoff, boolean configMapContext) {
    }

    private final Request request;
    private final PackageOptions o;
    private final CommandSpec spec;
    private final LocalSmokeRun smokeTest;
    private final Progress progress;
    private final PrintWriter err;
    private final RunSandbox sandbox = new RunSandbox();
    private final Map<Integer, RootedFs> roots = new HashMap<>();
    private final Map<Integer, List<String>> baseEnv = new HashMap<>();
    private final Map<Integer, String> baseUser = new HashMap<>();
    /** Per stage: the stage each file that a COPY --from wrote came from (its libraries are that stage's). */
    private final Map<Integer, Map<String, Integer>> origins = new HashMap<>();
    private BaseImages images;
    /** In the builder pod: the images COPY --from reads, as their containers handed them on. */
    private final Map<String, RootedFs> handedOn = new HashMap<>();
    /** A push started while the last stage ran beside the packer (null: start one when delivering). */
    private RegistryPusher.PendingPush preparedPush;

    DockerfileBuild(Request request, PackageOptions options, CommandSpec spec, LocalSmokeRun smokeTest,
            Progress progress) {
        this.request = request;
        this.o = options;
        this.spec = spec;
        this.smokeTest = smokeTest;
        this.progress = progress;
        this.err = spec.commandLine().getErr();
    }

    DockerfileBuild withPreparedPush(RegistryPusher.PendingPush push) {
        this.preparedPush = push;
        return this;
    }

    /** Builds in {@code work} (which the caller removes), prints the result record, returns the exit code. */
    int run(Path work) throws IOException, InterruptedException {
        Packaging reporter = new Packaging(null, o, spec);
        return reporter.report(build(work));
    }

    private BuildResult build(Path work) throws IOException, InterruptedException {
        BuildResult refused = checkOptions();
        if (refused != null) {
            return refused;
        }
        DockerfilePlan plan;
        BuildContext context;
        try {
            String text = Files.readString(request.dockerfile(), StandardCharsets.UTF_8);
            context = request.configMapContext() ? BuildContext.ofConfigMap(request.context(), work)
                    : BuildContext.of(request.context());
            plan = DockerfilePlanner.plan(text, request.buildArgs(), request.target());
            if (request.handoff() != null) {
                StageContainers.of(plan); // what a pod cannot run is refused before anything is built
            }
        } catch (DockerfileException e) {
            return BuildResult.failure(e.kind() == DockerfileException.Kind.FINAL_STAGE_NOT_SCRATCH
                    ? ResultReason.FinalStageNotScratch : ResultReason.InvalidDockerfile, e.getMessage(), null);
        } catch (IOException e) {
            return BuildResult.failure(ResultReason.FileError, "--dockerfile " + FileErrors.describe(
                    request.dockerfile(), e), null);
        }
        plan.warnings().forEach(w -> err.println("warning: " + w));
        progress.done("plan", plan.stages().size() + " stage(s): " + String.join(", ", plan.stages().stream()
                .map(DockerfilePlan.Stage::label).toList()));
        RunSandbox.makeTraversable(work);
        images = new BaseImages(Files.createDirectories(work.resolve("images")), request.cacheDir() == null ? null
                : request.cacheDir().resolve("images"), o.insecure, o.dockerConfig,
                w -> err.println("warning: " + w));
        try {
            for (DockerfilePlan.Stage stage : plan.stages()) {
                buildStage(stage, plan, context, work);
            }
        } catch (DockerfileException e) {
            return BuildResult.failure(ResultReason.InvalidDockerfile, e.getMessage(), null);
        } catch (StepFailedException e) {
            return BuildResult.failure(ResultReason.BuildStepFailed, e.getMessage(), null);
        } catch (BaseImages.PullFailedException e) {
            return BuildResult.failure(ResultReason.BaseImagePullFailed, e.getMessage(), null);
        }
        return packFinalStage(plan);
    }

    private BuildResult checkOptions() {
        List<String> given = IMAGE_CONFIG_OPTIONS.stream().filter(spec.commandLine().getParseResult()::hasMatchedOption)
                .toList();
        if (!given.isEmpty()) {
            return BuildResult.failure(ResultReason.InvalidArguments, "--dockerfile: the Dockerfile sets the image"
                    + " and how it is built; " + String.join(", ", given) + " cannot be combined with it", null);
        }
        return DestinationOptions.failedCheck(() -> {
            o.requireNamed();
            if (!Files.isDirectory(request.context())) {
                throw new FileProblem("--source " + request.context() + ": not a directory (the build context)");
            }
            o.checkOutputs();
        });
    }

    private void buildStage(DockerfilePlan.Stage stage, DockerfilePlan plan, BuildContext context, Path work)
            throws IOException, InterruptedException, DockerfileException, StepFailedException,
            BaseImages.PullFailedException {
        long started = System.nanoTime();
        Path root = work.resolve("stages").resolve(String.valueOf(stage.index()));
        Files.createDirectories(root.getParent());
        RunSandbox.makeTraversable(root.getParent());
        DockerfilePlan.Base base = stage.base();
        if (base.scratch()) {
            Files.createDirectory(root);
            baseEnv.put(stage.index(), List.of());
        } else if (request.handoff() != null) { // it ran in its own container; here are its files later stages need
            Handoff.materialize(Handoff.directory(request.handoff(), StageContainers.stageKey(stage.index())), root);
            roots.put(stage.index(), new RootedFs(root));
            origins.put(stage.index(), new HashMap<>());
            progress.done("stage " + stage.label(), "built in container " + StageContainers.stageKey(stage
                    .index()));
            return;
        } else if (base.stage() != null) {
            copyTree(roots.get(base.stage()).root(), root);
            baseEnv.put(stage.index(), baseEnv.get(base.stage()));
            baseUser.put(stage.index(), baseUser.get(base.stage()));
        } else {
            BaseImages.Pulled pulled = images.pull(base.image());
            if (!pulled.cached() && uses(plan, base.image()) == 1) {
                Files.move(pulled.root(), root); // nothing else needs it: a copy of a toolchain would cost seconds
            } else {
                copyTree(pulled.root(), root);
            }
            baseEnv.put(stage.index(), pulled.env());
            baseUser.put(stage.index(), pulled.user());
            progress.done("pull", base.image() + " (" + pulled.digest() + ")");
        }
        Files.setAttribute(root, "unix:mode", 0755);
        RootedFs fs = new RootedFs(root);
        roots.put(stage.index(), fs);
        Map<String, Integer> stageOrigins = new HashMap<>(base.stage() == null ? Map.of()
                : origins.get(base.stage()));
        origins.put(stage.index(), stageOrigins);
        for (DockerfilePlan.Step step : stage.steps()) {
            if (step instanceof DockerfilePlan.Workdir workdir) {
                StageFiles.workdir(fs, workdir);
            } else if (step instanceof DockerfilePlan.Copy copy) {
                StageFiles.copy(fs, copy, context, copySource(plan, copy, work), path -> {
                    if (copy.fromStage() != null) {
                        stageOrigins.put(DockerfilePlanner.normalize(path), copy.fromStage());
                    } else {
                        stageOrigins.remove(DockerfilePlanner.normalize(path));
                    }
                });
            } else if (step instanceof DockerfilePlan.Run run) {
                run(stage, fs, run, work);
            }
        }
        progress.done(stage.name() != null ? "stage " + stage.name() : stage.label(), stage.steps().size() + " step(s) in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** How many FROMs and COPY --froms of the plan name {@code image}. */
    private static long uses(DockerfilePlan plan, String image) {
        long froms = plan.stages().stream().filter(s -> image.equals(s.base().image())).count();
        long copies = plan.stages().stream().flatMap(s -> s.steps().stream())
                .filter(step -> step instanceof DockerfilePlan.Copy copy && image.equals(copy.fromImage())).count();
        return froms + copies;
    }

    private RootedFs copySource(DockerfilePlan plan, DockerfilePlan.Copy copy, Path work) throws IOException, BaseImages.PullFailedException {
        if (copy.fromStage() != null) {
            return roots.get(copy.fromStage());
        }
        if (copy.fromImage() == null) {
            return null;
        }
        if (request.handoff() != null) {
            String key = StageContainers.sourceKey(plan, copy);
            if (!handedOn.containsKey(key)) {
                handedOn.put(key, Handoff.materialize(Handoff.directory(request.handoff(), key),
                        work.resolve("images").resolve(key)));
            }
            return handedOn.get(key);
        }
        return new RootedFs(images.pull(copy.fromImage()).root());
    }

    private void run(DockerfilePlan.Stage stage, RootedFs fs, DockerfilePlan.Run run, Path work)
            throws IOException, InterruptedException, StepFailedException, DockerfileException {
        String user = run.user() != null ? run.user() : baseUser.get(stage.index());
        long[] ids = ids(fs, user == null || user.isEmpty() ? "0" : user, run.line());
        Map<String, String> env = environment(baseEnv.get(stage.index()), run.env(), ids[0]);
        fs.createDirectories(run.workingDir());
        Path log = Files.createTempFile(work, "run", ".log");
        err.println("[" + stage.label() + "] RUN " + shown(run.argv()));
        err.flush();
        Integer exit = sandbox.run(fs.root(), run.argv(), env, run.workingDir(), ids[0], ids[1], log,
                request.timeoutSeconds());
        err.print(Files.readString(log, StandardCharsets.UTF_8));
        err.flush();
        Files.deleteIfExists(log);
        if (exit == null) {
            throw new StepFailedException(run.line(), "RUN did not finish within --timeout (" + request
                    .timeoutSeconds() + " s) and was killed");
        }
        if (exit != 0) {
            throw new StepFailedException(run.line(), "RUN exited with " + exit + " (its output is above)");
        }
    }

    /** The step as the Dockerfile wrote it, more or less: a shell script without its shell, its first line only. */
    static String shown(List<String> argv) {
        boolean shellForm = argv.size() == 3 && argv.get(1).equals("-c");
        String text = shellForm ? argv.get(2) : String.join(" ", argv);
        return text.lines().findFirst().orElse("");
    }

    /** The image's Env, the Dockerfile's over it; PATH and HOME as docker sets them when nothing does. */
    static Map<String, String> environment(List<String> imageEnv, Map<String, String> dockerfileEnv,
            long uid) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH.substring("PATH=".length()));
        env.put("HOME", uid == 0 ? "/root" : "/");
        for (String entry : imageEnv) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        env.putAll(dockerfileEnv);
        return env;
    }

    /** USER as numbers: UID[:GID], or names looked up in the stage's own /etc/passwd and /etc/group. */
    private static long[] ids(RootedFs fs, String user, int line) throws IOException, DockerfileException {
        String[] parts = user.split(":", 2);
        String[] passwd = parts[0].chars().allMatch(Character::isDigit) ? null : entry(fs, "/etc/passwd", parts[0]);
        long uid;
        if (passwd != null) {
            uid = Long.parseLong(passwd[2]);
        } else if (!parts[0].isEmpty() && parts[0].length() < 10 && parts[0].chars().allMatch(Character::isDigit)) {
            uid = Long.parseLong(parts[0]);
        } else {
            throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, line, 0, "USER " + user + ": no"
                    + " such user in the stage's /etc/passwd");
        }
        long gid = passwd != null ? Long.parseLong(passwd[3]) : uid;
        if (parts.length == 2) {
            String[] group = parts[1].chars().allMatch(Character::isDigit) ? null : entry(fs, "/etc/group", parts[1]);
            if (group == null && !(parts[1].length() < 10 && !parts[1].isEmpty()
                    && parts[1].chars().allMatch(Character::isDigit))) {
                throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, line, 0, "USER " + user
                        + ": no such group in the stage's /etc/group");
            }
            gid = group != null ? Long.parseLong(group[2]) : Long.parseLong(parts[1]);
        }
        return new long[] { uid, gid };
    }

    private static String[] entry(RootedFs fs, String file, String name) throws IOException {
        Path path = fs.resolve(file, true);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[0].equals(name) && fields[2].chars().allMatch(Character::isDigit)
                    && !fields[2].isEmpty() && fields[2].length() < 10
                    && (fields.length < 4 || fields[3].isEmpty() || fields[3].length() < 10
                            && fields[3].chars().allMatch(Character::isDigit))) {
                return fields.length >= 4 && !fields[3].isEmpty() ? fields
                        : new String[] { fields[0], "", fields[2], fields[2] };
            }
        }
        return null;
    }

    /** cp -a: modes, links and hard links as they are (the copy is the next stage's to change). */
    private static void copyTree(Path from, Path to) throws IOException, InterruptedException {
        Process cp = new ProcessBuilder("cp", "-a", "--reflink=auto", from.toString(), to.toString())
                .redirectErrorStream(true).start();
        String said = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (cp.waitFor() != 0) {
            throw new IOException("cp -a " + from + " " + to + " failed: " + said);
        }
    }

    private BuildResult packFinalStage(DockerfilePlan plan) throws IOException, InterruptedException {
        RootedFs root = roots.get(plan.finalStage().index());
        DockerfilePlan.ImageSpec spec = plan.image();
        if (spec.workingDir() != null) {
            root.createDirectories(spec.workingDir());
        }
        FinalStage.Verdicts verdicts = FinalStage.check(root, spec);
        List<String> env = spec.env();
        Bundling bundled = null;
        if (o.bundle && !verdicts.dynamicFiles().isEmpty()) {
            try {
                bundled = bundle(plan.finalStage().index(), root, verdicts.dynamicFiles());
            } catch (Refusal refusal) {
                return refusal.result;
            }
            env = bundled.environment(env);
        }
        List<BuildResult.FileVerdict> files = verdicts.files().stream().map(f -> new BuildResult.FileVerdict(
                f.path(), f.verdict(), f.dynamic() ? f.link().needed() : null)).toList();
        progress.done("verify", files.size() + " file(s), " + verdicts.dynamicFiles().size() + " dynamic");
        if (!verdicts.dynamicFiles().isEmpty() && bundled == null) {
            FinalStage.File first = verdicts.dynamicFiles().get(0);
            return BuildResult.failure(ResultReason.DynamicDependency, dynamicMessage(verdicts.dynamicFiles()),
                    LinkSummary.of(first.link())).withFiles(files);
        }
        if (verdicts.problem() != null) {
            return BuildResult.failure(ResultReason.ExecutableNotFound, verdicts.problem(), null).withFiles(files);
        }
        LinkReport program = verdicts.program().link();
        AssembledImage assembled;
        try {
            assembled = ImageAssembler.assembleRootfs(root.root(), new TreeImageConfig(List.of(root.root()),
                    spec.entrypoint(), spec.cmd(), env, spec.workingDir(), spec.user(), spec.labels(),
                    annotations(), o.compression, o.level), new ArrayList<>(spec.exposedPorts()), spec.stopSignal(),
                    Platform.fromElf(program.machine(), program.elfClass(), program.byteOrder()));
        } catch (IllegalArgumentException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), LinkSummary.of(program));
        }
        progress.done("pack", assembled.compressedSize() + " bytes compressed");
        LinkSummary summary = LinkSummary.of(program);
        if (bundled != null) {
            summary = summary.withBundle(bundled.paths(), bundled.bytes());
        }
        AssembledImage twin;
        try {
            twin = debugTwin(assembled, verdicts.program(), program);
        } catch (Refusal refusal) {
            return refusal.result.withFiles(files);
        }
        SbomParts sbom = sbomParts(plan.finalStage().index(), root, bundled == null ? List.of() : bundled.paths());
        BuildResult result = deliver(assembled, twin, summary, program.fileSize(), sbom).withFiles(files);
        progress.done(o.image != null ? "push" : "write", result.succeeded() ? result.image() : result.reason());
        if (smokeTest == null || !result.succeeded()) {
            return result;
        }
        return smokeTest.verify(assembled, result);
    }

    /** What --bundle added to the final stage: the libraries' paths and bytes, the loader's search path. */
    private record Bundling(List<String> paths, long bytes, List<Bundle> bundles) {
        List<String> environment(List<String> env) {
            List<String> result = env;
            for (Bundle bundle : bundles) {
                result = bundle.environment(result);
            }
            return result;
        }
    }

    /** A refusal found halfway (bundling, the debug twin's busybox): the result to report. */
    private static final class Refusal extends Exception {
        final transient BuildResult result;

        Refusal(BuildResult result) {
            super(result.message());
            this.result = result;
        }
    }

    /**
     * --bundle: each dynamic file's loader and libraries, from the root of the stage it was copied from (the stage
     * that built it), added to the final stage at their paths; glibc's name-service files when it needs them.
     */
    private Bundling bundle(int finalStage, RootedFs root, List<FinalStage.File> dynamic)
            throws IOException, Refusal {
        java.util.SortedSet<String> paths = new java.util.TreeSet<>();
        List<Bundle> bundles = new ArrayList<>();
        long bytes = 0;
        for (FinalStage.File file : dynamic) {
            Integer origin = origins.get(finalStage).get(file.path());
            RootedFs from = roots.get(origin == null ? finalStage : origin);
            Bundle bundle;
            try {
                bundle = BundleResolver.resolve(root.resolve(file.path(), false), file.path(), from.root(),
                        o.extraLibraries);
            } catch (MissingLibraryException e) {
                throw new Refusal(BuildResult.failure(ResultReason.BundleIncomplete, "cannot bundle "
                        + file.path() + ": " + e.getMessage() + " (the libraries come from the stage it was copied"
                        + " from" + (origin == null ? "; it was not copied from a stage" : "") + ")",
                        LinkSummary.of(file.link())));
            } catch (ElfFormatException e) {
                throw new Refusal(BuildResult.failure(ResultReason.UnsupportedBinary, "cannot bundle "
                        + file.path() + ": " + e.getMessage(), LinkSummary.of(file.link())));
            }
            for (Closure.Entry entry : bundle.files().values()) {
                if (addToStage(root, entry)) {
                    paths.add(entry.path());
                    bytes += entry.isSymlink() ? 0 : Files.size(entry.source());
                }
            }
            if (bundle.nameServices()) {
                addNameServiceFiles(root, paths);
            }
            bundles.add(bundle);
        }
        return new Bundling(List.copyOf(paths), bytes, bundles);
    }

    /** Places a library (or link) unless the stage already has that path; whether it was added. */
    private static boolean addToStage(RootedFs root, Closure.Entry entry) throws IOException {
        Path target = root.resolve(entry.path(), false);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        root.createDirectories(entry.path().substring(0, entry.path().lastIndexOf('/')));
        if (entry.isSymlink()) {
            Files.createSymbolicLink(target, Path.of(entry.linkTarget()));
        } else {
            Files.copy(entry.source(), target);
            Files.setAttribute(target, "unix:mode", Files.isExecutable(entry.source()) ? 0755 : 0644);
        }
        return true;
    }

    /** nsswitch.conf and hosts as `package --bundle` writes them, and a user database with root; never replaced. */
    private static void addNameServiceFiles(RootedFs root, java.util.Set<String> paths) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("/etc/nsswitch.conf", RootfsPlan.NSSWITCH_CONF);
        files.put("/etc/hosts", RootfsPlan.HOSTS);
        files.put("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n");
        files.put("/etc/group", "root:x:0:\n");
        root.createDirectories("/etc");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = root.resolve(file.getKey(), false);
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
                Files.setAttribute(target, "unix:mode", 0644);
                paths.add(file.getKey());
            }
        }
    }

    private static String dynamicMessage(List<FinalStage.File> dynamic) {
        StringBuilder message = new StringBuilder();
        for (FinalStage.File file : dynamic.subList(0, Math.min(3, dynamic.size()))) {
            message.append(message.length() == 0 ? "" : "; ").append(file.path()).append(" is dynamically linked")
                    .append(file.link().interpreter() == null ? "" : " (interpreter " + file.link().interpreter()
                            + ")")
                    .append(file.link().needed().isEmpty() ? "" : " and needs " + String.join(", ",
                            file.link().needed()));
        }
        if (dynamic.size() > 3) {
            message.append("; and ").append(dynamic.size() - 3).append(" more");
        }
        return message + ": on scratch it would fail with \"no such file or directory\""
                + Remedies.DYNAMIC_IN_DOCKERFILE;
    }

    private TreeMap<String, String> annotations() throws IOException {
        TreeMap<String, String> annotations = new TreeMap<>(o.annotations);
        if (o.sourceInfo != null) {
            annotations = new TreeMap<>(SourceInfo.read(o.sourceInfo).provenance().annotate(annotations));
        }
        return annotations;
    }

    /**
     * --debug-tag: the twin of the image (its layer plus busybox in /bin), as for a preset; null without it. The
     * busybox must be a static ELF for the program's machine.
     */
    private AssembledImage debugTwin(AssembledImage main, FinalStage.File program, LinkReport programLink)
            throws IOException, Refusal {
        if (o.debugTag == null) {
            return null;
        }
        try {
            o.checkDebugTag(program.path());
            BuildResult refused = LinkPolicy.checkBusybox(o.busybox, ElfLinkAnalyzer.analyze(o.busybox), programLink);
            if (refused != null) {
                throw new Refusal(refused);
            }
        } catch (IllegalArgumentException e) {
            throw new Refusal(BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), null));
        } catch (ElfFormatException e) {
            throw new Refusal(BuildResult.failure(ResultReason.InvalidArguments, "--busybox " + o.busybox
                    + ": " + e.getMessage(), null));
        } catch (IOException e) {
            throw new Refusal(BuildResult.failure(ResultReason.FileError, "--busybox "
                    + FileErrors.describe(o.busybox, e), null));
        }
        ImageConfig twinSettings = new ImageConfig(program.path(), List.of(), List.of(), null, null, List.of(),
                new TreeMap<>(), new TreeMap<>(), ImageConfig.Extras.NONE, o.compression, o.level);
        return DebugTwin.of(main, twinSettings, o.busybox);
    }

    private BuildResult deliver(AssembledImage assembled, AssembledImage twin, LinkSummary link, long programSize,
            SbomParts sbom) throws IOException, InterruptedException {
        List<String> references;
        RegistryPusher.PendingPush push;
        try {
            push = preparedPush != null ? preparedPush : o.prepare(w -> err.println("warning: " + w));
            references = o.deliver(assembled, twin, o.debugTag, push);
        } catch (PushException e) {
            return BuildResult.failure(DestinationOptions.reasonOf(e.kind()), e.getMessage(), link);
        }
        BuildResult result = BuildResult.success(references.get(0), assembled.digest(), assembled.compressedSize(),
                assembled.uncompressedLayerSize(), programSize, link);
        result = twin == null ? result : result.withDebugImage(references.get(1), twin.digest());
        return SbomAttachment.attach(result, o.image != null ? o.image : "dockerfile", SbomAttachment.sourceOf(o.sourceInfo), sbom.binaries(),
                sbom.otherFiles(), assembled, o.ociLayout, o.ociArchive, push);
    }

    /** The final stage's files for the SBOM: its ELF files read like a preset's binary, the rest by their sha256. */
    private record SbomParts(List<dev.minimalimage.sbom.BinaryInventory> binaries,
            List<dev.minimalimage.sbom.ShippedFile> otherFiles) {
    }

    /**
     * Each ELF file with what the stage that built it can say (its root's package database: the versions of the
     * static libraries it linked); the bundled libraries and every other file as shipped files.
     */
    private SbomParts sbomParts(int finalStage, RootedFs root, List<String> bundledPaths) throws IOException {
        List<dev.minimalimage.sbom.BinaryInventory> binaries = new ArrayList<>();
        List<dev.minimalimage.sbom.ShippedFile> others = new ArrayList<>();
        List<Path> paths;
        try (var walk = Files.walk(root.root())) {
            paths = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path path : paths) {
            String imagePath = root.imagePath(path);
            if (!bundledPaths.contains(imagePath)) {
                Integer origin = origins.get(finalStage).get(imagePath);
                Path stageRoot = roots.get(origin == null ? finalStage : origin).root();
                try {
                    binaries.add(dev.minimalimage.sbom.BinaryReader.read(path, imagePath,
                            new dev.minimalimage.sbom.SbomInputs(java.util.Optional.of(stageRoot),
                                    java.util.Optional.empty())));
                    continue;
                } catch (ElfFormatException e) {
                    // not ELF: a shipped file like any other
                }
            }
            others.add(new dev.minimalimage.sbom.ShippedFile(imagePath, dev.minimalimage.sbom.Hashing.sha256(path),
                    null));
        }
        return new SbomParts(binaries, others);
    }


}
