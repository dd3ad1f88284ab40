package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.minimalimage.dockerfile.DockerfileException.Kind;
import dev.minimalimage.dockerfile.DockerfilePlan.Copy;
import dev.minimalimage.dockerfile.DockerfilePlan.Run;
import dev.minimalimage.dockerfile.DockerfilePlan.Stage;

/**
 * How a {@link DockerfilePlan} runs in a builder pod, where every container has one image and one user for its
 * whole life: each stage FROM an image is a container of that image (its COPY, WORKDIR and RUN steps run in the
 * container's own root, as docker runs them in a container of the stage), each image that a COPY --from names is a
 * container that only hands its files on, and the stages FROM scratch are the packer's (no RUN there: no shell).
 * What a container hands on goes through a {@link Handoff}. The containers are in the order they must run.
 * <p>
 * Refused here (with the line), because a pod cannot do it: a stage FROM another stage that starts from an image
 * (its root lives in another container), RUN lines of one stage as different users, and a user given by name (the
 * kubelet takes numbers; it does not read the image's /etc/passwd).
 */
public record StageContainers(List<Container> containers) {

    public StageContainers {
        containers = List.copyOf(containers);
    }

    /**
     * One container: {@code key} (its name in the pod and its hand-over directory), {@code image}, the plan's
     * {@code stage} index or null for an image COPY --from reads, and the {@code user} its RUN lines run as
     * ("UID" or "UID:GID"; null: the image's own user).
     */
    public record Container(String key, String image, Integer stage, String user, List<String> handsOn,
            boolean runsCommands) {
        public Container {
            handsOn = List.copyOf(handsOn);
        }

        public boolean runsSteps() {
            return stage != null;
        }

        /** Whether it runs the Dockerfile's RUN lines (the user's programs), not only COPY and WORKDIR. */
        public boolean runsCommands() {
            return runsCommands;
        }

        /** The user as numbers {uid, gid}, or null for the image's user. */
        public long[] ids() {
            if (user == null) {
                return null;
            }
            String[] parts = user.split(":", 2);
            long uid = Long.parseLong(parts[0]);
            return new long[] { uid, parts.length == 2 ? Long.parseLong(parts[1]) : uid };
        }
    }

    private static final String STAGE_PREFIX = "stage-";
    private static final String IMAGE_PREFIX = "image-";

    public static String stageKey(int index) {
        return STAGE_PREFIX + index;
    }

    static String imageKey(int position) {
        return IMAGE_PREFIX + position;
    }

    /** Whether {@code name} (a builder pod's container) is one of these containers: the keys are made only here. */
    public static boolean isKey(String name) {
        for (String prefix : List.of(STAGE_PREFIX, IMAGE_PREFIX)) {
            if (name.startsWith(prefix) && name.length() > prefix.length()
                    && name.substring(prefix.length()).chars().allMatch(Character::isDigit)) {
                return true;
            }
        }
        return false;
    }

    public static StageContainers of(DockerfilePlan plan) throws DockerfileException {
        List<Container> containers = new ArrayList<>();
        Map<String, String> imageKeys = imageKeys(plan);
        refuseWildcardSources(plan);
        imageKeys.forEach((image, key) -> containers.add(new Container(key, image, null, null, sources(plan
                .stages().stream().flatMap(s -> s.steps().stream()).filter(Copy.class::isInstance)
                .map(Copy.class::cast).filter(c -> image.equals(c.fromImage())).toList()), false)));
        Set<Integer> inContainers = new LinkedHashSet<>();
        for (Stage stage : plan.stages()) {
            if (stage.base().stage() != null && inContainers.contains(stage.base().stage())) {
                throw new DockerfileException(Kind.UNSUPPORTED, stage.line(), 0, "FROM " + plan.stage(stage.base()
                        .stage()).label() + ": in the cluster each stage that starts from an image runs in a"
                        + " container of its own, so a later stage cannot start from its root; start this stage"
                        + " FROM that image too and COPY --from the files it needs (the local build runs it as"
                        + " written)");
            }
            if (stage.base().image() != null) {
                refuseCopiesFromThePacker(plan, stage, inContainers);
                inContainers.add(stage.index());
                containers.add(new Container(stageKey(stage.index()), stage.base().image(), stage.index(),
                        user(stage), sources(plan.copiesFrom(stage.index())), stage.hasRun()));
            } else if (stage.hasRun()) {
                Run run = stage.steps().stream().filter(Run.class::isInstance).map(Run.class::cast).findFirst()
                        .orElseThrow();
                throw new DockerfileException(Kind.UNSUPPORTED, run.line(), 0, "RUN in " + stage.label() + ", which"
                        + " starts FROM scratch: there is no shell or program to run there; RUN it in a stage FROM"
                        + " an image and COPY --from the result");
            }
        }
        return new StageContainers(containers);
    }

    /**
     * A stage in a container copies from containers that ran before it; a stage FROM scratch is built by the packer,
     * which runs last.
     */
    private static void refuseCopiesFromThePacker(DockerfilePlan plan, Stage stage, java.util.Set<Integer> inContainers)
            throws DockerfileException {
        for (Copy copy : stage.steps().stream().filter(Copy.class::isInstance).map(Copy.class::cast).toList()) {
            if (copy.fromStage() != null && !inContainers.contains(copy.fromStage())) {
                throw new DockerfileException(Kind.UNSUPPORTED, copy.line(), 0, "COPY --from=" + plan.stage(copy
                        .fromStage()).label() + " in " + stage.label() + ", which starts from an image: in the"
                        + " cluster the stages FROM scratch are put together last, after the stages that run in"
                        + " containers; copy those files from the context or from the stage that made them");
            }
        }
    }

    /** COPY --from names paths, not patterns, here as on the command line: said before anything runs. */
    private static void refuseWildcardSources(DockerfilePlan plan) throws DockerfileException {
        for (Copy copy : plan.stages().stream().flatMap(s -> s.steps().stream()).filter(Copy.class::isInstance)
                .map(Copy.class::cast).filter(c -> c.fromStage() != null || c.fromImage() != null).toList()) {
            for (String source : copy.sources()) {
                if (GlobPattern.of(source).hasWildcards()) {
                    throw new DockerfileException(Kind.UNSUPPORTED, copy.line(), 0, "COPY --from: wildcards ("
                            + source + ") are supported for sources in the build context only; name the path");
                }
            }
        }
    }

    /** The key of each distinct image COPY --from reads, in order of first use. */
    private static Map<String, String> imageKeys(DockerfilePlan plan) {
        Map<String, String> keys = new LinkedHashMap<>();
        plan.stages().stream().flatMap(s -> s.steps().stream()).filter(Copy.class::isInstance).map(Copy.class::cast)
                .filter(c -> c.fromImage() != null)
                .forEach(c -> keys.computeIfAbsent(c.fromImage(), image -> imageKey(keys.size())));
        return keys;
    }

    /** The key of the container that hands on what {@code copy} reads (null: it reads the context). */
    public static String sourceKey(DockerfilePlan plan, Copy copy) {
        if (copy.fromStage() != null) {
            return stageKey(copy.fromStage());
        }
        return copy.fromImage() == null ? null : imageKeys(plan).get(copy.fromImage());
    }

    private static List<String> sources(List<Copy> copies) {
        return copies.stream().flatMap(c -> c.sources().stream()).map(DockerfilePlanner::normalize).distinct()
                .toList();
    }

    /** The one user the stage's RUN lines run as, in numbers; null when none names one (the image's user). */
    private static String user(Stage stage) throws DockerfileException {
        String user = null;
        Run first = null;
        for (Run run : stage.steps().stream().filter(Run.class::isInstance).map(Run.class::cast).toList()) {
            String named = run.user() == null || run.user().isEmpty() ? null : run.user();
            if (named != null && !numeric(named)) {
                throw new DockerfileException(Kind.UNSUPPORTED, run.line(), 0, "RUN as USER " + named + ": in the"
                        + " cluster a stage runs as a user given by number (the kubelet does not read the image's"
                        + " /etc/passwd); write USER with the number, e.g. USER 65534");
            }
            if (first != null && !java.util.Objects.equals(user, named)) {
                throw new DockerfileException(Kind.UNSUPPORTED, run.line(), 0, "RUN as " + shown(named)
                        + " after RUN as " + shown(user) + " (line " + first.line() + "): in the cluster a stage"
                        + " runs in one container as one user; split the stage, or run its RUN lines as one user");
            }
            if (first == null) {
                first = run;
                user = named;
            }
        }
        return user;
    }

    private static String shown(String user) {
        return user == null ? "the image's user" : "USER " + user;
    }

    /** "UID" or "UID:GID" in digits, as the kubelet takes a user. */
    public static boolean numeric(String user) {
        String[] parts = user.split(":", 2);
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }
}
