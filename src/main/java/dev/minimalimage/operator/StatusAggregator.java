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
    private final int maxRecreations;

    StatusAggregator(Clock clock, int maxRecreations) {
        this.clock = clock;
        this.maxRecreations = maxRecreations;
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

    /** {@code mountFailure}: the kubelet's latest FailedMount message for the pod, asked only for a pod not started. */
    MinimalImageStatus compute(MinimalImage resource, BuildPlan plan, Optional<Pod> pod,
            Supplier<Optional<String>> mountFailure) {
        MinimalImageStatus old = resource.getStatus();
        boolean sameInputs = old != null && plan.inputsHash().equals(old.getBuildHash());
        if (pod.isEmpty()) {
            return withoutPod(resource, plan, sameInputs);
        }
        MinimalImageStatus status = sameInputs ? copyResult(old, fresh(resource)) : fresh(resource);
        status.setBuildHash(plan.inputsHash());
        status.setBuilderPod(pod.get().getMetadata().getName());
        status.setBuilderPodUid(pod.get().getMetadata().getUid());
        status.setPodRecreations(recreations(old, sameInputs, pod.get()));
        status.setStartTime(pod.get().getMetadata().getCreationTimestamp());
        BuildOutcome inspected = PodInspector.inspect(pod.get(), plan.isInline());
        BuildOutcome outcome = inspected.finished() ? inspected : StartCheck.expired(pod.get(),
                Duration.ofSeconds(plan.startTimeoutSeconds()), clock.instant(), mountFailure).orElse(inspected);
        apply(resource, status, outcome, sameInputs ? old : null);
        return status;
    }

    private MinimalImageStatus withoutPod(MinimalImage resource, BuildPlan plan, boolean sameInputs) {
        MinimalImageStatus old = resource.getStatus();
        if (sameInputs && (old.getPhase() == Phase.Succeeded || old.getPhase() == Phase.Failed)) {
            MinimalImageStatus kept = copyResult(old, fresh(resource)); // finished pod pruned: the result still holds
            kept.setConditions(regenerated(old.getConditions(), generation(resource)));
            return kept;
        }
        MinimalImageStatus status = fresh(resource);
        status.setBuildHash(plan.inputsHash());
        status.setBuilderPod(plan.podName());
        status.setPodRecreations(sameInputs && old.getPodRecreations() != null ? old.getPodRecreations() : 0);
        if (sameInputs && old.getBuilderPodUid() != null && status.getPodRecreations() >= maxRecreations) {
            BuildOutcome lost = new BuildOutcome(Phase.Failed, Reasons.BUILDER_POD_LOST, "builder pod " + plan.podName()
                    + " disappeared " + (status.getPodRecreations() + 1) + " times before finishing; giving up."
                    + " Check for evictions or something deleting pods in this namespace",
                    BuildOutcome.allPending(), null, null, null);
            apply(resource, status, lost, old);
            return status;
        }
        status.setBuilderPodUid(sameInputs ? old.getBuilderPodUid() : null);
        apply(resource, status, new BuildOutcome(Phase.Pending, Reasons.PENDING, "creating builder pod " + plan.podName(),
                BuildOutcome.allPending(), null, null, null), sameInputs ? old : null);
        return status;
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
        return link;
    }

    private int recreations(MinimalImageStatus old, boolean sameInputs, Pod pod) {
        if (!sameInputs) {
            return 0;
        }
        int before = old.getPodRecreations() == null ? 0 : old.getPodRecreations();
        boolean replaced = old.getBuilderPodUid() != null && !old.getBuilderPodUid().equals(pod.getMetadata().getUid());
        return replaced ? before + 1 : before;
    }

    private static MinimalImageStatus copyResult(MinimalImageStatus from, MinimalImageStatus to) {
        to.setPhase(from.getPhase());
        to.setImageRef(from.getImageRef());
        to.setDigest(from.getDigest());
        to.setShortDigest(from.getShortDigest());
        to.setCompressedSize(from.getCompressedSize());
        to.setUncompressedSize(from.getUncompressedSize());
        to.setBinarySize(from.getBinarySize());
        to.setLink(from.getLink());
        to.setSourceCommit(from.getSourceCommit());
        to.setBuilderPod(from.getBuilderPod());
        to.setBuilderPodUid(from.getBuilderPodUid());
        to.setBuildHash(from.getBuildHash());
        to.setPodRecreations(from.getPodRecreations());
        to.setStartTime(from.getStartTime());
        to.setCompletionTime(from.getCompletionTime());
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
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
