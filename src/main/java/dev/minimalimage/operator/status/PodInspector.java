package dev.minimalimage.operator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.dockerfile.StageContainers;
import dev.minimalimage.operator.status.BuildOutcome.StageState;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.CompileExitCodes;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.Remedies;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Reads a builder pod the way a person would: which step it is in, which step failed and why, with the failing
 * container named and a `kubectl logs` hint. Results come from the termination messages the steps write.
 */
public final class PodInspector {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_LINES = 8;

    private PodInspector() {
    }

    static BuildOutcome inspect(Pod pod, boolean inlineSource) {
        Map<Stage, StageState> stages = BuildOutcome.allPending();
        if (inlineSource) {
            stages.put(Stage.SourceFetched, StageState.done(Reasons.INLINE_SOURCE));
        }
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        String podName = pod.getMetadata().getName();
        String namespace = pod.getMetadata().getNamespace();
        // a push the package step recorded stands: a deadline or an eviction that comes after it changes nothing
        boolean pushed = pod.getStatus() != null && pushRecorded(pod);
        // the operator stopped it after a step failed (BuilderLayout.ANNOTATION_STOPPED): that step's failure stands
        boolean stopped = stoppedAfterFailure(pod);
        if (!pushed && !stopped && KubeletReasons.DEADLINE_EXCEEDED.equals(status.getReason())) {
            String step = runningStep(pod);
            return failure(stages, stageOf(step), Reasons.TIMEOUT, "build exceeded its timeout of "
                    + pod.getSpec().getActiveDeadlineSeconds() + "s in step " + step + "; pod " + podName
                    + " was stopped. " + logsHint(namespace, podName, step), null);
        }
        if (!pushed && !stopped && KubeletReasons.EVICTED.equals(status.getReason())) {
            String step = runningStep(pod);
            return failure(stages, stageOf(step), Reasons.EVICTED, "pod " + podName + " was evicted during step "
                    + step + ": " + status.getMessage(), null);
        }
        String commit = null;
        List<ContainerStatus> ordered = steps(pod);
        if (stopped) { // the step the operator stopped the pod for comes first: the others were killed after it
            String failed = pod.getMetadata().getAnnotations().get(BuilderLayout.ANNOTATION_STOPPED);
            ordered.sort(java.util.Comparator.comparing(c -> !c.getName().equals(failed)));
        }
        for (ContainerStatus container : ordered) {
            String step = container.getName();
            ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
            KubeletReasons.Waiting wait = KubeletReasons.Waiting.of(waiting == null ? null : waiting.getReason());
            if (wait.pullFailure()) {
                String reason = BuilderLayout.COMPILE_CONTAINER.equals(step) ? Reasons.TOOLCHAIN_IMAGE_PULL_FAILED
                        : StageContainers.isKey(step) ? Reasons.BASE_IMAGE_PULL_FAILED
                        : Reasons.BUILDER_IMAGE_PULL_FAILED;
                return failure(stages, stageOf(step), reason, "cannot pull image " + container.getImage()
                        + " for step " + step + " of pod " + podName + ": " + waiting.getReason()
                        + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")"), null);
            }
            if (wait == KubeletReasons.Waiting.CANNOT_CREATE) {
                return failure(stages, stageOf(step), Reasons.CONFIGURATION_ERROR, "step " + step + " of pod "
                        + podName + " cannot start: " + waiting.getMessage(), null);
            }
            ContainerStateTerminated done = container.getState() == null ? null : container.getState().getTerminated();
            if (done == null) {
                continue;
            }
            // a child the kernel killed for memory inside a step that still ended with 0 (containerd then says
            // OOMKilled too) did not fail the step
            if (KubeletReasons.OOM_KILLED.equals(done.getReason()) && !Integer.valueOf(0).equals(done.getExitCode())) {
                return failure(stages, stageOf(step), Reasons.OUT_OF_MEMORY, "step " + step + " of pod " + podName
                        + " ran out of memory (OOMKilled); raise spec.build.resources.limits.memory. "
                        + logsHint(namespace, podName, step), null);
            }
            if (done.getExitCode() != null && done.getExitCode() != 0) {
                if (followsRunningStep(ordered, ordered.indexOf(container))) {
                    continue; // that step's own end names the reason
                }
                return stepFailed(stages, pod, step, done, commit);
            }
            commit = markDone(stages, step, done, commit);
        }
        if ("Succeeded".equals(status.getPhase()) && fetchesOnly(pod)) { // a git Dockerfile's resolve step
            ContainerStateTerminated done = terminated(pod, BuilderLayout.FETCH_CONTAINER);
            return new BuildOutcome(Phase.Succeeded, Reasons.DOCKERFILE_FETCHED, "read the Dockerfile at commit "
                    + commit, stages, null, commit, done == null ? null : done.getFinishedAt());
        }
        if ("Succeeded".equals(status.getPhase()) || pushed) {
            return succeeded(stages, pod, commit);
        }
        if ("Failed".equals(status.getPhase())) {
            return failure(stages, Stage.Pushed, Reasons.BUILD_FAILED, "pod " + podName + " failed: "
                    + status.getReason() + " " + status.getMessage(), commit);
        }
        return new BuildOutcome(Phase.Building, Reasons.BUILDING, "building in pod " + podName, stages, null, commit,
                null);
    }

    /**
     * The step whose failure ends the build while a later step of the pod still runs: the compile step (or a
     * Dockerfile's last stage) beside a packer that never learned of its end (killed before it could say). Empty when
     * there is none. A step that ended with a code of its own while a step before it still runs is not taken: it
     * only reported that step's exit code, and that step's own end (a moment later) names the real reason. A step
     * killed (out of memory, by a signal) is taken at once: the step before it may run for long.
     */
    public static java.util.Optional<String> failedWhileOthersRun(Pod pod) {
        // Pending too: the kubelet says Pending while any container waits (a pull backing off beside a failed step)
        boolean active = pod.getStatus() != null && ACTIVE_PHASES.contains(pod.getStatus().getPhase());
        if (!active || stoppedAfterFailure(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
            return java.util.Optional.empty();
        }
        List<ContainerStatus> steps = steps(pod);
        boolean othersRun = steps.stream().anyMatch(PodInspector::notEnded);
        for (int i = 0; othersRun && i < steps.size(); i++) {
            ContainerStatus step = steps.get(i);
            ContainerStateTerminated done = step.getState() == null ? null : step.getState().getTerminated();
            if (done == null || Integer.valueOf(0).equals(done.getExitCode())) {
                continue;
            }
            if (!followsRunningStep(steps, i)) {
                return java.util.Optional.of(step.getName());
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Whether {@code steps.get(i)} ended with a code of its own while a step before it still runs. Each of the pod's
     * regular containers waits for the exit code of the one before it (the compile step for the fetch's, the packer
     * for the compile step's or the last stage's), which that step writes just before it ends: a step that ended
     * meanwhile only reported that code (a compile step's shell ends before the fetch step's JVM has), and the
     * earlier step's own end, a moment later, decides.
     */
    private static boolean followsRunningStep(List<ContainerStatus> steps, int i) {
        ContainerStatus step = steps.get(i);
        ContainerStateTerminated done = step.getState() == null ? null : step.getState().getTerminated();
        // running, not merely not ended: a step that waits to start (or for its image) wrote no code to repeat
        return done != null && !killed(done) && steps.subList(0, i).stream().anyMatch(PodInspector::running);
    }

    /** The phases of a pod whose containers may still run or start. */
    private static final java.util.Set<String> ACTIVE_PHASES = java.util.Set.of("Pending", "Running");

    /** The largest signal number: exit codes 129 to 128 + this are a signal's; 128 is a container that never started. */
    private static final int MAX_SIGNAL = 64;

    /**
     * Ended by the kernel or a signal (128 + the signal), or never started (128): not by an exit code of its own. The
     * compile step's wrapper says its reasons with codes above 200 (CompileExitCodes), the packer with small ones.
     */
    private static boolean killed(ContainerStateTerminated done) {
        Integer code = done.getExitCode();
        return KubeletReasons.OOM_KILLED.equals(done.getReason()) || code == null
                || (code >= 128 && code <= 128 + MAX_SIGNAL);
    }

    private static boolean running(ContainerStatus container) {
        return container.getState() != null && container.getState().getRunning() != null;
    }

    /** Running, or waiting to start (or for its image): not terminated. */
    private static boolean notEnded(ContainerStatus container) {
        return container.getState() == null || container.getState().getTerminated() == null;
    }

    private static boolean stoppedAfterFailure(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(BuilderLayout.ANNOTATION_STOPPED);
    }

    /** A pod whose only container is the fetch step: the resolve step of a Dockerfile build from git. */
    private static boolean fetchesOnly(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getContainers().size() == 1
                && BuilderLayout.FETCH_CONTAINER.equals(pod.getSpec().getContainers().get(0).getName());
    }

    /** The Dockerfile the fetch step of {@code pod} reported (fetch --report-dockerfile), if it did. */
    public static java.util.Optional<String> fetchedDockerfile(Pod pod) {
        ContainerStateTerminated done = terminated(pod, BuilderLayout.FETCH_CONTAINER);
        try {
            JsonNode node = done == null || done.getMessage() == null ? null : JSON.readTree(done.getMessage().strip());
            return node != null && node.hasNonNull("dockerfile")
                    ? java.util.Optional.of(dev.minimalimage.result.FetchedDockerfile.decode(node.get("dockerfile")
                            .asText()))
                    : java.util.Optional.empty();
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Whether the package step ended with a result record of a successful push, and every step beside it (the
     * compile step or a Dockerfile's last stage, a fetch) ended well too: the exit code the packer waits for is a hint
     * the build could write early; the step's own end is the verdict.
     */
    private static boolean pushRecorded(Pod pod) {
        boolean besideOk = pod.getStatus().getContainerStatuses().stream()
                .filter(c -> !BuilderLayout.PACKAGE_CONTAINER.equals(c.getName()))
                .allMatch(c -> c.getState() != null && c.getState().getTerminated() != null
                        && Integer.valueOf(0).equals(c.getState().getTerminated().getExitCode()));
        return besideOk && steps(pod).stream()
                .filter(c -> BuilderLayout.PACKAGE_CONTAINER.equals(c.getName()) && c.getState() != null
                        && c.getState().getTerminated() != null)
                .map(c -> c.getState().getTerminated())
                .anyMatch(done -> done.getExitCode() != null && done.getExitCode() == 0
                        && parseResult(done.getMessage()) != null && parseResult(done.getMessage()).succeeded());
    }

    private static String markDone(Map<Stage, StageState> stages, String step, ContainerStateTerminated done,
            String commit) {
        if (StageContainers.isKey(step)) { // one more Dockerfile stage done; a later one may still fail
            stages.put(Stage.Compiled, StageState.done(Reasons.SUCCEEDED));
            return commit;
        }
        switch (step) {
            case BuilderLayout.FETCH_CONTAINER -> {
                stages.put(Stage.SourceFetched, StageState.done("Fetched"));
                return commitOf(done.getMessage());
            }
            case BuilderLayout.COMPILE_CONTAINER -> stages.put(Stage.Compiled, StageState.done(Reasons.SUCCEEDED));
            default -> { }
        }
        return commit;
    }

    private static BuildOutcome succeeded(Map<Stage, StageState> stages, Pod pod, String commit) {
        ContainerStateTerminated done = terminated(pod, BuilderLayout.PACKAGE_CONTAINER);
        BuildResult result = parseResult(done == null ? null : done.getMessage());
        if (result == null || !result.succeeded()) {
            return failure(stages, Stage.Pushed, Reasons.RESULT_UNREADABLE, "the package step of pod "
                    + pod.getMetadata().getName() + " succeeded but wrote no readable result record", commit);
        }
        String verdict = result.link() == null ? "Unknown" : result.link().verdict();
        boolean runnable = "Static".equals(verdict) || "StaticPie".equals(verdict);
        String bundled = result.link() != null && result.link().bundled() != null ? Reasons.BUNDLED : null;
        stages.put(Stage.LinkVerified, StageState.done(runnable ? verdict
                : bundled != null ? bundled : Reasons.ALLOWED_DYNAMIC));
        stages.put(Stage.Pushed, StageState.done(Reasons.SUCCEEDED));
        return new BuildOutcome(Phase.Succeeded, Reasons.BUILT, "pushed " + result.image(), stages, result, commit,
                done.getFinishedAt());
    }

    private static BuildOutcome stepFailed(Map<Stage, StageState> stages, Pod pod, String step,
            ContainerStateTerminated done, String commit) {
        String podName = pod.getMetadata().getName();
        String hint = logsHint(pod.getMetadata().getNamespace(), podName, step);
        String exit = " (exit code " + done.getExitCode() + ")";
        if (StageContainers.isKey(step)) {
            return stageFailed(stages, done, exit, hint, commit).withFinishedAt(done.getFinishedAt());
        }
        BuildOutcome outcome = switch (step) {
            case BuilderLayout.FETCH_CONTAINER -> failure(stages, Stage.SourceFetched, Reasons.SOURCE_FETCH_FAILED,
                    "fetching the source failed" + exit + ": " + tail(done.getMessage()) + " " + hint, commit);
            case BuilderLayout.RUNTIME_CONTAINER -> failure(stages, Stage.Compiled, Reasons.RUNTIME_COPY_FAILED,
                    "copying minimal-image into the pod (for bundle mode or a Dockerfile's stages) failed before the"
                            + " build's own steps ran"
                            + exit + (done.getReason() == null ? "" : ", " + done.getReason()) + ": "
                            + tail(done.getMessage()) + " " + hint, commit);
            case BuilderLayout.COMPILE_CONTAINER -> failure(stages, Stage.Compiled,
                    CompileExitCodes.reasonOf(done.getExitCode() == null ? 1 : done.getExitCode()).name(),
                    "compile step failed" + exit + ": " + errorLines(done.getMessage()) + "\n" + hint, commit);
            default -> packageFailed(stages, done, exit, hint, commit);
        };
        return outcome.withFinishedAt(done.getFinishedAt());
    }

    private static final java.util.Set<String> STAGE_REASONS = java.util.Set.of(Reasons.BUILD_STEP_FAILED,
            dev.minimalimage.result.ResultReason.InvalidDockerfile.name());

    /** A Dockerfile stage's container: its result record names the reason and the line; its log has the output. */
    private static BuildOutcome stageFailed(Map<Stage, StageState> stages, ContainerStateTerminated done, String exit,
            String hint, String commit) {
        BuildResult result = parseResult(done.getMessage());
        // the stage's RUN could write the termination log itself: only the reasons run-stage gives are taken
        if (result == null || !STAGE_REASONS.contains(result.reason())) {
            return failure(stages, Stage.Compiled, Reasons.BUILD_STEP_FAILED, "Dockerfile stage failed" + exit
                    + (done.getReason() == null ? "" : ", " + done.getReason()) + ": " + tail(done.getMessage())
                    + "\n" + hint, commit);
        }
        return failure(stages, Stage.Compiled, result.reason(), result.message() + "\n" + hint, commit);
    }

    private static BuildOutcome packageFailed(Map<Stage, StageState> stages, ContainerStateTerminated done, String exit,
            String hint, String commit) {
        BuildResult result = parseResult(done.getMessage());
        if (result == null || result.reason() == null) {
            return failure(stages, Stage.Pushed, Reasons.BUILD_FAILED, "package step failed" + exit + ": "
                    + tail(done.getMessage()) + " " + hint, commit);
        }
        boolean linkProblem = Reasons.DYNAMIC_DEPENDENCY.equals(result.reason())
                || Reasons.UNSUPPORTED_BINARY.equals(result.reason());
        stages.put(Stage.Compiled, StageState.done(Reasons.SUCCEEDED));
        if (!linkProblem && result.link() != null) {
            stages.put(Stage.LinkVerified, StageState.done(result.link().verdict()));
        }
        // the packing end speaks CLI; on the resource the choices are spec fields
        String message = result.message().replace(Remedies.DYNAMIC_BINARY, " (link statically, or set"
                + " spec.verify.linkPolicy: Bundle to ship it with its loader and libraries, or AllowDynamic to ship it"
                + " anyway)");
        BuildOutcome failed = failure(stages, linkProblem ? Stage.LinkVerified : Stage.Pushed, result.reason(),
                message + (linkProblem ? "" : "\n" + hint), commit);
        return new BuildOutcome(failed.phase(), failed.reason(), failed.message(), failed.stages(), result, commit, null);
    }

    private static BuildOutcome failure(Map<Stage, StageState> stages, Stage stage, String reason, String message,
            String commit) {
        stages.put(stage, StageState.failed(reason, message));
        return new BuildOutcome(Phase.Failed, reason, message, stages, null, commit, null);
    }

    /** The compiler's error lines from the log tail the kubelet put in the termination message. */
    static String errorLines(String log) {
        if (log == null || log.isBlank()) {
            return "(no output)";
        }
        List<String> lines = log.lines().toList();
        List<String> errors = new ArrayList<>();
        for (String line : lines) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if ((lower.contains("error") || lower.contains("undefined reference")) && errors.size() < MAX_ERROR_LINES) {
                errors.add(line.strip());
            }
        }
        return String.join("\n", errors.isEmpty() ? lines.subList(Math.max(0, lines.size() - 5), lines.size()) : errors);
    }

    private static String tail(String message) {
        if (message == null || message.isBlank()) {
            return "(no output)";
        }
        List<String> lines = message.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    static String logsHint(String namespace, String pod, String container) {
        return "See: kubectl logs -n " + namespace + " " + pod + " -c " + container;
    }

    private static BuildResult parseResult(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        try {
            return BuildResult.parse(message.strip());
        } catch (Exception e) {
            return null;
        }
    }

    private static String commitOf(String message) {
        try {
            JsonNode node = message == null ? null : JSON.readTree(message.strip());
            return node != null && node.hasNonNull("commit") ? node.get("commit").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The steps' statuses in the order the pod runs them (the kubelet lists regular containers by name): the compile
     * step before the packer beside it, whose failure follows from the compile step's.
     */
    private static List<ContainerStatus> steps(Pod pod) {
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        List<ContainerStatus> all = new ArrayList<>(status.getInitContainerStatuses());
        List<String> order = pod.getSpec() == null ? List.of() : pod.getSpec().getContainers().stream()
                .map(io.fabric8.kubernetes.api.model.Container::getName).toList();
        status.getContainerStatuses().stream()
                .sorted(java.util.Comparator.comparingInt(c -> order.indexOf(c.getName())))
                .forEach(all::add);
        return all;
    }

    private static ContainerStateTerminated terminated(Pod pod, String container) {
        return steps(pod).stream().filter(c -> container.equals(c.getName()))
                .map(c -> c.getState() == null ? null : c.getState().getTerminated()).filter(java.util.Objects::nonNull)
                .findFirst().orElse(null);
    }

    /** The step that was running (or last to run) when the pod was stopped. */
    private static String runningStep(Pod pod) {
        String last = BuilderLayout.COMPILE_CONTAINER;
        String firstUnfinished = null;
        for (ContainerStatus container : steps(pod)) {
            if (container.getState() != null && container.getState().getRunning() != null) {
                return container.getName();
            }
            ContainerStateTerminated done = container.getState() == null ? null : container.getState().getTerminated();
            if (done != null) {
                last = container.getName();
            }
            if (firstUnfinished == null && (done == null || !Integer.valueOf(0).equals(done.getExitCode()))) {
                firstUnfinished = container.getName();
            }
        }
        // all killed: the first step that had not ended well is the one the time ran out in (not the packer beside it)
        return firstUnfinished != null ? firstUnfinished : last;
    }

    private static Stage stageOf(String step) {
        return switch (step) {
            case BuilderLayout.FETCH_CONTAINER -> Stage.SourceFetched;
            case BuilderLayout.RUNTIME_CONTAINER, BuilderLayout.COMPILE_CONTAINER -> Stage.Compiled;
            default -> StageContainers.isKey(step) ? Stage.Compiled : Stage.Pushed;
        };
    }
}
