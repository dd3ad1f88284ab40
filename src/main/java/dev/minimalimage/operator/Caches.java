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

    /** Every builder pod in the watched namespaces (the builder-pod dependent's informer). */
    static List<Pod> builderPods(Context<MinimalImage> context) {
        return ((InformerEventSource<Pod, MinimalImage>) context.eventSourceRetriever().getEventSourceFor(Pod.class))
                .list().toList();
    }

    static Stream<MinimalImage> resources(Context<MinimalImage> context) {
        return context.getPrimaryCache().list();
    }
}
