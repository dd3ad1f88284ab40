package dev.minimalimage.dockerfile;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to build for one Dockerfile, build args and target, with every variable substituted: the stages the target
 * needs, in dependency order (the last one is the target; stages nothing needs are left out), and the config of the
 * image, which comes from the final stage alone. Made to be carried out stage by stage, locally or by one container
 * per stage: each stage names its base, its steps, and {@link #copiesFrom} tells what later stages take from it.
 */
public record DockerfilePlan(List<Stage> stages, ImageSpec image, List<String> warnings) {

    public DockerfilePlan {
        stages = List.copyOf(stages);
        warnings = List.copyOf(warnings);
    }

    public Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    /** The stage with this index in the Dockerfile (its position among all FROMs). */
    public Stage stage(int index) {
        return stages.stream().filter(s -> s.index() == index).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("stage " + index + " is not part of the plan"));
    }

    /** The COPY/ADD --from steps of later stages that read from stage {@code index}. */
    public List<Copy> copiesFrom(int index) {
        return stages.stream().flatMap(s -> s.steps().stream()).filter(Copy.class::isInstance).map(Copy.class::cast)
                .filter(c -> c.fromStage() != null && c.fromStage() == index).toList();
    }

    /**
     * One FROM and what follows it. {@code name}: the AS name or null; {@code line}: its FROM line.
     */
    public record Stage(int index, String name, int line, Base base, List<Step> steps) {
        public Stage {
            steps = List.copyOf(steps);
        }

        /** "build" or "stage 0", for messages. */
        public String label() {
            return name != null ? name : "stage " + index;
        }

        public boolean hasRun() {
            return steps.stream().anyMatch(Run.class::isInstance);
        }
    }

    /**
     * What a stage starts from: exactly one of {@code scratch}, an earlier {@code stage} (its index) or an
     * {@code image} reference; {@code platform} from FROM --platform or null.
     */
    public record Base(boolean scratch, Integer stage, String image, String platform) {
        static Base ofScratch(String platform) {
            return new Base(true, null, null, platform);
        }
    }

    /** A change to a stage's files, in order; ENV, USER and the like are folded into the steps they affect. */
    public sealed interface Step permits Run, Copy, Workdir {
        int line();
    }

    /**
     * A RUN: {@code argv} (the shell form already wrapped in the stage's SHELL), run in {@code workingDir} as
     * {@code user} (null: the base's) with {@code env} (the Dockerfile's ENV over the base image's, and the ARGs in
     * scope where no ENV sets them), the network on or off ({@code --network=none}).
     */
    public record Run(int line, List<String> argv, Map<String, String> env, String workingDir, String user,
            boolean network) implements Step {
        public Run {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }
    }

    /**
     * A COPY or ADD ({@code add}): {@code sources} relative to the context (or absolute in the stage
     * {@code fromStage}, or in the image {@code fromImage}), or the heredoc's {@code content} for one file;
     * {@code destination} absolute, a directory when {@code intoDirectory}; {@code chown} as written (null: root),
     * {@code chmod} the mode bits or null.
     */
    public record Copy(int line, boolean add, List<String> sources, String content, Integer fromStage,
            String fromImage, String destination, boolean intoDirectory, String chown, Integer chmod)
            implements Step {
        public Copy {
            sources = List.copyOf(sources);
        }

        public boolean fromContext() {
            return fromStage == null && fromImage == null && content == null;
        }
    }

    /** A WORKDIR: the directory is created if missing. */
    public record Workdir(int line, String path) implements Step {
    }

    /** The final image's config, as docker would write it. Empty lists and maps when the Dockerfile sets nothing. */
    public record ImageSpec(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
            String user, SortedSet<String> exposedPorts, SortedMap<String, String> labels, String stopSignal) {
        public ImageSpec {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
            exposedPorts = new TreeSet<>(exposedPorts);
            labels = new TreeMap<>(labels);
        }

        /** What a runtime starts: the entrypoint then cmd (the first word is the program). */
        public List<String> argv() {
            List<String> argv = new java.util.ArrayList<>(entrypoint);
            argv.addAll(cmd);
            return argv;
        }
    }
}
