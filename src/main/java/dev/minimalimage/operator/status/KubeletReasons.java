package dev.minimalimage.operator.status;

import java.util.Set;

/**
 * The kubelet's and the scheduler's words for a pod or container that is stuck or was stopped, in one table: the
 * builder pod ({@link PodInspector}), the smoke-test pod ({@link SmokeInspector}) and the start check
 * ({@link StartCheck}) all read pods through it, so a reason the kubelet adds is taught to the operator once.
 */
public final class KubeletReasons {

    /** What a waiting container's reason says about it. */
    enum Waiting {
        /** The pull failed and the kubelet keeps retrying it (back-off up to 5 min): a 429 or an outage may heal. */
        PULL_RETRIED,
        /** The pull can never succeed in this pod (a malformed name, a pull policy of Never). */
        PULL_REFUSED,
        /** The kubelet cannot create or start the container (a missing Secret key, a bad mount, a runtime error). */
        CANNOT_CREATE,
        /** An ordinary wait (ContainerCreating, PodInitializing) or one the operator has no word for. */
        ORDINARY;

        boolean pullFailure() {
            return this == PULL_RETRIED || this == PULL_REFUSED;
        }

        static Waiting of(String reason) {
            if (reason == null) {
                return ORDINARY;
            }
            return switch (reason) {
                case "ErrImagePull", "ImagePullBackOff" -> PULL_RETRIED;
                case "InvalidImageName", "ErrImageNeverPull" -> PULL_REFUSED;
                case "CreateContainerConfigError", "CreateContainerError", "RunContainerError" -> CANNOT_CREATE;
                default -> ORDINARY;
            };
        }
    }

    /** How runc / containerd and dockershim report a process that could not be started (a terminated state). */
    static final Set<String> CANNOT_RUN = Set.of("StartError", "ContainerCannotRun");
    /** A terminated container the kernel killed for its memory limit. */
    static final String OOM_KILLED = "OOMKilled";
    /** The pod's reason once activeDeadlineSeconds ran out (counted from the kubelet's start of the pod). */
    static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    /** The pod's reason when the kubelet evicted it (node pressure). */
    static final String EVICTED = "Evicted";
    /** The event reason of a volume the kubelet cannot mount (the pod's status never says it). */
    public static final String FAILED_MOUNT = "FailedMount";
    /** The pod condition the scheduler sets False, with its reasons in the message, while no node takes the pod. */
    static final String POD_SCHEDULED = "PodScheduled";

    private KubeletReasons() {
    }
}
