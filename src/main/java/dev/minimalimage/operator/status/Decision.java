package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.operator.status.BuildState.BuildRun;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.SmokeRuns;
import dev.minimalimage.result.BuildResult;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Decides where the build stands from one {@link Observation}: a pure function (no client, no clock of its own), so
 * the same observation always gives the same state. Results are only ever reported for the inputs (hash) that
 * produced them.
 */
public final class Decision {

    private final int maxAttempts;
    private final Duration backoff;

    public Decision(int maxAttempts, Duration backoff) {
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    public BuildState decide(Observation seen) {
        if (seen.plan().isEmpty()) {
            return new BuildState.Invalid(seen.invalidSpec());
        }
        if (seen.starting()) {
            return beforeThePod(seen);
        }
        return withThePod(seen, seen.plan().get());
    }

    /** No pod yet and one is wanted: what holds it back, if anything. */
    private static BuildState beforeThePod(Observation seen) {
        if (seen.problem().isPresent()) {
            return new BuildState.Refused(seen.problem().get().reason(), seen.problem().get().message());
        }
        if (seen.awaitingSource()) {
            return new BuildState.AwaitingSource(Timers.SOURCE_RECHECK);
        }
        if (seen.lookingUpHead()) { // a new build waits for the head being looked up: it may be another commit
            return new BuildState.AwaitingSource(Timers.LOOKUP_RECHECK);
        }
        if (seen.pollInterval().isPresent() && seen.trackedCommit() == null) {
            return new BuildState.Refused(Reasons.SOURCE_POLL_FAILED, seen.poll().map(BranchPoll::failure)
                    .orElse("the head of the followed branch was not looked up yet"));
        }
        if (!seen.slotHeld()) {
            return new BuildState.Queued(seen.sameInputs() ? seen.attempt() : 1, seen.slots());
        }
        return new BuildState.Starting(seen.attempt(), seen.plan().get().podName(seen.attempt()));
    }

    private BuildState withThePod(Observation seen, BuildPlan plan) {
        MinimalImageStatus previous = seen.previous();
        boolean sameInputs = seen.sameInputs();
        Instant now = seen.now();
        if (sameInputs && Attempts.retryScheduled(previous) && !Attempts.retryDue(previous, now)) {
            return new BuildState.Standing(previous); // the fault is on record; nothing changes until the next attempt
        }
        int attempt = sameInputs ? seen.attempt() : 1;
        if (seen.builderPod().isEmpty()) {
            return withoutPod(seen, plan, attempt);
        }
        Pod pod = seen.builderPod().get();
        MinimalImageStatus sameAttempt = sameInputs && Attempts.recorded(previous) == attempt ? previous : null;
        BuildOutcome inspected = PodInspector.inspect(pod, plan.isInline());
        String pullFailingSince = pullFailure(inspected) ? pullFailingSince(sameAttempt, now) : null;
        BuildOutcome outcome = pullFailingSince == null ? inspected
                : pullBudget(inspected, pullFailingSince, plan, now);
        if (!outcome.finished()) {
            outcome = StartCheck.expired(pod, Duration.ofSeconds(plan.startTimeoutSeconds()), now,
                    seen.mountFailure()).orElse(outcome);
        }
        BuildRun run = new BuildRun(plan.inputsHash(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
                pod.getMetadata().getCreationTimestamp(), attempt, pullFailingSince, sameInputs ? previous : null);
        BuildState built = retryOrGiveUp(run, outcome, now);
        if (plan.fetchesDockerfile() && built instanceof BuildState.Succeeded) {
            return fetched(run, outcome, pod);
        }
        if (!plan.hasSmokeTest() || !(built instanceof BuildState.Succeeded)) {
            return built;
        }
        if (sameInputs && smokeDecided(previous)) {
            return new BuildState.Standing(previous); // the verdict stands, also once the smoke-test pod is gone
        }
        List<SmokeRuns.Run> runs = SmokeRuns.of(plan, seen.resource().getSpec().getBuild(), outcome.result().image(),
                pushed(outcome.result()), SmokeRuns.decided(previous, plan.inputsHash()), seen.smokeCluster());
        SmokeInspector.Verdict verdict = PlatformSmokeTests.combine(runs, each -> SmokeInspector.inspect(
                seen.smokePod(each.podName()), plan.smokeTest(), each.podName(), smokeBudget(plan), now,
                () -> seen.smokeLogs().apply(each.podName())));
        return smokeTested(run, outcome, verdict);
    }

    /** The platforms' images a multi-platform build pushed (none for a single image). */
    public static List<SmokeRuns.Pushed> pushed(BuildResult result) {
        return result.platforms() == null ? List.of() : result.platforms().stream()
                .map(p -> new SmokeRuns.Pushed(p.platform(), p.digest())).toList();
    }

    /** The resolve step ended: the Dockerfile it read goes on record, or it wrote none that can be read. */
    private static BuildState fetched(BuildRun run, BuildOutcome outcome, Pod pod) {
        return PodInspector.fetchedDockerfile(pod).<BuildState>map(text -> new BuildState.DockerfileFetched(run,
                outcome, text)).orElseGet(() -> new BuildState.Failed(run, new BuildOutcome(Phase.Failed,
                        Reasons.RESULT_UNREADABLE, "the fetch step of pod " + pod.getMetadata().getName()
                                + " succeeded but reported no readable Dockerfile", outcome.stages(), null,
                        outcome.sourceCommit(), outcome.finishedAt()), null));
    }

    private BuildState withoutPod(Observation seen, BuildPlan plan, int attempt) {
        MinimalImageStatus previous = seen.previous();
        if (seen.sameInputs() && (previous.getPhase() == Phase.Succeeded || previous.getPhase() == Phase.Failed)) {
            return new BuildState.Standing(previous); // finished pod pruned: the result still holds
        }
        String pod = plan.podName(attempt);
        if (!Attempts.vanished(previous, plan, attempt)) {
            return new BuildState.Starting(attempt, pod);
        }
        BuildOutcome lost = new BuildOutcome(Phase.Failed, Reasons.BUILDER_POD_LOST, "builder pod " + pod
                + " disappeared before finishing (evicted with its node, or deleted)", BuildOutcome.allPending(), null,
                null, null);
        BuildRun run = new BuildRun(plan.inputsHash(), pod, previous.getBuilderPodUid(), null, attempt, null, null);
        return retryOrGiveUp(run, lost, seen.now());
    }

    /**
     * Whether {@code status} says the current inputs' image was pushed and is being smoke tested: the smoke-test pod
     * is wanted then, never before the digest is known and never again once the verdict is in.
     */
    public static boolean smokeTestRunning(MinimalImageStatus status, BuildPlan plan) {
        return plan.hasSmokeTest() && status != null && plan.inputsHash().equals(status.getBuildHash())
                && status.getPhase() == Phase.Building && status.getImageRef() != null
                && status.getConditions().stream().anyMatch(c -> Conditions.READY.equals(c.getType())
                        && Reasons.SMOKE_TESTING.equals(c.getReason()));
    }

    /** The builder's start and pull budgets, which the smoke-test pod gets too (no knobs of its own). */
    static SmokeInspector.Budget smokeBudget(BuildPlan plan) {
        return new SmokeInspector.Budget(Duration.ofSeconds(plan.startTimeoutSeconds()),
                Duration.ofSeconds(plan.pullTimeoutSeconds()));
    }

    private static boolean pullFailure(BuildOutcome outcome) {
        return outcome.phase() == Phase.Failed && (Reasons.TOOLCHAIN_IMAGE_PULL_FAILED.equals(outcome.reason())
                || Reasons.BUILDER_IMAGE_PULL_FAILED.equals(outcome.reason()));
    }

    /** Counted from the first reconcile that saw this attempt's pull failing. */
    private static String pullFailingSince(MinimalImageStatus sameAttempt, Instant now) {
        return sameAttempt != null && sameAttempt.getPullFailingSince() != null ? sameAttempt.getPullFailingSince()
                : timestamp(now);
    }

    /**
     * The kubelet retries a failed image pull by itself (back-off up to 5 min): a registry's 429 or a short outage
     * heals in the same pod. The build fails only once the pull has failed for longer than spec.build.pullTimeout.
     */
    private static BuildOutcome pullBudget(BuildOutcome inspected, String since, BuildPlan plan, Instant now) {
        Instant giveUp = Instant.parse(since).plusSeconds(plan.pullTimeoutSeconds());
        String budget = "spec.build.pullTimeout (" + plan.pullTimeoutSeconds() + "s)";
        if (!now.isBefore(giveUp)) {
            return new BuildOutcome(Phase.Failed, inspected.reason(), inspected.message() + "; failing since " + since
                    + ", longer than " + budget, inspected.stages(), null, inspected.sourceCommit(), null);
        }
        return new BuildOutcome(Phase.Building, Reasons.IMAGE_PULL_BACK_OFF, inspected.message() + "; the kubelet"
                + " keeps retrying until " + budget + " runs out at " + timestamp(giveUp), BuildOutcome.allPending(),
                null, inspected.sourceCommit(), null);
    }

    /** A recoverable fault becomes a scheduled retry while attempts are left; then it is the final word. */
    private BuildState retryOrGiveUp(BuildRun run, BuildOutcome outcome, Instant now) {
        boolean recoverable = outcome.phase() == Phase.Failed && Attempts.RECOVERABLE.contains(outcome.reason());
        if (recoverable && run.attempt() < maxAttempts) {
            Duration wait = Attempts.backoff(run.attempt(), backoff);
            return new BuildState.RetryScheduled(run, new BuildOutcome(Phase.Pending, Reasons.RETRYING, "retrying in "
                    + wait.toSeconds() + "s after " + outcome.reason() + " (attempt " + run.attempt() + " of "
                    + maxAttempts + "): " + outcome.message(), outcome.stages(), null, outcome.sourceCommit(), null),
                    now.plus(wait));
        }
        if (recoverable) {
            outcome = new BuildOutcome(Phase.Failed, outcome.reason(), outcome.message() + " (attempt "
                    + run.attempt() + " of " + maxAttempts + ", none left)", outcome.stages(), outcome.result(),
                    outcome.sourceCommit(), outcome.finishedAt());
        }
        return byPhase(run, outcome, null);
    }

    private static BuildState byPhase(BuildRun run, BuildOutcome outcome, SmokeInspector.Verdict verdict) {
        return switch (outcome.phase()) {
            case Succeeded -> new BuildState.Succeeded(run, outcome, verdict);
            case Failed -> new BuildState.Failed(run, outcome, verdict);
            default -> verdict == null ? new BuildState.Building(run, outcome)
                    : new BuildState.SmokeTesting(run, outcome, verdict);
        };
    }

    /** A smoke test of these inputs that passed or failed (not one still running). */
    private static boolean smokeDecided(MinimalImageStatus previous) {
        return (previous.getPhase() == Phase.Succeeded || previous.getPhase() == Phase.Failed)
                && previous.getSmokeTest() != null
                && previous.getConditions().stream().anyMatch(c -> Conditions.SMOKE_TESTED.equals(c.getType())
                        && !"Unknown".equals(c.getStatus()));
    }

    /** The pushed image stays in the status whatever the smoke test says: it is in the registry. */
    private static BuildState smokeTested(BuildRun run, BuildOutcome built, SmokeInspector.Verdict verdict) {
        String pushed = built.message();
        BuildOutcome outcome = switch (verdict.state()) {
            case RUNNING -> new BuildOutcome(Phase.Building, Reasons.SMOKE_TESTING, pushed + "; " + verdict.message(),
                    built.stages(), built.result(), built.sourceCommit(), null);
            case PASSED -> new BuildOutcome(Phase.Succeeded, Reasons.BUILT, pushed + "; smoke test passed: "
                    + verdict.message(), built.stages(), built.result(), built.sourceCommit(), verdict.finishedAt());
            case FAILED -> new BuildOutcome(Phase.Failed, verdict.reason(), pushed + ", but the smoke test failed: "
                    + verdict.message(), built.stages(), built.result(), built.sourceCommit(), verdict.finishedAt());
        };
        return byPhase(run, outcome, verdict);
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
