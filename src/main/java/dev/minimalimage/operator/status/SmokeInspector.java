package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.SmokeTestPlan;
import dev.minimalimage.result.OutputTail;
import dev.minimalimage.result.SmokeTestJudgement;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * Reads the smoke-test pod: still running, passed, or failed and why (the kubelet's own words for a container that
 * never ran). Pure: pod, test, budgets and clock in, verdict out; the output comes from the termination message (the kubelet
 * puts the log tail there for a failing run) or, when that is empty, from {@code logs}, asked only then.
 */
public final class SmokeInspector {

    enum State { RUNNING, PASSED, FAILED }

    /**
     * {@code exitCode} and {@code output} when known (of the home platform's run, the one status.smokeTest
     * describes); {@code finishedAt} when the program exited; {@code platforms}, for a multi-platform image, each
     * platform's part ({@link PlatformSmokeTests}), else null.
     */
    record Verdict(State state, String reason, String message, Integer exitCode, String output, String finishedAt,
            List<PlatformSmokeTests.PlatformSmoke> platforms) {

        Verdict(State state, String reason, String message, Integer exitCode, String output, String finishedAt) {
            this(state, reason, message, exitCode, output, finishedAt, null);
        }

        boolean decided() {
            return state != State.RUNNING;
        }
    }

    /**
     * spec.build.startTimeout and pullTimeout, reused for the smoke-test pod and counted from its creation (pulling
     * the produced image is the first thing it does): without them a pod no node takes, or whose pull keeps failing,
     * would leave the resource SmokeTesting for ever, as activeDeadlineSeconds never starts counting for a pod that
     * is not scheduled, and a server's smoke pod (expectRunning) has none.
     */
    record Budget(Duration start, Duration pull) {
    }

    private static final String PATTERN_FIELD = "spec.verify.smokeTest.outputPattern";

    private SmokeInspector() {
    }

    static Verdict inspect(Optional<Pod> found, SmokeTestPlan test, String podName, Budget budget, Instant now,
            Supplier<Optional<String>> logs) {
        if (found.isEmpty()) {
            return running(null, "creating smoke-test pod " + podName);
        }
        Pod pod = found.get();
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        ContainerStatus container = smokeContainer(pod);
        ContainerStateWaiting waiting = container == null || container.getState() == null ? null
                : container.getState().getWaiting();
        ContainerStateTerminated done = container == null || container.getState() == null ? null
                : container.getState().getTerminated();
        String where = where(pod);
        Optional<Verdict> emulator = emulatorProblem(pod, budget, now);
        if (emulator.isPresent()) {
            return emulator.get();
        }
        Optional<Verdict> stuck = waiting == null ? Optional.empty() : stuck(pod, container, waiting, budget, now);
        if (stuck.isPresent()) {
            return stuck.get();
        }
        if (done != null && KubeletReasons.CANNOT_RUN.contains(done.getReason())) {
            return neverRan(done, pod);
        }
        if (KubeletReasons.DEADLINE_EXCEEDED.equals(status.getReason()) && !programStarted(container)) {
            // activeDeadlineSeconds counts from the pod's start, so a slow pull or creation can spend it all
            return failed(Reasons.SMOKE_TEST_CANNOT_START, "the " + where + " reached its deadline ("
                    + "spec.verify.smokeTest.timeout, " + test.timeoutSeconds() + "s, counted from the pod's start)"
                    + " before the program started" + waitingNote(waiting) + ". " + describeHint(pod), null, null,
                    null);
        }
        if (KubeletReasons.DEADLINE_EXCEEDED.equals(status.getReason())) {
            String output = output(done, logs);
            return failed(Reasons.SMOKE_TEST_TIMEOUT, "the program did not exit within spec.verify.smokeTest.timeout ("
                    + test.timeoutSeconds() + "s); the " + where + " was stopped. " + logsHint(pod)
                    + outputNote(output), done == null ? null : done.getExitCode(), output,
                    done == null ? null : done.getFinishedAt());
        }
        if (done != null) {
            return exited(done, test, output(done, logs), pod);
        }
        boolean runningNow = container != null && container.getState() != null
                && container.getState().getRunning() != null;
        Optional<Instant> deadline = deadline(container, test);
        if (test.expectRunning() && runningNow && deadline.isPresent() && !now.isBefore(deadline.get())) {
            return stillRunning(test, OutputTail.of(logs.get().orElse(null)), pod);
        }
        Optional<StartCheck.NotStarted> late = StartCheck.notStarted(pod, "smoke-test pod", budget.start(), now,
                Optional::empty);
        if (late.isPresent()) {
            // the scheduler's or kubelet's words; the image's program was never tried
            return failed(Reasons.SMOKE_TEST_CANNOT_START, late.get().message(), null, null, null);
        }
        if ("Failed".equals(status.getPhase())) {
            return failed(Reasons.SMOKE_TEST_FAILED, "smoke-test pod " + podName + " failed: " + status.getReason()
                    + kubeletSays(status.getMessage()) + ". " + describeHint(pod), null, null, null);
        }
        return running(runningNow ? null : container, "smoke test " + (runningNow ? "running" : "starting")
                + " in pod " + podName + (test.expectRunning() && deadline.isPresent() ? "; passes if still running at "
                + deadline.get() : ""));
    }

    /**
     * The next moment the verdict of a pod still undecided can change without an event from the pod: a server's
     * deadline, or the end of the start or pull budget; empty when none lies ahead.
     */
    static Optional<Instant> nextDeadline(Pod pod, SmokeTestPlan test, Budget budget, Instant now) {
        List<Instant> candidates = new ArrayList<>();
        if (test.expectRunning()) {
            deadline(smokeContainer(pod), test).ifPresent(candidates::add);
        }
        String created = pod.getMetadata().getCreationTimestamp();
        if (created != null && !StartCheck.started(pod)) {
            candidates.add(Instant.parse(created).plus(budget.start()));
            candidates.add(Instant.parse(created).plus(budget.pull()));
        }
        return candidates.stream().filter(now::isBefore).min(Instant::compareTo);
    }

    /**
     * An emulated run's init container that could not put the emulator in place (the emulator image cannot be pulled,
     * or lacks the platform's qemu): the program was never tried, so SmokeTestCannotStart, naming the operator's
     * setting. Empty for a pod without one, or one that is fine or still waiting within the pull budget.
     */
    private static Optional<Verdict> emulatorProblem(Pod pod, Budget budget, Instant now) {
        ContainerStatus emulator = pod.getStatus() == null ? null : pod.getStatus().getInitContainerStatuses().stream()
                .filter(c -> BuilderLayout.EMULATOR_CONTAINER.equals(c.getName())).findFirst().orElse(null);
        if (emulator == null || emulator.getState() == null) {
            return Optional.empty();
        }
        String what = "the " + BuilderLayout.EMULATOR_CONTAINER + " container of smoke-test pod "
                + pod.getMetadata().getName() + " (the operator's smokeTest.emulatorImage, " + emulator.getImage() + ")";
        ContainerStateTerminated done = emulator.getState().getTerminated();
        if (done != null && done.getExitCode() != null && done.getExitCode() != 0) {
            return Optional.of(failed(Reasons.SMOKE_TEST_CANNOT_START, what + " could not copy the emulator (exit code "
                    + done.getExitCode() + kubeletSays(OutputTail.of(done.getMessage())) + "). "
                    + PodInspector.logsHint(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                            BuilderLayout.EMULATOR_CONTAINER), null, null, null));
        }
        ContainerStateWaiting waiting = emulator.getState().getWaiting();
        KubeletReasons.Waiting wait = waiting == null ? null : KubeletReasons.Waiting.of(waiting.getReason());
        if (wait == null || !wait.pullFailure()) {
            return Optional.empty();
        }
        String created = pod.getMetadata().getCreationTimestamp();
        boolean spent = created == null || !now.isBefore(Instant.parse(created).plus(budget.pull()));
        if (wait != KubeletReasons.Waiting.PULL_REFUSED && !spent) {
            return Optional.of(running(null, "cannot pull " + what + ": " + waiting.getReason()
                    + "; the kubelet keeps retrying"));
        }
        return Optional.of(failed(Reasons.SMOKE_TEST_CANNOT_START, "cannot pull " + what + ": " + waiting.getReason()
                + kubeletSays(waiting.getMessage()) + ". " + describeHint(pod), null, null, null));
    }

    /** A container the kubelet cannot pull or create: its verdict, or empty for an ordinary wait. */
    private static Optional<Verdict> stuck(Pod pod, ContainerStatus container, ContainerStateWaiting waiting,
            Budget budget, Instant now) {
        KubeletReasons.Waiting wait = KubeletReasons.Waiting.of(waiting.getReason());
        if (wait.pullFailure()) {
            return Optional.of(pullFailing(pod, container, waiting, budget, now));
        }
        if (wait == KubeletReasons.Waiting.CANNOT_CREATE) {
            return Optional.of(failed(Reasons.SMOKE_TEST_CANNOT_START, "the " + where(pod) + " cannot start: "
                    + waiting.getReason() + kubeletSays(waiting.getMessage()) + ". " + describeHint(pod), null, null,
                    null));
        }
        return Optional.empty();
    }

    /**
     * The kubelet retries a failed pull of the produced image by itself; the smoke test fails once the pull budget
     * is spent, at once for a pull that cannot heal, or when the pod was stopped meanwhile (its deadline).
     */
    private static Verdict pullFailing(Pod pod, ContainerStatus container, ContainerStateWaiting waiting,
            Budget budget, Instant now) {
        String what = "cannot pull the produced image " + container.getImage() + " for the " + where(pod) + ": "
                + waiting.getReason() + kubeletSays(waiting.getMessage());
        String budgetName = "spec.build.pullTimeout (" + budget.pull().toSeconds() + "s)";
        String created = pod.getMetadata().getCreationTimestamp();
        Instant giveUp = created == null ? now : Instant.parse(created).plus(budget.pull());
        boolean podEnded = pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
        if (KubeletReasons.Waiting.of(waiting.getReason()) == KubeletReasons.Waiting.PULL_REFUSED || podEnded) {
            return failed(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED, what + ". " + describeHint(pod), null, null, null);
        }
        if (!now.isBefore(giveUp)) {
            return failed(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED, what + "; still failing " + budgetName + " after the"
                    + " pod was created. " + describeHint(pod), null, null, null);
        }
        return running(null, what + "; the kubelet keeps retrying until " + budgetName + " runs out at " + giveUp);
    }

    private static Verdict stillRunning(SmokeTestPlan test, String output, Pod pod) {
        return SmokeTestJudgement.outputMatches(test.outputPattern(), output) ? new Verdict(State.PASSED,
                Reasons.SMOKE_TEST_PASSED, "still running after " + test.timeoutSeconds() + "s as expected"
                + SmokeTestJudgement.patternNote(test.outputPattern()), null, output, null)
                : failed(Reasons.SMOKE_TEST_FAILED, "still running after " + test.timeoutSeconds() + "s as"
                + " expected, but its output does not match " + PATTERN_FIELD + " "
                + test.outputPattern().pattern() + " (" + where(pod) + "). " + logsHint(pod) + outputNote(output),
                null, output, null);
    }

    /**
     * When an expectRunning test passes: the program's start plus the timeout (not the pod's creation: time spent
     * waiting for a node or pulling the image must not count as the server staying up); empty until it runs.
     */
    static Optional<Instant> deadline(ContainerStatus container, SmokeTestPlan test) {
        String started = container == null || container.getState() == null || container.getState().getRunning() == null
                ? null : container.getState().getRunning().getStartedAt();
        return started == null ? Optional.empty() : Optional.of(Instant.parse(started).plusSeconds(test.timeoutSeconds()));
    }

    /** Whether the runtime ever ran the program (a container killed while still being created never did). */
    private static boolean programStarted(ContainerStatus container) {
        if (container == null || container.getState() == null) {
            return false;
        }
        ContainerStateTerminated done = container.getState().getTerminated();
        return container.getState().getRunning() != null || done != null && done.getStartedAt() != null;
    }

    private static ContainerStatus smokeContainer(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses().stream()
                .filter(c -> BuilderLayout.SMOKE_CONTAINER.equals(c.getName())).findFirst().orElse(null);
    }

    private static String waitingNote(ContainerStateWaiting waiting) {
        return waiting == null ? "" : " (still " + waiting.getReason() + kubeletSays(waiting.getMessage()) + ")";
    }

    /**
     * The runtime tried to execute the image's program and could not (runc's StartError, dockershim's
     * ContainerCannotRun, exit code 128): a missing entrypoint, a binary for another machine, or with other runtime
     * versions a dynamic binary whose interpreter is not in the image (containerd 1.6 + runc 1.1 on the test cluster
     * start that container and report its exit code 1 with "exec /app/app: no such file or directory" as the output,
     * which {@link #exited} reads). Either way the produced image failed its test, so SmokeTestFailed with the
     * runtime's words as the output; SmokeTestCannotStart stays for a pod the kubelet could not set up at all (a
     * container it could not create, a pod never scheduled or started in time), where the program was never tried.
     */
    private static Verdict neverRan(ContainerStateTerminated done, Pod pod) {
        String said = OutputTail.of(done.getMessage());
        return failed(Reasons.SMOKE_TEST_FAILED, "the program could not be executed in the " + where(pod) + " ("
                + done.getReason() + ", exit code " + done.getExitCode() + ")" + missingFileHint(said) + ". "
                + describeHint(pod) + outputNote(said), done.getExitCode(), said, done.getFinishedAt());
    }

    /**
     * runc's words when the program's file, or the interpreter a dynamic binary names, is not in the image: at
     * create time (StartError, "exec: \"/app/app\": ... no such file or directory") or, as containerd 1.6 with runc
     * 1.1 report a missing interpreter on the real test cluster, from the started container itself (reason Error,
     * exit code 1, output "exec /app/app: no such file or directory").
     */
    private static String missingFileHint(String output) {
        return output != null && output.contains("exec") && output.contains("no such file or directory")
                ? "; a dynamically linked binary on scratch lacks its interpreter (see status.link), or"
                        + " spec.image.path is wrong" : "";
    }

    private static Verdict exited(ContainerStateTerminated done, SmokeTestPlan test, String output, Pod pod) {
        int code = done.getExitCode() == null ? -1 : done.getExitCode();
        String see = " (" + where(pod) + "). " + logsHint(pod) + outputNote(output);
        if (test.expectRunning()) {
            return failed(Reasons.SMOKE_TEST_FAILED, "exited before the deadline (exit code " + code + " within "
                    + test.timeoutSeconds() + "s); expected it still running" + see, code, output,
                    done.getFinishedAt());
        }
        SmokeTestJudgement judged = SmokeTestJudgement.of(code, test.expectedExitCode(), test.outputPattern(),
                PATTERN_FIELD, output);
        if (!judged.passed()) {
            return failed(Reasons.SMOKE_TEST_FAILED, judged.summary() + (judged.exitCodeWrong()
                    ? missingFileHint(output) : "") + see, code, output, done.getFinishedAt());
        }
        return new Verdict(State.PASSED, Reasons.SMOKE_TEST_PASSED, judged.summary(), code, output,
                done.getFinishedAt());
    }

    /** The termination message (the log tail of a failed run), else the log, as its last lines. */
    private static String output(ContainerStateTerminated done, Supplier<Optional<String>> logs) {
        String message = done == null ? null : done.getMessage();
        return OutputTail.of(message == null || message.isBlank() ? logs.get().orElse(null) : message);
    }

    private static String outputNote(String output) {
        return output == null ? "; no output" : "; output:\n" + output;
    }

    /** Names the container and its pod, as the builder's failures do. */
    private static String where(Pod pod) {
        return "container " + BuilderLayout.SMOKE_CONTAINER + " of smoke-test pod " + pod.getMetadata().getName();
    }

    private static String logsHint(Pod pod) {
        return PodInspector.logsHint(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                BuilderLayout.SMOKE_CONTAINER);
    }

    /** For a container that never ran: its log is empty, the pod's events say why. */
    private static String describeHint(Pod pod) {
        return "See: kubectl describe pod -n " + pod.getMetadata().getNamespace() + " " + pod.getMetadata().getName();
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
