package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.operator.status.Attempts;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The source ConfigMap is wanted for inline sources with a valid plan while their build has not ended: only a
 * builder pod still to be started mounts it, so a Ready resource keeps no copy of its sources in etcd and in the
 * operator's cache. The reconciler deletes it once the build ends ({@code MinimalImageReconciler#cleanUp}).
 *
 * <p>A reconcile precondition, not an activation condition: JOSDK de-registers an activation condition's informer
 * whenever the condition is false for one resource, which would restart the ConfigMap informer of every resource.
 */
public class InlineSourceCondition implements Condition<ConfigMap, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<ConfigMap, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return WorkflowInput.of(context).plan()
                .map(plan -> wanted(plan, resource.getStatus()))
                .orElse(false);
    }

    static boolean wanted(BuildPlan plan, MinimalImageStatus status) {
        return plan.isInline() && !Attempts.ended(status, plan.inputsHash());
    }
}
