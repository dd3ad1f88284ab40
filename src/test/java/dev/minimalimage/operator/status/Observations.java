package dev.minimalimage.operator.status;

import java.time.Instant;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Observations as a reconcile would gather them, for the pure decision and rendering: a valid plan, no pre-flight
 * problem, a free build slot, the source in the cache, no poll, no FailedMount event and no smoke-test log unless given.
 */
final class Observations {

    private Observations() {
    }

    static Observation of(MinimalImage resource, BuildPlan plan, Instant now, Optional<Pod> builder,
            Optional<Pod> smoke) {
        return new Observation(resource, now, Optional.empty(), Optional.of(plan), null,
                Attempts.current(resource.getStatus(), plan.inputsHash(), now), Optional.empty(), true, 4, true,
                builder, smoke, Optional::empty, Optional::empty);
    }

    /** Decide, then render: the status a reconcile would write. */
    static MinimalImageStatus status(Decision decision, Observation seen) {
        return StatusRenderer.render(decision.decide(seen), seen);
    }
}
