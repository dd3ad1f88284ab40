package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.SmokeRuns;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * What one reconcile saw, gathered once before anything is decided: the resource (its status is the previous one),
 * one {@code now}, the branch poll, the plan (or why the spec is invalid), the current attempt, the pods, the
 * pre-flight problem and the build slot. Immutable; the two API reads that are needed only in a few states (the
 * kubelet's FailedMount message, the smoke-test log) are memoized suppliers, asked at most once.
 *
 * @param poll the followed branch's head looked up by this reconcile, if its interval had passed
 * @param plan the build plan of the spec (at the tracked commit), empty when the spec is invalid
 * @param invalidSpec why the spec cannot be planned, when {@code plan} is empty
 * @param attempt the attempt whose builder pod should exist now ({@link Attempts#current})
 * @param problem what the pre-flight check found, only looked for when a new builder pod is wanted
 * @param slotHeld whether that pod was admitted to a build slot
 * @param sourceCached whether the inline source's ConfigMap is in the cache (the pod mounts it)
 * @param builderPod the current attempt's builder pod, if it exists and is not being deleted
 * @param smokePods the current inputs' smoke-test pods (one per platform that runs), by name, that exist and are not
 *        being deleted
 * @param smokeLogs the last lines of a smoke-test pod's program, by pod name (read at most once each)
 * @param smokeCluster what the cluster offers the smoke tests of foreign platforms (nodes, an emulator)
 * @param lookingUpHead a look-up of the followed branch's head was due and runs off the reconcile threads, its result
 *        not in yet (its end brings the resource back with it): no new build starts meanwhile
 */
public record Observation(MinimalImage resource, Instant now, Optional<BranchPoll> poll, Optional<BuildPlan> plan,
        String invalidSpec, int attempt, Optional<PreflightProblem> problem, boolean slotHeld, int slots,
        boolean sourceCached, Optional<Pod> builderPod, Map<String, Pod> smokePods,
        Supplier<Optional<String>> mountFailure, Function<String, Optional<String>> smokeLogs,
        SmokeRuns.Cluster smokeCluster, boolean lookingUpHead) {

    /**
     * One smoke-test pod at most (a single-platform image, or a cluster that runs no other platform): what the
     * state-table tests observe.
     */
    public Observation(MinimalImage resource, Instant now, Optional<BranchPoll> poll, Optional<BuildPlan> plan,
            String invalidSpec, int attempt, Optional<PreflightProblem> problem, boolean slotHeld, int slots,
            boolean sourceCached, Optional<Pod> builderPod, Optional<Pod> smokePod,
            Supplier<Optional<String>> mountFailure, Supplier<Optional<String>> smokeLog) {
        this(resource, now, poll, plan, invalidSpec, attempt, problem, slotHeld, slots, sourceCached, builderPod,
                smokePod.map(pod -> Map.of(pod.getMetadata().getName(), pod)).orElse(Map.of()), mountFailure,
                name -> smokeLog.get(), SmokeRuns.Cluster.plain(), false);
    }

    /** What a reconcile that failed knows: the resource and the time, nothing planned or looked up. */
    public static Observation ofFailure(MinimalImage resource, Instant now) {
        return new Observation(resource, now, Optional.empty(), Optional.empty(), null, 1, Optional.empty(), false, 0,
                false, Optional.empty(), Optional.empty(), Optional::empty, Optional::empty);
    }

    /** The current inputs' smoke-test pod of that name. */
    Optional<Pod> smokePod(String name) {
        return Optional.ofNullable(smokePods.get(name));
    }

    MinimalImageStatus previous() {
        return resource.getStatus();
    }

    long generation() {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    /** spec.source.git.pollInterval, when the resource follows a branch. */
    Optional<Duration> pollInterval() {
        return PollSchedule.interval(resource);
    }

    /** The followed branch's head this reconcile knows: the poll's, else the one on record; null if none. */
    String trackedCommit() {
        if (pollInterval().isEmpty()) {
            return null;
        }
        String polled = poll.map(BranchPoll::commit).orElse(null);
        return polled != null ? polled : previous() == null ? null : previous().getTrackedCommit();
    }

    /** When the branch was last looked up: by this reconcile, else as on record; null if not following. */
    String lastPollTime() {
        if (pollInterval().isEmpty()) {
            return null;
        }
        return poll.map(BranchPoll::time).orElse(previous() == null ? null : previous().getLastPollTime());
    }

    /** Whether the previous status is about the same inputs as the plan. */
    boolean sameInputs() {
        return previous() != null && plan.isPresent() && plan.get().inputsHash().equals(previous().getBuildHash());
    }

    /** No pod of the current attempt exists and one is wanted: the build is about to start (or must wait). */
    boolean starting() {
        return plan.isPresent() && builderPod.isEmpty() && Attempts.podWanted(previous(), plan.get(), attempt, now);
    }

    /**
     * A new inline-source pod waits for its ConfigMap (the workflow creates both side by side, and the ConfigMap's
     * create sends this reconcile no event). Once it is cached, a build without a slot is queued instead.
     */
    boolean awaitingSource() {
        return inlineWithoutSlot() && !sourceCached;
    }

    /**
     * A new inline build that holds no slot yet (waiting for its ConfigMap, or queued): it looks again shortly. The
     * wake-up when a slot frees ({@code MinimalImageReconciler.wakeQueued}) does not yet admit queued builds reliably:
     * without this poll BuildSlotsLoadTest drains 27 of 200 builds in 4 min, with it all 200 in under a minute.
     */
    boolean inlineWithoutSlot() {
        return starting() && problem.isEmpty() && plan.get().isInline() && !slotHeld;
    }

    /** A lazily read value, read at most once (an API call some states need and most do not). */
    public static <T> Supplier<T> once(Supplier<T> reader) {
        return new Supplier<>() {
            private T value;
            private boolean read;

            @Override
            public synchronized T get() {
                if (!read) {
                    value = reader.get();
                    read = true;
                }
                return value;
            }
        };
    }
}
