package dev.minimalimage.planning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.minimalimage.api.v1alpha1.Dockerfile;
import dev.minimalimage.api.v1alpha1.Dockerfile.StageSecurity;
import dev.minimalimage.api.v1alpha1.ImageTarget;
import dev.minimalimage.api.v1alpha1.MinimalImageSpec;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.dockerfile.DockerfileException;
import dev.minimalimage.dockerfile.DockerfilePlan;
import dev.minimalimage.dockerfile.DockerfilePlanner;
import dev.minimalimage.dockerfile.StageContainers;

/**
 * spec.dockerfile in the builder pod: the run-stage containers in the order they run (each in its stage's FROM
 * image, as the stage's user, at the Pod Security {@code security} level), and the arguments every step that reads
 * the Dockerfile gets ({@code dockerfileArgs}: the same file, build args and target, so every step plans the same
 * stages); {@code bundles}: linkPolicy Bundle, for which each stage hands on the libraries of the dynamic files it
 * hands on, from its own root, where they were linked against. Planned by the operator from the Dockerfile's text, so a Dockerfile the pod cannot run is refused before
 * any pod exists.
 */
public record DockerfileStages(List<StageContainers.Container> containers, StageSecurity security,
        String dockerfilePath, List<String> dockerfileArgs, boolean bundles, List<String> extraLibraries,
        String imageUser) {

    public DockerfileStages {
        containers = List.copyOf(containers);
        dockerfileArgs = List.copyOf(dockerfileArgs);
        extraLibraries = List.copyOf(extraLibraries);
    }

    /**
     * spec.image as the smoke test reads it: with the user the final stage's USER gives the image when it is numeric
     * (a name would need the image's /etc/passwd; the smoke test then runs as its non-root default, as it does for an
     * image without USER).
     */
    ImageTarget imageTarget(ImageTarget image) {
        ImageTarget copy = io.fabric8.kubernetes.client.utils.Serialization.clone(image);
        boolean numeric = imageUser != null && StageContainers.numeric(imageUser);
        copy.setUser(numeric ? imageUser : null);
        return copy;
    }

    /** The images of the containers, for the build's inputs (as a preset's toolchain image is). */
    public List<String> images() {
        return containers.stream().map(StageContainers.Container::image).toList();
    }

    /**
     * Plans {@code text} (the Dockerfile at {@code spec.dockerfile.path} in the context); {@code allowed}: the
     * operator's level, which the spec may only narrow.
     */
    static DockerfileStages plan(MinimalImageSpec spec, String text, StageSecurity allowed, List<String> extraLibraries)
            throws InvalidSpecException {
        Dockerfile dockerfile = spec.getDockerfile();
        refuseImageSettings(spec.getImage());
        StageSecurity security = security(dockerfile.getStageSecurity(), allowed);
        Map<String, String> buildArgs = dockerfile.getBuildArgs() == null ? Map.of() : dockerfile.getBuildArgs();
        StageContainers containers;
        DockerfilePlan plan;
        try {
            plan = DockerfilePlanner.plan(text, buildArgs, blankToNull(dockerfile.getTarget()));
            containers = StageContainers.of(plan);
        } catch (DockerfileException e) {
            throw new InvalidSpecException("spec.dockerfile " + path(dockerfile) + ": " + e.getMessage());
        }
        if (security == StageSecurity.RESTRICTED) {
            requireNonRoot(containers, dockerfile);
        }
        String inPod = BuilderLayout.STAGE_CONTEXT + "/" + path(dockerfile);
        List<String> args = new ArrayList<>(List.of("--dockerfile", inPod));
        new TreeMap<>(buildArgs).forEach((name, value) -> args.add("--build-arg=" + name + "=" + value));
        if (!blank(dockerfile.getTarget())) {
            args.add("--target=" + dockerfile.getTarget());
        }
        if (spec.getSource().getInline() != null) {
            args.add("--config-map-context");
        }
        boolean bundles = spec.getVerify() != null && spec.getVerify().getLinkPolicy() == Verify.LinkPolicy.BUNDLE;
        if (spec.getVerify() != null && spec.getVerify().getLinkPolicy() == Verify.LinkPolicy.ALLOW_DYNAMIC) {
            throw new InvalidSpecException("spec.verify.linkPolicy AllowDynamic: a Dockerfile build ships only files"
                    + " that run on scratch; link statically, or use linkPolicy Bundle to ship a dynamic file with its"
                    + " loader and libraries from the stage that built it");
        }
        return new DockerfileStages(containers.containers(), security, path(dockerfile), args, bundles,
                extraLibraries, plan.image().user());
    }

    static String path(Dockerfile dockerfile) {
        return blank(dockerfile.getPath()) ? Dockerfile.DEFAULT_PATH : dockerfile.getPath();
    }

    private static StageSecurity security(StageSecurity asked, StageSecurity allowed) throws InvalidSpecException {
        if (asked == null) {
            return allowed;
        }
        if (asked == StageSecurity.BASELINE && allowed == StageSecurity.RESTRICTED) {
            throw new InvalidSpecException("spec.dockerfile.stageSecurity: Baseline is wider than this operator"
                    + " allows (Restricted, the chart's builder.dockerfileStages): a spec may only narrow it");
        }
        return asked;
    }

    /**
     * Restricted: every stage with RUN lines runs them as a numeric user other than root; one without runs as the
     * builder's user (see StageSecurityContexts).
     */
    private static void requireNonRoot(StageContainers containers, Dockerfile dockerfile)
            throws InvalidSpecException {
        for (StageContainers.Container container : containers.containers()) {
            if (container.runsCommands() && (container.ids() == null || container.ids()[0] == 0)) {
                throw new InvalidSpecException("spec.dockerfile " + path(dockerfile) + ": stage " + container.key()
                        + " (FROM " + container.image() + ") would run as " + (container.user() == null
                                ? "its image's user, which may be root" : "root")
                        + "; at stageSecurity Restricted every stage with RUN lines needs a numeric non-root USER"
                        + " before them, e.g. USER 65532 (and a WORKDIR that user may write)");
            }
        }
    }

    /** The Dockerfile sets what the image runs; settings of spec.image that would compete with it are refused. */
    private static void refuseImageSettings(ImageTarget image) throws InvalidSpecException {
        List<String> set = new ArrayList<>();
        if (!blank(image.getPath())) set.add("path");
        if (image.getArgs() != null && !image.getArgs().isEmpty()) set.add("args");
        if (image.getEnv() != null && !image.getEnv().isEmpty()) set.add("env");
        if (!blank(image.getWorkingDir())) set.add("workingDir");
        if (!blank(image.getUser())) set.add("user");
        if (image.getPorts() != null && !image.getPorts().isEmpty()) set.add("ports");
        if (image.getLabels() != null && !image.getLabels().isEmpty()) set.add("labels");
        ImageTarget.Extras extras = image.getExtras();
        if (extras != null && (extras.isCaCertificates() || extras.isPasswd() || extras.isTmp()
                || extras.isTimezoneData())) {
            set.add("extras");
        }
        if (!set.isEmpty()) {
            throw new InvalidSpecException("spec.image." + String.join(", spec.image.", set) + ": with"
                    + " spec.dockerfile the Dockerfile's final stage sets the image (ENTRYPOINT, CMD, ENV, WORKDIR,"
                    + " USER, EXPOSE, LABEL, and the files it copies); remove them from spec.image");
        }
    }

    /** The packer's annotations: the user's, and for inline files their provenance (a git source's comes later). */
    static List<String> annotationArgs(SortedMap<String, String> annotations) {
        return annotations.entrySet().stream().map(e -> "--annotation=" + e.getKey() + "=" + e.getValue()).toList();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return blank(s) ? null : s;
    }
}
