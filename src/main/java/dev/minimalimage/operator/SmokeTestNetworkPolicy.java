package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.SmokeTestPods;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Denies all traffic to and from the resource's smoke-test pods, for as long as the resource has a smoke test (owned,
 * garbage-collected with it; deleted when the smoke test is removed). Only where the network plugin enforces
 * NetworkPolicies. The smoke-test pod waits for it (dependsOn).
 */
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.SMOKE_SELECTOR))
public class SmokeTestNetworkPolicy extends KubernetesDependentResource<NetworkPolicy, MinimalImage>
        implements Creator<NetworkPolicy, MinimalImage>, GarbageCollected<MinimalImage> {

    static final String NAME = "smoke-test-network-policy";

    public SmokeTestNetworkPolicy() {
        super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(MinimalImage resource, Context<MinimalImage> context) {
        return SmokeTestPods.networkPolicy(resource);
    }

    /** Exists while the spec asks for a smoke test (and plans). */
    public static class Configured implements Condition<NetworkPolicy, MinimalImage> {
        @Override
        public boolean isMet(DependentResource<NetworkPolicy, MinimalImage> dependent, MinimalImage resource,
                Context<MinimalImage> context) {
            return WorkflowInput.of(context).plan().map(plan -> plan.hasSmokeTest()).orElse(false);
        }
    }
}
