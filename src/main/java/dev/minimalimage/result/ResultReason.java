package dev.minimalimage.result;

/** Why a packaging run failed; the same names appear in the MinimalImage status. */
public enum ResultReason {
    /** The binary needs an interpreter or shared libraries, so it would die on scratch. */
    DynamicDependency(3),
    /** Not an ELF executable at all, or a corrupt one. */
    UnsupportedBinary(3),
    /**
     * `package --bundle`: a library the program needs (DT_NEEDED, its interpreter, a required dlopen note or an
     * --extra-library) is nowhere the loader would look under the bundle root; nothing is pushed.
     */
    BundleIncomplete(3),
    /**
     * The binary built for a platform is an ELF for another machine, class or byte order (a preset or script that
     * ignored the target): the message names both; nothing is pushed.
     */
    PlatformMismatch(3),
    PushUnauthorized(4),
    RegistryUnavailable(5),
    PushRejected(6),
    /** Only from local builds (`build`): the language preset's compile step failed. */
    CompileFailed(8),
    /** The compile step: the toolchain image lacks a tool the project's build system needs (make, cmake, ...). */
    ToolchainToolMissing(8),
    /** The compile step: the build produced no executable, or not the one spec.language.executable names. */
    ExecutableNotFound(8),
    /** The compile step: the build produced several executables and none is named. */
    ExecutableAmbiguous(8),
    /**
     * Only from `build --smoke-test`: the image, delivered, did not pass its run from an empty root on this machine
     * (wrong exit code, output not matching, no exit within the timeout, or it could not even start).
     */
    SmokeTestFailed(9),
    /**
     * Only from `build --smoke-test`: the test was asked for but this host cannot run it (no user namespaces, no
     * unshare); the image was delivered. Not a failure with `--smoke-test-optional`.
     */
    SmokeTestNotRun(11),
    /**
     * `build --dockerfile`: the Dockerfile (or its .dockerignore) is not valid, or uses an instruction, flag or form
     * this builder does not support; the message names the line (and the column for a syntax error).
     */
    InvalidDockerfile(2),
    /** `build --dockerfile`: the final stage is not FROM scratch (nor FROM a stage that is): it would ship a distro. */
    FinalStageNotScratch(2),
    /** `build --dockerfile`: a RUN exited with an error, or a COPY/ADD source does not exist; the message says which. */
    BuildStepFailed(8),
    /** `build --dockerfile`: a FROM (or COPY --from) image could not be pulled: not found, no access, unreachable. */
    BaseImagePullFailed(5),
    /** A file or directory named on the command line cannot be read or written (the system's reason says why). */
    FileError(2),
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
