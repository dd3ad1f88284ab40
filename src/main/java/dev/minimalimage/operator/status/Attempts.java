package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.planning.BuildPlan;

/**
 * Builder pods per set of inputs: the first attempt, and one more after each recoverable fault (a pod evicted,
 * vanished, or whose result could not be read) once its back-off has passed, up to the operator's limit. The status
 * carries the count and the time of the next attempt, so every reconcile (and every dependent) agrees on which
 * attempt's pod should exist, also after an operator restart.
 */
public final class Attempts {

    /** Faults that say nothing about the inputs: the same build may well succeed on the next pod. */
    static final Set<String> RECOVERABLE = Set.of(Reasons.EVICTED, Reasons.BUILDER_POD_LOST, Reasons.RESULT_UNREADABLE);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private Attempts() {
    }

    /** The attempt whose pod should exist now for {@code inputsHash}. */
    public static int current(MinimalImageStatus status, String inputsHash, Instant now) {
        if (status == null || !inputsHash.equals(status.getBuildHash())) {
            return 1;
        }
        int recorded = recorded(status);
        return retryDue(status, now) ? recorded + 1 : recorded;
    }

    static int recorded(MinimalImageStatus status) {
        return status == null || status.getAttempts() == null ? 1 : Math.max(1, status.getAttempts());
    }

    /** A recoverable fault is waiting out its back-off. */
    public static boolean retryScheduled(MinimalImageStatus status) {
        return status != null && status.getNextAttemptTime() != null;
    }

    static boolean retryDue(MinimalImageStatus status, Instant now) {
        return retryScheduled(status) && !now.isBefore(Instant.parse(status.getNextAttemptTime()));
    }

    /** Wait after attempt {@code failed} failed: base, twice that, four times ... at most five minutes. */
    static Duration backoff(int failed, Duration base) {
        Duration wait = base.multipliedBy(1L << Math.min(16, Math.max(0, failed - 1)));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    /**
     * Whether attempt {@code attempt}'s builder pod should be created: never again for inputs that already finished
     * (success or failure, also after a restart: the status remembers the input hash), not while a retry waits out its
     * back-off, and not for a pod that vanished until the status has recorded that (the next attempt then starts).
     */
    public static boolean podWanted(MinimalImageStatus status, BuildPlan plan, int attempt, Instant now) {
        return needed(status, plan.inputsHash(), now) && !vanished(status, plan, attempt);
    }

    static boolean needed(MinimalImageStatus status, String inputsHash, Instant now) {
        if (status == null || !inputsHash.equals(status.getBuildHash())) {
            return true;
        }
        if (ended(status, inputsHash)) {
            return false;
        }
        return !retryScheduled(status) || retryDue(status, now);
    }

    /** The build of {@code inputsHash} has its final result (success or failure): no attempt of it will run again. */
    public static boolean ended(MinimalImageStatus status, String inputsHash) {
        return status != null && inputsHash.equals(status.getBuildHash())
                && (status.getPhase() == Phase.Succeeded || status.getPhase() == Phase.Failed);
    }

    /** The current attempt's pod existed (its uid is on record) and is gone. */
    static boolean vanished(MinimalImageStatus status, BuildPlan plan, int attempt) {
        return status != null && plan.inputsHash().equals(status.getBuildHash()) && status.getBuilderPodUid() != null
                && plan.podName(attempt).equals(status.getBuilderPod());
    }
}
