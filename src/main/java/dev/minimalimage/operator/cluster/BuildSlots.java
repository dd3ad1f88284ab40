package dev.minimalimage.operator.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The operator-wide cap on builder pods running at once (minimal-image.max-concurrent-builds): a burst of resources
 * (an operator upgrade, a GitOps sync of a whole repository) would otherwise start every build at once and starve the
 * nodes. Pods count from the informer's cache; a pod admitted but not yet in the cache holds a reservation, so two
 * reconciles on two threads can never both take the last slot. Waiting builds are admitted in creation order.
 */
public final class BuildSlots {

    public static final BuildSlots INSTANCE = new BuildSlots();
    /** A reservation whose pod never reached the cache (create failed) is given up after this. */
    private static final Duration RESERVATION_TTL = Duration.ofMinutes(2);
    private static final Set<String> FINISHED = Set.of("Succeeded", "Failed");
    private static final Comparator<MinimalImage> CREATION_ORDER = Comparator
            .comparing((MinimalImage r) -> String.valueOf(r.getMetadata().getCreationTimestamp()))
            .thenComparing(r -> r.getMetadata().getNamespace())
            .thenComparing(r -> r.getMetadata().getName());

    /** namespace/pod name -> whose pod, admitted when. */
    private final Map<String, Reservation> reservations = new HashMap<>();

    private record Reservation(ResourceID owner, Instant admitted) {
    }

    private BuildSlots() {
    }

    /**
     * Whether {@code resource} may create pod {@code podName} now; if so the slot is reserved until the pod shows up
     * in {@code builderPods}. {@code primaries}: every resource the operator sees, for the queue order.
     */
    public synchronized boolean admit(MinimalImage resource, String podName, Collection<Pod> builderPods,
            Stream<MinimalImage> primaries, int capacity, Instant now) {
        String key = key(resource.getMetadata().getNamespace(), podName);
        List<MinimalImage> all = primaries.toList();
        forgetStale(builderPods, all, now);
        if (reservations.containsKey(key)) {
            return true;
        }
        long busy = running(builderPods) + reservations.size();
        if (busy >= capacity) {
            return false;
        }
        List<MinimalImage> queue = new ArrayList<>(all.stream().filter(BuildSlots::waiting)
                .filter(r -> !ResourceID.fromResource(r).equals(ResourceID.fromResource(resource))).toList());
        queue.add(resource);
        queue.sort(CREATION_ORDER);
        if (queue.indexOf(resource) >= capacity - busy) {
            return false; // older builds are waiting for the free slots
        }
        reservations.put(key, new Reservation(ResourceID.fromResource(resource), now));
        return true;
    }

    /**
     * The owner's reconcile has seen its pod in the cache: the pod counts from there, so the reservation ends now.
     * Left to the next {@link #admit}, it would outlive a pod deleted before then (a build that finished with
     * keepFinishedPods 0, a deleted resource) and hold a slot until its TTL.
     */
    public synchronized void seen(String namespace, String podName) {
        reservations.remove(key(namespace, podName));
    }

    /** Whether a pod of this resource was admitted and not yet seen in the cache. */
    public synchronized boolean reserved(String namespace, String podName) {
        return reservations.containsKey(key(namespace, podName));
    }

    /** The oldest waiting resources, as many as there are free slots: the ones to wake when a build ends. */
    public synchronized List<ResourceID> nextInLine(Collection<Pod> builderPods, Stream<MinimalImage> primaries, int capacity,
            Instant now) {
        List<MinimalImage> all = primaries.toList();
        forgetStale(builderPods, all, now);
        long free = capacity - running(builderPods) - reservations.size();
        return free <= 0 ? List.of() : all.stream().filter(BuildSlots::waiting).sorted(CREATION_ORDER).limit(free)
                .map(ResourceID::fromResource).toList();
    }

    static long running(Collection<Pod> builderPods) {
        return builderPods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() == null || !FINISHED.contains(p.getStatus().getPhase())).count();
    }

    /** Never built, or told to wait. */
    private static boolean waiting(MinimalImage resource) {
        return resource.getStatus() == null || resource.getStatus().getPhase() == null
                || resource.getStatus().getPhase() == Phase.Queued;
    }

    /**
     * Reservations end when their pod is in the cache (it counts from there), when their resource is gone (its pod
     * will never be seen: deleted with it, or never created), or after their TTL (a create that failed).
     */
    private void forgetStale(Collection<Pod> builderPods, List<MinimalImage> primaries, Instant now) {
        for (Pod pod : builderPods) {
            reservations.remove(key(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
        }
        Set<ResourceID> owners = primaries.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
        reservations.values().removeIf(r -> !owners.contains(r.owner()) || r.admitted().plus(RESERVATION_TTL).isBefore(now));
    }

    private static String key(String namespace, String podName) {
        return namespace + "/" + podName;
    }
}
