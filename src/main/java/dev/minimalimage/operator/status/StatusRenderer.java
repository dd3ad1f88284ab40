package dev.minimalimage.operator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.operator.status.BuildOutcome.StageState;
import dev.minimalimage.operator.status.BuildState.BuildRun;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.SbomSummary;
import dev.minimalimage.result.LinkSummary;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * The whole new status from one {@link BuildState} and the {@link Observation} it was decided from, in one pass: the
 * only place that calls the status's setters. Pure; every condition keeps its lastTransitionTime unless its status
 * flips ({@link Conditions#make}), so rendering the same state twice gives the same status and the reconciler writes
 * only on change.
 */
public final class StatusRenderer {

    private StatusRenderer() {
    }

    public static MinimalImageStatus render(BuildState state, Observation seen) {
        MinimalImageStatus status;
        if (state instanceof BuildState.Invalid invalid) {
            status = refused(seen, Reasons.INVALID_SPEC, invalid.message());
        } else if (state instanceof BuildState.Refused refused) {
            status = refused(seen, refused.reason(), refused.message());
        } else if (state instanceof BuildState.Standing standing) {
            status = standing(seen, standing.previous());
        } else if (state instanceof BuildState.Queued queued) {
            status = waiting(seen, Phase.Queued, queued.attempt(), null, Reasons.QUEUED, "waiting for one of the"
                    + " operator's " + queued.slots() + " build slots (minimal-image.max-concurrent-builds); queued"
                    + " builds start in creation order");
        } else if (state instanceof BuildState.Starting starting) {
            status = waiting(seen, Phase.Pending, starting.attempt(), starting.pod(), Reasons.PENDING,
                    "creating builder pod " + starting.pod() + (starting.attempt() <= 1 ? ""
                            : " (attempt " + starting.attempt() + ")"));
        } else if (state instanceof BuildState.Building building) {
            status = run(seen, building.run(), building.outcome(), null, null);
        } else if (state instanceof BuildState.RetryScheduled retry) {
            status = run(seen, retry.run(), retry.outcome(), Decision.timestamp(retry.nextAttempt()), null);
        } else if (state instanceof BuildState.SmokeTesting smoke) {
            status = run(seen, smoke.run(), smoke.outcome(), null, smoke.verdict());
        } else if (state instanceof BuildState.Succeeded succeeded) {
            status = run(seen, succeeded.run(), succeeded.outcome(), null, succeeded.verdict());
        } else if (state instanceof BuildState.Failed failed) {
            status = run(seen, failed.run(), failed.outcome(), null, failed.verdict());
        } else if (state instanceof BuildState.DockerfileFetched fetched) {
            status = run(seen, fetched.run(), new BuildOutcome(Phase.Pending, Reasons.DOCKERFILE_FETCHED,
                    fetched.outcome().message() + "; planning the build from it", fetched.outcome().stages(), null,
                    fetched.outcome().sourceCommit(), null), null, null);
        } else {
            throw new IllegalArgumentException("nothing to render for " + state);
        }
        status.setConditions(withHealth(seen, status.getConditions(), status.getPhase()));
        status.setDockerfile(dockerfile(state, seen));
        status.setTrackedCommit(seen.trackedCommit());
        status.setLastPollTime(seen.lastPollTime());
        return status;
    }

    /**
     * A git source's Dockerfile on record: the one just fetched, else the one before, whatever this state is (the
     * planner plans the build from it, and fetches again only when the source's inputs change).
     */
    private static MinimalImageStatus.ResolvedDockerfile dockerfile(BuildState state, Observation seen) {
        if (state instanceof BuildState.DockerfileFetched fetched) {
            return new MinimalImageStatus.ResolvedDockerfile(fetched.run().inputsHash(),
                    fetched.outcome().sourceCommit(), fetched.text());
        }
        MinimalImageStatus previous = seen.resource().getStatus();
        return previous == null ? null : previous.getDockerfile();
    }

    /**
     * The conditions with kstatus's Reconciling (a build on its way) or Stalled (a terminal failure) after them, saying
     * what Ready says; neither once the image is Ready (left out rather than False, as kstatus reads both the same).
     */
    private static List<Condition> withHealth(Observation seen, List<Condition> conditions, Phase phase) {
        List<Condition> all = new ArrayList<>(conditions.stream().filter(c -> !Conditions.RECONCILING.equals(c.getType())
                && !Conditions.STALLED.equals(c.getType())).toList());
        Condition ready = all.stream().filter(c -> Conditions.READY.equals(c.getType())).findFirst().orElse(null);
        if (ready == null || phase == null || phase == Phase.Succeeded) {
            return all;
        }
        String type = phase == Phase.Failed ? Conditions.STALLED : Conditions.RECONCILING;
        all.add(condition(seen, type, "True", ready.getReason(), ready.getMessage()));
        return all;
    }

    /** Failed with only Ready (and Stalled): no pod was made, nothing of an earlier build is reported. */
    private static MinimalImageStatus refused(Observation seen, String reason, String message) {
        MinimalImageStatus status = fresh(seen);
        status.setPhase(Phase.Failed);
        status.setConditions(List.of(condition(seen, Conditions.READY, "False", reason, message)));
        return status;
    }

    /** The previous status as it was, at the current generation. */
    private static MinimalImageStatus standing(Observation seen, MinimalImageStatus previous) {
        MinimalImageStatus status = fresh(seen);
        status.setPhase(previous.getPhase());
        copyResult(previous, status);
        status.setSourceCommit(previous.getSourceCommit());
        status.setCompletionTime(previous.getCompletionTime());
        status.setBuilderPod(previous.getBuilderPod());
        status.setBuilderPodUid(previous.getBuilderPodUid());
        status.setBuildHash(previous.getBuildHash());
        status.setAttempts(previous.getAttempts());
        status.setNextAttemptTime(previous.getNextAttemptTime());
        status.setPullFailingSince(previous.getPullFailingSince());
        status.setStartTime(previous.getStartTime());
        status.setSmokeTest(previous.getSmokeTest());
        List<Condition> conditions = new ArrayList<>();
        for (Condition c : previous.getConditions()) {
            conditions.add(new ConditionBuilder(c).withObservedGeneration(seen.generation()).build());
        }
        status.setConditions(conditions);
        return status;
    }

    /** Queued or Pending: no pod at work yet, every stage still to come. */
    private static MinimalImageStatus waiting(Observation seen, Phase phase, int attempt, String pod, String reason,
            String message) {
        MinimalImageStatus status = fresh(seen);
        status.setPhase(phase);
        status.setBuildHash(seen.plan().map(BuildPlan::inputsHash).orElseThrow());
        status.setAttempts(attempt);
        status.setBuilderPod(pod);
        status.setConditions(conditions(seen, new BuildOutcome(phase, reason, message, BuildOutcome.allPending(), null,
                null, null), null));
        return status;
    }

    /** A state with a builder pod (or one that vanished): the pod's facts, the outcome, the smoke test's verdict. */
    private static MinimalImageStatus run(Observation seen, BuildRun run, BuildOutcome outcome, String nextAttemptTime,
            SmokeInspector.Verdict verdict) {
        MinimalImageStatus carried = run.carried();
        MinimalImageStatus status = fresh(seen);
        status.setPhase(outcome.phase());
        copyResult(outcome.result() == null ? carried : null, status);
        setResult(status, outcome.result());
        status.setSourceCommit(outcome.sourceCommit() != null ? outcome.sourceCommit()
                : carried == null ? null : carried.getSourceCommit());
        status.setCompletionTime(completion(seen, outcome, carried));
        status.setBuildHash(run.inputsHash());
        status.setBuilderPod(run.pod());
        status.setBuilderPodUid(run.podUid());
        status.setStartTime(run.startTime());
        status.setAttempts(run.attempt());
        status.setNextAttemptTime(nextAttemptTime);
        status.setPullFailingSince(run.pullFailingSince());
        status.setSmokeTest(verdict == null ? null : smokeStatus(seen.plan().orElseThrow(), verdict));
        status.setPlatforms(PlatformSmokeTests.withVerdict(status.getPlatforms(), verdict));
        status.setConditions(conditions(seen, outcome, verdict));
        return status;
    }

    private static String completion(Observation seen, BuildOutcome outcome, MinimalImageStatus carried) {
        String before = carried == null ? null : carried.getCompletionTime();
        if (!outcome.finished()) {
            return before;
        }
        return outcome.finishedAt() != null ? outcome.finishedAt()
                : before != null ? before : Decision.timestamp(seen.now());
    }

    /** Ready, one condition per stage, and SmokeTested when the spec asks for a smoke test. */
    private static List<Condition> conditions(Observation seen, BuildOutcome outcome,
            SmokeInspector.Verdict verdict) {
        List<Condition> all = new ArrayList<>();
        all.add(condition(seen, Conditions.READY, outcome.phase() == Phase.Succeeded ? "True" : "False",
                outcome.reason(), outcome.message()));
        for (Map.Entry<Stage, StageState> stage : outcome.stages().entrySet()) {
            StageState s = stage.getValue();
            all.add(condition(seen, stage.getKey().name(), s.status(), s.reason(), s.message()));
        }
        if (verdict != null) {
            StageState smoke = switch (verdict.state()) {
                case RUNNING -> StageState.pending(Reasons.SMOKE_TESTING);
                case PASSED -> new StageState("True", Reasons.SMOKE_TEST_PASSED, verdict.message());
                case FAILED -> StageState.failed(verdict.reason(), verdict.message());
            };
            all.add(condition(seen, Conditions.SMOKE_TESTED, smoke.status(), smoke.reason(), smoke.message()));
        }
        return all;
    }

    private static Condition condition(Observation seen, String type, String status, String reason, String message) {
        List<Condition> previous = seen.previous() == null ? List.of() : seen.previous().getConditions();
        return Conditions.make(previous, type, status, reason, message, seen.generation(),
                Decision.timestamp(seen.now()));
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

    private static void setResult(MinimalImageStatus status, BuildResult result) {
        if (result == null) {
            return;
        }
        String digest = result.digest();
        status.setImageRef(result.image());
        status.setDigest(digest);
        status.setDebugImage(result.debugImage());
        status.setShortDigest(digest == null ? null : digest.substring(digest.indexOf(':') + 1,
                Math.min(digest.length(), digest.indexOf(':') + 13)));
        status.setCompressedSize(result.compressedSize());
        status.setUncompressedSize(result.uncompressedSize());
        status.setBinarySize(result.binarySize());
        status.setLink(link(result.link()));
        if (result.files() != null) {
            status.setFiles(result.files().stream().map(f -> new MinimalImageStatus.FileStatus(f.path(), f.verdict(),
                    f.needed() == null || f.needed().isEmpty() ? null : f.needed())).toList());
            status.setFilesCapped(result.filesCapped());
        }
        status.setSbom(sbom(result.sbom()));
        status.setPlatforms(result.platforms() == null ? null : result.platforms().stream()
                .map(StatusRenderer::platform).toList());
    }

    private static MinimalImageStatus.PlatformStatus platform(BuildResult.PlatformResult result) {
        MinimalImageStatus.PlatformStatus platform = new MinimalImageStatus.PlatformStatus();
        platform.setPlatform(result.platform());
        platform.setDigest(result.digest());
        platform.setCompressedSize(result.compressedSize());
        if (result.link() != null) {
            platform.setVerdict(result.link().verdict());
            platform.setLibc(result.link().libc());
            platform.setMachine(result.link().machine());
        }
        platform.setSbom(sbom(result.sbom()));
        return platform;
    }

    /** The image and its facts as the previous status of the same inputs recorded them. */
    private static void copyResult(MinimalImageStatus from, MinimalImageStatus to) {
        if (from == null) {
            return;
        }
        to.setImageRef(from.getImageRef());
        to.setDigest(from.getDigest());
        to.setDebugImage(from.getDebugImage());
        to.setShortDigest(from.getShortDigest());
        to.setCompressedSize(from.getCompressedSize());
        to.setUncompressedSize(from.getUncompressedSize());
        to.setBinarySize(from.getBinarySize());
        to.setLink(from.getLink());
        to.setFiles(from.getFiles());
        to.setFilesCapped(from.getFilesCapped());
        to.setSbom(from.getSbom());
        to.setPlatforms(from.getPlatforms());
    }

    private static MinimalImageStatus.SbomStatus sbom(SbomSummary summary) {
        if (summary == null) {
            return null;
        }
        MinimalImageStatus.SbomStatus sbom = new MinimalImageStatus.SbomStatus();
        sbom.setDigest(summary.digest());
        sbom.setFormat(summary.format());
        sbom.setComponents(summary.components());
        return sbom;
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

    private static MinimalImageStatus fresh(Observation seen) {
        MinimalImageStatus status = new MinimalImageStatus();
        status.setObservedGeneration(seen.generation());
        return status;
    }
}
