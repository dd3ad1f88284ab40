package dev.minimalimage.operator;

import java.util.List;
import java.util.stream.Stream;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** Operator-wide views from the informers' caches (no API calls): every builder pod, every resource. */
final class Caches {

    private Caches() {
    }

    /** The builder-pod dependent's name, which is its informer's name. */
    static final String BUILDER_PODS = "builder-pod";

    /** Every builder pod in the watched namespaces (the builder-pod dependent's informer). */
    static List<Pod> builderPods(Context<MinimalImage> context) {
        return podInformer(context, BUILDER_PODS).list().toList();
    }

    /** The builder pods of the resource being reconciled (not its smoke-test pods). */
    static List<Pod> ownBuilderPods(Context<MinimalImage> context) {
        return List.copyOf(podInformer(context, BUILDER_PODS).getSecondaryResources(context.getPrimaryResource()));
    }

    /** The smoke-test pods of the resource being reconciled. */
    static List<Pod> ownSmokeTestPods(Context<MinimalImage> context) {
        return List.copyOf(podInformer(context, SmokeTestPod.NAME).getSecondaryResources(context.getPrimaryResource()));
    }

    private static InformerEventSource<Pod, MinimalImage> podInformer(Context<MinimalImage> context, String name) {
        return (InformerEventSource<Pod, MinimalImage>) context.eventSourceRetriever().getEventSourceFor(Pod.class,
                name);
    }

    static Stream<MinimalImage> resources(Context<MinimalImage> context) {
        return context.getPrimaryCache().list();
    }
}
