package dev.minimalimage.result;

/** Why a packaging run failed; the same names appear in the MinimalImage status. */
public enum ResultReason {
    /** The binary needs an interpreter or shared libraries, so it would die on scratch. */
    DynamicDependency(3),
    /** Not an ELF executable at all, or a corrupt one. */
    UnsupportedBinary(3),
    PushUnauthorized(4),
    RegistryUnavailable(5),
    PushRejected(6),
    /** Only from local builds (`build`): the language preset's compile step failed. */
    CompileFailed(8),
    InvalidArguments(2),
    InternalError(1);

    private final int exitCode;

    ResultReason(int exitCode) {
        this.exitCode = exitCode;
    }

    /** Process exit code; distinct per class of failure so scripts can tell them apart. */
    public int exitCode() {
        return exitCode;
    }
}
