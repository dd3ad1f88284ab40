package dev.minimalimage.testsupport;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/** A builder pod's steps by name, whether they run in order (init containers) or side by side (containers). */
public final class PodSteps {

    private PodSteps() {
    }

    public static Container step(Pod pod, String name) {
        return all(pod).stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("pod has no step " + name + ": " + names(pod)));
    }

    /** Init containers in order, then the regular ones. */
    public static List<Container> all(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        return all;
    }

    public static List<String> names(Pod pod) {
        return all(pod).stream().map(Container::getName).toList();
    }
}
