package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuilderLayout;
import dev.minimalimage.planning.BuilderPodFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;

/**
 * The builder pod of the current inputs. Create-only: pods are immutable and a new input hash means a new pod
 * name, so there is never anything to update. Deliberately not a Deleter (nor GarbageCollected, which is one): when
 * the build is done the precondition turns false and JOSDK would delete the pod, losing its logs; retention is
 * {@link dev.minimalimage.operator.cluster.PodRetention}'s job. The pod goes with the resource through its controller owner reference.
 */
@KubernetesDependent(informer = @Informer(labelSelector = BuilderLayout.SELECTOR, itemStore = LeanItemStore.class))
public class BuilderPod extends KubernetesDependentResource<Pod, MinimalImage>
        implements Creator<Pod, MinimalImage> {

    public BuilderPod() {
        super(Pod.class);
    }

    @Override
    protected Pod desired(MinimalImage resource, Context<MinimalImage> context) {
        WorkflowInput input = WorkflowInput.of(context);
        return new BuilderPodFactory(OperatorSettings.images(), OperatorSettings.builderImagePullSecrets(),
                OperatorSettings.caBundle().orElse(null)).create(resource, input.requirePlan(), input.attempt());
    }
}
