package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The source ConfigMap exists only for inline sources with a valid plan. */
public class InlineSourceCondition implements Condition<ConfigMap, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<ConfigMap, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return WorkflowInput.of(context).plan().map(plan -> plan.isInline()).orElse(false);
    }
}
