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
        assertThat(outcome.message()).contains("before the compile step ran", "exit code 1", "No space left on device",
                "kubectl logs -n ns app-build-0123456789 -c runtime");
    }
}
