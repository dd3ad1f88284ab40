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
 * Whether the builder pod should exist: never again for inputs that already finished (success or failure, also
 * after a restart: the status remembers the input hash), a vanished pod only a bounded number of times, and a first
 * pod only when the {@link Preflight} checks pass (the reconciler reports why not).
 */
public class BuildNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return Plans.tryPlan(resource).filter(plan -> needed(resource.getStatus(), plan.inputsHash()))
                .map(plan -> podExists(context, plan) || Preflight.check(context.getClient(), resource, plan).isEmpty())
                .orElse(false);
    }

    /** Secrets and claims are checked once, before the pod is created, not on every event of a running build. */
    private static boolean podExists(Context<MinimalImage> context, BuildPlan plan) {
        return context.getSecondaryResources(Pod.class).stream()
                .anyMatch(p -> plan.podName().equals(p.getMetadata().getName()));
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
