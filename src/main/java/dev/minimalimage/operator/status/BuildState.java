package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;

/**
 * The one decision of a reconcile ({@link Decision}): where the build of the current inputs stands. The
 * {@link StatusRenderer} turns it, with the previous conditions, into the whole new status.
 */
public sealed interface BuildState {

    /** The spec cannot be planned: Failed, InvalidSpec, no pod, no retry. */
    record Invalid(String message) implements BuildState {
    }

    /** A build that cannot start because of what the user wrote or referenced (a Secret, a claim, the branch head). */
    public record Refused(String reason, String message) implements BuildState {
    }

    /**
     * The build waits for its source to be known: a new inline-source pod for its ConfigMap to reach the cache, a
     * followed branch for the first look-up of its head (running off the reconcile threads). Nothing is said (no
     * status flapping); the reconcile comes back after {@code recheck}, or sooner on an event.
     */
    public record AwaitingSource(Duration recheck) implements BuildState {
    }

    /** Waiting for one of the operator's build slots (no pod yet). */
    record Queued(int attempt, int slots) implements BuildState {
    }

    /** The builder pod of {@code attempt} is being created. */
    record Starting(int attempt, String pod) implements BuildState {
    }

    /**
     * What is on record still holds and nothing new was seen: a finished build whose pods were pruned, a verdict
     * already given, a retry waiting out its back-off. Rendered as the previous status at the current generation.
     */
    record Standing(MinimalImageStatus previous) implements BuildState {
    }

    /** A builder pod is at work (by stage, or its image pull failing within spec.build.pullTimeout). */
    record Building(BuildRun run, BuildOutcome outcome) implements BuildState {
    }

    /** A recoverable fault ended {@code run}'s attempt; the next starts at {@code nextAttempt}. */
    record RetryScheduled(BuildRun run, BuildOutcome outcome, Instant nextAttempt) implements BuildState {
    }

    /** The image was pushed and spec.verify.smokeTest is running it. */
    record SmokeTesting(BuildRun run, BuildOutcome outcome, SmokeInspector.Verdict verdict) implements BuildState {
    }

    /** Pushed (and smoke tested, when {@code verdict} is not null). */
    record Succeeded(BuildRun run, BuildOutcome outcome, SmokeInspector.Verdict verdict) implements BuildState {
    }

    /**
     * The resolve step of a Dockerfile build from git read {@code text} at {@code commit}: on record, the build is
     * planned from it next.
     */
    record DockerfileFetched(BuildRun run, BuildOutcome outcome, String text) implements BuildState {
    }

    /** The final word on these inputs: a build failure, or a smoke test that failed ({@code verdict}). */
    record Failed(BuildRun run, BuildOutcome outcome, SmokeInspector.Verdict verdict) implements BuildState {
    }

    /**
     * The attempt a pod state is about. {@code carried}: the previous status when it is about the same inputs (its
     * result, source commit and completion time stand until the pod says otherwise); null for new inputs.
     */
    record BuildRun(String inputsHash, String pod, String podUid, String startTime, int attempt,
            String pullFailingSince, MinimalImageStatus carried) {
    }
}
