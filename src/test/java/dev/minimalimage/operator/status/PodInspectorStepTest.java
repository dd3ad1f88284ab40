package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.minimalimage.planning.BuilderLayout;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Which reason a failed step of the builder pod gets: the user's build, or the operator's own step. */
class PodInspectorStepTest {

    /** (An OOMKilled step is OutOfMemory whichever step it is: a rule of its own, tested elsewhere.) */
    @Test
    void theRuntimeCopyFailingIsNotBlamedOnTheUsersBuild() {
        Pod pod = new PodBuilder().withNewMetadata().withName("app-build-0123456789").withNamespace("ns").endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withPhase("Failed").withInitContainerStatuses(new ContainerStatusBuilder()
                        .withName(BuilderLayout.RUNTIME_CONTAINER).withNewState().withNewTerminated().withExitCode(1)
                        .withReason("Error").withMessage("error: No space left on device").endTerminated().endState().build(),
                        new ContainerStatusBuilder().withName(BuilderLayout.COMPILE_CONTAINER).withNewState()
                        .withNewWaiting().withReason("PodInitializing").endWaiting().endState().build())
                .endStatus().build();

        BuildOutcome outcome = PodInspector.inspect(pod, true);

        assertThat(outcome.reason()).isEqualTo(Reasons.RUNTIME_COPY_FAILED);
        assertThat(outcome.message()).contains("before the build's own steps ran", "exit code 1", "No space left on device",
                "kubectl logs -n ns app-build-0123456789 -c runtime");
    }

    // ------------------------------------------------------------- the compile step beside the packer

    private static final String COMPILE_LOG = "main.c:3: error: expected ';' before '}' token";

    private static io.fabric8.kubernetes.api.model.ContainerStatus compile(int exitCode, String reason) {
        return new ContainerStatusBuilder().withName(BuilderLayout.COMPILE_CONTAINER).withNewState().withNewTerminated()
                .withExitCode(exitCode).withReason(reason).withMessage(COMPILE_LOG).endTerminated().endState().build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus packerRunning() {
        return new ContainerStatusBuilder().withName(BuilderLayout.PACKAGE_CONTAINER).withNewState().withNewRunning()
                .endRunning().endState().build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus packerEnded(int exitCode) {
        return new ContainerStatusBuilder().withName(BuilderLayout.PACKAGE_CONTAINER).withNewState().withNewTerminated()
                .withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error").endTerminated().endState()
                .build();
    }

    /** Compile and package are the pod's containers, in that order; the kubelet lists their statuses by name. */
    private static PodBuilder sideBySide(String phase, io.fabric8.kubernetes.api.model.ContainerStatus... statuses) {
        return new PodBuilder().withNewMetadata().withName("app-build-0123456789").withNamespace("ns").endMetadata()
                .withNewSpec().addNewContainer().withName(BuilderLayout.COMPILE_CONTAINER).endContainer()
                .addNewContainer().withName(BuilderLayout.PACKAGE_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase(phase).withContainerStatuses(statuses).endStatus();
    }

    /** Fetch, compile and package are the pod's containers, in that order: a git build. */
    private static PodBuilder gitPod() {
        return new PodBuilder().withNewMetadata().withName("app-build-0123456789").withNamespace("ns").endMetadata()
                .withNewSpec().addNewContainer().withName(BuilderLayout.FETCH_CONTAINER).endContainer()
                .addNewContainer().withName(BuilderLayout.COMPILE_CONTAINER).endContainer()
                .addNewContainer().withName(BuilderLayout.PACKAGE_CONTAINER).endContainer().endSpec();
    }

    @Test
    void aCompileFailureIsTheBuildsFailureWhetherThePackerEndedOrStillWaits() {
        for (Pod pod : java.util.List.of(sideBySide("Running", packerRunning(), compile(1, "Error")).build(),
                sideBySide("Failed", packerEnded(8), compile(1, "Error")).build())) {
            BuildOutcome outcome = PodInspector.inspect(pod, true);
            assertThat(outcome.reason()).as(pod.getStatus().getPhase()).isEqualTo("CompileFailed");
            assertThat(outcome.message()).contains(COMPILE_LOG, "kubectl logs -n ns app-build-0123456789 -c compile");
        }
    }

    @Test
    void aCompileStepThatEndedWellLeavesTheBuildBuildingWhileThePackerPacks() {
        Pod pod = sideBySide("Running", packerRunning(), compile(0, "Completed")).build();
        assertThat(PodInspector.inspect(pod, true).reason()).isEqualTo(Reasons.BUILDING);
        assertThat(PodInspector.failedWhileOthersRun(pod)).isEmpty();
    }

    /**
     * A compile step whose shell was killed never tells the packer: the operator stops the pod by its deadline and
     * marks it, and the failure stays the compile step's, not a Timeout.
     */
    @Test
    void aPodStoppedAfterAFailedStepKeepsThatStepsFailure() {
        Pod waiting = sideBySide("Running", packerRunning(), compile(137, "OOMKilled")).build();
        assertThat(PodInspector.failedWhileOthersRun(waiting)).contains(BuilderLayout.COMPILE_CONTAINER);

        Pod stopped = sideBySide("Failed", packerEnded(143), compile(137, "OOMKilled")).editMetadata()
                .addToAnnotations(BuilderLayout.ANNOTATION_STOPPED, BuilderLayout.COMPILE_CONTAINER).endMetadata()
                .editStatus().withReason("DeadlineExceeded").endStatus().build();
        assertThat(PodInspector.inspect(stopped, true).reason()).isEqualTo(Reasons.OUT_OF_MEMORY);
        assertThat(PodInspector.failedWhileOthersRun(stopped)).as("stopped once").isEmpty();

        Pod timedOut = sideBySide("Failed", packerEnded(143), compile(137, "Error")).editStatus()
                .withReason("DeadlineExceeded").endStatus().build();
        BuildOutcome timeout = PodInspector.inspect(timedOut, true);
        assertThat(timeout.reason()).as("a real timeout").isEqualTo(Reasons.TIMEOUT);
        assertThat(timeout.message()).as("the step the time ran out in, not the packer killed beside it")
                .contains("in step compile", "-c compile");
    }

    /**
     * A git build's fetch step runs beside the compile step, which waits for its exit code: a fetch killed for memory
     * before it could write one leaves the compile step waiting, so the operator stops the pod for it, and the fetch
     * step's failure is the build's.
     */
    @Test
    void aFetchStepKilledBesideTheWaitingCompileStepStopsThePodAndIsTheReason() {
        io.fabric8.kubernetes.api.model.ContainerStatus fetchKilled = new ContainerStatusBuilder()
                .withName(BuilderLayout.FETCH_CONTAINER).withNewState().withNewTerminated().withExitCode(137)
                .withReason("OOMKilled").endTerminated().endState().build();
        io.fabric8.kubernetes.api.model.ContainerStatus compileWaiting = new ContainerStatusBuilder()
                .withName(BuilderLayout.COMPILE_CONTAINER).withNewState().withNewRunning().endRunning().endState().build();
        PodBuilder pod = gitPod();

        Pod running = pod.withNewStatus().withPhase("Running")
                .withContainerStatuses(packerRunning(), compileWaiting, fetchKilled).endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(running)).contains(BuilderLayout.FETCH_CONTAINER);

        Pod stopped = new PodBuilder(running).editMetadata()
                .addToAnnotations(BuilderLayout.ANNOTATION_STOPPED, BuilderLayout.FETCH_CONTAINER).endMetadata()
                .editStatus().withPhase("Failed").withReason("DeadlineExceeded")
                .withContainerStatuses(packerEnded(143), compile(137, "Error"), fetchKilled).endStatus().build();
        BuildOutcome outcome = PodInspector.inspect(stopped, true);
        assertThat(outcome.reason()).isEqualTo(Reasons.OUT_OF_MEMORY);
        assertThat(outcome.message()).contains("step fetch", "-c fetch");
    }

    /**
     * The fetch step fails and writes its exit code; the compile step beside it reads it and its shell ends at once,
     * before the fetch step's JVM has: the kubelet may report that moment. The fetch step's end names the reason, not
     * the compile step that only repeated it (found on the real cluster: CompileFailed for a missing commit).
     */
    @Test
    void aCompileStepThatEndedOnTheFetchsCodeWaitsForTheFetchStepsOwnEnd() {
        io.fabric8.kubernetes.api.model.ContainerStatus fetchRunning = new ContainerStatusBuilder()
                .withName(BuilderLayout.FETCH_CONTAINER).withNewState().withNewRunning().endRunning().endState().build();
        io.fabric8.kubernetes.api.model.ContainerStatus fetchFailed = new ContainerStatusBuilder()
                .withName(BuilderLayout.FETCH_CONTAINER).withNewState().withNewTerminated().withExitCode(7)
                .withReason("Error").withMessage("error: no commit 0123abc in the repository").endTerminated()
                .endState().build();
        PodBuilder pod = gitPod();

        Pod compileFirst = new PodBuilder(pod.build()).withNewStatus().withPhase("Running")
                .withContainerStatuses(packerRunning(), compile(206, "Error"), fetchRunning).endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(compileFirst)).isEmpty();
        assertThat(PodInspector.inspect(compileFirst, false).reason()).isEqualTo(Reasons.BUILDING);

        Pod ended = new PodBuilder(pod.build()).withNewStatus().withPhase("Running")
                .withContainerStatuses(packerRunning(), compile(206, "Error"), fetchFailed).endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(ended)).contains(BuilderLayout.FETCH_CONTAINER);
        assertThat(PodInspector.inspect(ended, false).reason()).isEqualTo(Reasons.SOURCE_FETCH_FAILED);
    }

    /**
     * The kubelet says Pending while any container waits: a fetch that failed beside a compile step whose image pull
     * backs off still stops the pod (it would otherwise be held until its deadline and then read as a Timeout), and
     * the stopped pod's failure stays the fetch step's after the deadline.
     */
    @Test
    void aStepFailedBesideOneWhosePullBacksOffStopsThePendingPod() {
        io.fabric8.kubernetes.api.model.ContainerStatus fetchFailed = new ContainerStatusBuilder()
                .withName(BuilderLayout.FETCH_CONTAINER).withNewState().withNewTerminated().withExitCode(7)
                .withReason("Error").withMessage("error: no commit 0123abc in the repository").endTerminated()
                .endState().build();
        io.fabric8.kubernetes.api.model.ContainerStatus compilePulling = new ContainerStatusBuilder()
                .withName(BuilderLayout.COMPILE_CONTAINER).withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .endWaiting().endState().build();
        Pod pending = gitPod()
                .withNewStatus().withPhase("Pending").withContainerStatuses(packerRunning(), compilePulling, fetchFailed)
                .endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(pending)).contains(BuilderLayout.FETCH_CONTAINER);
        assertThat(PodInspector.inspect(pending, false).reason()).isEqualTo(Reasons.SOURCE_FETCH_FAILED);

        Pod stopped = new PodBuilder(pending).editMetadata()
                .addToAnnotations(BuilderLayout.ANNOTATION_STOPPED, BuilderLayout.FETCH_CONTAINER).endMetadata()
                .editStatus().withPhase("Failed").withReason("DeadlineExceeded").endStatus().build();
        assertThat(PodInspector.inspect(stopped, false).reason()).isEqualTo(Reasons.SOURCE_FETCH_FAILED);
        Pod evicted = new PodBuilder(stopped).editStatus().withReason("Evicted").endStatus().build();
        assertThat(PodInspector.inspect(evicted, false).reason()).as("a stop stands over an eviction after it")
                .isEqualTo(Reasons.SOURCE_FETCH_FAILED);

        Pod deleting = new PodBuilder(pending).editMetadata().withDeletionTimestamp("2026-12-06T18:00:00Z")
                .endMetadata().build();
        assertThat(PodInspector.failedWhileOthersRun(deleting)).as("a pod being deleted is not stopped").isEmpty();
    }

    /**
     * Only a running step before it may have written the code a later step repeated: beside a step that still waits to
     * start, a step that ended with its own code failed on its own and stops the pod at once.
     */
    @Test
    void aStepThatFailedBesideOneStillWaitingToStartFailedOnItsOwn() {
        io.fabric8.kubernetes.api.model.ContainerStatus fetchCreating = new ContainerStatusBuilder()
                .withName(BuilderLayout.FETCH_CONTAINER).withNewState().withNewWaiting().withReason("ContainerCreating")
                .endWaiting().endState().build();
        Pod pod = gitPod()
                .withNewStatus().withPhase("Pending").withContainerStatuses(packerRunning(), compile(1, "Error"),
                        fetchCreating).endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(pod)).contains(BuilderLayout.COMPILE_CONTAINER);
        assertThat(PodInspector.inspect(pod, false).reason()).isEqualTo("CompileFailed");
    }

    /**
     * containerd says OOMKilled when the kernel killed any process of the container for memory, even a child the step
     * survived (a build that retried with fewer jobs): a step that ended with 0 did not fail.
     */
    @Test
    void aStepThatEndedWithZeroIsNoFailureThoughAChildWasKilledForMemory() {
        Pod pushed = sideBySide("Succeeded", new ContainerStatusBuilder(packerEnded(0)).editState().editTerminated()
                .withMessage(dev.minimalimage.operator.MinimalImageReconcilerTest.success().toJson()).endTerminated()
                .endState().build(), compile(0, "OOMKilled")).build();
        assertThat(PodInspector.inspect(pushed, true).phase())
                .isEqualTo(dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase.Succeeded);
        Pod killed = sideBySide("Running", packerRunning(), compile(137, "OOMKilled")).build();
        assertThat(PodInspector.inspect(killed, true).reason()).isEqualTo(Reasons.OUT_OF_MEMORY);
    }

    /** A packer that pushed while the compile step still runs (the build wrote the exit code early) is no success. */
    @Test
    void aPushBeforeTheCompileStepEndedIsNotASuccessYet() {
        Pod early = sideBySide("Running", new ContainerStatusBuilder(packerEnded(0)).editState().editTerminated()
                .withMessage(dev.minimalimage.operator.MinimalImageReconcilerTest.success().toJson()).endTerminated()
                .endState().build(), new ContainerStatusBuilder().withName(BuilderLayout.COMPILE_CONTAINER)
                .withNewState().withNewRunning().endRunning().endState().build()).build();
        assertThat(PodInspector.inspect(early, true).reason()).isEqualTo(Reasons.BUILDING);
    }

    // ------------------------------------------------------------- a Dockerfile's last stage beside the packer

    private static final String STAGE_RESULT = "{\"reason\":\"BuildStepFailed\",\"message\":\"Dockerfile line 4: RUN"
            + " exited with 2 (its output is in this container's log)\"}";

    private static io.fabric8.kubernetes.api.model.ContainerStatus stage(String state) {
        ContainerStatusBuilder stage = new ContainerStatusBuilder().withName("stage-1");
        return switch (state) {
            case "running" -> stage.withNewState().withNewRunning().endRunning().endState().build();
            case "failed" -> stage.withNewState().withNewTerminated().withExitCode(9).withReason("Error")
                    .withMessage(STAGE_RESULT).endTerminated().endState().build();
            default -> stage.withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
                    .endTerminated().endState().build();
        };
    }

    /** Runtime and stage-0 as init containers, then stage-1 and the packer side by side. */
    private static Pod dockerfilePod(String phase, io.fabric8.kubernetes.api.model.ContainerStatus... statuses) {
        io.fabric8.kubernetes.api.model.ContainerStatus done = new ContainerStatusBuilder().withNewState()
                .withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().endState().build();
        return new PodBuilder().withNewMetadata().withName("df-build-0123456789").withNamespace("ns").endMetadata()
                .withNewSpec().addNewInitContainer().withName(BuilderLayout.RUNTIME_CONTAINER).endInitContainer()
                .addNewInitContainer().withName("stage-0").endInitContainer()
                .addNewContainer().withName("stage-1").endContainer()
                .addNewContainer().withName(BuilderLayout.PACKAGE_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase(phase).withInitContainerStatuses(
                        new ContainerStatusBuilder(done).withName(BuilderLayout.RUNTIME_CONTAINER).build(),
                        new ContainerStatusBuilder(done).withName("stage-0").build())
                .withContainerStatuses(statuses).endStatus().build();
    }

    /**
     * The stage's run-stage writes its exit code, then its JVM ends; the packer, told, may end first. The kubelet can
     * report that moment: the packer's reason would be a guess, so the operator waits for the stage's own end.
     */
    @Test
    void aPackerThatFollowedTheLastStagesFailureWaitsForThatStagesOwnEnd() {
        Pod packerFirst = dockerfilePod("Running", packerEnded(8), stage("running"));
        assertThat(PodInspector.failedWhileOthersRun(packerFirst)).isEmpty();
        assertThat(PodInspector.inspect(packerFirst, true).reason()).isEqualTo(Reasons.BUILDING);

        Pod ended = dockerfilePod("Failed", packerEnded(8), stage("failed"));
        BuildOutcome outcome = PodInspector.inspect(ended, true);
        assertThat(outcome.reason()).isEqualTo(Reasons.BUILD_STEP_FAILED);
        assertThat(outcome.message()).contains("Dockerfile line 4", "kubectl logs -n ns df-build-0123456789 -c stage-1");

        Pod stageKilled = dockerfilePod("Running", packerRunning(), new ContainerStatusBuilder(stage("failed"))
                .editState().editTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endState()
                .build());
        assertThat(PodInspector.failedWhileOthersRun(stageKilled)).as("it could not say: the packer still waits")
                .contains("stage-1");
    }

    /**
     * A Dockerfile with one stage container: the runtime copy is the pod's first regular container (held by its
     * postStart hook). A copy that failed leaves the stage unable to start and the packer waiting: the copy's failure
     * is the build's, at once.
     */
    @Test
    void aHeldRuntimeCopyThatFailedIsTheReasonWhileTheOthersWait() {
        Pod pod = new PodBuilder().withNewMetadata().withName("df-build-0123456789").withNamespace("ns").endMetadata()
                .withNewSpec().addNewContainer().withName(BuilderLayout.RUNTIME_CONTAINER).endContainer()
                .addNewContainer().withName("stage-0").endContainer()
                .addNewContainer().withName(BuilderLayout.PACKAGE_CONTAINER).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withContainerStatuses(packerRunning(),
                        new ContainerStatusBuilder().withName(BuilderLayout.RUNTIME_CONTAINER).withNewState()
                                .withNewTerminated().withExitCode(1).withReason("Error")
                                .withMessage("error: No space left on device").endTerminated().endState().build(),
                        new ContainerStatusBuilder().withName("stage-0").withNewState().withNewTerminated()
                                .withExitCode(128).withReason("StartError").endTerminated().endState().build())
                .endStatus().build();
        assertThat(PodInspector.failedWhileOthersRun(pod)).contains(BuilderLayout.RUNTIME_CONTAINER);
        BuildOutcome outcome = PodInspector.inspect(pod, true);
        assertThat(outcome.reason()).isEqualTo(Reasons.RUNTIME_COPY_FAILED);
        assertThat(outcome.message()).contains("No space left on device", "-c runtime");
    }

    @Test
    void aPackerKilledWhileTheStepBeforeItRunsStopsThePodAtOnce() {
        Pod packerKilled = sideBySide("Running", new ContainerStatusBuilder(packerEnded(137)).editState()
                .editTerminated().withReason("OOMKilled").endTerminated().endState().build(),
                new ContainerStatusBuilder().withName(BuilderLayout.COMPILE_CONTAINER).withNewState().withNewRunning()
                        .endRunning().endState().build()).build();
        assertThat(PodInspector.failedWhileOthersRun(packerKilled)).contains(BuilderLayout.PACKAGE_CONTAINER);
    }

    /** A push recorded while the last stage still runs (it wrote its exit code early) is no success either. */
    @Test
    void aPushBeforeTheLastStageEndedIsNotASuccessUntilItEndsWell() {
        io.fabric8.kubernetes.api.model.ContainerStatus pushed = new ContainerStatusBuilder(packerEnded(0)).editState()
                .editTerminated().withMessage(dev.minimalimage.operator.MinimalImageReconcilerTest.success().toJson())
                .endTerminated().endState().build();
        assertThat(PodInspector.inspect(dockerfilePod("Running", pushed, stage("running")), true).reason())
                .isEqualTo(Reasons.BUILDING);
        assertThat(PodInspector.inspect(dockerfilePod("Failed", pushed, stage("failed")), true).reason())
                .isEqualTo(Reasons.BUILD_STEP_FAILED);
        assertThat(PodInspector.inspect(dockerfilePod("Succeeded", pushed, stage("ended")), true).reason())
                .isEqualTo(Reasons.BUILT);
    }

    /** The operator stopped the pod for the packer's failure: the compile step it killed then is not the reason. */
    @Test
    void aPodStoppedForThePackersFailureKeepsThePackersReason() {
        Pod stopped = sideBySide("Failed", new ContainerStatusBuilder(packerEnded(1)).editState().editTerminated()
                .withReason("OOMKilled").endTerminated().endState().build(), compile(137, "Error")).editMetadata()
                .addToAnnotations(BuilderLayout.ANNOTATION_STOPPED, BuilderLayout.PACKAGE_CONTAINER).endMetadata()
                .editStatus().withReason("DeadlineExceeded").endStatus().build();
        BuildOutcome outcome = PodInspector.inspect(stopped, true);
        assertThat(outcome.reason()).isEqualTo(Reasons.OUT_OF_MEMORY);
        assertThat(outcome.message()).contains("step package");
    }
}
