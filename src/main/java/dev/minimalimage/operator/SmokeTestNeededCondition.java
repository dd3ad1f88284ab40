package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The smoke-test pod is wanted while the status says the current inputs' image was pushed and is being smoke tested
 * (Ready reason SmokeTesting, written by the reconciler once the build pod recorded the push): never before the
 * digest is known, never again once the verdict is in.
 */
public class SmokeTestNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return Plans.tryPlan(resource).map(plan -> needed(resource.getStatus(), plan)).orElse(false);
    }

    static boolean needed(MinimalImageStatus status, BuildPlan plan) {
        return plan.hasSmokeTest() && status != null && plan.inputsHash().equals(status.getBuildHash())
                && status.getPhase() == Phase.Building && status.getImageRef() != null
                && status.getConditions().stream().anyMatch(c -> Conditions.READY.equals(c.getType())
                        && Reasons.SMOKE_TESTING.equals(c.getReason()));
    }
}
