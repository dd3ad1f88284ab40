package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.git.RemoteHeads;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * When to look again although no event may come: the reconciler waits on events, but some deadlines pass in silence
 * (a pod that never starts, a pull that keeps failing, a retry's back-off) and some fixes send the operator no event
 * (a Secret or claim it does not watch). The earliest of those, or none.
 */
public final class Timers {

    /** A Secret or claim fixed later: look again this often. */
    static final Duration PREFLIGHT_RECHECK = Duration.ofMinutes(1);
    /** Queued builds are woken when a slot frees; this only covers a wake-up lost to a restart. */
    static final Duration QUEUE_RECHECK = Duration.ofSeconds(30);
    /** A pod held back until its source ConfigMap is in the cache (its create sends no event). */
    public static final Duration SOURCE_RECHECK = Duration.ofMillis(500);
    /**
     * A branch head being looked up: its end brings the resource back (BranchLookups). This recheck covers an end
     * lost, and a look-up that never ends: the reconcile after its limit (BranchLookups.LIMIT) takes it as failed.
     */
    public static final Duration LOOKUP_RECHECK = RemoteHeads.DEFAULT_TIMEOUT.plusSeconds(10);
    /** Timestamps have one-second resolution: wake a moment after the deadline, never before it. */
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private Timers() {
    }

    /**
     * When to reconcile again after writing {@code written} for what was {@code seen}: soon when the workflow must run
     * again (a pod held back for its source ConfigMap, whose create sends no event; a smoke-test pod now wanted), else
     * the earliest silent deadline, or none.
     */
    public static Optional<Duration> next(Observation seen, MinimalImageStatus written) {
        Optional<BuildPlan> plan = seen.plan();
        boolean smokePending = plan.filter(p -> Decision.smokeTestRunning(written, p))
                .filter(p -> !seen.smokePods().keySet().containsAll(wantedSmokePods(written, p))).isPresent();
        // the Dockerfile of a git source is on record now: its status write sends no event, and the build is next
        boolean dockerfileFetched = plan.filter(BuildPlan::fetchesDockerfile).isPresent()
                && written.getDockerfile() != null && plan.get().inputsHash().equals(written.getDockerfile().getSource());
        if (seen.inlineWithoutSlot() || smokePending || dockerfileFetched) {
            return Optional.of(SOURCE_RECHECK);
        }
        // while the pre-flight fails nothing is looked up: its own recheck (or the Secret's event) comes back; while a
        // look-up runs, its end does
        Optional<Duration> nextPoll = seen.pollInterval().filter(interval -> seen.problem().isEmpty())
                .map(interval -> seen.lookingUpHead() ? LOOKUP_RECHECK
                        : Duration.between(seen.now(), PollSchedule.nextPoll(written, interval)));
        Optional<Instant> smokeDeadline = plan.filter(p -> Decision.smokeTestRunning(written, p))
                .flatMap(p -> seen.smokePods().values().stream().flatMap(pod -> SmokeInspector.nextDeadline(pod,
                        p.smokeTest(), Decision.smokeBudget(p), seen.now()).stream()).min(Instant::compareTo));
        return next(seen.problem().isPresent(), written, plan.orElse(null), seen.builderPod(), seen.now(), nextPoll,
                smokeDeadline);
    }

    /**
     * {@code smokeDeadline}: when an undecided smoke test's verdict changes with no event to mark it (a server's
     * deadline, the end of the smoke-test pod's start or pull budget).
     */
    public static Optional<Duration> next(boolean preflightFailed, MinimalImageStatus status, BuildPlan plan,
            Optional<Pod> pod, Instant now, Optional<Duration> nextPoll, Optional<Instant> smokeDeadline) {
        List<Duration> waits = new ArrayList<>();
        smokeDeadline.map(deadline -> until(deadline, now)).ifPresent(waits::add);
        nextPoll.map(wait -> wait.isNegative() ? Duration.ZERO : wait).ifPresent(waits::add);
        if (preflightFailed) {
            waits.add(PREFLIGHT_RECHECK);
        }
        if (status.getPhase() == Phase.Queued) {
            waits.add(QUEUE_RECHECK);
        }
        if (status.getNextAttemptTime() != null) {
            waits.add(until(Instant.parse(status.getNextAttemptTime()), now));
        }
        if (plan != null && status.getPullFailingSince() != null) {
            waits.add(until(Instant.parse(status.getPullFailingSince()).plusSeconds(plan.pullTimeoutSeconds()), now));
        }
        boolean running = status.getPhase() == Phase.Pending || status.getPhase() == Phase.Building;
        if (plan != null && running) {
            pod.filter(p -> !StartCheck.started(p) && p.getMetadata().getCreationTimestamp() != null)
                    .map(p -> StartCheck.remaining(p, Duration.ofSeconds(plan.startTimeoutSeconds()), now))
                    .ifPresent(left -> waits.add(left.isNegative() ? Duration.ZERO : left));
        }
        return waits.stream().min(Comparator.naturalOrder()).map(wait -> wait.plus(MARGIN));
    }

    private static Duration until(Instant deadline, Instant now) {
        Duration left = Duration.between(now, deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The smoke-test pods {@code written} asks for: the home run's, and each running foreign platform's. */
    private static Set<String> wantedSmokePods(MinimalImageStatus written, BuildPlan plan) {
        Set<String> wanted = new HashSet<>(Set.of(plan.smokePodName()));
        if (written.getPlatforms() != null) {
            written.getPlatforms().stream().filter(p -> PlatformSmokeTests.RUNNING.equals(p.getSmokeTest()))
                    .map(MinimalImageStatus.PlatformStatus::getSmokeTestPod).filter(Objects::nonNull)
                    .forEach(wanted::add);
        }
        return wanted;
    }
}
