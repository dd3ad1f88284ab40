package dev.minimalimage.operator;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.SmokeTestPlan;
import dev.minimalimage.result.OutputTail;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Reads the smoke-test pod: still running, passed, or failed and why (the kubelet's own words for a container that
 * never ran). Pure: pod, test and clock in, verdict out; the output comes from the termination message (the kubelet
 * puts the log tail there for a failing run) or, when that is empty, from {@code logs}, asked only then.
 */
final class SmokeInspector {

    enum State { RUNNING, PASSED, FAILED }

    /** {@code exitCode} and {@code output} when known; {@code finishedAt} when the program exited. */
    record Verdict(State state, String reason, String message, Integer exitCode, String output, String finishedAt) {
        boolean decided() {
            return state != State.RUNNING;
        }
    }

    private static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull");
    private static final Set<String> CANNOT_CREATE = Set.of("CreateContainerError", "CreateContainerConfigError",
            "RunContainerError");
    /** How runc / containerd and dockershim report a process that could not be started. */
    private static final Set<String> CANNOT_RUN = Set.of("StartError", "ContainerCannotRun");

    private SmokeInspector() {
    }

    static Verdict inspect(Optional<Pod> found, SmokeTestPlan test, String podName, Instant now,
            Supplier<Optional<String>> logs) {
        if (found.isEmpty()) {
            return running(null, "creating smoke-test pod " + podName);
        }
        Pod pod = found.get();
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        ContainerStatus container = status.getContainerStatuses().stream()
                .filter(c -> BuilderLayout.SMOKE_CONTAINER.equals(c.getName())).findFirst().orElse(null);
        ContainerStateWaiting waiting = container == null || container.getState() == null ? null
                : container.getState().getWaiting();
        ContainerStateTerminated done = container == null || container.getState() == null ? null
                : container.getState().getTerminated();
        if (waiting != null && PULL_FAILURES.contains(waiting.getReason())) {
            return failed(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED, "cannot pull the produced image "
                    + container.getImage() + " for the smoke test in pod " + podName + ": " + waiting.getReason()
                    + kubeletSays(waiting.getMessage()), null, null, null);
        }
        if (waiting != null && CANNOT_CREATE.contains(waiting.getReason())) {
            return failed(Reasons.SMOKE_TEST_CANNOT_START, "the smoke-test container of pod " + podName
                    + " cannot start: " + waiting.getReason() + kubeletSays(waiting.getMessage()), null, null, null);
        }
        if (done != null && CANNOT_RUN.contains(done.getReason())) {
            return failed(Reasons.SMOKE_TEST_CANNOT_START, "the program in the image never ran (" + done.getReason()
                    + kubeletSays(done.getMessage()) + ")" + (done.getMessage() != null
                    && done.getMessage().contains("no such file or directory") ? "; a dynamically linked binary on"
                    + " scratch lacks its interpreter, or spec.image.path is wrong" : ""), done.getExitCode(), null,
                    done.getFinishedAt());
        }
        if ("DeadlineExceeded".equals(status.getReason())) {
            String output = output(done, logs);
            return failed(Reasons.SMOKE_TEST_TIMEOUT, "the program did not exit within spec.verify.smokeTest.timeout ("
                    + test.timeoutSeconds() + "s); pod " + podName + " was stopped" + outputNote(output),
                    done == null ? null : done.getExitCode(), output, done == null ? null : done.getFinishedAt());
        }
        if (done != null) {
            return exited(done, test, output(done, logs));
        }
        boolean runningNow = container != null && container.getState() != null
                && container.getState().getRunning() != null;
        Optional<Instant> deadline = deadline(pod, test);
        if (test.expectRunning() && runningNow && deadline.isPresent() && !now.isBefore(deadline.get())) {
            String output = OutputTail.of(logs.get().orElse(null));
            return matches(test, output) ? new Verdict(State.PASSED, Reasons.SMOKE_TEST_PASSED, "still running after "
                    + test.timeoutSeconds() + "s as expected" + patternNote(test), null, output, null)
                    : failed(Reasons.SMOKE_TEST_FAILED, "still running after " + test.timeoutSeconds() + "s as"
                    + " expected, but its output does not match spec.verify.smokeTest.outputPattern "
                    + test.outputPattern().pattern() + outputNote(output), null, output, null);
        }
        if ("Failed".equals(status.getPhase())) {
            return failed(Reasons.SMOKE_TEST_FAILED, "smoke-test pod " + podName + " failed: " + status.getReason()
                    + kubeletSays(status.getMessage()), null, null, null);
        }
        return running(runningNow ? null : container, "smoke test " + (runningNow ? "running" : "starting")
                + " in pod " + podName + (test.expectRunning() && deadline.isPresent() ? "; passes if still running at "
                + deadline.get() : ""));
    }

    /** When an expectRunning test passes: the pod's creation plus the timeout. */
    static Optional<Instant> deadline(Pod pod, SmokeTestPlan test) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? Optional.empty()
                : Optional.of(Instant.parse(created).plusSeconds(test.timeoutSeconds()));
    }

    private static Verdict exited(ContainerStateTerminated done, SmokeTestPlan test, String output) {
        int code = done.getExitCode() == null ? -1 : done.getExitCode();
        if (test.expectRunning()) {
            return failed(Reasons.SMOKE_TEST_FAILED, "exited before the deadline (exit code " + code + " within "
                    + test.timeoutSeconds() + "s); expected it still running" + outputNote(output), code, output,
                    done.getFinishedAt());
        }
        if (code != test.expectedExitCode()) {
            return failed(Reasons.SMOKE_TEST_FAILED, "exit code " + code + ", expected " + test.expectedExitCode()
                    + outputNote(output), code, output, done.getFinishedAt());
        }
        if (!matches(test, output)) {
            return failed(Reasons.SMOKE_TEST_FAILED, "exit code " + code + " as expected, but the output does not"
                    + " match spec.verify.smokeTest.outputPattern " + test.outputPattern().pattern()
                    + outputNote(output), code, output, done.getFinishedAt());
        }
        return new Verdict(State.PASSED, Reasons.SMOKE_TEST_PASSED, "exit code " + code + " as expected"
                + patternNote(test), code, output, done.getFinishedAt());
    }

    private static boolean matches(SmokeTestPlan test, String output) {
        return test.outputPattern() == null || output != null && test.outputPattern().matcher(output).find();
    }

    /** The termination message (the log tail of a failed run), else the log, as its last lines. */
    private static String output(ContainerStateTerminated done, Supplier<Optional<String>> logs) {
        String message = done == null ? null : done.getMessage();
        return OutputTail.of(message == null || message.isBlank() ? logs.get().orElse(null) : message);
    }

    private static String patternNote(SmokeTestPlan test) {
        return test.outputPattern() == null ? "" : ", output matches " + test.outputPattern().pattern();
    }

    private static String outputNote(String output) {
        return output == null ? "; no output" : "; output:\n" + output;
    }

    private static String kubeletSays(String message) {
        return message == null || message.isBlank() ? "" : ": " + message.strip();
    }

    private static Verdict running(ContainerStatus waiting, String message) {
        String why = waiting != null && waiting.getState() != null && waiting.getState().getWaiting() != null
                && waiting.getState().getWaiting().getReason() != null
                ? " (" + waiting.getState().getWaiting().getReason() + ")" : "";
        return new Verdict(State.RUNNING, Reasons.SMOKE_TESTING, message + why, null, null, null);
    }

    private static Verdict failed(String reason, String message, Integer exitCode, String output, String finishedAt) {
        return new Verdict(State.FAILED, reason, message, exitCode, output, finishedAt);
    }
}
