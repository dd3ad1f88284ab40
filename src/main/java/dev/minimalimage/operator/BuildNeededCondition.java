package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.cluster.BuildSlots;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Whether the current attempt's builder pod should exist ({@link WorkflowInput#podWanted}, decided by the reconcile),
 * and a new pod only once its source ConfigMap is in the cache, the {@link dev.minimalimage.operator.cluster.Preflight} checks passed and a build slot
 * is free (the reconciler reports why not).
 */
public class BuildNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        WorkflowInput input = WorkflowInput.of(context);
        return input.podWanted() && input.plan().map(plan -> mayCreate(resource, plan, input, context)).orElse(false);
    }

    private static boolean mayCreate(MinimalImage resource, BuildPlan plan, WorkflowInput input,
            Context<MinimalImage> context) {
        String podName = plan.podName(input.attempt());
        if (context.getSecondaryResources(Pod.class).stream().anyMatch(p -> podName.equals(p.getMetadata().getName()))) {
            return true;
        }
        if (plan.isInline() && context.getSecondaryResources(ConfigMap.class).stream()
                .noneMatch(c -> plan.sourceConfigMapName().equals(c.getMetadata().getName()))) {
            return false; // the pod mounts its inputs' source ConfigMap: created first (the Observer runs us again then)
        }
        // Secrets and claims are checked once, before the pod is created, not on every event of a running build
        return input.problem().isEmpty() && BuildSlots.INSTANCE.admit(resource, podName, Caches.builderPods(context),
                Caches.resources(context), OperatorSettings.maxConcurrentBuilds(), input.now());
    }
}
