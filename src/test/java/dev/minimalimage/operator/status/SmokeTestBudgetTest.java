package dev.minimalimage.operator.status;

import static dev.minimalimage.operator.MinimalImageReconcilerTest.condition;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.ready;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.success;
import static dev.minimalimage.operator.MinimalImageReconcilerTest.terminated;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.ToolchainImages;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

/**
 * A smoke-test pod that never starts, or whose pull of the produced image keeps failing, ends with a reason within
 * the builder's own budgets (spec.build.startTimeout, pullTimeout): pure, at a fixed instant.
 */
class SmokeTestBudgetTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    final Decision decision = new Decision(3, Duration.ofSeconds(10));
    final MinimalImage resource = Resources.helloC("app", "registry.example/app:1");
    final BuildPlan plan;

    SmokeTestBudgetTest() throws Exception {
        resource.getMetadata().setNamespace("ns");
        resource.getSpec().getVerify().setSmokeTest(new SmokeTestSpec());
        BuildSettings build = new BuildSettings();
        build.setStartTimeout("1m");
        build.setPullTimeout("2m");
        resource.getSpec().setBuild(build);
        plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
    }

    @Test
    void aSmokePodNoNodeTakesFailsAfterTheStartTimeoutQuotingTheScheduler() {
        PodStatus unschedulable = new PodStatusBuilder().withPhase("Pending").addNewCondition()
                .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/1 nodes are available: 1 node(s) didn't match node selector.").endCondition().build();
        assertThat(ready(compute(smokePod(59, unschedulable))).getReason()).isEqualTo(Reasons.SMOKE_TESTING);
        MinimalImageStatus status = compute(smokePod(61, unschedulable));
        assertThat(status.getPhase()).isEqualTo(Phase.Failed);
        assertThat(ready(status).getReason()).isEqualTo(Reasons.SMOKE_TEST_CANNOT_START);
        assertThat(condition(status, "SmokeTested").getStatus()).isEqualTo("False");
        assertThat(condition(status, "SmokeTested").getMessage()).contains("smoke-test pod " + plan.smokePodName()
                + " was not scheduled within spec.build.startTimeout (60s)", "didn't match node selector");
        assertThat(status.getDigest()).as("the image was pushed all the same").isNotNull();
    }

    @Test
    void aPullOfTheProducedImageThatKeepsFailingEndsAfterThePullTimeout() {
        PodStatus backOff = new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
                .withName("smoke").withImage(success().image()).withNewState().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("401 Unauthorized").endWaiting().endState().build())
                .build();
        // past the start budget but within the pull budget: the pull is what is wrong, and it may still heal
        MinimalImageStatus waiting = compute(smokePod(90, backOff));
        assertThat(ready(waiting).getReason()).isEqualTo(Reasons.SMOKE_TESTING);
        assertThat(ready(waiting).getMessage()).contains("401 Unauthorized", "spec.build.pullTimeout (120s)");
        MinimalImageStatus failed = compute(smokePod(121, backOff));
        assertThat(failed.getPhase()).isEqualTo(Phase.Failed);
        assertThat(ready(failed).getReason()).isEqualTo(Reasons.SMOKE_TEST_IMAGE_PULL_FAILED);
        assertThat(condition(failed, "SmokeTested").getMessage()).contains("401 Unauthorized",
                "kubectl describe pod -n ns " + plan.smokePodName());
    }

    MinimalImageStatus compute(Pod smokePod) {
        Pod builder = new PodBuilder().withNewMetadata().withName(plan.podName(1)).withNamespace("ns").withUid("uid")
                .withCreationTimestamp(NOW.minusSeconds(300).toString()).endMetadata()
                .withNewStatus().withPhase("Succeeded").withInitContainerStatuses(terminated("compile", 0, null))
                .withContainerStatuses(terminated("package", 0, success().toJson())).endStatus().build();
        return Observations.status(decision, Observations.of(resource, plan, NOW, Optional.of(builder),
                Optional.of(smokePod)));
    }

    Pod smokePod(int ageSeconds, PodStatus status) {
        return new PodBuilder().withNewMetadata().withName(plan.smokePodName()).withNamespace("ns")
                .withCreationTimestamp(NOW.minusSeconds(ageSeconds).toString()).endMetadata().withStatus(status)
                .build();
    }
}
