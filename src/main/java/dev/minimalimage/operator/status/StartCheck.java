package dev.minimalimage.operator.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.minimalimage.api.v1alpha1.MinimalImageStatus.Phase;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/**
 * A builder (or smoke-test) pod that has not started a single step after spec.build.startTimeout:
 * activeDeadlineSeconds counts from the kubelet's start, which a pod that is never scheduled or never gets its volumes
 * does not reach, so without this such a build would show Building for ever. The reason quotes the scheduler (Unschedulable) or the kubelet
 * (VolumeMountFailed, from its FailedMount event).
 */
public final class StartCheck {

    private StartCheck() {
    }

    /** Whether any step of the pod has run (or the pod left Pending). */
    static boolean started(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        if (pod.getStatus().getPhase() != null && !"Pending".equals(pod.getStatus().getPhase())) {
            return true;
        }
        List<ContainerStatus> all = new ArrayList<>();
        all.addAll(Objects.requireNonNullElse(pod.getStatus().getInitContainerStatuses(), List.of()));
        all.addAll(Objects.requireNonNullElse(pod.getStatus().getContainerStatuses(), List.of()));
        return all.stream().anyMatch(c -> c.getState() != null
                && (c.getState().getRunning() != null || c.getState().getTerminated() != null));
    }

    /** How long until the pod's start time runs out (negative: it has). */
    static Duration remaining(Pod pod, Duration startTimeout, Instant now) {
        Instant created = Instant.parse(pod.getMetadata().getCreationTimestamp());
        return startTimeout.minus(Duration.between(created, now));
    }

    /** Why a pod did not start in time: one of the builder's reasons and the scheduler's or kubelet's words. */
    record NotStarted(String reason, String message) {
    }

    /** The failure of a builder pod that did not start in time, or empty while it still may. */
    static Optional<BuildOutcome> expired(Pod pod, Duration startTimeout, Instant now,
            Supplier<Optional<String>> mountFailure) {
        return notStarted(pod, "builder pod", startTimeout, now, mountFailure)
                .map(late -> failed(late.reason(), late.message()));
    }

    /**
     * Why a pod ({@code role}, e.g. "builder pod", names it in the message) has not started within
     * {@code startTimeout} of its creation, or empty while it still may (or did start).
     */
    static Optional<NotStarted> notStarted(Pod pod, String role, Duration startTimeout, Instant now,
            Supplier<Optional<String>> mountFailure) {
        if (started(pod) || pod.getMetadata().getCreationTimestamp() == null
                || !remaining(pod, startTimeout, now).isNegative()) {
            return Optional.empty();
        }
        String name = pod.getMetadata().getName();
        String limit = " within spec.build.startTimeout (" + startTimeout.toSeconds() + "s)";
        Optional<PodCondition> unschedulable = (pod.getStatus() == null ? List.<PodCondition>of()
                : Objects.requireNonNullElse(pod.getStatus().getConditions(), List.<PodCondition>of())).stream()
                .filter(c -> KubeletReasons.POD_SCHEDULED.equals(c.getType()) && "False".equals(c.getStatus())).findFirst();
        if (unschedulable.isPresent()) {
            return Optional.of(new NotStarted(Reasons.UNSCHEDULABLE, role + " " + name + " was not scheduled" + limit
                    + ": " + unschedulable.get().getMessage()));
        }
        return Optional.of(mountFailure.get().map(message -> new NotStarted(Reasons.VOLUME_MOUNT_FAILED, role + " "
                + name + " could not mount its volumes" + limit + ": " + message))
                .orElseGet(() -> new NotStarted(Reasons.POD_NOT_STARTED, role + " " + name + " did not start" + limit
                        + ". See: kubectl describe pod -n " + pod.getMetadata().getNamespace() + " " + name)));
    }

    private static BuildOutcome failed(String reason, String message) {
        return new BuildOutcome(Phase.Failed, reason, message, BuildOutcome.allPending(), null, null, null);
    }
}
