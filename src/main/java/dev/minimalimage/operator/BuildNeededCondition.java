package dev.minimalimage.operator;

import java.time.Instant;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Whether the current attempt's builder pod should exist: never again for inputs that already finished (success or
 * failure, also after a restart: the status remembers the input hash), not while a retry waits out its back-off,
 * not for a pod that vanished until the reconciler has recorded that, and a new pod only when the {@link Preflight}
 * checks pass and a build slot is free (the reconciler reports why not).
 */
public class BuildNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return Plans.tryPlan(resource).map(plan -> podWanted(resource, plan, context)).orElse(false);
    }

    private static boolean podWanted(MinimalImage resource, BuildPlan plan, Context<MinimalImage> context) {
        Instant now = Instant.now();
        MinimalImageStatus status = resource.getStatus();
        if (!needed(status, plan.inputsHash(), now)) {
            return false;
        }
        if (BranchFollower.interval(resource).isPresent() && (status == null || status.getTrackedCommit() == null)) {
            return false; // a followed branch is built at the head the reconciler looked up, never at a guess
        }
        int attempt = Attempts.current(status, plan.inputsHash(), now);
        String podName = plan.podName(attempt);
        if (context.getSecondaryResources(Pod.class).stream().anyMatch(p -> podName.equals(p.getMetadata().getName()))) {
            return true;
        }
        if (vanished(status, plan, attempt)) {
            return false; // the reconciler records the loss and schedules the next attempt
        }
        if (plan.isInline() && context.getSecondaryResources(ConfigMap.class).stream()
                .noneMatch(c -> plan.sourceConfigMapName().equals(c.getMetadata().getName()))) {
            return false; // the pod mounts its inputs' source ConfigMap: created first, its event brings us back
        }
        // Secrets and claims are checked once, before the pod is created, not on every event of a running build
        return Preflight.check(context.getClient(), resource, plan).isEmpty()
                && BuildSlots.INSTANCE.admit(resource, podName, Caches.builderPods(context),
                        Caches.resources(context), OperatorSettings.maxConcurrentBuilds(), now);
    }

    static boolean needed(MinimalImageStatus status, String inputsHash, Instant now) {
        if (status == null || !inputsHash.equals(status.getBuildHash())) {
            return true;
        }
        if (status.getPhase() == Phase.Succeeded || status.getPhase() == Phase.Failed) {
            return false;
        }
        return !Attempts.retryScheduled(status) || Attempts.retryDue(status, now);
    }

    /** The current attempt's pod existed (its uid is on record) and is gone. */
    static boolean vanished(MinimalImageStatus status, BuildPlan plan, int attempt) {
        return status != null && plan.inputsHash().equals(status.getBuildHash()) && status.getBuilderPodUid() != null
                && plan.podName(attempt).equals(status.getBuilderPod());
    }
}
