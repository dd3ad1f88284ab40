package dev.minimalimage.planning;

import dev.minimalimage.api.v1alpha1.Dockerfile.StageSecurity;
import dev.minimalimage.dockerfile.StageContainers;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * Who a Dockerfile stage's container runs as, and with what. Every one drops all capabilities, may not escalate
 * privileges and runs under the runtime's default seccomp profile; its root is writable (COPY and RUN write there,
 * as in a docker build). A stage runs as the numeric USER its RUN lines name, or, when none names one, as its image's
 * own user: root for most toolchain images, which makes the pod Pod Security "baseline". At {@link
 * StageSecurity#RESTRICTED} the planner has made sure every stage names a non-root user, and runAsNonRoot holds the
 * kubelet to it. A container that only hands on an image's files runs as the builder's own user.
 */
final class StageSecurityContexts {

    private StageSecurityContexts() {
    }

    static SecurityContext of(StageContainers.Container stage, StageSecurity security) {
        SecurityContextBuilder context = new SecurityContextBuilder().withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
        // at Restricted a stage without RUN lines (only COPY and WORKDIR) runs as the builder's user, as image-N does
        boolean asBuilder = !stage.runsSteps() || security == StageSecurity.RESTRICTED && !stage.runsCommands();
        long[] ids = asBuilder ? new long[] { BuilderLayout.BUILDER_UID, BuilderLayout.BUILDER_UID } : stage.ids();
        if (ids != null) {
            context.withRunAsUser(ids[0]).withRunAsGroup(ids[1]);
        }
        boolean nonRoot = security == StageSecurity.RESTRICTED || asBuilder;
        return context.withRunAsNonRoot(nonRoot ? true : null).build();
    }
}
