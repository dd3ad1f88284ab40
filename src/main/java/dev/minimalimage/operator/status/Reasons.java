package dev.minimalimage.operator.status;

/** Every condition reason and event reason the operator writes, in one place (CamelCase, a closed set). */
public final class Reasons {

    // progress
    public static final String BUILDING = "Building";
    public static final String PENDING = "Pending";
    public static final String BUILT = "Built";
    public static final String SUCCEEDED = "Succeeded";
    public static final String INLINE_SOURCE = "InlineSource";
    public static final String ALLOWED_DYNAMIC = "DynamicAllowed";
    /** LinkVerified of a dynamic binary shipped with its loader and libraries (linkPolicy Bundle). */
    public static final String BUNDLED = "Bundled";
    /** Waiting for a build slot (minimal-image.max-concurrent-builds). */
    public static final String QUEUED = "Queued";
    /** A recoverable fault ended an attempt; the next starts after a back-off. */
    public static final String RETRYING = "Retrying";
    /** An image pull keeps failing, within spec.build.pullTimeout (the kubelet retries it). */
    public static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";

    /** The image was pushed; spec.verify.smokeTest runs it (Ready False, phase Building). */
    public static final String SMOKE_TESTING = "SmokeTesting";
    /** The SmokeTested condition of a smoke test that passed. */
    public static final String SMOKE_TEST_PASSED = "SmokeTestPassed";

    // failures (Ready=False); the compile step's specific reasons (ToolchainToolMissing, ExecutableNotFound,
    // ExecutableAmbiguous: CompileExitCodes) and the packing end's own reasons (DynamicDependency, UnsupportedBinary, PushUnauthorized,
    // RegistryUnavailable, PushRejected) come through unchanged from its result record
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CACHE_CLAIM_INVALID = "CacheClaimInvalid";
    public static final String PUSH_SECRET_INVALID = "PushSecretInvalid";
    public static final String GIT_SECRET_INVALID = "GitSecretInvalid";
    /** The git Secret's build.minimalimage.dev/git-hosts annotation does not name the URL's host. */
    public static final String GIT_SECRET_NOT_ALLOWED = "GitSecretNotAllowed";
    public static final String CA_BUNDLE_INVALID = "CaBundleInvalid";
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";
    public static final String UNSCHEDULABLE = "Unschedulable";
    public static final String VOLUME_MOUNT_FAILED = "VolumeMountFailed";
    /** Not running after spec.build.startTimeout, neither unschedulable nor with a mount failure on record. */
    public static final String POD_NOT_STARTED = "PodNotStarted";
    public static final String POD_REJECTED = "PodRejected";
    /** The API refused a request after the last retry (not over a Succeeded result of the same generation). */
    public static final String RECONCILE_ERROR = "ReconcileError";
    public static final String SOURCE_FETCH_FAILED = "SourceFetchFailed";
    /** The followed branch's head could not be looked up (spec.source.git.pollInterval); also an event. */
    public static final String SOURCE_POLL_FAILED = "SourcePollFailed";
    public static final String DYNAMIC_DEPENDENCY = "DynamicDependency";
    public static final String UNSUPPORTED_BINARY = "UnsupportedBinary";
    public static final String PUSH_UNAUTHORIZED = "PushUnauthorized";
    public static final String REGISTRY_UNAVAILABLE = "RegistryUnavailable";
    public static final String PUSH_REJECTED = "PushRejected";
    public static final String TIMEOUT = "Timeout";
    public static final String OUT_OF_MEMORY = "OutOfMemory";
    public static final String EVICTED = "Evicted";
    public static final String TOOLCHAIN_IMAGE_PULL_FAILED = "ToolchainImagePullFailed";
    public static final String BUILDER_IMAGE_PULL_FAILED = "BuilderImagePullFailed";
    /** The FROM image of a Dockerfile stage (or an image COPY --from reads) could not be pulled. */
    public static final String BASE_IMAGE_PULL_FAILED = "BaseImagePullFailed";
    /** A RUN (or COPY) of a Dockerfile stage failed; the message names the line, the hint the container's log. */
    public static final String BUILD_STEP_FAILED = "BuildStepFailed";
    /** A git source's Dockerfile was read (its commit too); the build is planned from it next. */
    public static final String DOCKERFILE_FETCHED = "DockerfileFetched";
    public static final String CONFIGURATION_ERROR = "PodConfigurationError";
    public static final String BUILDER_POD_LOST = "BuilderPodLost";
    public static final String RESULT_UNREADABLE = "ResultUnreadable";
    public static final String BUILD_FAILED = "BuildFailed";
    /**
     * Bundle mode's first step, which copies minimal-image itself into the pod (operator code only, not the user's
     * build), failed: out of memory or ephemeral storage, usually.
     */
    public static final String RUNTIME_COPY_FAILED = "RuntimeCopyFailed";
    /** The smoke test ran and its exit code, its output, or its still running (expectRunning) was not as asked. */
    public static final String SMOKE_TEST_FAILED = "SmokeTestFailed";
    /** The kubelet could not pull the produced image for the smoke test. */
    public static final String SMOKE_TEST_IMAGE_PULL_FAILED = "SmokeTestImagePullFailed";
    /** The smoke-test container never ran (the runtime could not start it: a dynamic binary on scratch, say). */
    public static final String SMOKE_TEST_CANNOT_START = "SmokeTestCannotStart";
    /** An exit was expected and the smoke test's timeout passed first. */
    public static final String SMOKE_TEST_TIMEOUT = "SmokeTestTimeout";

    // events
    public static final String EVENT_BUILD_STARTED = "BuildStarted";
    public static final String EVENT_BUILD_SUCCEEDED = "BuildSucceeded";
    public static final String EVENT_BUILD_FAILED = "BuildFailed";
    public static final String EVENT_BUILD_RETRYING = "BuildRetrying";
    public static final String EVENT_BUILD_QUEUED = "BuildQueued";
    public static final String EVENT_INVALID_SPEC = "InvalidSpec";

    private Reasons() {
    }

    /**
     * A failure whose builder pod would only hold a node's (or the quota's) room: an image pull that failed, or a pod
     * that never started. The reconciler deletes that pod; the verdict stays in the status.
     */
    public static boolean podHeldInVain(String reason) {
        return switch (reason) {
            case TOOLCHAIN_IMAGE_PULL_FAILED, BUILDER_IMAGE_PULL_FAILED, BASE_IMAGE_PULL_FAILED, UNSCHEDULABLE, VOLUME_MOUNT_FAILED,
                    POD_NOT_STARTED -> true;
            default -> false;
        };
    }
}
