package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.status.Decision;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The smoke-test pod is wanted while the status says the current inputs' image was pushed and is being smoke tested
 * ({@link Decision#smokeTestRunning}): never before the digest is known, never again once the verdict is in.
 */
public class SmokeTestNeededCondition implements Condition<Pod, MinimalImage> {

    @Override
    public boolean isMet(DependentResource<Pod, MinimalImage> dependent, MinimalImage resource,
            Context<MinimalImage> context) {
        return WorkflowInput.of(context).plan().map(plan -> Decision.smokeTestRunning(resource.getStatus(), plan))
                .orElse(false);
    }
}
