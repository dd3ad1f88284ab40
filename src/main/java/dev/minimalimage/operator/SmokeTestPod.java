package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.SmokeTestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;

/**
 * The smoke-test pod of the current inputs: runs the image they pushed, by digest (status.imageRef). Create-only and
 * not a Deleter, like {@link BuilderPod}: once the verdict is in, the precondition turns false and the pod stays for
 * its logs (a server that passed by still running is deleted by the reconciler). Owned by the resource.
 */
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.SMOKE_SELECTOR))
public class SmokeTestPod extends KubernetesDependentResource<Pod, MinimalImage> implements Creator<Pod, MinimalImage> {

    /** The dependent's (and its informer's) name in the workflow. */
    static final String NAME = "smoke-test-pod";

    public SmokeTestPod() {
        super(Pod.class);
    }

    @Override
    protected Pod desired(MinimalImage resource, Context<MinimalImage> context) {
        return SmokeTestPods.create(resource, WorkflowInput.of(context).requirePlan(), resource.getStatus().getImageRef(),
                OperatorSettings.builderImagePullSecrets());
    }
}
