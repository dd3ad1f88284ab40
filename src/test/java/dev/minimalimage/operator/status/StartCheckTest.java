package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** A builder pod that never starts fails after spec.build.startTimeout, quoting the scheduler or the kubelet. */
class StartCheckTest {

    static final Instant CREATED = Instant.parse("2026-11-30T10:00:00Z");
    static final Duration START_TIMEOUT = Duration.ofMinutes(10);

    @Test
    void anUnschedulablePodFailsOnlyOnceItsStartTimeIsOverQuotingTheScheduler() {
        Pod pod = pending().editStatus().addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/1 nodes are available: 1 Insufficient cpu.")
                .endCondition().endStatus().build();
        assertThat(StartCheck.expired(pod, START_TIMEOUT, CREATED.plusSeconds(599), Optional::empty)).isEmpty();
        assertThat(StartCheck.remaining(pod, START_TIMEOUT, CREATED.plusSeconds(599))).isEqualTo(Duration.ofSeconds(1));

        BuildOutcome failed = StartCheck.expired(pod, START_TIMEOUT, CREATED.plusSeconds(601), Optional::empty)
                .orElseThrow();
        assertThat(failed.reason()).isEqualTo("Unschedulable");
        assertThat(failed.message()).isEqualTo("builder pod app-build-1 was not scheduled within"
                + " spec.build.startTimeout (600s): 0/1 nodes are available: 1 Insufficient cpu.");
    }

    @Test
    void aScheduledPodThatNeverStartsQuotesTheKubeletsMountFailureOrPointsToDescribe() {
        Pod pod = pending().build();
        Instant late = CREATED.plus(Duration.ofMinutes(11));
        assertThat(StartCheck.expired(pod, START_TIMEOUT, late,
                () -> Optional.of("MountVolume.SetUp failed for volume \"registry-auth\": secret \"gone\" not found"))
                .orElseThrow()).satisfies(o -> {
                    assertThat(o.reason()).isEqualTo("VolumeMountFailed");
                    assertThat(o.message()).contains("secret \"gone\" not found");
                });
        assertThat(StartCheck.expired(pod, START_TIMEOUT, late, Optional::empty).orElseThrow().message())
                .contains("did not start").contains("kubectl describe pod -n ns app-build-1");
    }

    @Test
    void aPodThatStartedAStepIsNeverAStartFailure() {
        Pod running = pending().editStatus().addNewInitContainerStatus().withName("compile").withNewState()
                .withNewRunning().endRunning().endState().endInitContainerStatus().endStatus().build();
        assertThat(StartCheck.started(running)).isTrue();
        assertThat(StartCheck.expired(running, START_TIMEOUT, CREATED.plus(Duration.ofHours(2)), Optional::empty))
                .isEmpty();
    }

    static PodBuilder pending() {
        return new PodBuilder().withNewMetadata().withName("app-build-1").withNamespace("ns")
                .withCreationTimestamp(CREATED.toString()).endMetadata().withNewStatus().withPhase("Pending").endStatus();
    }
}
