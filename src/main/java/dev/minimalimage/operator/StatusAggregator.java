package dev.minimalimage.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.operator.BuildOutcome.StageState;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.LinkSummary;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * The one place the status is built. Pure: same resource, plan and pod in, same status out, so the reconciler can
 * compare and write only on change. Results are only ever reported for the inputs (hash) that produced them.
 */
final class StatusAggregator {

    private final Clock clock;
    private final int maxAttempts;
    private final Duration backoff;

    StatusAggregator(Clock clock, int maxAttempts, Duration backoff) {
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    MinimalImageStatus invalidSpec(MinimalImage resource, String message) {
        return refused(resource, Reasons.INVALID_SPEC, message);
    }

    /** A build that cannot start because of what the user wrote or referenced: no pod, no retry. */
    MinimalImageStatus refused(MinimalImage resource, String reason, String message) {
        MinimalImageStatus status = fresh(resource);
        status.setPhase(Phase.Failed);
        status.setConditions(List.of(Conditions.make(previousConditions(resource), Conditions.READY, "False",
                reason, message, generation(resource), now())));
        return status;
    }

    /**
     * {@code pod}: the current attempt's pod ({@link Attempts#current}); {@code mountFailure}: the kubelet's latest
     * FailedMount message for the pod, asked only for a pod not started.
     */
    MinimalImageStatus compute(MinimalImage resource, BuildPlan plan, Optional<Pod> pod,
            Supplier<Optional<String>> mountFailure) {
        return compute(resource, plan, pod, mountFailure, Optional.empty(), Optional::empty);
    }

    /**
     * The same, with the current inputs' smoke-test pod and its log (asked only when the termination message has no
     * output): with spec.verify.smokeTest, a pushed image is Ready only once it passed.
     */
    MinimalImageStatus compute(MinimalImage resource, BuildPlan plan, Optional<Pod> pod,
            Supplier<Optional<String>> mountFailure, Optional<Pod> smokePod, Supplier<Optional<String>> smokeLogs) {
        MinimalImageStatus old = resource.getStatus();
        boolean sameInputs = old != null && plan.inputsHash().equals(old.getBuildHash());
        Instant now = clock.instant();
        if (sameInputs && Attempts.retryScheduled(old) && !Attempts.retryDue(old, now)) {
            return kept(resource, old); // the fault is on record; nothing changes until the next attempt starts
        }
        int attempt = sameInputs ? Attempts.current(old, plan.inputsHash(), now) : 1;
        if (pod.isEmpty()) {
            return withoutPod(resource, plan, sameInputs, attempt);
        }
        MinimalImageStatus status = sameInputs ? copyResult(old, fresh(resource)) : fresh(resource);
        status.setBuildHash(plan.inputsHash());
        status.setBuilderPod(pod.get().getMetadata().getName());
        status.setBuilderPodUid(pod.get().getMetadata().getUid());
        status.setAttempts(attempt);
        status.setNextAttemptTime(null);
        status.setStartTime(pod.get().getMetadata().getCreationTimestamp());
        MinimalImageStatus sameAttempt = sameInputs && Attempts.recorded(old) == attempt ? old : null;
        BuildOutcome inspected = pullBudget(PodInspector.inspect(pod.get(), plan.isInline()), status, sameAttempt,
                plan, now);
        BuildOutcome outcome = inspected.finished() ? inspected : StartCheck.expired(pod.get(),
                Duration.ofSeconds(plan.startTimeoutSeconds()), now, mountFailure).orElse(inspected);
        BuildOutcome built = retryOrGiveUp(outcome, status, attempt, now);
        status.setSmokeTest(null);
        if (!plan.hasSmokeTest() || built.phase() != Phase.Succeeded) {
            apply(resource, status, built, sameInputs ? old : null);
            return status;
        }
        if (sameInputs && smokeDecided(old)) {
            return kept(resource, old); // the verdict stands, also once the smoke-test pod is deleted or stopped
        }
        SmokeInspector.Verdict verdict = SmokeInspector.inspect(smokePod, plan.smokeTest(), plan.smokePodName(),
                smokeBudget(plan), now, smokeLogs);
        status.setSmokeTest(smokeStatus(plan, verdict));
        apply(resource, status, smokeOutcome(built, verdict), sameInputs ? old : null);
        StageState smoke = switch (verdict.state()) {
            case RUNNING -> StageState.pending(Reasons.SMOKE_TESTING);
            case PASSED -> new StageState("True", Reasons.SMOKE_TEST_PASSED, verdict.message());
            case FAILED -> StageState.failed(verdict.reason(), verdict.message());
        };
        List<Condition> conditions = new ArrayList<>(status.getConditions());
        conditions.add(Conditions.make(previousConditions(resource), Conditions.SMOKE_TESTED, smoke.status(),
                smoke.reason(), smoke.message(), generation(resource), now()));
        status.setConditions(conditions);
        return status;
    }

    /** The builder's start and pull budgets, which the smoke-test pod gets too (no knobs of its own). */
    static SmokeInspector.Budget smokeBudget(BuildPlan plan) {
        return new SmokeInspector.Budget(Duration.ofSeconds(plan.startTimeoutSeconds()),
                Duration.ofSeconds(plan.pullTimeoutSeconds()));
    }

    /** A smoke test of these inputs that passed or failed (not one still running). */
    private static boolean smokeDecided(MinimalImageStatus old) {
        return (old.getPhase() == Phase.Succeeded || old.getPhase() == Phase.Failed) && old.getSmokeTest() != null
                && old.getConditions().stream().anyMatch(c -> Conditions.SMOKE_TESTED.equals(c.getType())
                        && !"Unknown".equals(c.getStatus()));
    }

    /** The pushed image stays in the status whatever the smoke test says: it is in the registry. */
    private static BuildOutcome smokeOutcome(BuildOutcome built, SmokeInspector.Verdict verdict) {
        String pushed = built.message();
        return switch (verdict.state()) {
            case RUNNING -> new BuildOutcome(Phase.Building, Reasons.SMOKE_TESTING, pushed + "; " + verdict.message(),
                    built.stages(), built.result(), built.sourceCommit(), null);
            case PASSED -> new BuildOutcome(Phase.Succeeded, Reasons.BUILT, pushed + "; smoke test passed: "
                    + verdict.message(), built.stages(), built.result(), built.sourceCommit(), verdict.finishedAt());
            case FAILED -> new BuildOutcome(Phase.Failed, verdict.reason(), pushed + ", but the smoke test failed: "
                    + verdict.message(), built.stages(), built.result(), built.sourceCommit(), verdict.finishedAt());
        };
    }

    private static MinimalImageStatus.SmokeTestStatus smokeStatus(BuildPlan plan, SmokeInspector.Verdict verdict) {
        MinimalImageStatus.SmokeTestStatus smoke = new MinimalImageStatus.SmokeTestStatus();
        smoke.setPod(plan.smokePodName());
        smoke.setExitCode(verdict.exitCode());
        smoke.setRunAsUser(plan.smokeTest().runAsUser());
        smoke.setRunAsGroup(plan.smokeTest().runAsGroup());
        smoke.setRootReplaced(plan.smokeTest().rootReplaced());
        smoke.setOutput(verdict.output());
        return smoke;
    }

    /** A build waiting for one of the operator's build slots (no pod yet). */
    MinimalImageStatus queued(MinimalImage resource, BuildPlan plan, int slots) {
        MinimalImageStatus old = resource.getStatus();
        boolean sameInputs = old != null && plan.inputsHash().equals(old.getBuildHash());
        MinimalImageStatus status = fresh(resource);
        status.setBuildHash(plan.inputsHash());
        status.setAttempts(sameInputs ? Attempts.current(old, plan.inputsHash(), clock.instant()) : 1);
        apply(resource, status, new BuildOutcome(Phase.Queued, Reasons.QUEUED, "waiting for one of the operator's "
                + slots + " build slots (minimal-image.max-concurrent-builds); queued builds start in creation order",
                BuildOutcome.allPending(), null, null, null), null);
        return status;
    }

    private MinimalImageStatus withoutPod(MinimalImage resource, BuildPlan plan, boolean sameInputs, int attempt) {
        MinimalImageStatus old = resource.getStatus();
        if (sameInputs && (old.getPhase() == Phase.Succeeded || old.getPhase() == Phase.Failed)) {
            return kept(resource, old); // finished pod pruned: the result still holds
        }
        MinimalImageStatus status = fresh(resource);
        status.setBuildHash(plan.inputsHash());
        status.setBuilderPod(plan.podName(attempt));
        status.setAttempts(attempt);
        boolean vanished = sameInputs && old.getBuilderPodUid() != null
                && plan.podName(attempt).equals(old.getBuilderPod());
        if (vanished) {
            status.setBuilderPodUid(old.getBuilderPodUid());
            BuildOutcome lost = new BuildOutcome(Phase.Failed, Reasons.BUILDER_POD_LOST, "builder pod "
                    + old.getBuilderPod() + " disappeared before finishing (evicted with its node, or deleted)",
                    BuildOutcome.allPending(), null, null, null);
            apply(resource, status, retryOrGiveUp(lost, status, attempt, clock.instant()), old);
            return status;
        }
        apply(resource, status, new BuildOutcome(Phase.Pending, Reasons.PENDING, "creating builder pod "
                + plan.podName(attempt) + attemptNote(attempt), BuildOutcome.allPending(), null, null, null),
                sameInputs ? old : null);
        return status;
    }

    /**
     * The kubelet retries a failed image pull by itself (back-off up to 5 min): a registry's 429 or a short outage
     * heals in the same pod. The build fails only once the pull has failed for longer than spec.build.pullTimeout.
     */
    private BuildOutcome pullBudget(BuildOutcome inspected, MinimalImageStatus status, MinimalImageStatus sameAttempt,
            BuildPlan plan, Instant now) {
        if (inspected.phase() != Phase.Failed || !Reasons.PULL_FAILURES.contains(inspected.reason())) {
            status.setPullFailingSince(null);
            return inspected;
        }
        String since = sameAttempt != null && sameAttempt.getPullFailingSince() != null
                ? sameAttempt.getPullFailingSince() : timestamp(now);
        status.setPullFailingSince(since);
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
    private BuildOutcome retryOrGiveUp(BuildOutcome outcome, MinimalImageStatus status, int attempt, Instant now) {
        if (outcome.phase() != Phase.Failed || !Attempts.RECOVERABLE.contains(outcome.reason())) {
            return outcome;
        }
        if (attempt >= maxAttempts) {
            return new BuildOutcome(Phase.Failed, outcome.reason(), outcome.message() + " (attempt " + attempt + " of "
                    + maxAttempts + ", none left)", outcome.stages(), outcome.result(), outcome.sourceCommit(),
                    outcome.finishedAt());
        }
        Duration wait = Attempts.backoff(attempt, backoff);
        status.setNextAttemptTime(timestamp(now.plus(wait)));
        return new BuildOutcome(Phase.Pending, Reasons.RETRYING, "retrying in " + wait.toSeconds() + "s after "
                + outcome.reason() + " (attempt " + attempt + " of " + maxAttempts + "): " + outcome.message(),
                outcome.stages(), null, outcome.sourceCommit(), null);
    }

    private static String attemptNote(int attempt) {
        return attempt <= 1 ? "" : " (attempt " + attempt + ")";
    }

    private static MinimalImageStatus kept(MinimalImage resource, MinimalImageStatus old) {
        MinimalImageStatus kept = copyResult(old, fresh(resource));
        kept.setConditions(regenerated(old.getConditions(), generation(resource)));
        return kept;
    }

    private void apply(MinimalImage resource, MinimalImageStatus status, BuildOutcome outcome, MinimalImageStatus old) {
        status.setPhase(outcome.phase());
        if (outcome.sourceCommit() != null) {
            status.setSourceCommit(outcome.sourceCommit());
        }
        if (outcome.result() != null) {
            setResult(status, outcome.result());
        }
        if (outcome.finished()) {
            status.setCompletionTime(completion(outcome, old));
        }
        List<Condition> previous = previousConditions(resource);
        long generation = generation(resource);
        String now = now();
        String readyStatus = outcome.phase() == Phase.Succeeded ? "True" : "False";
        Condition ready = Conditions.make(previous, Conditions.READY, readyStatus, outcome.reason(), outcome.message(),
                generation, now);
        List<Condition> stages = new ArrayList<>();
        for (Map.Entry<Stage, StageState> stage : outcome.stages().entrySet()) {
            StageState s = stage.getValue();
            stages.add(Conditions.make(previous, stage.getKey().name(), s.status(), s.reason(), s.message(), generation,
                    now));
        }
        status.setConditions(Conditions.ordered(ready, stages));
    }

    private String completion(BuildOutcome outcome, MinimalImageStatus old) {
        if (outcome.finishedAt() != null) {
            return outcome.finishedAt();
        }
        return old != null && old.getCompletionTime() != null ? old.getCompletionTime() : now();
    }

    private static void setResult(MinimalImageStatus status, BuildResult result) {
        status.setImageRef(result.image());
        status.setDigest(result.digest());
        status.setDebugImage(result.debugImage());
        status.setShortDigest(result.digest() == null ? null
                : result.digest().substring(result.digest().indexOf(':') + 1, Math.min(result.digest().length(),
                        result.digest().indexOf(':') + 13)));
        status.setCompressedSize(result.compressedSize());
        status.setUncompressedSize(result.uncompressedSize());
        status.setBinarySize(result.binarySize());
        status.setLink(link(result.link()));
    }

    private static MinimalImageStatus.LinkStatus link(LinkSummary summary) {
        if (summary == null) {
            return null;
        }
        MinimalImageStatus.LinkStatus link = new MinimalImageStatus.LinkStatus();
        link.setVerdict(summary.verdict());
        link.setLibc(summary.libc());
        link.setMachine(summary.machine());
        link.setInterpreter(summary.interpreter());
        link.setNeeded(summary.needed());
        link.setHazards(summary.hazards());
        link.setExplanation(summary.explanation());
        link.setBundled(summary.bundled());
        link.setBundledCapped(summary.bundledCapped());
        link.setBundleBytes(summary.bundleBytes());
        return link;
    }

    private static MinimalImageStatus copyResult(MinimalImageStatus from, MinimalImageStatus to) {
        to.setPhase(from.getPhase());
        to.setImageRef(from.getImageRef());
        to.setDigest(from.getDigest());
        to.setDebugImage(from.getDebugImage());
        to.setShortDigest(from.getShortDigest());
        to.setCompressedSize(from.getCompressedSize());
        to.setUncompressedSize(from.getUncompressedSize());
        to.setBinarySize(from.getBinarySize());
        to.setLink(from.getLink());
        to.setSourceCommit(from.getSourceCommit());
        to.setBuilderPod(from.getBuilderPod());
        to.setBuilderPodUid(from.getBuilderPodUid());
        to.setBuildHash(from.getBuildHash());
        to.setAttempts(from.getAttempts());
        to.setNextAttemptTime(from.getNextAttemptTime());
        to.setPullFailingSince(from.getPullFailingSince());
        to.setTrackedCommit(from.getTrackedCommit());
        to.setLastPollTime(from.getLastPollTime());
        to.setStartTime(from.getStartTime());
        to.setCompletionTime(from.getCompletionTime());
        to.setSmokeTest(from.getSmokeTest());
        return to;
    }

    private static List<Condition> regenerated(List<Condition> conditions, long generation) {
        List<Condition> copy = new ArrayList<>();
        for (Condition c : conditions) {
            copy.add(new io.fabric8.kubernetes.api.model.ConditionBuilder(c).withObservedGeneration(generation).build());
        }
        return copy;
    }

    private static MinimalImageStatus fresh(MinimalImage resource) {
        MinimalImageStatus status = new MinimalImageStatus();
        status.setObservedGeneration(generation(resource));
        return status;
    }

    private static List<Condition> previousConditions(MinimalImage resource) {
        return resource.getStatus() == null || resource.getStatus().getConditions() == null ? List.of()
                : resource.getStatus().getConditions();
    }

    private static long generation(MinimalImage resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    private String now() {
        return timestamp(clock.instant());
    }

    private static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
