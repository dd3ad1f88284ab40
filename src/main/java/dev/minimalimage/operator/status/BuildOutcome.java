package dev.minimalimage.operator.status;

import java.util.EnumMap;
import java.util.Map;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import dev.minimalimage.result.BuildResult;

/** What the builder pod says about the build: phase, Ready reason and message, per-stage state, the result. */
public record BuildOutcome(Phase phase, String reason, String message, Map<Stage, StageState> stages, BuildResult result,
        String sourceCommit, String finishedAt) {

    record StageState(String status, String reason, String message) {
        static StageState done(String reason) {
            return new StageState("True", reason, null);
        }

        static StageState failed(String reason, String message) {
            return new StageState("False", reason, message);
        }

        static StageState pending(String reason) {
            return new StageState("Unknown", reason, null);
        }
    }

    static Map<Stage, StageState> allPending() {
        Map<Stage, StageState> stages = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            stages.put(stage, StageState.pending(Reasons.PENDING));
        }
        return stages;
    }

    BuildOutcome withFinishedAt(String time) {
        return new BuildOutcome(phase, reason, message, stages, result, sourceCommit, time);
    }

    boolean finished() {
        return phase == Phase.Succeeded || phase == Phase.Failed;
    }
}
