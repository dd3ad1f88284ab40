package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.ImageTarget;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.image.Platform;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.Source;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.api.v1alpha1.LiteralEnvVar;
import dev.minimalimage.image.ImageSettings;
import dev.minimalimage.image.Provenance;

/**
 * Turns a MinimalImage into a {@link BuildPlan}. Re-checks what the CRD schema checks at admission, because
 * resources may predate a schema change or come from a cluster without CEL support.
 */
public final class BuildPlanner {

    private final ToolchainImages images;
    private final Dockerfile.StageSecurity dockerfileStages;

    public BuildPlanner(ToolchainImages images) {
        this(images, Dockerfile.StageSecurity.BASELINE);
    }

    /** {@code dockerfileStages}: the most a Dockerfile build's stages may get (the chart's builder.dockerfileStages). */
    public BuildPlanner(ToolchainImages images, Dockerfile.StageSecurity dockerfileStages) {
        this.images = images;
        this.dockerfileStages = dockerfileStages;
    }

    public BuildPlan plan(MinimalImage resource) throws InvalidSpecException {
        MinimalImageSpec spec = resource.getSpec();
        if (spec == null || spec.getSource() == null || spec.getImage() == null || blank(spec.getImage().getName())) {
            throw new InvalidSpecException("spec.source and spec.image.name are required");
        }
        if ((spec.getLanguage() == null) == (spec.getDockerfile() == null)) {
            throw new InvalidSpecException("exactly one of spec.language or spec.dockerfile must be set");
        }
        if (spec.getLanguage() != null && spec.getLanguage().getName() == null) {
            throw new InvalidSpecException("spec.language.name is required");
        }
        Source source = spec.getSource();
        if ((source.getGit() == null) == (source.getInline() == null)) {
            throw new InvalidSpecException("exactly one of spec.source.git or spec.source.inline must be set");
        }
        // checked for every policy: a list that does nothing is an error
        List<String> extraLibraries = spec.getVerify() == null ? List.of() : extraLibraries(spec.getVerify());
        List<Platform> platforms = TargetPlatforms.of(spec);
        CompileStep compile = spec.getDockerfile() == null ? compileStep(spec, extraLibraries, platforms) : null;
        String tracked = trackedCommit(resource);
        // a git source's Dockerfile is read by a first pod (the resolve step); the build then checks out its commit
        String resolveKey = BuildInputs.hash(spec, RESOLVE_STEP, tracked);
        MinimalImageStatus.ResolvedDockerfile fetched = fetchedDockerfile(resource, resolveKey);
        if (spec.getDockerfile() != null && source.getGit() != null && fetched == null) {
            return resolvePlan(resource, resolveKey, tracked);
        }
        String commit = fetched != null ? fetched.getCommit() : tracked;
        DockerfileStages stages = spec.getDockerfile() == null ? null
                : dockerfileStages(spec, extraLibraries, fetched == null ? null : fetched.getText());
        String hash = BuildInputs.hash(spec, compile != null ? compile.image() : String.join(",", stages.images()),
                commit);
        String name = resource.getMetadata().getName();
        Timeouts timeouts = Timeouts.of(spec);
        return new BuildPlan(name, hash, GeneratedNames.of(name, "-src-" + hash),
                inlineFiles(source), git(source, commit), compile, stages, null,
                stages == null ? packageArgs(spec, extraLibraries, platforms)
                        : dockerfilePackageArgs(spec, stages, extraLibraries),
                blankToNull(spec.getImage().getPushSecret()),
                timeouts.build(), timeouts.start(), timeouts.pull(),
                SmokeTestPlan.of(spec.getVerify() == null ? null : spec.getVerify().getSmokeTest(),
                        stages == null ? spec.getImage() : stages.imageTarget(spec.getImage()),
                        stages == null ? entrypoint(spec) : null));
    }

    /** spec.build's timeout, startTimeout and pullTimeout in seconds, for every pod of the resource alike. */
    private record Timeouts(long build, long start, long pull) {
        static Timeouts of(MinimalImageSpec spec) throws InvalidSpecException {
            BuildSettings settings = spec.getBuild();
            String start = settings == null ? BuildSettings.DEFAULT_START_TIMEOUT : settings.getStartTimeout();
            String pull = settings == null ? BuildSettings.DEFAULT_PULL_TIMEOUT : settings.getPullTimeout();
            return new Timeouts(Durations.seconds(settings == null ? null : settings.getTimeout()),
                    Durations.seconds("build.startTimeout", start, Durations.MIN_SECONDS, 3600, "1h"),
                    Durations.seconds("build.pullTimeout", pull, Durations.MIN_SECONDS, 3600, "1h"));
        }
    }

    /** What stands in for a toolchain image in the inputs of the step that reads a git source's Dockerfile. */
    private static final String RESOLVE_STEP = "fetch-dockerfile";

    /** The Dockerfile on record, if it was fetched for these source inputs ({@code key}). */
    private static MinimalImageStatus.ResolvedDockerfile fetchedDockerfile(MinimalImage resource, String key) {
        MinimalImageStatus status = resource.getStatus();
        MinimalImageStatus.ResolvedDockerfile fetched = status == null ? null : status.getDockerfile();
        return fetched != null && key.equals(fetched.getSource()) && fetched.getText() != null ? fetched : null;
    }

    /**
     * A git source's Dockerfile is not known yet: a pod that only fetches reads it (and the commit), so the stages'
     * containers can be planned from it; its inputs are the source's, {@code key}.
     */
    private BuildPlan resolvePlan(MinimalImage resource, String key, String tracked) throws InvalidSpecException {
        MinimalImageSpec spec = resource.getSpec();
        String path = DockerfileStages.path(spec.getDockerfile());
        requireRelative(path, "spec.dockerfile.path");
        BuildPlan.GitSource git = git(spec.getSource(), tracked);
        String name = resource.getMetadata().getName();
        Timeouts timeouts = Timeouts.of(spec);
        return new BuildPlan(name, key, GeneratedNames.of(name, "-src-" + key), null, git, null, null,
                new BuildPlan.DockerfileFetch(git.contextDir() == null ? path : git.contextDir() + "/" + path),
                List.of(), null, // it pushes nothing: no push credentials in the pod
                timeouts.build(), timeouts.start(), timeouts.pull(), null);
    }

    /**
     * spec.dockerfile: the Dockerfile is read from the inline files, or for a git source it is the one the resolve
     * step fetched ({@code fetchedText}); so a Dockerfile the pod cannot run is refused before its build pod exists.
     */
    private DockerfileStages dockerfileStages(MinimalImageSpec spec, List<String> extraLibraries, String fetchedText)
            throws InvalidSpecException {
        Source source = spec.getSource();
        String path = DockerfileStages.path(spec.getDockerfile());
        requireRelative(path, "spec.dockerfile.path");
        if (source.getInline() == null) {
            return DockerfileStages.plan(spec, fetchedText, dockerfileStages, extraLibraries);
        }
        String text = source.getInline().getFiles() == null ? null : source.getInline().getFiles().get(path);
        if (text == null) {
            throw new InvalidSpecException("spec.dockerfile.path " + path + ": no such file in"
                    + " spec.source.inline.files");
        }
        return DockerfileStages.plan(spec, text, dockerfileStages, extraLibraries);
    }

    /** The package step of a Dockerfile build: `build --dockerfile` over what the stages' containers handed on. */
    private static List<String> dockerfilePackageArgs(MinimalImageSpec spec, DockerfileStages stages,
            List<String> extraLibraries) {
        ImageTarget image = spec.getImage();
        List<String> args = new ArrayList<>(List.of("build"));
        args.addAll(stages.dockerfileArgs());
        args.addAll(List.of("--source", BuilderLayout.STAGE_CONTEXT, "--handoff", BuilderLayout.HANDOFF_DIR,
                "--image", image.getName(), "--result-file", BuilderLayout.TERMINATION_LOG));
        args.addAll(DockerfileStages.annotationArgs(annotations(spec)));
        args.addAll(destinationAndPolicyArgs(spec, extraLibraries));
        return List.copyOf(args);
    }

    /**
     * The compile step, writing the binary to OUT (bundle mode: linked dynamically, the libraries collected where the
     * compile ran, in the toolchain image): for one platform (or none named) as always, the target in its
     * environment when one is named; for several, one build per platform in turn, each into its own directory
     * ({@link #binaryFor}).
     */
    private CompileStep compileStep(MinimalImageSpec spec, List<String> extraLibraries, List<Platform> platforms)
            throws InvalidSpecException {
        String binary = BuilderLayout.OUT_DIR + "/" + binaryName(spec.getLanguage());
        if (platforms.size() > 1) {
            return LanguagePresets.compileStep(spec.getLanguage(), images).forPlatforms(platforms,
                    platform -> binaryFor(spec, platform)).withEnv("OUT", binary)
                    .withEnv("TOOLCHAIN_RECORD", BuilderLayout.TOOLCHAIN_RECORD);
        }
        CompileStep step;
        if (!bundles(spec)) {
            step = LanguagePresets.compileStep(spec.getLanguage(), images);
        } else {
            CompileStep dynamic = LanguagePresets.compileStep(spec.getLanguage(), images,
                    LanguagePresets.Linking.DYNAMIC);
            step = LanguagePresets.withBundleStaging(dynamic, BuilderLayout.RUNTIME_LAUNCHER,
                    BuilderLayout.BUNDLE_ROOT, extraLibraries);
        }
        return (platforms.isEmpty() ? step : step.forPlatform(platforms.get(0))).withEnv("OUT", binary)
                .withEnv("TOOLCHAIN_RECORD", BuilderLayout.TOOLCHAIN_RECORD);
    }

    /** Where a multi-platform build's compile step leaves the binary for {@code platform}. */
    private static String binaryFor(MinimalImageSpec spec, Platform platform) {
        return BuilderLayout.OUT_DIR + "/" + platform.directoryName() + "/" + binaryName(spec.getLanguage());
    }

    private static boolean bundles(MinimalImageSpec spec) {
        return spec.getVerify() != null && spec.getVerify().getLinkPolicy() == Verify.LinkPolicy.BUNDLE;
    }

    private static List<String> extraLibraries(Verify verify) throws InvalidSpecException {
        List<String> libraries = nonNull(verify.getExtraLibraries());
        if (!libraries.isEmpty() && verify.getLinkPolicy() != Verify.LinkPolicy.BUNDLE) { // it would do nothing
            throw new InvalidSpecException("spec.verify.extraLibraries only applies with spec.verify.linkPolicy: Bundle");
        }
        for (String library : libraries) { // the schema's rule needs CEL, which older clusters do not run
            if (library == null || !library.matches(Verify.EXTRA_LIBRARY_PATTERN)) {
                throw new InvalidSpecException("spec.verify.extraLibraries: '" + library + "' is neither a SONAME"
                        + " (libfoo.so.1) nor an absolute path");
            }
        }
        return libraries;
    }

    public static String binaryName(Language language) {
        return blank(language.getBinaryName()) ? "app" : language.getBinaryName();
    }

    private static SortedMap<String, String> inlineFiles(Source source) throws InvalidSpecException {
        if (source.getInline() == null) {
            return null;
        }
        Map<String, String> files = source.getInline().getFiles();
        if (files == null || files.isEmpty()) {
            throw new InvalidSpecException("spec.source.inline.files must name at least one file");
        }
        for (String path : files.keySet()) {
            requireRelative(path, "spec.source.inline.files key");
        }
        return new TreeMap<>(files);
    }

    /**
     * For a followed branch (pollInterval), the head the operator last polled: the build checks out exactly that
     * commit, and a new head is new inputs.
     */
    private static String trackedCommit(MinimalImage resource) {
        Source.Git git = resource.getSpec().getSource().getGit();
        boolean polled = git != null && !blank(git.getPollInterval());
        return polled && resource.getStatus() != null ? resource.getStatus().getTrackedCommit() : null;
    }

    private static BuildPlan.GitSource git(Source source, String trackedCommit) throws InvalidSpecException {
        Source.Git git = source.getGit();
        if (git == null) {
            return null;
        }
        String url = git.getUrl() == null ? "" : git.getUrl();
        if (!(url.startsWith("https://") || url.startsWith("ssh://") || url.matches("^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+"))) {
            throw new InvalidSpecException("spec.source.git.url must be an https or ssh URL");
        }
        if (!url.matches(Source.Git.URL_PATTERN)) { // the URL itself never reaches the message: it may hold a token
            throw new InvalidSpecException("spec.source.git.url must not carry credentials or a query (they would reach"
                    + " logs and the status): name a Secret in spec.source.git.credentialsSecret");
        }
        if (!blank(git.getContextDir())) {
            requireRelative(git.getContextDir(), "spec.source.git.contextDir");
        }
        if (!blank(git.getPollInterval())) {
            Durations.pollInterval(git.getPollInterval());
        }
        String revision = trackedCommit != null ? trackedCommit : blankToNull(git.getRevision());
        return new BuildPlan.GitSource(url, revision, blankToNull(git.getContextDir()),
                blankToNull(git.getCredentialsSecret()));
    }

    /**
     * The package step's arguments. The image settings travel as one JSON document: as separate flags, an image
     * argument such as "--port" or "@file" could be read as an option of the package command.
     */
    private static List<String> packageArgs(MinimalImageSpec spec, List<String> extraLibraries,
            List<Platform> platforms) throws InvalidSpecException {
        ImageTarget image = spec.getImage();
        String binary = binaryName(spec.getLanguage());
        List<String> args = new ArrayList<>(List.of("package"));
        if (platforms.size() > 1) { // one binary per platform, packed into one index in the spec's order
            platforms.forEach(platform -> args.add("--binary-for=" + platform + "=" + binaryFor(spec, platform)));
        } else {
            args.add(BuilderLayout.OUT_DIR + "/" + binary);
            platforms.forEach(platform -> args.add("--platform=" + platform));
        }
        args.addAll(List.of("--image", image.getName(), "--image-config", imageSettings(spec).toJson(),
                "--result-file", BuilderLayout.TERMINATION_LOG, "--toolchain-root", BuilderLayout.TOOLCHAIN_RECORD));
        args.addAll(destinationAndPolicyArgs(spec, extraLibraries));
        return List.copyOf(args);
    }

    /** What both kinds of package step take alike: provenance, the registry, the link policy, the debug twin. */
    private static List<String> destinationAndPolicyArgs(MinimalImageSpec spec, List<String> extraLibraries) {
        ImageTarget image = spec.getImage();
        List<String> args = new ArrayList<>();
        if (spec.getSource().getGit() != null) { // fetch wrote it; inline provenance is in the image config already
            args.addAll(List.of("--source-info", BuilderLayout.SOURCE_INFO));
        }
        if (image.isInsecure()) {
            args.add("--insecure");
        }
        if (!blank(image.getPushSecret())) {
            args.addAll(List.of("--docker-config", BuilderLayout.REGISTRY_CONFIG));
        }
        if (spec.getVerify() != null && spec.getVerify().getLinkPolicy() == Verify.LinkPolicy.ALLOW_DYNAMIC) {
            args.add("--allow-dynamic");
        }
        if (bundles(spec) && spec.getDockerfile() != null) { // from the stage that built the file, as handed on
            args.add("--bundle");
            extraLibraries.forEach(library -> args.add("--extra-library=" + library));
        } else if (bundles(spec)) { // the compile step staged the toolchain's libraries there
            args.addAll(List.of("--bundle", "--bundle-root", BuilderLayout.BUNDLE_ROOT));
            extraLibraries.forEach(library -> args.add("--extra-library=" + library));
        }
        if (!blank(image.getDebugTag())) { // the builder image carries Debian's static busybox at the default path
            args.addAll(List.of("--debug-tag", image.getDebugTag()));
        }
        return List.copyOf(args);
    }

    /** The binary's path in a preset build's image, its entrypoint: spec.image.path, default /app/NAME. */
    private static String entrypoint(MinimalImageSpec spec) {
        String path = spec.getImage().getPath();
        return blank(path) ? "/app/" + binaryName(spec.getLanguage()) : path;
    }

    private static ImageSettings imageSettings(MinimalImageSpec spec) throws InvalidSpecException {
        ImageTarget image = spec.getImage();
        List<ImageSettings.Env> env;
        for (LiteralEnvVar var : nonNull(image.getEnv())) { // a resource stored before the schema refused it
            if (var.hasValueFrom()) {
                throw new InvalidSpecException("spec.image.env " + var.getName() + ": valueFrom is not supported,"
                        + " literal values only");
            }
        }
        try { // literal values only: an image has no cluster to resolve references in
            env = nonNull(image.getEnv()).stream().map(e -> new ImageSettings.Env(e.getName(), e.getValue())).toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("spec.image.env: " + e.getMessage());
        }
        List<String> ports = nonNull(image.getPorts()).stream()
                .map(p -> p.getPort() + "/" + (blank(p.getProtocol()) ? "tcp" : p.getProtocol())).toList();
        return new ImageSettings(entrypoint(spec), nonNull(image.getArgs()),
                env, blankToNull(image.getWorkingDir()), blankToNull(image.getUser()), ports,
                new TreeMap<>(nonNull(image.getLabels())), annotations(spec), extras(image.getExtras()));
    }

    /** The user's annotations, plus the provenance of inline files (a git source's is added by the package step). */
    private static SortedMap<String, String> annotations(MinimalImageSpec spec) {
        Map<String, String> annotations = nonNull(spec.getImage().getAnnotations());
        Source.Inline inline = spec.getSource().getInline();
        return inline == null ? new TreeMap<>(annotations)
                : Provenance.ofInlineFiles(nonNull(inline.getFiles())).annotate(annotations);
    }

    private static ImageSettings.Extras extras(ImageTarget.Extras extras) {
        return extras == null ? null : new ImageSettings.Extras(extras.isCaCertificates(), extras.isPasswd(),
                extras.isTmp(), extras.isTimezoneData());
    }

    private static void requireRelative(String path, String what) throws InvalidSpecException {
        if (path.isBlank() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
            throw new InvalidSpecException(what + " must be relative and must not contain '..': " + path);
        }
        if (path.startsWith("-")) { // shell tools in the compile step would read it as an option
            throw new InvalidSpecException(what + " must not start with '-': " + path);
        }
        if (path.chars().anyMatch(Character::isISOControl)) { // the compile step lists paths one per line
            throw new InvalidSpecException(what + " must not contain control characters: " + path.strip());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return blank(s) ? null : s;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Map<String, String> nonNull(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
