package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.minimalimage.operator.status.SmokeInspector.State;
import dev.minimalimage.operator.status.SmokeInspector.Verdict;
import dev.minimalimage.planning.SmokeTestPlan;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The smoke-test pod read without Quarkus: a pod status in, a verdict out. */
class SmokeInspectorTest {

    static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");
    static final String POD = "app-smoke-0123456789";
    /** A start budget of 10m and a pull budget of 5m: the figures the expectations below are computed from. */
    static final SmokeInspector.Budget BUDGET = new SmokeInspector.Budget(Duration.ofMinutes(10),
            Duration.ofMinutes(5));

    @Test
    void noPodYetAndAPodStartingAreStillRunning() {
        assertThat(inspect(null, plan(0, false, null, 60), CREATED).state()).isEqualTo(State.RUNNING);
        Verdict starting = inspect(pod(null, null, waiting("ContainerCreating", null)), plan(0, false, null, 60), CREATED);
        assertThat(starting.state()).isEqualTo(State.RUNNING);
        assertThat(starting.reason()).isEqualTo(Reasons.SMOKE_TESTING);
        assertThat(starting.message()).contains("ContainerCreating");
    }

    @Test
    void theExpectedExitCodeAndAMatchingOutputPass() {
        Verdict passed = inspect(pod("Succeeded", null, terminated(0, "Completed", "a\nhello 1.2\n")),
                plan(0, false, "hello [0-9.]+", 60), CREATED);
        assertThat(passed.state()).isEqualTo(State.PASSED);
        assertThat(passed.exitCode()).isZero();
        assertThat(passed.output()).isEqualTo("a\nhello 1.2");
        Verdict three = inspect(pod("Failed", null, terminated(3, "Error", "usage")), plan(3, false, null, 60), CREATED);
        assertThat(three.state()).isEqualTo(State.PASSED);
    }

    @Test
    void anotherExitCodeOrOutputFailsWithTheTail() {
        Verdict exit = inspect(pod("Failed", null, terminated(3, "Error", "x\nboom")), plan(0, false, null, 60), CREATED);
        assertThat(exit.state()).isEqualTo(State.FAILED);
        assertThat(exit.reason()).isEqualTo(Reasons.SMOKE_TEST_FAILED);
        assertThat(exit.message()).contains("exit code 3, expected 0", "kubectl logs -n ns " + POD + " -c smoke")
                .endsWith("x\nboom");
        Verdict output = inspect(pod("Succeeded", null, terminated(0, "Completed", "bye")),
                plan(0, false, "hello", 60), CREATED);
        assertThat(output.state()).isEqualTo(State.FAILED);
        assertThat(output.message()).contains("does not match", "hello", "bye");
    }

    @Test
    void anEmptyTerminationMessageAsksTheLogOnlyThen() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<Optional<String>> log = () -> {
            asked.incrementAndGet();
            return Optional.of("from the log: hello");
        };
        Verdict passed = SmokeInspector.inspect(Optional.of(pod("Succeeded", null, terminated(0, "Completed", null))),
                plan(0, false, "hello", 60), POD, BUDGET, CREATED, log);
        assertThat(passed.state()).isEqualTo(State.PASSED);
        assertThat(passed.output()).isEqualTo("from the log: hello");
        assertThat(asked).hasValue(1);
        SmokeInspector.inspect(Optional.of(pod("Failed", null, terminated(1, "Error", "tail"))),
                plan(0, false, null, 60), POD, BUDGET, CREATED, log);
        assertThat(asked).hasValue(1);
    }

    @Test
    void aPullFailureWaitsForThePullBudgetThenHasItsOwnReason() {
        Pod backOff = pod("Pending", null, waiting("ImagePullBackOff", "Back-off pulling image"));
        Verdict retrying = inspect(backOff, plan(0, false, null, 60), CREATED.plusSeconds(299));
        assertThat(retrying.state()).isEqualTo(State.RUNNING);
        assertThat(retrying.message()).contains("keeps retrying until spec.build.pullTimeout (300s) runs out at "
                + CREATED.plusSeconds(300));
        Verdict pull = inspect(backOff, plan(0, false, null, 60), CREATED.plusSeconds(300));
        assertThat(pull.reason()).isEqualTo(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED);
        assertThat(pull.message()).contains("registry.example/app@sha256:", "Back-off pulling image",
                "container smoke of smoke-test pod " + POD, "kubectl describe pod -n ns " + POD);
        // a pull that cannot heal, or a pod its deadline already stopped, fails at once
        assertThat(inspect(pod("Pending", null, waiting("InvalidImageName", "bad")), plan(0, false, null, 60), CREATED)
                .reason()).isEqualTo(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED);
        assertThat(inspect(pod("Failed", "DeadlineExceeded", waiting("ErrImagePull", "not found")),
                plan(0, false, null, 60), CREATED.plusSeconds(61)).reason())
                .isEqualTo(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED);
    }

    @Test
    void aPodThatNeverStartsFailsAfterTheStartBudgetQuotingTheScheduler() {
        Pod unschedulable = new PodBuilder(pod("Pending", null, null)).editStatus().withContainerStatuses()
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/1 nodes are available: 1 node(s) didn't match node selector.").endCondition()
                .endStatus().build();
        assertThat(inspect(unschedulable, plan(0, false, null, 60), CREATED.plusSeconds(599)).state())
                .isEqualTo(State.RUNNING);
        Verdict late = inspect(unschedulable, plan(0, false, null, 60), CREATED.plusSeconds(601));
        assertThat(late.state()).isEqualTo(State.FAILED);
        assertThat(late.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(late.message()).contains("smoke-test pod " + POD + " was not scheduled within"
                + " spec.build.startTimeout (600s)", "didn't match node selector");
        Verdict creating = inspect(pod("Pending", null, waiting("ContainerCreating", null)), plan(0, true, null, 60),
                CREATED.plusSeconds(601));
        assertThat(creating.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(creating.message()).contains("did not start within", "kubectl describe pod -n ns " + POD);
    }

    @Test
    void theNextDeadlineIsTheServersOrTheStartOrPullBudgetsEndWhateverLiesAhead() {
        Pod starting = pod("Pending", null, waiting("ContainerCreating", null));
        assertThat(SmokeInspector.nextDeadline(starting, plan(0, false, null, 60), BUDGET, CREATED))
                .contains(CREATED.plusSeconds(300));
        assertThat(SmokeInspector.nextDeadline(starting, plan(0, false, null, 60), BUDGET, CREATED.plusSeconds(300)))
                .contains(CREATED.plusSeconds(600));
        // a server's deadline counts from its start, not before: until then only the budgets
        assertThat(SmokeInspector.nextDeadline(starting, plan(0, true, null, 10), BUDGET, CREATED))
                .contains(CREATED.plusSeconds(300));
        Pod running = pod("Running", null, running(CREATED.plusSeconds(120)));
        assertThat(SmokeInspector.nextDeadline(running, plan(0, false, null, 60), BUDGET, CREATED)).isEmpty();
        assertThat(SmokeInspector.nextDeadline(running, plan(0, true, null, 10), BUDGET, CREATED.plusSeconds(121)))
                .contains(CREATED.plusSeconds(130));
    }

    @Test
    void aDynamicBinaryOnScratchFailsAsTheRealKubeletReportsIt() {
        // containerd 1.6.20 + runc 1.1.5 (the test cluster): the container starts, runc's exec of the program fails
        // in it, exit code 1, and FallbackToLogsOnError puts runc's line in the termination message
        Verdict dynamic = inspect(pod("Failed", null, terminated(1, "Error", "exec /app/app: no such file or directory\n")),
                plan(0, false, null, 60), CREATED);
        assertThat(dynamic.state()).isEqualTo(State.FAILED);
        assertThat(dynamic.reason()).isEqualTo(Reasons.SMOKE_TEST_FAILED);
        assertThat(dynamic.exitCode()).isEqualTo(1);
        assertThat(dynamic.output()).isEqualTo("exec /app/app: no such file or directory");
        assertThat(dynamic.message()).startsWith("exit code 1, expected 0; a dynamically linked binary on scratch")
                .contains("kubectl logs -n ns " + POD + " -c smoke").endsWith("no such file or directory");
    }

    @Test
    void aProgramTheRuntimeCannotExecuteFailsTheSmokeTestWithTheRuntimesWords() {
        // containerd 1.6 + runc 1.1 for a binary whose interpreter is missing (the produced image is at fault)
        String runc = "failed to create containerd task: failed to create shim task: OCI runtime create failed:"
                + " runc create failed: unable to start container process: exec: \"/app/app\": no such file or"
                + " directory: unknown";
        Verdict start = inspect(pod("Failed", null, terminated(128, "StartError", runc)), plan(0, false, null, 60),
                CREATED);
        assertThat(start.state()).isEqualTo(State.FAILED);
        assertThat(start.reason()).isEqualTo(Reasons.SMOKE_TEST_FAILED);
        assertThat(start.exitCode()).isEqualTo(128);
        assertThat(start.output()).isEqualTo(runc);
        assertThat(start.message()).contains("StartError, exit code 128", "no such file or directory",
                "dynamically linked", "container smoke of smoke-test pod " + POD);
        // the kubelet could not create the container at all: the image's program was never tried
        Verdict config = inspect(pod("Pending", null, waiting("CreateContainerError", "no command specified")),
                plan(0, false, null, 60), CREATED);
        assertThat(config.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(config.message()).contains("no command specified", "kubectl describe pod -n ns " + POD);
    }

    @Test
    void aProgramStillRunningAtTheTimeoutIsATimeout() {
        Verdict deadline = inspect(pod("Failed", "DeadlineExceeded", terminated(137, "Error", "waiting...")),
                plan(0, false, null, 5), CREATED.plusSeconds(6));
        assertThat(deadline.reason()).isEqualTo(Reasons.SMOKE_TEST_TIMEOUT);
        assertThat(deadline.message()).contains("5s", "waiting...", "kubectl logs -n ns " + POD + " -c smoke");
    }

    @Test
    void aDeadlineReachedBeforeTheProgramStartedIsNotTheProgramsTimeout() {
        Verdict creating = inspect(pod("Failed", "DeadlineExceeded", waiting("ContainerCreating", null)),
                plan(0, false, null, 5), CREATED.plusSeconds(6));
        assertThat(creating.state()).isEqualTo(State.FAILED);
        assertThat(creating.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(creating.message()).contains("before the program started", "ContainerCreating", "5s",
                "kubectl describe pod -n ns " + POD);
        assertThat(inspect(pod("Failed", "DeadlineExceeded", null), plan(0, false, null, 5), CREATED.plusSeconds(6))
                .reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
    }

    @Test
    void aServerPassesOnlyOnceStillRunningAtTheDeadlineAndFailsIfItExits() {
        SmokeTestPlan server = plan(0, true, null, 10);
        Instant started = CREATED.plusSeconds(120); // two minutes waiting for a node and the image
        Pod running = pod("Running", null, running(started));
        assertThat(inspect(running, server, CREATED.plusSeconds(10)).state()).as("up for 0s, not 10s")
                .isEqualTo(State.RUNNING);
        assertThat(inspect(running, server, started.plusSeconds(9)).state()).isEqualTo(State.RUNNING);
        Verdict passed = inspect(running, server, started.plusSeconds(10));
        assertThat(passed.state()).isEqualTo(State.PASSED);
        assertThat(passed.message()).contains("still running after 10s");
        assertThat(SmokeInspector.deadline(running.getStatus().getContainerStatuses().get(0), server))
                .contains(started.plusSeconds(10));
        Verdict exited = inspect(pod("Succeeded", null, terminated(0, "Completed", "bye")), server, CREATED.plusSeconds(3));
        assertThat(exited.state()).isEqualTo(State.FAILED);
        assertThat(exited.message()).contains("exited before the deadline");
    }

    @Test
    void anEmulatorThatCannotBePutInPlaceIsCannotStartNamingTheOperatorsSettingNotAFailureOfTheImage() {
        SmokeTestPlan plan = plan(0, false, null, 60);
        Pod copyFailed = withEmulator(pod("Failed", null, waiting("PodInitializing", null)),
                new ContainerStatusBuilder().withName("emulator").withImage("reg/emu:1").withNewState()
                        .withNewTerminated().withExitCode(1).withReason("Error")
                        .withMessage("cp: can't stat '/qemu/qemu-aarch64-static': No such file or directory")
                        .endTerminated().endState().build());
        Verdict missing = inspect(copyFailed, plan, CREATED.plusSeconds(5));
        assertThat(missing.state()).isEqualTo(State.FAILED);
        assertThat(missing.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(missing.message()).contains("smokeTest.emulatorImage", "reg/emu:1", "exit code 1",
                "qemu-aarch64-static", "kubectl logs -n ns " + POD + " -c emulator");

        Pod pulling = withEmulator(pod("Pending", null, waiting("PodInitializing", null)),
                new ContainerStatusBuilder().withName("emulator").withImage("reg/emu:1").withNewState()
                        .withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image")
                        .endWaiting().endState().build());
        assertThat(inspect(pulling, plan, CREATED.plusSeconds(60)).state()).as("within the pull budget")
                .isEqualTo(State.RUNNING);
        Verdict spent = inspect(pulling, plan, CREATED.plus(BUDGET.pull()));
        assertThat(spent.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(spent.message()).contains("cannot pull", "smokeTest.emulatorImage", "ImagePullBackOff");
    }

    private static Pod withEmulator(Pod pod, ContainerStatus emulator) {
        pod.getStatus().setInitContainerStatuses(List.of(emulator));
        return pod;
    }

    static Verdict inspect(Pod pod, SmokeTestPlan plan, Instant now) {
        return SmokeInspector.inspect(Optional.ofNullable(pod), plan, POD, BUDGET, now, Optional::empty);
    }

    static SmokeTestPlan plan(int exitCode, boolean expectRunning, String pattern, long timeout) {
        return new SmokeTestPlan(List.of(), List.of(), exitCode, expectRunning,
                pattern == null ? null : Pattern.compile(pattern), timeout, 65532, null, false, "/app/app", List.of());
    }

    static Pod pod(String phase, String reason, ContainerStatus container) {
        return new PodBuilder().withNewMetadata().withName(POD).withNamespace("ns")
                .withCreationTimestamp(CREATED.toString()).endMetadata()
                .withNewStatus().withPhase(phase).withReason(reason).withContainerStatuses(container == null ? List.of() : List.of(container)).endStatus().build();
    }

    static ContainerStatus terminated(int exitCode, String reason, String message) {
        return new ContainerStatusBuilder().withName("smoke").withImage("registry.example/app@sha256:00").withNewState()
                .withNewTerminated().withExitCode(exitCode).withReason(reason).withMessage(message)
                .withStartedAt("2026-11-23T10:00:00Z").withFinishedAt("2026-11-23T10:00:01Z").endTerminated()
                .endState().build();
    }

    static ContainerStatus running(Instant startedAt) {
        return new ContainerStatusBuilder().withName("smoke").withImage("registry.example/app@sha256:00").withNewState()
                .withNewRunning().withStartedAt(startedAt.toString()).endRunning().endState().build();
    }

    static ContainerStatus waiting(String reason, String message) {
        return new ContainerStatusBuilder().withName("smoke").withImage("registry.example/app@sha256:00").withNewState()
                .withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }
}
