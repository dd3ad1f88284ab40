package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.operator.MinimalImageReconcilerTest;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.ToolchainImages;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

/** The decision's pull budget and retry schedule at a fixed instant: no Quarkus, no API server. */
class DecisionRetryTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final Duration BACKOFF = Duration.ofSeconds(10);

    final Decision decision = new Decision(3, BACKOFF);
    final MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
    final BuildPlan plan;

    DecisionRetryTest() throws Exception {
        resource.getMetadata().setNamespace("ns");
        plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
    }

    @Test
    void aPullFailingWithinPullTimeoutKeepsBuildingAndItsStart() {
        String since = NOW.minus(Duration.ofMinutes(2)).toString();
        resource.setStatus(previous(1, since));
        MinimalImageStatus status = compute(plan.podName(1), pullBackOff());
        assertOutcome(status, Phase.Building, Reasons.IMAGE_PULL_BACK_OFF);
        assertThat(ready(status).getMessage()).contains("until spec.build.pullTimeout (300s) runs out at "
                + NOW.plus(Duration.ofMinutes(3)));
        assertThat(status.getPullFailingSince()).as("kept from the previous status").isEqualTo(since);

        resource.setStatus(null); // first sight of the failure: the budget starts now
        assertThat(compute(plan.podName(1), pullBackOff()).getPullFailingSince()).isEqualTo(NOW.toString());
    }

    @Test
    void aPullFailingLongerThanPullTimeoutFailsTheBuild() {
        resource.setStatus(previous(1, NOW.minus(Duration.ofMinutes(6)).toString()));
        MinimalImageStatus status = compute(plan.podName(1), pullBackOff());
        assertOutcome(status, Phase.Failed, Reasons.TOOLCHAIN_IMAGE_PULL_FAILED);
        assertThat(ready(status).getMessage()).contains("longer than spec.build.pullTimeout (300s)");
        assertThat(status.getNextAttemptTime()).as("a pull failure is not retried in a new pod").isNull();
    }

    @Test
    void anEvictionWithAttemptsLeftSchedulesARetryAfterTheBackoff() {
        MinimalImageStatus status = evictedAt(1);
        assertOutcome(status, Phase.Pending, Reasons.RETRYING);
        assertThat(status.getNextAttemptTime()).isEqualTo(NOW.plus(BACKOFF).toString());
        assertThat(status.getAttempts()).isEqualTo(1);
        assertThat(ready(status).getMessage()).startsWith("retrying in 10s after Evicted (attempt 1 of 3)")
                .contains("low on resource: memory");
    }

    @Test
    void anEvictionOfTheLastAttemptIsFinal() {
        MinimalImageStatus status = evictedAt(3);
        assertOutcome(status, Phase.Failed, Reasons.EVICTED);
        assertThat(ready(status).getMessage()).endsWith("(attempt 3 of 3, none left)");
        assertThat(status.getNextAttemptTime()).isNull();
    }

    @Test
    void theBackoffDoublesPerAttemptUpToFiveMinutes() {
        assertThat(Attempts.backoff(1, BACKOFF)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Attempts.backoff(2, BACKOFF)).isEqualTo(Duration.ofSeconds(20));
        assertThat(Attempts.backoff(3, BACKOFF)).isEqualTo(Duration.ofSeconds(40));
        assertThat(Attempts.backoff(5, BACKOFF)).isEqualTo(Duration.ofSeconds(160));
        assertThat(Attempts.backoff(6, BACKOFF)).isEqualTo(Duration.ofMinutes(5)); // 320 s, capped
        assertThat(Attempts.backoff(64, BACKOFF)).isEqualTo(Duration.ofMinutes(5)); // no overflow
        assertThat(Attempts.backoff(1, Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(5));

        Decision fiveAttempts = new Decision(5, BACKOFF);
        resource.setStatus(previous(2, null));
        MinimalImageStatus second = Observations.status(fiveAttempts, Observations.of(resource, plan, NOW,
                Optional.of(pod(plan.podName(2), evicted())), Optional.empty()));
        assertThat(ready(second).getMessage()).startsWith("retrying in 20s after Evicted (attempt 2 of 5)");
        assertThat(second.getNextAttemptTime()).isEqualTo(NOW.plusSeconds(20).toString());
    }

    // ---- helpers

    static void assertOutcome(MinimalImageStatus status, Phase phase, String reason) {
        assertThat(status.getPhase()).isEqualTo(phase);
        assertThat(ready(status).getReason()).isEqualTo(reason);
    }

    MinimalImageStatus evictedAt(int attempt) {
        resource.setStatus(previous(attempt, null));
        return compute(plan.podName(attempt), evicted());
    }

    MinimalImageStatus compute(String podName, PodStatus podStatus) {
        return Observations.status(decision, Observations.of(resource, plan, NOW, Optional.of(pod(podName, podStatus)),
                Optional.empty()));
    }

    /** The status a reconcile wrote while attempt {@code attempt}'s pod was building. */
    MinimalImageStatus previous(int attempt, String pullFailingSince) {
        MinimalImageStatus status = new MinimalImageStatus();
        status.setPhase(Phase.Building);
        status.setBuildHash(plan.inputsHash());
        status.setAttempts(attempt);
        status.setBuilderPod(plan.podName(attempt));
        status.setBuilderPodUid("uid-" + attempt);
        status.setPullFailingSince(pullFailingSince);
        return status;
    }

    static Pod pod(String name, PodStatus status) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid")
                .withCreationTimestamp(NOW.minusSeconds(30).toString()).endMetadata()
                .withNewSpec().withActiveDeadlineSeconds(900L).endSpec().withStatus(status).build();
    }

    static PodStatus pullBackOff() {
        return new PodStatusBuilder().withPhase("Pending").withInitContainerStatuses(new ContainerStatusBuilder()
                .withName("compile").withImage("docker.io/library/gcc:14.2").withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("429 Too Many Requests").endWaiting().endState().build())
                .build();
    }

    static PodStatus evicted() {
        return new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build();
    }

    static Condition ready(MinimalImageStatus status) {
        return MinimalImageReconcilerTest.ready(status);
    }
}
