package dev.minimalimage.operator;

/** Every condition reason and event reason the operator writes, in one place (CamelCase, a closed set). */
public final class Reasons {

    // progress
    public static final String BUILDING = "Building";
    public static final String PENDING = "Pending";
    public static final String BUILT = "Built";
    public static final String SUCCEEDED = "Succeeded";
    public static final String INLINE_SOURCE = "InlineSource";
    public static final String ALLOWED_DYNAMIC = "DynamicAllowed";

    // failures (Ready=False); the compile step's specific reasons (ToolchainToolMissing, ExecutableNotFound,
    // ExecutableAmbiguous: CompileExitCodes) and the packing end's own reasons (DynamicDependency, UnsupportedBinary, PushUnauthorized,
    // RegistryUnavailable, PushRejected) come through unchanged from its result record
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CACHE_CLAIM_INVALID = "CacheClaimInvalid";
    public static final String PUSH_SECRET_INVALID = "PushSecretInvalid";
    public static final String GIT_SECRET_INVALID = "GitSecretInvalid";
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";
    public static final String UNSCHEDULABLE = "Unschedulable";
    public static final String VOLUME_MOUNT_FAILED = "VolumeMountFailed";
    /** Not running after spec.build.startTimeout, neither unschedulable nor with a mount failure on record. */
    public static final String POD_NOT_STARTED = "PodNotStarted";
    public static final String POD_REJECTED = "PodRejected";
    /** The API refused a request after the last retry (not over a Succeeded result of the same generation). */
    public static final String RECONCILE_ERROR = "ReconcileError";
    public static final String SOURCE_FETCH_FAILED = "SourceFetchFailed";
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
    public static final String CONFIGURATION_ERROR = "PodConfigurationError";
    public static final String BUILDER_POD_LOST = "BuilderPodLost";
    public static final String RESULT_UNREADABLE = "ResultUnreadable";
    public static final String BUILD_FAILED = "BuildFailed";

    // events
    public static final String EVENT_BUILD_STARTED = "BuildStarted";
    public static final String EVENT_BUILD_SUCCEEDED = "BuildSucceeded";
    public static final String EVENT_BUILD_FAILED = "BuildFailed";
    public static final String EVENT_POD_RECREATED = "BuilderPodRecreated";
    public static final String EVENT_INVALID_SPEC = "InvalidSpec";

    private Reasons() {
    }
}
