package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Whether the builder pod should exist: never again for inputs that already finished (success or failure, also
 * after a restart: the status remembers the input hash), and a vanished pod only a bounded number of times.
 */
public class BuildNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return Plans.tryPlan(resource).map(plan -> needed(resource.getStatus(), plan.inputsHash())).orElse(false)
                && CacheClaims.problem(context.getClient(), resource).isEmpty();
    }

    static boolean needed(MinimalImageStatus status, String inputsHash) {
        if (status == null || !inputsHash.equals(status.getBuildHash())) {
            return true;
        }
        if (status.getPhase() == Phase.Succeeded || status.getPhase() == Phase.Failed) {
            return false;
        }
        int recreations = status.getPodRecreations() == null ? 0 : status.getPodRecreations();
        return recreations < OperatorSettings.maxPodRecreations();
    }
}
