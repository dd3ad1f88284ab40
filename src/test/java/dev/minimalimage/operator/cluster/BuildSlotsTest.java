package dev.minimalimage.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** The build-slot reservations: a slot is held from admission until the pod counts from the cache, not longer. */
class BuildSlotsTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final String NS = "slots-test";

    @Test
    void aPodSeenAndThenDeletedBeforeTheNextAdmissionFreesItsSlot() {
        MinimalImage first = resource("first", "2026-11-23T09:00:00Z");
        MinimalImage second = resource("second", "2026-11-23T09:00:01Z");
        assertThat(BuildSlots.INSTANCE.admit(first, "first-build-1", List.of(), Stream.of(first), 1, NOW)).isTrue();
        assertThat(BuildSlots.INSTANCE.reserved(NS, "first-build-1")).isTrue();
        assertThat(BuildSlots.INSTANCE.admit(second, "second-build-1", List.of(), Stream.of(first, second), 1, NOW))
                .as("the one slot is reserved for first's pod").isFalse();

        BuildSlots.INSTANCE.seen(NS, "first-build-1"); // first's reconcile saw its pod; then the pod is deleted
        assertThat(BuildSlots.INSTANCE.reserved(NS, "first-build-1")).isFalse();
        assertThat(BuildSlots.INSTANCE.admit(second, "second-build-1", List.of(), Stream.of(second), 1, NOW))
                .as("no pod runs and nothing is reserved").isTrue();
        BuildSlots.INSTANCE.seen(NS, "second-build-1");
    }

    @Test
    void aPodInTheCacheTakesTheSlotItsReservationHeld() {
        MinimalImage third = resource("third", "2026-11-23T09:00:02Z");
        MinimalImage fourth = resource("fourth", "2026-11-23T09:00:03Z");
        assertThat(BuildSlots.INSTANCE.admit(third, "third-build-1", List.of(), Stream.of(third), 1, NOW)).isTrue();
        BuildSlots.INSTANCE.seen(NS, "third-build-1");
        List<Pod> cache = List.of(new PodBuilder().withNewMetadata().withName("third-build-1").withNamespace(NS)
                .endMetadata().build());
        assertThat(BuildSlots.INSTANCE.admit(fourth, "fourth-build-1", cache, Stream.of(third, fourth), 1, NOW))
                .as("third's pod runs").isFalse();
    }

    static MinimalImage resource(String name, String created) {
        MinimalImage resource = Resources.helloC(name, "registry.example/" + name + ":1");
        resource.getMetadata().setNamespace(NS);
        resource.getMetadata().setCreationTimestamp(created);
        return resource;
    }

    @Test
    void aReservationWhoseResourceIsGoneFreesItsSlot() {
        MinimalImage deleted = resource("deleted", "2026-11-23T09:00:04Z");
        MinimalImage next = resource("next", "2026-11-23T09:00:05Z");
        assertThat(BuildSlots.INSTANCE.admit(deleted, "deleted-build-1", List.of(), Stream.of(deleted), 1, NOW))
                .isTrue();
        // deleted before its reconcile saw the pod: the pod is gone with it and will never be seen
        assertThat(BuildSlots.INSTANCE.nextInLine(List.of(), Stream.of(next), 1, NOW))
                .extracting(id -> id.getName()).containsExactly("next");
        assertThat(BuildSlots.INSTANCE.admit(next, "next-build-1", List.of(), Stream.of(next), 1, NOW)).isTrue();
        BuildSlots.INSTANCE.seen(NS, "next-build-1");
    }
}
