package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.minimalimage.operator.SmokeInspector.State;
import dev.minimalimage.operator.SmokeInspector.Verdict;
import dev.minimalimage.planning.SmokeTestPlan;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The smoke-test pod read without Quarkus: a pod status in, a verdict out. */
class SmokeInspectorTest {

    static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");
    static final String POD = "app-smoke-0123456789";

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
        assertThat(exit.message()).contains("exit code 3, expected 0").endsWith("x\nboom");
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
                plan(0, false, "hello", 60), POD, CREATED, log);
        assertThat(passed.state()).isEqualTo(State.PASSED);
        assertThat(passed.output()).isEqualTo("from the log: hello");
        assertThat(asked).hasValue(1);
        SmokeInspector.inspect(Optional.of(pod("Failed", null, terminated(1, "Error", "tail"))),
                plan(0, false, null, 60), POD, CREATED, log);
        assertThat(asked).hasValue(1);
    }

    @Test
    void pullFailuresStartErrorsAndDeadlinesHaveTheirOwnReasons() {
        Verdict pull = inspect(pod("Pending", null, waiting("ImagePullBackOff", "Back-off pulling image")),
                plan(0, false, null, 60), CREATED);
        assertThat(pull.reason()).isEqualTo(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED);
        assertThat(pull.message()).contains("registry.example/app@sha256:", "Back-off pulling image");
        String runc = "exec: \"/app/hello\": no such file or directory";
        Verdict start = inspect(pod("Failed", null, terminated(128, "StartError", runc)), plan(0, false, null, 60),
                CREATED);
        assertThat(start.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(start.message()).contains(runc, "dynamically linked");
        Verdict config = inspect(pod("Pending", null, waiting("CreateContainerError", "no command specified")),
                plan(0, false, null, 60), CREATED);
        assertThat(config.reason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        Verdict deadline = inspect(pod("Failed", "DeadlineExceeded", terminated(137, "Error", "waiting...")),
                plan(0, false, null, 5), CREATED.plusSeconds(6));
        assertThat(deadline.reason()).isEqualTo(Reasons.SMOKE_TEST_TIMEOUT);
        assertThat(deadline.message()).contains("5s", "waiting...");
    }

    @Test
    void aServerPassesOnlyOnceStillRunningAtTheDeadlineAndFailsIfItExits() {
        SmokeTestPlan server = plan(0, true, null, 10);
        Pod running = pod("Running", null, new ContainerStatusBuilder().withName("smoke").withNewState().withNewRunning()
                .endRunning().endState().build());
        assertThat(inspect(running, server, CREATED.plusSeconds(9)).state()).isEqualTo(State.RUNNING);
        Verdict passed = inspect(running, server, CREATED.plusSeconds(10));
        assertThat(passed.state()).isEqualTo(State.PASSED);
        assertThat(passed.message()).contains("still running after 10s");
        assertThat(SmokeInspector.deadline(running, server)).contains(CREATED.plusSeconds(10));
        Verdict exited = inspect(pod("Succeeded", null, terminated(0, "Completed", "bye")), server, CREATED.plusSeconds(3));
        assertThat(exited.state()).isEqualTo(State.FAILED);
        assertThat(exited.message()).contains("exited before the deadline");
    }

    static Verdict inspect(Pod pod, SmokeTestPlan plan, Instant now) {
        return SmokeInspector.inspect(Optional.ofNullable(pod), plan, POD, now, Optional::empty);
    }

    static SmokeTestPlan plan(int exitCode, boolean expectRunning, String pattern, long timeout) {
        return new SmokeTestPlan(List.of(), List.of(), exitCode, expectRunning,
                pattern == null ? null : Pattern.compile(pattern), timeout, 65532, false);
    }

    static Pod pod(String phase, String reason, ContainerStatus container) {
        return new PodBuilder().withNewMetadata().withName(POD).withNamespace("ns")
                .withCreationTimestamp(CREATED.toString()).endMetadata()
                .withNewStatus().withPhase(phase).withReason(reason).withContainerStatuses(container).endStatus().build();
    }

    static ContainerStatus terminated(int exitCode, String reason, String message) {
        return new ContainerStatusBuilder().withName("smoke").withImage("registry.example/app@sha256:00").withNewState()
                .withNewTerminated().withExitCode(exitCode).withReason(reason).withMessage(message)
                .withFinishedAt("2026-11-23T10:00:01Z").endTerminated().endState().build();
    }

    static ContainerStatus waiting(String reason, String message) {
        return new ContainerStatusBuilder().withName("smoke").withImage("registry.example/app@sha256:00").withNewState()
                .withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }
}
